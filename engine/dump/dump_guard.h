/* The dump's half of "the source must hold still": the source watch is
 * asked after every segment and at the end (mm_dump_options.source_check
 * takes mm_dump_guard_check with the watch as its context) and, once the
 * dump stopped because the source changed, the changed collections are
 * taken back: their dumped batches are forgotten in the journal and their
 * staged files removed, so nothing of them counts as done and a later run
 * dumps them again from what the source then holds. */
#ifndef MM_DUMP_GUARD_H
#define MM_DUMP_GUARD_H

#include "base/error.h"
#include "journal.h"
#include "source/source_watch.h"
#include "storage/storage.h"

#include <stdbool.h>

/* ctx is the mm_source_watch. */
int mm_dump_guard_check(void *ctx, bool final, mm_error *err);

typedef struct mm_dump_guard_target {
    mm_journal *journal;
    mm_storage *storage;      /* staged in a bucket, or NULL */
    const char *local_root;   /* <outputDir>/migration when staged locally */
} mm_dump_guard_target;

/* After mm_dump_run failed with MM_ERR_SOURCE_LIVE from the watch: takes
 * back the changed collections (every collection with batches in the
 * journal when the change names none) and appends to err what was done
 * and what to do next. Returns -1 (the dump failed either way). */
int mm_dump_guard_take_back(const mm_source_watch *w, const mm_dump_guard_target *t, mm_error *err);

#endif
