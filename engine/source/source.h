/* Opens a 1.x source from whatever the user gave (data directory, meta.sqlite,
 * MySQL DSN or meta.json, plus optional tables/WAL overrides) and returns the
 * raw meta rows together with where the segment files and the WAL live. */
#ifndef MM_SOURCE_H
#define MM_SOURCE_H

#include "base/error.h"
#include "source/meta_rows.h"
#include "source/wal_locate.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct mm_source_spec {
    const char *data_dir;        /* a 1.x data dir, db dir, server_config.yaml or meta.sqlite */
    const char *sqlite_path;
    const char *mysql_dsn;
    const char *meta_json_path;
    const char *tables_dir;      /* overrides the discovered/derived tables dir */
    const char *tables_key;      /* how to give tables_dir, for messages (default source.local.tablesDir) */
    const char *const *secondary_tables_dirs; /* 0.9 multi-root, probed after tables_dir */
    size_t n_secondary_tables_dirs;
    const char *wal_dir;         /* overrides the discovered WAL dir */
    const char *wal_key;         /* how wal_dir was given, for messages (default source.local.walDir) */
    bool meta_only;              /* only the meta is read (export): no tables directory needed */
    bool tables_fetched;         /* tables_dir is a cache of segments fetched from a bucket, not
                                  * a place of the 1.x installation (no WAL is looked for there) */
} mm_source_spec;

typedef struct mm_source {
    mm_meta_rows rows;
    char **tables_dirs;
    size_t n_tables_dirs;
    mm_wal_location wal;         /* where the WAL is (wal.dir NULL when none is known) */
} mm_source;

int mm_source_open(const mm_source_spec *spec, mm_source *out, mm_error *err);
void mm_source_free(mm_source *src);

#endif
