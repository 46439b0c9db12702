/* Crash-safe migration state in SQLite (journal.sqlite in the state
 * directory): which batches are dumped (with sizes and checksums), staged,
 * submitted for import (with task ids) and imported. Every step is one
 * durable transaction (synchronous=FULL), so after a kill a re-run knows
 * exactly what is complete and never redoes or double-imports it. */
#ifndef MM_JOURNAL_H
#define MM_JOURNAL_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mm_journal mm_journal;

typedef enum {
    MM_BATCH_PENDING = 0,
    MM_BATCH_DUMPED = 1,     /* files complete on the target (local or S3) */
    MM_BATCH_SUBMITTED = 2,  /* Import called; task_ids recorded */
    MM_BATCH_IMPORTED = 3,   /* Milvus reported the task completed */
} mm_batch_state;

typedef struct mm_journal_batch {
    char *collection;        /* 1.x collection name */
    char *partition;         /* 1.x tag ("" = _default) */
    char *segment;
    int batch;               /* 0-based index when a segment is split */
    mm_batch_state state;
    int64_t rows;
    char *id_key;            /* storage keys of the staged files */
    char *data_key;
    uint64_t id_bytes, data_bytes;
    uint32_t id_crc32, data_crc32;
    /* Staged in a bucket: each object's ETag as the bucket reported it
     * right after the upload (an object replaced since has another one);
     * "" for local staging, or for batches of older journals. */
    char *id_etag, *data_etag;
    char *task_ids;          /* comma-separated Import task ids */
    int64_t imported_rows;
    /* A batch packing several whole segments of one partition (plan.h):
     * their ids, comma-separated, the first being `segment`, whose id the
     * batch is keyed and named by; "" for a batch of one segment's rows. */
    char *members;
} mm_journal_batch;

/* Opens (creating 0700 dir and the database as needed) the journal of a
 * job. `fingerprint` identifies source + target; a journal written for a
 * different fingerprint is refused with an error saying how to start over
 * (a new state directory or --restart), because trusting it could skip or
 * duplicate data. */
int mm_journal_open(const char *state_dir, const char *fingerprint, bool restart, mm_journal **out,
                    mm_error *err);
/* As mm_journal_open with --restart, but the records stay until
 * mm_journal_restart: a front end first says what would be discarded and
 * asks. Whatever fingerprint the journal holds is accepted. */
int mm_journal_open_for_restart(const char *state_dir, const char *fingerprint, mm_journal **out, mm_error *err);
/* Discards every record; the journal is then this fingerprint's, with the
 * same job id. */
int mm_journal_restart(mm_journal *j, mm_error *err);
/* The journal of state_dir opened read-only to look at it (the Plan
 * screen, the wizard reopening a migration): *out is NULL when there is
 * none. Nothing is created or changed; writing through it fails. */
int mm_journal_open_readonly(const char *state_dir, mm_journal **out, mm_error *err);
void mm_journal_close(mm_journal *j);
const char *mm_journal_path(const mm_journal *j);
/* A random identifier of this job, made when its journal was created and
 * kept across --restart: what marks the staging area as this job's. */
const char *mm_journal_job_id(const mm_journal *j);
const char *mm_journal_fingerprint(const mm_journal *j);

/* Where a migration stands, from its journal: batches by the state they
 * reached and their rows. */
typedef struct mm_journal_summary {
    size_t batches, dumped, submitted, imported;
    int64_t rows, rows_dumped, rows_imported;
    size_t collections;         /* 2.x collections recorded as this job's, appended to or skipped */
    int64_t created_at;         /* when the job was recorded (seconds since the epoch) */
    char *fingerprint;          /* of the configuration the journal was written for */
} mm_journal_summary;

int mm_journal_summarize(mm_journal *j, mm_journal_summary *out, mm_error *err);
void mm_journal_summary_free(mm_journal_summary *s);

/* Looks a batch up; *found tells whether it exists. out is filled when found
 * and must be released with mm_journal_batch_free. */
int mm_journal_get(mm_journal *j, const char *collection, const char *segment, int batch,
                   mm_journal_batch *out, bool *found, mm_error *err);
