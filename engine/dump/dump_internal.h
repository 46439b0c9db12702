/* Shared by the dump's files, which are layered so that none calls back
 * into one above it:
 *   dump.c          the run: workers over the segments, uploaders, then
 *                   reconciliation, staged-file checks and the indexes
 *   dump_segment.c  one segment: open, its batches, its record
 *   dump_pack.c     one batch of several whole segments, their records
 *   dump_batch.c    one batch: resume or write (or hash for streaming)
 *   dump_commit.c   a local dump's batches made durable and recorded in
 *                   groups
 *   npy_write.c     one .npy written as .partial, with copy offload and
 *                   the checksums (CRC32, part SHA-256s) on the way
 *   dump_rows.c     the live rows of a segment in runs, and the NaN scan
 *   dump_state.c    progress, results and the first failure, shared by
 *                   the workers */
#ifndef MM_DUMP_INTERNAL_H
#define MM_DUMP_INTERNAL_H

#include "dump/dump.h"
#include "dump/dump_upload.h"
#include "plan.h"
#include "source/segment.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
/* libdeflate's CRC-32 is zlib's (and crc32(1)'s), computed with the CPU's
 * carry-less multiply where it has one: about 10 GB/s against zlib's 3 on
 * our 2-core build machine, so checksumming the bytes on their way through
 * costs next to nothing beside the copy. */
#include <libdeflate.h>

enum { MM_DUMP_IO_BLOCK = 1 << 20 };

/* One piece of work: a segment (its batches, or none when it has no live
 * rows), or a batch packing several whole segments (pack != NULL, s its
 * first segment). */
typedef struct mm_dump_job {
    mm_collection_info *c;
    mm_partition_info *p;
    mm_segment_info *s;
    const mm_plan_batch *pack;
} mm_dump_job;

typedef struct mm_dump_committer mm_dump_committer;

/* What the workers share. */
typedef struct mm_dump_state {
    const mm_dump_options *opt;
    mm_plan plan;               /* the batches to write */
    mm_dump_job *jobs;
    size_t n_jobs;
    mm_dump_committer *committer; /* records the batches of a local dump */
    pthread_mutex_t lock;       /* guards what follows */
    mm_error err;               /* first failure */
    bool failed;
    mm_dump_progress progress;
    mm_dump_result result;
} mm_dump_state;

/* The open files of a segment and a worker's buffers: buf for reading
 * (MM_DUMP_IO_BLOCK), gather for the two .npy files being written
 * (MM_DUMP_GATHER_BYTES, see mm_npy_out). */
typedef struct mm_dump_files {
    int rv, uid;
    const char *rv_path, *uid_path;
    size_t bpv;
    char *buf, *gather;
    /* A float vector holding NaN or infinity met while copying rows whose
     * NaN scan was left to the copy (mm_npy_open's check_floats): its row
     * and dimension; row -1 when none. */
    int64_t bad_row;
    int bad_dim;
} mm_dump_files;

enum { MM_DUMP_GATHER_BYTES = 4 * MM_DUMP_IO_BLOCK };

/* ---- dump_state.c ---- */
const char *mm_dump_id_field(const mm_dump_options *opt);
const char *mm_dump_vector_field(const mm_dump_options *opt);
/* A failure elsewhere or the user's cancel: stop at the next row run. */
bool mm_dump_cancelled(const mm_dump_state *st);
void mm_dump_report(mm_dump_state *st, int64_t rows, uint64_t bytes, size_t segments, size_t skipped);
/* Rows and bytes an earlier run already staged (batches reused): counted
 * as done, and as reused so that rates leave them out. */
void mm_dump_report_reused(mm_dump_state *st, int64_t rows, uint64_t bytes);
void mm_dump_count_recorded(mm_dump_state *st, const mm_journal_batch *b);
/* Records the first failure (later ones are consequences). */
void mm_dump_fail(mm_dump_state *st, const mm_error *err);

/* ---- dump_rows.c ---- */
/* Live rows in order, minus the rows the NaN policy drops. */
typedef struct mm_dump_rows {
    mm_segment_reader *r;
    const int64_t *dropped;     /* sorted */
    size_t n_dropped, next_dropped;
    int64_t start, count;       /* pending part of the current live run */
} mm_dump_rows;

