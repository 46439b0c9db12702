/* Where the 1.x WAL is, found the way the server placed it, for every
 * command that reads a source (inspect, export, dump, load, verify, run and
 * the wizard all call this one function through mm_source_open or
 * mm_discover).
 *
 * Milvus writes its WAL to wal.path (wal_config.wal_path in 0.9), which the
 * shipped configurations set to <storage path>/wal, next to db/
 * (specs/milvus1x-format.md §2, §5). So, unless the user names it:
 *   1. <storage root>/wal, for every storage root the source reveals: the
 *      data directory, the parent of the db/ directory holding meta.sqlite,
 *      the parent of the db/ directory holding a tables directory;
 *   2. wal.path / wal_config.wal_path of a server_config.yaml the user gave
 *      or found at <storage root>/conf/server_config.yaml, when it exists
 *      on this host; that file may also say the WAL is off (wal.enable). */
#ifndef MM_WAL_LOCATE_H
#define MM_WAL_LOCATE_H

#include "config/config.h"
#include "base/error.h"

#include <stddef.h>

typedef enum {
    MM_WAL_NOT_FOUND = 0,  /* looked everywhere above, nothing there */
    MM_WAL_GIVEN,          /* named by the user (source.local.walDir, --wal-dir) */
    MM_WAL_BESIDE_DB,      /* <storage root>/wal */
    MM_WAL_SERVER_CONFIG,  /* wal.path / wal_config.wal_path of a server_config.yaml */
    MM_WAL_DISABLED,       /* a server_config.yaml sets wal.enable: false */
    MM_WAL_NOWHERE_TO_LOOK /* meta.json without a storage root: only a given WAL is checked */
} mm_wal_origin;

typedef struct mm_wal_hints {
    const char *given;          /* explicit directory, or NULL/"" */
    const char *given_key;      /* how the user named it, for messages ("source.local.walDir") */
    const char *data_dir;       /* the storage root the user named, or NULL */
    const char *server_config;  /* a server_config.yaml the user named, or NULL */
    const char *sqlite_path;    /* <root>/db/meta.sqlite, or NULL */
    const char *const *tables_dirs; /* <root>/db/tables (primary first), may be empty */
    size_t n_tables_dirs;
} mm_wal_hints;

typedef struct mm_wal_location {
    mm_wal_origin origin;
    char *dir;                  /* the WAL directory when found or given */
    char *given_key;            /* MM_WAL_GIVEN: the key or option */
    char *server_config;        /* SERVER_CONFIG / DISABLED: that file */
    char *config_key;           /* ... and its key (wal.path, wal_config.enable, ...) */
    char **roots;               /* the storage roots the source reveals, in order (also
                                 * when the WAL was given) */
    size_t n_roots;
    char *searched;             /* where we looked, as a sentence fragment */
} mm_wal_location;

/* Fills out. Fails only for a given directory that is not one (a wrong
 * setting must not turn into "no WAL found") and for a server_config.yaml
 * that is not YAML. */
int mm_wal_locate(const mm_wal_hints *hints, mm_wal_location *out, mm_error *err);
/* The same for the source a migration.yaml names (meta.*, source.local.*),
 * before it is opened: what the checks that must run first look at. */
int mm_wal_locate_config(const mm_config *cfg, mm_wal_location *out, mm_error *err);
/* "named by source.local.walDir", "found beside /data/milvus/db", ... malloc'd. */
char *mm_wal_location_describe(const mm_wal_location *loc);
void mm_wal_location_free(mm_wal_location *loc);

/* The directory of a path and whether its last component is "db": the
 * helpers that map db/ and tables/ directories to a storage root. The
 * root of a db directory D is D's parent when D is named "db", else D. */
char *mm_wal_storage_root_of_db(const char *db_dir);

#endif
