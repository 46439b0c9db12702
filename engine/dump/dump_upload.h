/* Staging dumped batches in a bucket while the next batch is prepared: each
 * dump worker hands a batch to an uploader thread of its own and goes on
 * with the next one. A batch is either written locally (data.npy and
 * id.npy, removed once uploaded) or streamed: each object is an .npy header
 * followed by a range of a segment file, sent from there. The uploader
 * records the batch in the journal only when both objects are complete; a
 * segment is recorded as done only after its last batch. Items are handled
 * in the order given, and at most one batch waits, so the local disk holds
 * two written batches per worker at most. After a failure nothing more is
 * recorded. */
#ifndef MM_DUMP_UPLOAD_H
#define MM_DUMP_UPLOAD_H

#include "base/error.h"
#include "journal.h"
#include "npy.h"
#include "storage/storage.h"

#include <stdatomic.h>
#include <stdbool.h>

typedef struct mm_dump_uploader mm_dump_uploader;

typedef struct mm_dump_uploader_options {
    mm_storage *storage;
    mm_journal *journal;
    atomic_bool *cancel;          /* may be NULL */
    /* Called on the uploader thread: a batch recorded (streamed: sent from
     * the segment files; progress_bytes as given with it), a segment
     * recorded, and the first failure (after which the uploader only
     * discards). */
    void (*recorded)(void *ctx, const mm_journal_batch *b, bool streamed, uint64_t progress_bytes);
    void (*segment_recorded)(void *ctx);
    void (*failed)(void *ctx, const mm_error *err);
    void *ctx;
} mm_dump_uploader_options;

/* One object of a streamed batch: head (the .npy header), then `length`
 * bytes of fd at offset; path names the file in messages. */
typedef struct mm_dump_stream_file {
    char head[MM_NPY_MAX_HEADER];
    size_t head_len;
    int fd;
    uint64_t offset, length;
    const char *path;
} mm_dump_stream_file;

int mm_dump_uploader_start(const mm_dump_uploader_options *opt, mm_dump_uploader **out, mm_error *err);
/* Takes b (its strings are copied), the local files of the batch in dir
 * and the part SHA-256s of data.npy and id.npy (owned from here on; NULL
 * = the upload hashes the file); waits while another written batch is
 * still waiting. Returns -1 (err set) when the uploader has failed or is
 * out of memory; the local files are then removed. */
int mm_dump_uploader_batch(mm_dump_uploader *up, const mm_journal_batch *b, uint64_t progress_bytes, const char *dir,
                           const char *data_path, const char *id_path, mm_part_digest *digests[2], mm_error *err);
/* The same for a streamed batch, src = data then id: the uploader keeps
 * its own descriptors of the files, so the caller may close its own. */
int mm_dump_uploader_stream(mm_dump_uploader *up, const mm_journal_batch *b, uint64_t progress_bytes,
                            const mm_dump_stream_file src[2], mm_part_digest *digests[2], mm_error *err);
/* Records s as done once every batch given before it is recorded. */
int mm_dump_uploader_segment(mm_dump_uploader *up, const mm_journal_segment *s, mm_error *err);
/* Waits until everything given is handled, stops the thread and frees.
 * Returns -1 when something failed (reported through failed). */
int mm_dump_uploader_finish(mm_dump_uploader *up);

#endif
