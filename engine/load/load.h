/* The load: every dumped batch imported into Milvus 2.x exactly once.
 *
 * Nothing is created before the staging area is found to be this job's,
 * every live segment dumped and every staged file present as recorded;
 * each file is checked again, byte for byte, right before its Import.
 * Batches the current source no longer has (plan.h) are never
 * imported.
 *
 * Collections and partitions are created from the inventory (2.x names),
 * an existing collection is handled by the configured policy, and each
 * batch becomes one Import whose task id is recorded in the journal before
 * anything else happens. A re-run first settles the recorded tasks with
 * GetImportState; a batch whose Import was sent but whose task id never
 * reached the journal, or whose task Milvus no longer knows (expired, lost),
 * is resolved by listing the collection's tasks and comparing partition row
 * counts once none runs and the counts hold still (a failed job's rows
 * leave them a few seconds late), after loader.settleSeconds where a job
 * can be created after its call ended (2.6+): recorded as imported when its
 * rows are there, sent again when they are not, never sent again blindly.
 * An Import Milvus refuses as busy (rate limit, too many unfinished jobs)
 * created nothing and is sent again after a pause. */
#ifndef MM_LOAD_H
#define MM_LOAD_H

#include "config/config.h"
#include "base/error.h"
#include "journal.h"
#include "milvus2/client.h"
#include "source/inventory.h"
#include "storage/storage.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mm_load_progress {
    size_t batches_total, batches_done, batches_running;
    int64_t rows_total, rows_done;
    /* Of batches_done and rows_done, what an earlier run had imported: a
     * rate counts only the rest. */
    size_t batches_reused;
    int64_t rows_reused;
} mm_load_progress;

typedef struct mm_load_options {
    mm_inventory *inv;             /* filtered; target names set */
    mm_journal *journal;           /* the dump's journal */
    mm_milvus *milvus;
    const char *id_field, *vector_field;
    mm_existing_policy existing;
    /* The existing 2.x collections the user agreed to drop (NULL-terminated;
     * NULL: none). existingCollection: drop refuses any other one: it came
     * after the run was confirmed (job/target_preflight.h). */
    const char *const *drops_confirmed;
    bool create_index;
    /* Staged locally: the absolute directory the journal's keys are
     * relative to (Milvus must use local storage that sees it). NULL when
     * staged on the bucket Milvus reads; keys are then passed as they are. */
    const char *local_root;
    /* Staged in a bucket: the bucket, the key prefix of the staging area
     * (<outputDir>/migration) and a local directory for reading its
     * manifest. Every staged file is checked against the journal before
     * its Import: size and CRC32 locally, size and ETag in a bucket. */
    mm_storage *storage;
    const char *remote_root;
    const char *scratch_dir;
    int workers;                   /* concurrent Import tasks */
    int poll_interval_ms;
    int import_timeout_s;          /* per task; 0 = wait as long as it takes */
    /* Where Milvus may create an import job after the Import call ended
     * (mm_milvus_late_jobs), how long to wait for such a job before an
     * uncertain batch is counted (loader.settleSeconds). */
    int settle_s;
    void (*progress)(void *ctx, const mm_load_progress *p);  /* from any worker thread */
    void *progress_ctx;
    void (*log)(void *ctx, const char *line); /* one event per call, no newline */
    void *log_ctx;
    atomic_bool *cancel;
} mm_load_options;

typedef struct mm_load_result {
    size_t collections_created, collections_appended, collections_skipped, collections_resumed;
    size_t partitions_created;
    size_t batches_imported;       /* by this run */
    size_t batches_reused;         /* imported by an earlier run */
    size_t batches_stale;          /* of segments no longer live: never imported */
    int64_t rows_imported;
    size_t indexes_created, indexes_skipped;
} mm_load_result;

int mm_load_run(const mm_load_options *opt, mm_load_result *res, mm_error *err);

/* Whether an existing 2.x collection can take the staged files of c
 * (Milvus matches files to fields by name and wants one for every field):
 * -1 with MM_ERR_CONFIG naming the field otherwise. */
int mm_load_check_schema(mm_milvus *milvus, const mm_collection_info *c, const char *id_field,
                         const char *vector_field, mm_error *err);

/* The Milvus 2.x index for a 1.x engine type, or NULL when there is none;
 * *params_out is the 2.x params JSON (malloc'd). */
const char *mm_load_index_for(const mm_collection_info *c, char **params_out);

#endif
