/* The dump: every live row of the inventory written as NumPy files under
 * <root>/tables/<collection>/<segment>/{id,data}.npy (the reference tool's
 * layout; a segment split to respect the per-file import limit uses
 * <segment>-<k> directories), then <root>/meta.json and <root>/batches.json.
 *
 * Each file is written as <name>.partial and renamed only when complete and
 * fsynced, and the journal records the batch afterwards, so an interrupted
 * dump leaves nothing that looks complete and a re-run skips exactly the
 * batches that are. Workers run on threads; progress goes through a
 * callback that may be called from any worker thread. */
#ifndef MM_DUMP_H
#define MM_DUMP_H

#include "base/error.h"
#include "journal.h"
#include "source/inventory.h"
#include "storage/storage.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mm_dump_progress {
    int64_t rows_done, rows_total;
    uint64_t bytes_done, bytes_total;
    size_t segments_done, segments_total;
    size_t segments_skipped;      /* already complete in the journal */
    /* Of rows_done and bytes_done, what an earlier run had done: a rate
     * counts only the rest. */
    int64_t rows_reused;
    uint64_t bytes_reused;
} mm_dump_progress;

typedef enum { MM_DUMP_NAN_FAIL = 0, MM_DUMP_NAN_SKIP = 1 } mm_dump_nan_policy;

typedef struct mm_dump_options {
    mm_inventory *inv;            /* scanned (live counts known) */
    const char *const *tables_dirs;
    size_t n_tables_dirs;
    bool missing_deleted_docs_ok;
    /* source.mode remote: a segment's files are fetched into tables_dirs[0]
     * just before it is read and removed once its batches are recorded;
     * a segment complete in the journal is not fetched again. NULL for a
     * local source. */
    struct mm_remote_source *remote_source;
    const char *output_root;      /* local directory: <outputDir>/migration, or the
                                   * local staging directory when storage is set */
    mm_storage *storage;          /* stage in a bucket: a batch of a segment without
                                   * deleted rows is sent straight from the segment
                                   * files; any other is written locally, uploaded,
                                   * recorded, then removed locally */
    const char *remote_root;      /* key prefix in the bucket: <outputDir>/migration */
    int workers;
    uint64_t max_file_size;       /* per .npy file */
    uint64_t batch_size;          /* dumper.batchSize: small segments packed up to it (plan.h) */
    mm_dump_nan_policy nan_policy;
    /* Milvus matches import files to fields by base name: <field>.npy.
     * NULL or "" = "id" and "data", the reference tool's names. */
    const char *id_field;
    const char *vector_field;
    bool disable_copy_offload;    /* tests: force the read/write path */
    /* tests: stage every batch locally before its upload, even those the
     * uploader could send straight from the segment files */
    bool stage_uploads;
    mm_journal *journal;
    /* Called after each segment's batches are written and once more, with
     * final set, after the last one and before meta.json and batches.json;
     * non-zero stops the dump with its error (the 1.x source changed under
     * it). May be called from several workers at once. NULL: no check. */
    int (*source_check)(void *ctx, bool final, mm_error *err);
    void *source_check_ctx;
    /* tests: a local dump's batches handed over are all recorded before
     * each source check, so that a test stopping the process there knows
     * what the journal holds (group commit records them later otherwise) */
    bool settle_before_check;
    void (*progress)(void *ctx, const mm_dump_progress *p);
    void *progress_ctx;
    /* One event per call, no newline (stale batches retired or kept); may
     * be NULL. Called on the thread that called mm_dump_run. */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
    atomic_bool *cancel;          /* may be NULL */
} mm_dump_options;

typedef struct mm_dump_result {
    size_t batches_written;
    size_t batches_reused;        /* complete from an earlier run */
    size_t batches_streamed;      /* of batches_written: uploaded straight from the
                                   * segment files, without a local copy */
    int64_t rows_written;
    int64_t nan_rows_skipped;
    uint64_t bytes_written;
    /* Batches of segments that are no longer live (or beyond their
     * segment's batches) from an earlier dump: retired (record and staged
     * files removed), or kept because they were already submitted for
     * import (verify then shows their rows as a mismatch). */
    size_t batches_retired, batches_stale_kept;
    int64_t rows_retired;
} mm_dump_result;

/* Claims the staging area for the journal's job (refusing another job's),
 * dumps every segment, retires the stale batches of earlier runs, checks
 * that every batch of the plan is where it was staged, then writes
 * meta.json and batches.json. Returns 0 only when all of that holds. */
int mm_dump_run(const mm_dump_options *opt, mm_dump_result *res, mm_error *err);

#endif
