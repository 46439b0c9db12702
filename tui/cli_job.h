/* What dump, load, verify and run share: migration.yaml loaded and checked,
 * the 1.x source opened and scanned, the staging target, and the journal of
 * the job (one per source + target, in state.dir). */
#ifndef MM_CLI_JOB_H
#define MM_CLI_JOB_H

#include "config.h"
#include "error.h"
#include "journal.h"
#include "milvus2/client.h"
#include "source/inventory.h"
#include "source/source.h"
#include "storage/s3.h"

#include <stdatomic.h>
#include <stdbool.h>

typedef struct mm_cli_job {
    const char *command;
    const char *config_path;
    mm_config cfg;
    mm_source src;
    mm_inventory inv;
    mm_s3 *s3;             /* target.mode remote */
    char *remote_root;     /* key prefix <outputDir>/migration on the bucket */
    char *root;            /* local <outputDir>/migration, or the local staging dir */
    char *state_dir;
    char *fingerprint;
    mm_journal *journal;
} mm_cli_job;

/* Loads the config for `phases`, opens the source, builds, filters
 * (collections: --col or NULL) and scans the inventory, opens the target
 * bucket and the journal. check_unflushed refuses a 1.x install with
 * unflushed data unless source.allowUnflushed. */
int mm_cli_job_open(mm_cli_job *job, const char *command, const char *config_path, const char *collections,
                    bool restart, unsigned phases, bool check_unflushed, mm_error *err);
void mm_cli_job_close(mm_cli_job *job);

/* target.milvus2x.* as a connected client. */
int mm_cli_milvus_connect(const mm_config *cfg, mm_milvus **out, mm_error *err);

/* The steps of a job, each printing its summary; shared by dump, load,
 * verify and run. */
int mm_cli_dump_job(mm_cli_job *job, mm_error *err);
int mm_cli_load_job(mm_cli_job *job, mm_milvus *milvus, mm_error *err);
/* Returns 0 when verified, 3 on a mismatch, -1 with err set on failure. */
int mm_cli_verify_job(mm_cli_job *job, mm_milvus *milvus, const char *report_base, mm_error *err);

/* Set by SIGINT/SIGTERM once mm_cli_catch_signals ran. */
extern atomic_bool mm_cli_interrupted;
void mm_cli_catch_signals(void);

#endif
