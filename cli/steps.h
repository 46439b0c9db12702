/* The steps of a migration as `load`, `verify`, `run` and `demo --headless`
 * run them: one job (job/job.h), Milvus connected before anything else,
 * then dump, load and verify in that order, the verification printed as a
 * table and written as a report. */
#ifndef MM_CLI_STEPS_H
#define MM_CLI_STEPS_H

#include <stdbool.h>

enum { MM_STEP_DUMP = 1u, MM_STEP_LOAD = 2u, MM_STEP_VERIFY = 4u };

typedef struct mm_steps_args {
    const char *config_path;   /* default migration.yaml */
    const char *collections;   /* --col */
    const char *report;        /* --report BASE */
    const char *sample;        /* --sample N: verify.sample for this run */
    bool restart;              /* --restart */
    bool yes;                  /* --yes: accept what the run would lose without being asked */
} mm_steps_args;

/* The common options' fields, for the commands' option tables. */
#define MM_STEPS_OPT_CONFIG                                                                               \
    {.kind = MM_OPT_STRING, .short_name = 'c', .long_name = "config", .value_name = "FILE",               \
     .help = "migration.yaml (default: ./migration.yaml)", .offset = offsetof(mm_steps_args, config_path)}
#define MM_STEPS_OPT_COL                                                                                  \
    {.kind = MM_OPT_STRING, .long_name = "col", .value_name = "A,B", .help = "only these collections",    \
     .offset = offsetof(mm_steps_args, collections)}
#define MM_STEPS_OPT_RESTART                                                                              \
    {.kind = MM_OPT_FLAG, .long_name = "restart",                                                         \
     .help = "discard a journal written for another configuration", .offset = offsetof(mm_steps_args, restart)}
#define MM_STEPS_OPT_YES                                                                                  \
    {.kind = MM_OPT_FLAG, .short_name = 'y', .long_name = "yes",                                          \
     .help = "go on when the run would drop a 2.x collection holding\nrows, delete or overwrite staged "       \
             "files, or discard the\njournal; without it a terminal asks (default no) and\nno terminal "       \
             "means no",                                                                                  \
     .offset = offsetof(mm_steps_args, yes)}
#define MM_STEPS_OPT_REPORT                                                                               \
    {.kind = MM_OPT_STRING, .long_name = "report", .value_name = "BASE",                                  \
     .help = "write the report to BASE.json and BASE.md", .offset = offsetof(mm_steps_args, report)}

#define MM_STEPS_OPT_SAMPLE                                                                               \
    {.kind = MM_OPT_STRING, .long_name = "sample", .value_name = "N",                                     \
     .help = "rows per partition read back from Milvus and\ncompared with the 1.x files (verify.sample; 0: off)", \
     .offset = offsetof(mm_steps_args, sample)}

enum {
    MM_STEPS_DELETE_STAGED = 1u,  /* loader.deleteStagedFiles applies after a verification that matched */
    MM_STEPS_CATCH_SIGNALS = 2u   /* SIGINT/SIGTERM cancel the job (the caller has no handlers of its own) */
};

/* Checks --report, opens the job and runs the steps (MM_STEP_*) as the
 * flags (MM_STEPS_*) say; returns the exit status. */
int mm_cli_run_steps(const char *command, const mm_steps_args *args, unsigned steps, unsigned flags);

#endif
