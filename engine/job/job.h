/* What dump, load, verify and run share: migration.yaml loaded and checked,
 * the 1.x source opened and scanned, the staging target, and the journal of
 * the job (one per source + target, in state.dir). */
#ifndef MM_CLI_JOB_H
#define MM_CLI_JOB_H

#include "config/config.h"
#include "dump/dump.h"
#include "base/error.h"
#include "job_lock.h"
#include "journal.h"
#include "load/load.h"
#include "milvus2/client.h"
#include "source/inventory.h"
#include "source/remote_fetch.h"
#include "source/source.h"
#include "source/source_watch.h"
#include "source/wal_guard.h"
#include "storage/storage.h"
#include "verify.h"

#include <stdatomic.h>
#include <stdbool.h>

typedef struct mm_cli_job {
    const char *command;
    const char *config_path;
    mm_config cfg;
    mm_source src;
    mm_inventory inv;
    mm_storage *storage;   /* target.mode remote */
    char *remote_root;     /* key prefix <outputDir>/migration on the bucket */
    char *root;            /* local <outputDir>/migration, or the local staging dir */
    char *state_dir;
    char *fingerprint;
    mm_journal *journal;
    /* source.mode remote: the source bucket, and its segments fetched into
     * a cache in state_dir while the dump reads them. */
    mm_storage *source_storage;
    mm_remote_source *remote_source;
    mm_job_lock *lock;     /* <state.dir>/milvus-migrate.lock, held while the job is open */
    mm_wal_guard wal;      /* unflushed data: what was checked and found */
    mm_source_watch *watch;/* jobs that dump: the source must hold still */
} mm_cli_job;

/* Loads the config for `phases`, refuses output places inside the 1.x
 * installation (path_safety.h), locks the job's state.dir (job_lock.h),
 * opens the source, builds, filters (collections: --col or NULL) and scans
 * the inventory, opens the target bucket and the journal. The WAL is
 * always checked (wal_guard.h). check_unflushed is set by jobs that dump:
 * they refuse a 1.x install with unflushed data (unless
 * source.allowUnflushed) or still used by a 1.x server (unless
 * source.allowRunningServer), warn when no WAL could be checked, and watch
 * the source while they dump. */
int mm_cli_job_open(mm_cli_job *job, const char *command, const char *config_path, const char *collections,
                    bool restart, unsigned phases, bool check_unflushed, mm_error *err);
/* The same from a configuration already in memory (the wizard's): cfg is
 * copied and validated for `phases`; validation warnings are added to warn
 * (NULL: printed to stderr). config_path only names it in messages. */
int mm_cli_job_open_config(mm_cli_job *job, const char *command, const char *config_path, const mm_config *cfg,
                           mm_config_warnings *warn, const char *collections, bool restart, unsigned phases,
                           bool check_unflushed, mm_error *err);
void mm_cli_job_close(mm_cli_job *job);

/* target.remote.* opened and checked the way a job opens it (reachable,
 * credentials accepted, bucket exists), then closed: the wizard's Target test. */
int mm_cli_check_target_bucket(const mm_config *cfg, const char *config_path, mm_error *err);

/* target.milvus2x.* as a connected client. */
int mm_cli_milvus_connect(const mm_config *cfg, mm_milvus **out, mm_error *err);

/* Where the steps of a job report. NULL sink: plain lines (progress on
 * stderr at most once a second, summaries on stdout) and mm_cli_interrupted
 * as the cancel flag, for the headless commands. The wizard passes its own.
 * Callbacks may be called from worker threads, concurrently. */
typedef struct mm_job_sink {
    void *ctx;
    void (*dump_progress)(void *ctx, const mm_dump_progress *p);
    void (*load_progress)(void *ctx, const mm_load_progress *p);
    void (*event)(void *ctx, const char *line);   /* one event or summary line, no newline */
    atomic_bool *cancel;
} mm_job_sink;

/* A summary line to the sink, or to stdout without one. */
void mm_cli_report_line(const mm_job_sink *sink, const char *line);

/* The steps of a job, each reporting its summary to the sink; shared by
 * dump, load, verify, run and the wizard. */
int mm_cli_dump_job(mm_cli_job *job, const mm_job_sink *sink, mm_error *err);
int mm_cli_load_job(mm_cli_job *job, mm_milvus *milvus, const mm_job_sink *sink, mm_error *err);
/* Returns 0 when verified, 3 on a mismatch, -1 with err set on failure. */
int mm_cli_verify_job(mm_cli_job *job, mm_milvus *milvus, const char *report_base, mm_error *err);
/* The verification alone: fills report (free with mm_verify_report_free). */
int mm_cli_verify_run(mm_cli_job *job, mm_milvus *milvus, atomic_bool *cancel, mm_verify_report *report,
                      mm_error *err);
/* --report BASE must not lead into the 1.x installation either. */
int mm_cli_check_report_path(const mm_cli_job *job, const char *base, mm_error *err);
/* Writes BASE.json and BASE.md (base NULL: <state.dir>/report), with what
 * the source checks found; the paths
 * written are returned malloc'd in json_path and md_path when not NULL. */
int mm_cli_write_report(const mm_cli_job *job, const mm_verify_report *report, const char *base, char **json_path,
                        char **md_path, mm_error *err);
/* loader.deleteStagedFiles: removes the staged files of imported batches;
 * only call after a verification that matched. */
int mm_cli_delete_staged(mm_cli_job *job, size_t *deleted, mm_error *err);

/* Set by SIGINT/SIGTERM once mm_cli_catch_signals ran. */
extern atomic_bool mm_cli_interrupted;
void mm_cli_catch_signals(void);

#endif
