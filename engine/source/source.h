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
    const char *meta_key;        /* how the meta file was given, for messages (default meta.sqliteFile
                                  * or meta.localFile; -s, --meta-json on the command line) */
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
    /* A 0.9 install keeps segments on every root of its
     * storage_config.secondary_path as well: the tables directories of the
     * roots its server_config.yaml (or the meta.json export wrote) names,
     * and that file. */
    char **secondary_tables_dirs;
    size_t n_secondary_tables_dirs;
    char *roots_config;
    /* When some of those are not among tables_dirs: what a missing
     * segment file should make the user do, else NULL. */
    char *missing_hint;
} mm_source;

int mm_source_open(const mm_source_spec *spec, mm_source *out, mm_error *err);
void mm_source_free(mm_source *src);

#endif
