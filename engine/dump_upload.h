/* Staging dumped batches in a bucket while the next batch is written: each
 * dump worker hands a batch, once written locally, to an uploader thread of
 * its own and goes on with the next one. The uploader sends data.npy and
 * id.npy, records the batch in the journal only when both objects are
 * complete, then removes the local copies; a segment is recorded as done
 * only after its last batch. Items are handled in the order given, and at
 * most one written batch waits, so the local disk holds two batches per
 * worker at most. After a failure nothing more is recorded. */
#ifndef MM_DUMP_UPLOAD_H
#define MM_DUMP_UPLOAD_H

#include "error.h"
#include "journal.h"
#include "storage/storage.h"

#include <stdatomic.h>
#include <stdbool.h>

typedef struct mm_dump_uploader mm_dump_uploader;

typedef struct mm_dump_uploader_options {
    mm_storage *storage;
    mm_journal *journal;
    atomic_bool *cancel;          /* may be NULL */
    /* Called on the uploader thread: a batch recorded, and the first
     * failure (after which the uploader only discards). */
    void (*recorded)(void *ctx, const mm_journal_batch *b);
    void (*failed)(void *ctx, const mm_error *err);
    void *ctx;
} mm_dump_uploader_options;

int mm_dump_uploader_start(const mm_dump_uploader_options *opt, mm_dump_uploader **out, mm_error *err);
/* Takes b (its strings are copied) and the local files of the batch in dir;
 * waits while another written batch is still waiting. Returns -1 (err set)
 * when the uploader has failed or is out of memory; the local files are
 * then removed. */
int mm_dump_uploader_batch(mm_dump_uploader *up, const mm_journal_batch *b, const char *dir, const char *data_path,
                           const char *id_path, mm_error *err);
/* Records s as done once every batch given before it is recorded. */
int mm_dump_uploader_segment(mm_dump_uploader *up, const mm_journal_segment *s, mm_error *err);
/* Waits until everything given is handled, stops the thread and frees.
 * Returns -1 when something failed (reported through failed). */
int mm_dump_uploader_finish(mm_dump_uploader *up);

#endif
