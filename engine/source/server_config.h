/* A Milvus 1.x server_config.yaml read as flat dotted keys
 * (storage.path, wal_config.wal_path, ...): the few paths and switches the
 * migration needs, whatever the server generation (specs/milvus1x-format.md
 * §0 lists which keys each generation uses). */
#ifndef MM_SERVER_CONFIG_H
#define MM_SERVER_CONFIG_H

#include "base/error.h"

#include <stddef.h>

typedef struct mm_server_config {
    char *path;
    char **keys, **values;
    size_t n;
} mm_server_config;

/* Reads the scalar values of nested mappings; a YAML error names the file,
 * line and column. */
int mm_server_config_read(const char *path, mm_server_config *out, mm_error *err);
/* The value of a dotted key, or NULL. */
const char *mm_server_config_get(const mm_server_config *c, const char *key);
void mm_server_config_free(mm_server_config *c);

#endif
