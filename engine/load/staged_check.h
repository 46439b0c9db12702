/* A staged batch checked against what the journal recorded when the dump
 * wrote it, so that a file edited, truncated, removed or replaced since
 * (by hand, by another migration, by a second dump running at the same
 * time) is never imported. Locally: both files' sizes and, when asked,
 * their CRC32. In a bucket: both objects' sizes and the ETag each had
 * right after its upload (an object written again has another). */
#ifndef MM_STAGED_CHECK_H
#define MM_STAGED_CHECK_H

#include "base/error.h"
#include "journal.h"
#include "storage/storage.h"

#include <stdbool.h>

typedef struct mm_staged_place {
    const char *local_root;   /* staged locally: the journal's keys are relative to it */
    mm_storage *storage;      /* staged in a bucket (local_root is then ignored) */
} mm_staged_place;

typedef enum {
    MM_STAGED_PRESENT,   /* there, with the recorded size (and ETag) */
    MM_STAGED_INTACT     /* also the recorded CRC32 of every local byte */
} mm_staged_depth;

/* 0 when both files of b are as recorded. Otherwise -1 with err (MM_ERR_IO)
 * naming the batch, the file and what differs (or why it could not be
 * read), then `fix`. */
int mm_staged_check_batch(const mm_staged_place *place, const mm_journal_batch *b, mm_staged_depth depth,
                          const char *fix, mm_error *err);

/* "batch <segment>/<k> of collection '<c>' (partition '<tag>')"; malloc'd. */
char *mm_staged_batch_label(const mm_journal_batch *b);

#endif
