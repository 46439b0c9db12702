/* `verify`: 1.x live rows reconciled with Milvus 2.x row counts. */
#include "commands.h"
#include "options.h"
#include "steps.h"

static const mm_option options[] = {
    MM_OPT_GROUP_ENTRY("Options:"),
    MM_STEPS_OPT_CONFIG,
    MM_STEPS_OPT_COL,
    MM_STEPS_OPT_REPORT,
    MM_STEPS_OPT_SAMPLE,
    MM_OPT_HELP_ENTRY,
    {0},
};
MM_COMMAND_OPTIONS(verify, options)

static const mm_option_text text = {
    .usage = "Usage: milvus-migrate verify [-c FILE] [--col A,B] [--report BASE] [--sample N]\n"
             "\n"
             "For every collection and partition compares the live rows of the 1.x\n"
             "segments, the rows staged by dump, the rows the import tasks reported and\n"
             "the row_count of GetCollectionStatistics / GetPartitionStatistics, read\n"
             "until it settles (verify.statsTimeoutSeconds). Then reads a sample of rows\n"
             "of every partition back through Query and compares them bit for bit with\n"
             "the 1.x files (verify.sample, verify.sampleSeed; a collection that is not\n"
             "loaded is loaded for it only with verify.loadForSample: true). Prints a\n"
             "table and writes BASE.json and BASE.md (default: <state.dir>/report).\n"
             "\n",
    .epilog = "\n"
              "Exit status: 0 all counts and the sampled rows match, 1 failed, 2 usage or\n"
              "configuration error, 3 a count or a sampled row does not match.\n",
};

int mm_cmd_verify(int argc, char **argv)
{
    mm_steps_args args = {0};
    int parsed = mm_options_parse("verify", options, &text, argc, argv, &args);
    if (parsed != MM_OPTIONS_GO_ON)
        return parsed;
    return mm_cli_run_steps("verify", &args, MM_STEP_VERIFY, MM_STEPS_CATCH_SIGNALS | MM_STEPS_DELETE_STAGED);
}
