/* Finds the pieces of a 1.x installation from one path the user knows: the
 * data directory (storage.path), its db/ directory, the server_config.yaml,
 * or the meta.sqlite file itself. */
#ifndef MM_DISCOVER_H
#define MM_DISCOVER_H

#include "base/error.h"

#include <stddef.h>

typedef struct mm_install {
    char *data_dir;        /* storage.path (db_path) */
    char *config_file;     /* server_config.yaml used, or NULL */
    char *sqlite_path;     /* <db_path>/db/meta.sqlite, or NULL with MySQL */
    char *mysql_uri;       /* general.meta_uri / db_config.backend_url when mysql:// */
    char **tables_dirs;    /* primary first, then 0.9 secondary roots */
    size_t n_tables_dirs;
    char *wal_dir;         /* NULL when not found */
    char *version_hint;    /* "0.9.x" (storage_config keys) / "0.10+" / NULL */
} mm_install;

int mm_discover(const char *path, mm_install *out, mm_error *err);
void mm_install_free(mm_install *inst);

#endif
