/* The headless front end: one handler per subcommand, plain output, exit
 * statuses from DESIGN.md (0 ok, 1 failed, 2 usage/config, 3 mismatch). */
#ifndef MM_CLI_H
#define MM_CLI_H

#include "config/config.h"
#include "base/error.h"
#include "source/source.h"

typedef struct mm_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    const char *usage;     /* full --help text of the command */
} mm_command;

const mm_command *mm_cli_commands(void);
const mm_command *mm_cli_find(const char *name);

/* Prints "milvus-migrate <command>: <message>" to stderr and returns the
 * exit status for err's category. */
int mm_cli_fail(const char *command, const mm_error *err);
/* For usage mistakes: prints the message and a pointer to --help; returns 2. */
int mm_cli_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Loads and validates migration.yaml (into a cfg already set up with
 * mm_config_init_defaults) for the given MM_CONFIG_PHASE_* set; warnings go
 * to stderr. */
int mm_cli_load_config(const char *path, mm_config *cfg, unsigned phases, mm_error *err);
/* The 1.x source named by meta.* and source.*; the spec points into cfg. */
int mm_cli_source_spec_from_config(const mm_config *cfg, mm_source_spec *spec, mm_error *err);

int mm_cli_inspect(int argc, char **argv);
int mm_cli_export(int argc, char **argv);
int mm_cli_dump(int argc, char **argv);
int mm_cli_load(int argc, char **argv);
int mm_cli_verify(int argc, char **argv);
int mm_cli_run(int argc, char **argv);
int mm_cli_wizard(int argc, char **argv);
int mm_cli_demo(int argc, char **argv);

#endif
