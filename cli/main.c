/* Entry point: the wizard on a terminal, or a headless subcommand. */
#include "commands.h"
#include "completion.h"
#include "options.h"
#include "version.h"

#include "base/remedy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const mm_option_text global_text = {
    .usage = "",
    .epilog = "\n"
              "Exit status: 0 success, 1 failure, 2 usage or configuration error,\n"
              "3 verification mismatch. See milvus-migrate(1).\n",
};

static int print_usage(FILE *out)
{
    fprintf(out, "Usage: milvus-migrate COMMAND [options]\n"
                 "\n"
                 "Migrates a Milvus 0.9.x-1.x installation into Milvus 2.x.\n"
                 "\n"
                 "Commands:\n");
    for (const mm_command *c = mm_cli_commands(); c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fputc('\n', out);
    char *options = mm_options_help(mm_cli_global_options(), &global_text);
    fputs(options ? options : "", out);
    free(options);
    return 0;
}

/* `--bash-completion NAME,...` (or `=NAME,...`). */
static int print_bash_completion(int argc, char **argv)
{
    const char *names = strchr(argv[1], '=') ? strchr(argv[1], '=') + 1 : argc > 2 ? argv[2] : "milvus-migrate";
    char *script = mm_cli_bash_completion(names);
    if (!script) {
        fprintf(stderr, "milvus-migrate: out of memory\n");
        return 1;
    }
    fputs(script, stdout);
    free(script);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* The command line's way to take each remedy engine messages advise. */
static const char *const cli_remedy_words[MM_REMEDY_COUNT] = {
    [MM_REMEDY_START_OVER] = "with --restart",
    [MM_REMEDY_LEAVE_OUT] = "with --col",
    [MM_REMEDY_WAL_DIR] = " (--wal-dir for inspect and export)",
    [MM_REMEDY_TABLES_DIR] = " (inspect: --tables-dir)",
};

int main(int argc, char **argv)
{
    mm_remedy_words_set(cli_remedy_words);
    if (argc < 2) {
        /* On a terminal, no command means the wizard (as `wizard` with no
         * options); elsewhere the usage, since nothing can be asked. */
        if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
            char *wizard_argv[] = {"wizard", NULL};
            return mm_cli_find("wizard")->run(1, wizard_argv);
        }
        print_usage(stderr);
        return 2;
    }
    const char *first = argv[1];
    if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0) {
        mm_cli_print_version(stdout);
        return 0;
    }
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0 || strcmp(first, "help") == 0)
        return print_usage(stdout);
    if (strncmp(first, "--bash-completion", 17) == 0 && (first[17] == '\0' || first[17] == '='))
        return print_bash_completion(argc, argv);
    const mm_command *cmd = mm_cli_find(first);
    if (!cmd) {
        fprintf(stderr, "milvus-migrate: unknown command '%s'; try 'milvus-migrate --help'\n", first);
        return 2;
    }
    return cmd->run(argc - 1, argv + 1);
}
