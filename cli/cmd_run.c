/* `run`: dump, load and verify in one go. */
#include "commands.h"
#include "options.h"
#include "steps.h"

static const mm_option options[] = {
    MM_OPT_GROUP_ENTRY("Options:"),
    MM_STEPS_OPT_CONFIG,
    MM_STEPS_OPT_COL,
    MM_STEPS_OPT_RESTART,
    MM_STEPS_OPT_REPORT,
    MM_STEPS_OPT_SAMPLE,
    MM_STEPS_OPT_YES,
    MM_OPT_HELP_ENTRY,
    {0},
};
MM_COMMAND_OPTIONS(run, options)

static const mm_option_text text = {
    .usage = "Usage: milvus-migrate run [-c FILE] [--col A,B] [--restart] [--report BASE]\n"
             "                          [--sample N] [--yes]\n"
             "\n"
             "Checks that Milvus 2.x is reachable and what exists there, then runs dump,\n"
             "load and verify with the same configuration and journal; each step resumes\n"
             "where an interrupted run stopped. An existing 2.x collection that\n"
             "existingCollection: error would refuse stops the run before anything is\n"
             "dumped. A step that would lose something (drop a 2.x collection, delete or\n"
             "overwrite staged files, discard the journal) is named and asked about first,\n"
             "default no; without a terminal the run refuses unless --yes is given.\n"
             "\n",
    .epilog = "\n"
              "Exit status: 0 migrated and verified, 1 failed, 2 usage or configuration\n"
              "error, 3 verification found a mismatch (a count or a sampled row).\n",
};

int mm_cmd_run(int argc, char **argv)
{
    mm_steps_args args = {0};
    int parsed = mm_options_parse("run", options, &text, argc, argv, &args);
    if (parsed != MM_OPTIONS_GO_ON)
        return parsed;
    return mm_cli_run_steps("run", &args, MM_STEP_DUMP | MM_STEP_LOAD | MM_STEP_VERIFY,
                            MM_STEPS_CATCH_SIGNALS | MM_STEPS_DELETE_STAGED);
}
