/* Shared by the dump's files, which are layered so that none calls back
 * into one above it:
 *   dump.c          the run: workers over the segments, uploaders, then
 *                   reconciliation, staged-file checks and the indexes
 *   dump_segment.c  one segment: open, NaN scan, its batches, its record
 *   dump_batch.c    one batch: resume or write (or hash for streaming)
 *   npy_write.c     one .npy written as .partial, with copy offload and
 *                   the checksums (CRC32, part SHA-256s) on the way
 *   dump_rows.c     the live rows of a segment in runs, and the NaN scan
 *   dump_state.c    progress, results and the first failure, shared by
 *                   the workers */
#ifndef MM_DUMP_INTERNAL_H
#define MM_DUMP_INTERNAL_H

#include "dump/dump.h"
#include "dump/dump_upload.h"
#include "source/segment.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <zlib.h>

enum { MM_DUMP_IO_BLOCK = 1 << 20 };

/* One segment to dump. */
typedef struct mm_dump_job {
    mm_collection_info *c;
    mm_partition_info *p;
    mm_segment_info *s;
} mm_dump_job;

/* What the workers share. */
typedef struct mm_dump_state {
    const mm_dump_options *opt;
    mm_dump_job *jobs;
    size_t n_jobs;
    pthread_mutex_t lock;       /* guards what follows */
    mm_error err;               /* first failure */
    bool failed;
    mm_dump_progress progress;
    mm_dump_result result;
} mm_dump_state;

/* The open files of a segment and a worker's I/O buffer (MM_DUMP_IO_BLOCK). */
typedef struct mm_dump_files {
    int rv, uid;
    const char *rv_path, *uid_path;
    size_t bpv;
    char *buf;
} mm_dump_files;

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
/* The rows holding NaN/Inf of a float collection's segment (sorted, malloc'd
 * into *out), or an error naming the first one when the policy is fail. */
int mm_dump_scan_nan(mm_dump_state *st, const mm_dump_job *jb, mm_dump_files *f, mm_segment_reader *r,
                     int64_t **out, size_t *n_out, mm_error *err);

/* ---- npy_write.c ---- */
/* Every byte of a batch, in file order, goes into the CRC32 the journal
 * records and, when uploading, the part SHA-256s. */
void mm_dump_checksum(uLong *crc, mm_part_digest *digest, const void *bytes, size_t n);

/* One output .npy being written as <path>.partial. */
typedef struct mm_npy_out {
    char *path, *partial;
    int fd;
    int io_errno;               /* errno of the step that failed, 0 if none */
    int src;
    const char *src_path;
    size_t row_bytes;
    uLong crc;
    uint64_t size;
    /* Part SHA-256s for the upload (staged in a bucket only); a digest that
     * failed is simply not used, the upload then hashes the file. */
    mm_part_digest *digest;
    /* Short runs (rows between deleted ones) are gathered: the source is
     * read a block at a time into `in`, live rows are copied into `out`,
     * written when full; two system calls per run would cost more than the
     * copy. */
    char *in, *out;
    off_t in_off;
    size_t in_len, out_len;
} mm_npy_out;

int mm_npy_open(mm_npy_out *o, const char *path, int src, const char *src_path, size_t row_bytes, mm_npy_dtype dtype,
                uint64_t rows, uint64_t cols, uint64_t digest_part_size, mm_error *err);
/* Appends count rows from start of the source (in the kernel where it can). */
int mm_npy_copy_rows(mm_npy_out *o, mm_dump_files *f, int64_t start, int64_t count, bool offload, mm_error *err);
/* Makes the file visible under its final name only when ok, complete and
 * (when durable) on disk; otherwise only a .partial ever existed, removed. */
int mm_npy_close(mm_npy_out *o, bool ok, bool durable, mm_error *err);

/* ---- dump_batch.c ---- */
typedef enum { MM_BATCH_WRITE, MM_BATCH_REUSE } mm_batch_verdict;

/* tables/<collection>/<segment>[-k], and the journal's keys of its files. */
char *mm_dump_batch_key(const mm_dump_job *jb, int k, int n_batches);
void mm_dump_batch_keys(const mm_dump_options *opt, const char *key, char **id_key, char **data_key);
/* Whether batch k is complete from an earlier run (see dump_batch.c). */
int mm_dump_judge_batch(mm_dump_state *st, const mm_dump_job *jb, int k, const char *id_key, const char *data_key,
                        int64_t rows, mm_batch_verdict *verdict, mm_error *err);
/* Writes data.npy and id.npy of one batch in a single pass over its runs. */
int mm_dump_write_batch(mm_dump_state *st, const mm_dump_job *jb, mm_dump_files *f, mm_dump_rows *it, int64_t rows,
                        const char *dir, bool offload, mm_journal_batch *b, mm_part_digest *digests[2],
                        mm_error *err);
/* A batch sent straight from the segment files: checksums only. */
int mm_dump_hash_batch(mm_dump_state *st, const mm_dump_job *jb, mm_dump_files *f, mm_dump_rows *it, int64_t rows,
                       mm_journal_batch *b, mm_dump_stream_file src[2], mm_part_digest *digests[2], mm_error *err);

/* ---- dump_segment.c ---- */
/* Dumps one segment (buf: the worker's I/O buffer; up: its uploader when
 * staging in a bucket). */
int mm_dump_segment(mm_dump_state *st, const mm_dump_job *jb, char *buf, mm_dump_uploader *up, mm_error *err);

#endif
