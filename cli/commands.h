/* The headless front end: the table of commands (name, one-line summary,
 * handler, options). Each command lives in its own cmd_<name>.c with its
 * options table (options.h), which it names with MM_COMMAND_OPTIONS, reports
 * through the command line's sink (output.h) and returns an exit status
 * (exit_status.h). Adding a command is adding its file and one X(...) line
 * below. */
#ifndef MM_CLI_COMMANDS_H
#define MM_CLI_COMMANDS_H

#include "options.h"

#define MM_COMMAND_LIST(X)                                                                                  \
    X(inspect, "show what a Milvus 1.x installation holds and every problem found")                       \
    X(export, "write the 1.x metadata as meta.json (reference tool compatible)")                          \
    X(dump, "write the live 1.x rows as NumPy files to the staging directory")                            \
    X(load, "import the staged NumPy files into Milvus 2.x, each batch exactly once")                     \
    X(verify, "reconcile 1.x live rows with Milvus 2.x row counts")                                       \
    X(run, "dump, load and verify in one go")                                                             \
    X(wizard, "open the interactive migration wizard (needs a terminal)")                                 \
    X(demo, "migrate a generated 1.x sample into a local Milvus 2.x emulator")

typedef struct mm_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);   /* argv[0] is the command's name */
    const mm_option *(*options)(void);   /* the table its parsing and --help use */
} mm_command;

#define MM_COMMAND_DECLARE(name, summary)                                                                  \
    int mm_cmd_##name(int argc, char **argv);                                                               \
    const mm_option *mm_cmd_##name##_options(void);
MM_COMMAND_LIST(MM_COMMAND_DECLARE)
#undef MM_COMMAND_DECLARE

/* In cmd_<name>.c, after its options table. */
#define MM_COMMAND_OPTIONS(name, table)                                                                    \
    const mm_option *mm_cmd_##name##_options(void)                                                          \
    {                                                                                                       \
        return table;                                                                                       \
    }

/* NULL-name terminated, in --help order. */
const mm_command *mm_cli_commands(void);
const mm_command *mm_cli_find(const char *name);

/* The program's own options (before any command): --help, --version, and
 * the hidden --bash-completion the build writes the completion with. */
const mm_option *mm_cli_global_options(void);

#endif
