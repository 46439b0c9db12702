/* What a front end runs: the job of one migration (migration.yaml loaded
 * and checked, the 1.x source opened and scanned, the staging target, the
 * journal in state.dir) and its steps: dump, load, verify. Both the
 * command line and the wizard call only this layer; everything the steps
 * have to say goes through the job's sink (sink.h), nothing is printed.
 *
 * Call order: mm_job_open, mm_job_preflight (before a dump or a load),
 * then any of mm_job_dump, mm_job_load (after a dump, with a connected
 * client), mm_job_verify, then mm_job_close, which also releases the job's
 * lock on state.dir. */
#ifndef MM_JOB_H
#define MM_JOB_H

#include "base/error.h"
#include "config/config.h"
#include "job/sink.h"
#include "job/target_preflight.h"
#include "job_lock.h"
#include "journal.h"
#include "milvus2/client.h"
#include "source/inventory.h"
#include "source/remote_fetch.h"
#include "source/source.h"
#include "source/source_watch.h"
#include "source/wal_guard.h"
#include "storage/storage.h"
#include "verify.h"

#include <stdbool.h>

typedef struct mm_job {
    const char *command;
    const char *config_path;
    const mm_sink *sink;
    mm_config cfg;
    mm_source src;
    mm_inventory inv;
    mm_storage *storage;   /* target.mode remote, once opened */
    char *storage_label;   /* target.mode remote: the bucket as mm_storage_describe names it */
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
    /* --restart: the journal's records stay until mm_job_preflight had the
     * loss confirmed. */
    bool restart_pending;
    bool dumps;
    bool preflight_done;
    char **drops_confirmed; /* the 2.x collections the user agreed to drop */
    int (*confirm)(void *ctx, const mm_findings *losses, mm_error *err);
    void *confirm_ctx;
} mm_job;

typedef struct mm_job_options {
    const char *command;      /* names the job in messages: "dump", "run", "wizard" */
    const char *config_path;  /* migration.yaml to load, or the name of cfg in messages */
    const mm_config *cfg;     /* a configuration in memory (the wizard's) instead of the file;
                               * copied and validated */
    const char *collections;  /* only these ("a,b"), or NULL for all */
    bool restart;             /* discard a journal written for another configuration */
    unsigned phases;          /* MM_CONFIG_PHASE_* the steps need beyond source and staging */
    /* The job dumps: it refuses a 1.x install with unflushed data (unless
     * source.allowUnflushed) or still used by a 1.x server (unless
     * source.allowRunningServer), warns when no WAL could be checked, and
     * watches the source while it dumps. Other jobs check the WAL only for
     * the report. */
    bool dumps;
    /* Asked before anything is lost (mm_job_preflight): the losses found;
     * 0 goes on, -1 with err set (the front end's words: declined, or no
     * terminal to ask on) stops before anything is changed. NULL refuses
     * every loss. */
    int (*confirm)(void *ctx, const mm_findings *losses, mm_error *err);
    void *confirm_ctx;
    /* The steps read nothing from the staging bucket (verify): it is not
     * opened, and no credentials are looked for, unless
     * mm_job_delete_staged needs it. */
    bool bucket_on_demand;
} mm_job_options;

/* Loads the config for the phases, refuses output places inside the 1.x
 * installation (path_safety.h), locks the job's state.dir (job_lock.h),
 * opens the source, builds, filters and scans the inventory, opens the
 * target bucket and the journal. Warnings go to the sink, which must
 * outlive the job. An unknown collection in `collections` is an
 * MM_ERR_NOT_FOUND error. */
int mm_job_open(mm_job *job, const mm_job_options *opt, const mm_sink *sink, mm_error *err);
void mm_job_close(mm_job *job);

/* Before any work: what the run meets on the target and what it would
 * lose (target_preflight.h), with milvus connected (NULL: 2.x is not
 * looked at, as for a dump alone). Every finding goes to the sink; a
 * blocker fails with MM_ERR_CONFIG naming all of them; losses are handed
 * to the job's confirm and nothing is changed unless it says yes. Then a
 * pending --restart discards the journal. The findings are left in out
 * (may be NULL). */
int mm_job_preflight(mm_job *job, mm_milvus *milvus, mm_findings *out, mm_error *err);

/* The steps, each reporting its events and summary to the job's sink. */
int mm_job_dump(mm_job *job, mm_error *err);
int mm_job_load(mm_job *job, mm_milvus *milvus, mm_error *err);
/* The verification: fills report (free with mm_verify_report_free). The
 * caller shows it (a table, the Verify screen) and writes it. */
int mm_job_verify(mm_job *job, mm_milvus *milvus, mm_verify_report *report, mm_error *err);
/* A report path given by the user (label names it in messages, e.g. the
 * option it came from) must not lead into the 1.x installation either. */
int mm_job_check_report_path(const mm_job *job, const char *label, const char *base, mm_error *err);
/* Writes BASE.json and BASE.md (base NULL: <state.dir>/report) with what
 * the job's source checks found (job may be NULL: none); the paths written
 * are returned malloc'd in json_path and md_path when not NULL. */
int mm_job_write_report(const mm_job *job, const mm_verify_report *report, const char *base, char **json_path,
                        char **md_path, mm_error *err);
/* The same for a report kept from an earlier job (the wizard's w): into
 * state_dir/report, under the lock of that state directory. */
int mm_job_write_report_in(const char *state_dir, const mm_verify_report *report, char **json_path, char **md_path,
                           mm_error *err);
/* target.mode remote: the staging bucket opened and checked, if the job
 * was opened with bucket_on_demand and has not opened it yet. */
int mm_job_open_target_bucket(mm_job *job, mm_error *err);
/* loader.deleteStagedFiles: removes the staged files of imported batches;
 * only call after a verification that matched. Reports the count. */
int mm_job_delete_staged(mm_job *job, mm_error *err);

/* Part of mm_job_preflight: the staging probe (preflight.h) into found,
 * while something is left to dump or import. */
int mm_job_probe_staging(mm_job *job, mm_milvus *milvus, mm_findings *found, mm_error *err);
/* Says, for each collection whose 1.x meta row count differs from the live
 * rows the scanned segments hold, why (source/row_counts.h): a summary
 * line "row count: collection '...': ..." per collection; `what` ends
 * "all of which ..." ("are migrated"). */
void mm_job_report_row_counts(const mm_inventory *inv, const char *what, const mm_sink *sink);

/* target.milvus2x.* as a connected client. */
int mm_job_milvus_connect(const mm_config *cfg, mm_milvus **out, mm_error *err);
/* target.remote.* opened and checked the way a job opens it (reachable,
 * credentials accepted, bucket exists), then closed. */
int mm_job_check_target_bucket(const mm_config *cfg, const char *config_path, mm_error *err);
/* The same, left open for the caller (cfg must outlive it). */
int mm_job_open_target_storage(const mm_config *cfg, mm_storage **out, mm_error *err);

/* Loads and validates migration.yaml (into a cfg already set up with
 * mm_config_init_defaults) for the given MM_CONFIG_PHASE_* set; warnings
 * go to the sink. */
int mm_job_load_config(const char *path, mm_config *cfg, unsigned phases, const mm_sink *sink, mm_error *err);
/* The 1.x source named by meta.* and source.* (local segment files only);
 * the spec points into cfg. */
int mm_job_source_spec(const mm_config *cfg, mm_source_spec *spec, mm_error *err);

#endif
