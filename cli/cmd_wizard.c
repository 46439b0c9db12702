/* `milvus-migrate wizard`: the interactive front end, or a scripted session
 * for tests (--script), or the key table for the man page (--print-keys). */
#include "cli.h"

#include "tui/keymap.h"
#include "tui/script.h"
#include "screens/shell.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_THEME = 256, OPT_SCRIPT, OPT_SNAPSHOT_DIR, OPT_SIZE, OPT_PRINT_KEYS };

static const struct option wizard_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"theme", required_argument, NULL, OPT_THEME},
    {"script", required_argument, NULL, OPT_SCRIPT},
    {"snapshot-dir", required_argument, NULL, OPT_SNAPSHOT_DIR},
    {"size", required_argument, NULL, OPT_SIZE},
    {"print-keys", no_argument, NULL, OPT_PRINT_KEYS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int mm_cli_wizard(int argc, char **argv)
{
    mm_wizard_options opt;
    memset(&opt, 0, sizeof opt);
    const char *size = NULL;
    bool print_keys = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":c:h", wizard_options, NULL)) != -1) {
        switch (c) {
        case 'c': opt.config_path = optarg; break;
        case OPT_THEME: opt.theme = optarg; break;
        case OPT_SCRIPT: opt.script_path = optarg; break;
        case OPT_SNAPSHOT_DIR: opt.snapshot_dir = optarg; break;
        case OPT_SIZE: size = optarg; break;
        case OPT_PRINT_KEYS: print_keys = true; break;
        case 'h': fputs(mm_cli_find("wizard")->usage, stdout); return 0;
        case ':': return mm_cli_usage_error("wizard", "option '%s' needs a value", argv[optind - 1]);
        default: return mm_cli_usage_error("wizard", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return mm_cli_usage_error("wizard", "unexpected argument '%s'", argv[optind]);
    if (print_keys) {
        char *man = mm_keymap_man();
        if (!man)
            return 1;
        fputs(man, stdout);
        free(man);
        return 0;
    }
    if (size && !opt.script_path)
        return mm_cli_usage_error("wizard", "--size only applies to a scripted session (--script)");
    if (opt.snapshot_dir && !opt.script_path)
        return mm_cli_usage_error("wizard", "--snapshot-dir only applies to a scripted session (--script)");
    if (size && mm_parse_size(size, &opt.cols, &opt.lines) != 0)
        return mm_cli_usage_error("wizard", "--size expects COLSxLINES such as 100x30, got '%s'", size);
    if (!opt.script_path && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        fprintf(stderr, "milvus-migrate wizard: the wizard needs a terminal (standard input and output are "
                        "not both terminals); use the headless commands (inspect, dump, load, verify, run) "
                        "in scripts\n");
        return 2;
    }
    return mm_wizard_run(&opt);
}
