/* `dump`: migration.yaml -> NumPy files on the staging target, resumable. */
#include "commands.h"
#include "exit_status.h"
#include "job/job.h"
#include "options.h"
#include "output.h"
#include "steps.h"
#include "confirm.h"

static const mm_option options[] = {
    MM_OPT_GROUP_ENTRY("Options:"),
    MM_STEPS_OPT_CONFIG,
    MM_STEPS_OPT_COL,
    MM_STEPS_OPT_RESTART,
    MM_STEPS_OPT_YES,
    MM_OPT_HELP_ENTRY,
    {0},
};
MM_COMMAND_OPTIONS(dump, options)

static const mm_option_text text = {
    .usage = "Usage: milvus-migrate dump [-c FILE] [--col A,B] [--restart] [--yes]\n"
             "\n"
             "Reads migration.yaml, checks that the 1.x installation has no unflushed data\n"
             "(warning when no WAL can be found) and that no 1.x server still uses it, reads\n"
             "every live segment and writes <outputDir>/migration/tables/<collection>/\n"
             "<segment>/{id,data}.npy (deleted rows removed; a segment whose files would\n"
             "exceed dumper.maxFileSize is split into <segment>-<k> directories), then\n"
             "meta.json and batches.json. Progress goes to stderr once a second.\n"
             "\n"
             "Every completed batch is recorded in the journal (state.dir); a re-run after\n"
             "a failure or an interruption skips completed batches and never leaves a\n"
             "partial file under a final name. If the meta or the WAL changes while the\n"
             "dump runs, it stops and forgets the batches of the changed collections.\n"
             "Only one command at a time runs a migration (state.dir/milvus-migrate.lock).\n"
             "Before anything is written it says what would be lost (staged files of\n"
             "segments no longer live deleted, the journal discarded by --restart) and\n"
             "asks, or refuses without a terminal unless --yes is given.\n"
             "\n",
    .epilog = "\n"
              "Exit status: 0 dumped, 1 failed (the message says what and how to resume),\n"
              "2 usage or configuration error.\n",
};

int mm_cmd_dump(int argc, char **argv)
{
    mm_steps_args args = {0};
    int parsed = mm_options_parse("dump", options, &text, argc, argv, &args);
    if (parsed != MM_OPTIONS_GO_ON)
        return parsed;
    mm_cli_output out;
    mm_cli_output_init(&out);
    mm_error err;
    mm_error_clear(&err);
    mm_job job;
    mm_cli_confirm confirm = {"dump", args.yes};
    mm_job_options o = {
        .command = "dump", .config_path = args.config_path ? args.config_path : "migration.yaml",
        .collections = args.collections, .restart = args.restart, .dumps = true,
        .confirm = mm_cli_confirm_losses, .confirm_ctx = &confirm,
    };
    int rc = mm_job_open(&job, &o, &out.sink, &err);
    if (rc != 0 && err.code == MM_ERR_NOT_FOUND && args.collections)
        mm_error_wrap(&err, "--col");
    if (rc == 0)
        rc = mm_job_preflight(&job, NULL, NULL, &err);
    if (rc == 0) {
        mm_cli_catch_signals();
        rc = mm_job_dump(&job, &err);
    }
    int status = rc == 0 ? MM_EXIT_OK : mm_cli_fail("dump", &err);
    mm_job_close(&job);
    mm_cli_output_fini(&out);
    return status;
}
