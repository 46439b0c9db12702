/* `load`: the staged NumPy files into Milvus 2.x, each batch exactly once. */
#include "commands.h"
#include "options.h"
#include "steps.h"

static const mm_option options[] = {
    MM_OPT_GROUP_ENTRY("Options:"),
    MM_STEPS_OPT_CONFIG,
    MM_STEPS_OPT_COL,
    MM_STEPS_OPT_YES,
    MM_OPT_HELP_ENTRY,
    {0},
};
MM_COMMAND_OPTIONS(load, options)

static const mm_option_text text = {
    .usage = "Usage: milvus-migrate load [-c FILE] [--col A,B] [--yes]\n"
             "\n"
             "Connects to target.milvus2x.endpoint, creates each collection (Int64 primary\n"
             "key with autoID off and one Float or Binary vector field of the 1.x dimension,\n"
             "under its 2.x name) and its partitions, then sends one Import per staged batch\n"
             "and waits for each task (loader.worker.limit at a time). A collection that\n"
             "already exists is handled by target.milvus2x.existingCollection: error (the\n"
             "default), append (after a schema check), drop, or skip; before anything is\n"
             "created, every existing collection is named with its rows, error stops the\n"
             "load, and a drop is asked about (refused without a terminal unless --yes).\n"
             "\n"
             "Every Import is recorded in the journal before it is sent and its task id as\n"
             "soon as Milvus answers. A re-run waits for recorded tasks instead of sending\n"
             "them again, and resolves an Import interrupted mid-call by asking Milvus, so\n"
             "no batch is ever imported twice. Staged files are kept.\n"
             "\n",
    .epilog = "\n"
              "Exit status: 0 loaded, 1 failed (the message says what and how to resume),\n"
              "2 usage or configuration error.\n",
};

int mm_cmd_load(int argc, char **argv)
{
    mm_steps_args args = {0};
    int parsed = mm_options_parse("load", options, &text, argc, argv, &args);
    if (parsed != MM_OPTIONS_GO_ON)
        return parsed;
    return mm_cli_run_steps("load", &args, MM_STEP_LOAD, MM_STEPS_CATCH_SIGNALS);
}
