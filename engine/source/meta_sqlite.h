/* Reads a 1.x meta.sqlite strictly read-only (mode=ro URI, honouring
 * -wal/-shm, never immutable=1) into mm_meta_rows; columns read by name so
 * both DDL eras work. */
#ifndef MM_META_SQLITE_H
#define MM_META_SQLITE_H

#include "base/error.h"
#include "source/meta_rows.h"

int mm_meta_read_sqlite(const char *path, mm_meta_rows *out, mm_error *err);

#endif