/* Inserts or replaces the whole record of a batch. */
int mm_journal_put(mm_journal *j, const mm_journal_batch *b, mm_error *err);
/* Calls fn for every batch in (collection, segment, batch) order; fn may
 * call other journal functions. */
int mm_journal_each(mm_journal *j, int (*fn)(void *ctx, const mm_journal_batch *b), void *ctx,
                    mm_error *err);
/* Forgets every batch of a collection (used when it is re-created). */
int mm_journal_forget_collection(mm_journal *j, const char *collection, mm_error *err);
/* Forgets the batches of a collection that are dumped but not yet
 * submitted, and the segment records left without batches: its 1.x source
 * changed, so they must be dumped again. */
int mm_journal_forget_dumped(mm_journal *j, const char *collection, mm_error *err);
/* Forgets one batch (a stale one, retired by the dump). */
int mm_journal_forget_batch(mm_journal *j, const char *collection, const char *segment, int batch, mm_error *err);
void mm_journal_batch_free(mm_journal_batch *b);

/* Longest segment id a packed batch may name (plan.h packs no other). */
enum { MM_JOURNAL_SEGMENT_ID_MAX = 128 };

/* A segment whose every batch is dumped: how many batches, how many rows
 * they hold and how many NaN/Inf rows were left out (dumper.nanPolicy skip).
 * A segment packed into a batch keyed by another segment owns no batch
 * (batches 0) and names that segment in packed_into; "" otherwise.
 * Load refuses to start while a live segment has no such record. */
typedef struct mm_journal_segment {
    const char *collection;
    const char *segment;
    int batches;
    int64_t rows;
    int64_t nan_skipped;
    char packed_into[MM_JOURNAL_SEGMENT_ID_MAX + 1];
} mm_journal_segment;

int mm_journal_segment_done(mm_journal *j, const mm_journal_segment *s, mm_error *err);
/* Records batches and segment records in one durable transaction (the
 * dump's group commit): all of them or, on failure, none. */
int mm_journal_record_group(mm_journal *j, const mm_journal_batch *batches, size_t n_batches,
                            const mm_journal_segment *segments, size_t n_segments, mm_error *err);
int mm_journal_segment_get(mm_journal *j, const char *collection, const char *segment, mm_journal_segment *out,
                           bool *found, mm_error *err);
/* Calls fn for every segment record (strings valid during the call only). */
int mm_journal_each_segment(mm_journal *j, int (*fn)(void *ctx, const mm_journal_segment *s), void *ctx,
                            mm_error *err);
int mm_journal_forget_segment(mm_journal *j, const char *collection, const char *segment, mm_error *err);

/* The 2.x collection a 1.x collection goes to, and how this job came to
 * use it. CREATING is written before CreateCollection is sent, so a crash
 * in between still leaves the collection recognisably ours. */
typedef enum {
    MM_TARGET_CREATING = 1,  /* created (or being created) by this job */
    MM_TARGET_APPENDING = 2, /* existed; this job appends (baseline_rows were there before) */
    MM_TARGET_SKIPPED = 3    /* existed; left alone by existingCollection: skip */
} mm_target_state;

typedef struct mm_journal_target {
    char *collection;        /* 1.x name */
    char *target;            /* 2.x name */
    mm_target_state state;
    int64_t baseline_rows;   /* row_count before this job imported anything */
} mm_journal_target;

int mm_journal_target_put(mm_journal *j, const mm_journal_target *t, mm_error *err);
int mm_journal_target_get(mm_journal *j, const char *collection, mm_journal_target *out, bool *found, mm_error *err);
void mm_journal_target_free(mm_journal_target *t);
/* Row count of a 2.x partition before the first import; the first value
 * recorded is kept. partition is the 1.x tag ("" = _default). */
int mm_journal_partition_baseline_put(mm_journal *j, const char *collection, const char *partition, int64_t rows,
                                      mm_error *err);
int mm_journal_partition_baseline_get(mm_journal *j, const char *collection, const char *partition, int64_t *rows,
                                      bool *found, mm_error *err);
/* Forgets the target record and baselines of a collection (it was dropped). */
int mm_journal_forget_target(mm_journal *j, const char *collection, mm_error *err);

#endif