void mm_dump_rows_init(mm_dump_rows *it, mm_segment_reader *r, const int64_t *dropped, size_t n_dropped);
/* Next run of at most `limit` rows. */
bool mm_dump_rows_next(mm_dump_rows *it, int64_t limit, int64_t *start, int64_t *count);
/* The error for row `row`, dimension `dim` of a segment holding NaN or
 * infinity (dumper.nanPolicy fail); -1. */
int mm_dump_nan_error(mm_dump_files *f, int64_t row, int dim, mm_error *err);
/* The rows holding NaN/Inf of a float collection's segment (sorted, malloc'd
 * into *out), or an error naming the first one when the policy is fail. */
int mm_dump_scan_nan(mm_dump_state *st, const mm_dump_job *jb, mm_dump_files *f, mm_segment_reader *r,
                     int64_t **out, size_t *n_out, mm_error *err);

/* ---- npy_write.c ---- */
/* Every byte of a batch, in file order, goes into the CRC32 the journal
 * records and, when uploading, the part SHA-256s. */
void mm_dump_checksum(uint32_t *crc, mm_part_digest *digest, const void *bytes, size_t n);

/* One output .npy being written as <path>.partial, from the .uid (ids) or
 * the .rv files of one or more segments. */
typedef struct mm_npy_out {
    char *path, *partial;
    int fd;
    int io_errno;               /* errno of the step that failed, 0 if none */
    bool ids;                   /* id.npy from the .uid files, else vectors from the .rv files */
    /* Float vectors checked for NaN/Inf on their way through, so that no
     * scan reads them beforehand (the bytes are read once). */
    bool check_floats;
    /* Left as .partial by mm_npy_close: the group commit puts it under its
     * final name once synced (dump_commit.c). */
    bool keep_partial;
    size_t row_bytes;
    uint32_t crc;
    uint64_t size;
    /* Part SHA-256s for the upload (staged in a bucket only); a digest that
     * failed is simply not used, the upload then hashes the file. */
    mm_part_digest *digest;
    /* Short runs (rows between deleted ones) are gathered: the source is
     * read a block at a time into `in`, live rows are copied into `out`,
     * written when full; two system calls per run would cost more than the
     * copy. Both are the worker's (mm_dump_files.gather). */
    char *in, *out;
    off_t in_off;
    size_t in_len, out_len;
    /* Bytes in the file so far, and how many of them writeback was started
     * for (npy_write.c: write-behind, for the files the group commit syncs,
     * those kept as .partial; a copy that is only uploaded and removed
     * stays in the page cache). */
    uint64_t written, kicked;
} mm_npy_out;

/* in and out: MM_DUMP_IO_BLOCK bytes each, the caller's. */
int mm_npy_open(mm_npy_out *o, const char *path, bool ids, size_t row_bytes, mm_npy_dtype dtype, uint64_t rows,
                uint64_t cols, uint64_t digest_part_size, char *in, char *out, bool check_floats, mm_error *err);
/* Appends count rows from start of the segment's .uid or .rv file (in the
 * kernel where it can). A bad float (check_floats) stops it: -1 with
 * f->bad_row set. */
int mm_npy_copy_rows(mm_npy_out *o, mm_dump_files *f, int64_t start, int64_t count, bool offload, mm_error *err);
/* The next rows come from another segment's files. */
void mm_npy_next_source(mm_npy_out *o);
/* Makes the file visible under its final name only when ok and complete
 * (with keep_partial, the group commit does that later); otherwise only a
 * .partial ever existed, removed. Not forced to disk: the dump syncs a
 * group of batches at once before it names and records them
 * (dump_commit.c). */
int mm_npy_close(mm_npy_out *o, bool ok, mm_error *err);
/* First float of the n bytes (file offset `at` of a segment's .rv file,
 * rows of row_bytes after its 8-byte header) that is NaN or infinite: its
 * row and dimension into f->bad_row/bad_dim; true when there is one. */
bool mm_dump_find_bad_float(mm_dump_files *f, const void *bytes, size_t n, uint64_t at, size_t row_bytes);

/* ---- dump_commit.c ---- */
/* The local dump's group commit (see dump_commit.c). A failure to record
 * goes to mm_dump_fail, and the files of what was not recorded are removed. */
int mm_dump_committer_start(mm_dump_state *st, mm_dump_committer **out, mm_error *err);
/* Hands over a complete batch (b copied; its files complete as
 * "<path>.partial", not yet synced) and the records of the segments whose rows it holds, recorded
 * in the same transaction. */
