/* `milvus-migrate wizard`: the interactive front end, or a scripted session
 * for tests (--script), or the key table for the man page (--print-keys). */
#include "cmd_wizard.h"

#include "commands.h"
#include "exit_status.h"
#include "options.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct wizard_args {
    const char *config, *theme, *script, *snapshot_dir, *size;
    bool print_keys;
} wizard_args;

#define ARG(field) .offset = offsetof(wizard_args, field)

static const mm_option options[] = {
    MM_OPT_GROUP_ENTRY("Options:"),
    {.kind = MM_OPT_STRING, .short_name = 'c', .long_name = "config", .value_name = "FILE", ARG(config),
     .help = "migration.yaml to edit (default: ./migration.yaml,\ncreated on save)"},
    {.kind = MM_OPT_STRING, .long_name = "theme", .value_name = "NAME", ARG(theme), .value_kind = MM_VALUE_THEME,
     .help = "colour theme: default, dark, light, mono, or a path to a\n.theme file; NO_COLOR or a terminal without "
             "colours\nselects mono"},
    {.kind = MM_OPT_STRING, .long_name = "script", .value_name = "FILE", ARG(script),
     .help = "run a scripted session without a terminal: FILE lists\nkeys (Down, Enter, Tab, F2, q ...), 'type TEXT',\n"
             "'snapshot NAME', 'resize COLSxLINES', 'wait-idle',\n'wait-job', 'wait-text TEXT', 'quit'"},
    {.kind = MM_OPT_STRING, .long_name = "snapshot-dir", .value_name = "DIR", ARG(snapshot_dir),
     .help = "where 'snapshot NAME' writes NAME.txt (default: .)"},
    {.kind = MM_OPT_STRING, .long_name = "size", .value_name = "COLSxLINES", ARG(size),
     .help = "screen size of a scripted session (default: 100x30)"},
    /* The key table as man(7) lines, for man/milvus-migrate.1. */
    {.kind = MM_OPT_FLAG, .long_name = "print-keys", ARG(print_keys), .hidden = true},
    MM_OPT_HELP_ENTRY,
    {0},
};
MM_COMMAND_OPTIONS(wizard, options)

static const mm_option_text text = {
    .usage = "Usage: milvus-migrate wizard [-c FILE] [--theme NAME]\n"
             "       milvus-migrate wizard --script FILE --snapshot-dir DIR [--size COLSxLINES]\n"
             "\n"
             "Opens the full-screen wizard: choose the Milvus 1.x source and test the\n"
             "connection, preview every collection and partition (select, rename), edit\n"
             "migration.yaml in a form, set and test the staging target and Milvus 2.x,\n"
             "review the plan, then dump, load and verify with progress, cancel and\n"
             "resume. Press ? on any screen for its keys. Nothing is written to the 1.x\n"
             "installation; migration.yaml is saved only when asked (atomically, 0600).\n"
             "\n",
    .epilog = "\n"
              "Exit status: 0 closed normally, 1 a scripted session failed, 2 usage error or\n"
              "no terminal.\n",
};

int mm_cli_run_wizard(const mm_wizard_options *opt)
{
    mm_error err;
    mm_error_clear(&err);
    int rc = mm_wizard_run(opt, &err);
    if (rc == 0)
        return MM_EXIT_OK;
    /* A scripted session whose step failed is a failure, whatever the step. */
    int status = mm_cli_fail("wizard", &err);
    return rc == MM_WIZARD_SCRIPT_FAILED ? MM_EXIT_FAILED : status;
}

int mm_cmd_wizard(int argc, char **argv)
{
    wizard_args a = {0};
    int parsed = mm_options_parse("wizard", options, &text, argc, argv, &a);
    if (parsed != MM_OPTIONS_GO_ON)
        return parsed;
    if (a.print_keys) {
        char *man = mm_wizard_keys_man();
        if (!man)
            return MM_EXIT_FAILED;
        fputs(man, stdout);
        free(man);
        return MM_EXIT_OK;
    }
    mm_wizard_options opt = {.config_path = a.config, .theme = a.theme, .script_path = a.script,
                             .snapshot_dir = a.snapshot_dir};
    if (a.size && !a.script)
        return mm_cli_usage_error("wizard", "--size only applies to a scripted session (--script)");
    if (a.snapshot_dir && !a.script)
        return mm_cli_usage_error("wizard", "--snapshot-dir only applies to a scripted session (--script)");
    if (a.size && mm_wizard_parse_size(a.size, &opt.cols, &opt.lines) != 0)
        return mm_cli_usage_error("wizard", "--size expects COLSxLINES such as 100x30, got '%s'", a.size);
    if (!a.script && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        fprintf(stderr, "milvus-migrate wizard: the wizard needs a terminal (standard input and output are "
                        "not both terminals); use the headless commands (inspect, dump, load, verify, run) "
                        "in scripts\n");
        return MM_EXIT_USAGE;
    }
    return mm_cli_run_wizard(&opt);
}
