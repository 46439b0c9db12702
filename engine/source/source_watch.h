/* The 1.x source must hold still while it is dumped. A fingerprint of the
 * meta (meta.sqlite and its -wal by size and times, or the MySQL rows) and
 * of the WAL (mxlog.meta and the *.wal files) is taken before the meta is
 * read; every check compares it again and, when it moved, reads the meta
 * and the WAL once more to name the collections whose rows or WAL records
 * changed. A check is cheap for SQLite and the WAL (a few stat calls) and
 * made after every segment; a MySQL meta is read again at most every
 * MM_SOURCE_WATCH_MYSQL_SECONDS, and always by the final check. */
#ifndef MM_SOURCE_WATCH_H
#define MM_SOURCE_WATCH_H

#include "base/error.h"
#include "source/meta_rows.h"
#include "source/wal_check.h"

#include <stdbool.h>
#include <stddef.h>

#define MM_SOURCE_WATCH_MYSQL_SECONDS 5.0

typedef struct mm_source_watch mm_source_watch;

typedef struct mm_source_watch_spec {
    const char *sqlite_path;    /* the meta, when SQLite */
    const char *mysql_dsn;      /* the meta, when MySQL */
    const char *wal_dir;        /* the WAL, or NULL */
} mm_source_watch_spec;

/* Takes the fingerprint; call before the meta is read. */
int mm_source_watch_begin(const mm_source_watch_spec *spec, mm_source_watch **out, mm_error *err);
/* The rows and the WAL verdict the job works from; rows must stay valid
 * until the watch is freed (the WAL verdict is copied). */
int mm_source_watch_baseline(mm_source_watch *w, const mm_meta_rows *rows, const mm_wal_report *wal,
                             mm_error *err);
/* 0 while nothing changed. When something did: -1 with MM_ERR_SOURCE_LIVE
 * saying what changed; from then on every check fails the same way.
 * Thread-safe. */
int mm_source_watch_check(mm_source_watch *w, bool final, mm_error *err);
/* After a failed check: the 1.x collections that changed; *all is true
 * when the change could not be tied to collections (treat every one as
 * changed). */
const char *const *mm_source_watch_changed(const mm_source_watch *w, size_t *n, bool *all);
void mm_source_watch_free(mm_source_watch *w);

#endif