int mm_dump_commit_batch(mm_dump_committer *c, const mm_journal_batch *b, const char *dir, const char *data_path,
                         const char *id_path, const mm_journal_segment *segments, size_t n_segments, mm_error *err);
int mm_dump_commit_segment(mm_dump_committer *c, const mm_journal_segment *s, mm_error *err);
/* Returns once everything handed over so far is recorded (or failed). */
void mm_dump_committer_settle(mm_dump_committer *c);
/* Records everything handed over, then stops. */
void mm_dump_committer_finish(mm_dump_committer *c);

/* ---- dump_batch.c ---- */
typedef enum { MM_BATCH_WRITE, MM_BATCH_REUSE } mm_batch_verdict;

/* tables/<collection>/<segment>[-k], and the journal's keys of its files. */
char *mm_dump_batch_key(const mm_dump_job *jb, int k, int n_batches);
void mm_dump_batch_keys(const mm_dump_options *opt, const char *key, char **id_key, char **data_key);
/* Whether batch k is complete from an earlier run (see dump_batch.c). */
int mm_dump_judge_batch(mm_dump_state *st, const mm_dump_job *jb, int k, const char *id_key, const char *data_key,
                        int64_t rows, mm_batch_verdict *verdict, mm_error *err);

/* The error for a batch submitted for import whose segments (b->members,
 * or b->segment alone) are not those the plan now puts into it (members,
 * "" for b->segment alone); -1. */
int mm_dump_pack_changed(const mm_journal_batch *b, const char *members, mm_error *err);

/* data.npy and id.npy of one batch being written, from the rows of one or
 * more segments in turn. */
typedef struct mm_dump_writer {
    mm_npy_out data, ids;
    char *dir, *data_path, *id_path;
    int64_t left;               /* rows still to come */
    int64_t reported_rows;      /* progress counted for this batch, taken back if it fails */
    uint64_t reported;
} mm_dump_writer;

/* Opens the batch's two files for `rows` rows (check_floats: see mm_npy_out). */
int mm_dump_writer_open(mm_dump_state *st, const mm_collection_info *c, int64_t rows, const char *dir, char *gather,
                        bool check_floats, mm_dump_writer *w, mm_error *err);
/* Appends the next `rows` rows of it (one segment's files in f). */
int mm_dump_writer_feed(mm_dump_state *st, mm_dump_writer *w, mm_dump_files *f, mm_dump_rows *it, int64_t rows,
                        bool offload, mm_error *err);
/* Closes both files: under their final names when rc is 0 and every row
 * came (b then gets sizes and CRC32s, digests the part SHA-256s when
 * staging in a bucket); otherwise nothing of the batch stays. Returns rc
 * or the closing's failure. */
int mm_dump_writer_close(mm_dump_state *st, mm_dump_writer *w, int rc, mm_journal_batch *b,
                         mm_part_digest *digests[2], mm_error *err);
/* A batch sent straight from the segment files: checksums only. */
int mm_dump_hash_batch(mm_dump_state *st, const mm_dump_job *jb, mm_dump_files *f, mm_dump_rows *it, int64_t rows,
                       bool check_floats, mm_journal_batch *b, mm_dump_stream_file src[2], mm_part_digest *digests[2],
                       mm_error *err);

/* ---- dump_segment.c ---- */
/* Dumps one segment (buf, gather: the worker's buffers; up: its uploader
 * when staging in a bucket). */
int mm_dump_segment(mm_dump_state *st, const mm_dump_job *jb, char *buf, char *gather, mm_dump_uploader *up,
                    mm_error *err);
/* Opens a segment's reader and files (fetching it first from a source
 * bucket); on failure nothing stays open. */
int mm_dump_segment_open(mm_dump_state *st, const mm_dump_job *jb, const mm_segment_info *s, mm_segment_reader **r,
                         mm_dump_files *f, mm_error *err);
void mm_dump_segment_close(mm_dump_state *st, const mm_segment_info *s, mm_segment_reader *r, mm_dump_files *f);

/* ---- dump_pack.c ---- */
/* Dumps a batch packing several whole segments (jb->pack). */
int mm_dump_pack(mm_dump_state *st, const mm_dump_job *jb, char *buf, char *gather, mm_dump_uploader *up,
                 mm_error *err);

#endif
