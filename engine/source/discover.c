/* Finds meta store, tables directories and WAL of a 1.x installation from
 * one path. The server_config.yaml names paths as the 1.x server saw them.
 * The directory the config sits in (<dir>/conf/server_config.yaml) wins
 * over storage.path when it holds db/: a user pointing at a copy means the
 * copy, even when the original still exists on this host. */
#include "source/discover.h"

#include "source/server_config.h"
#include "source/wal_locate.h"
#include "base/strbuf.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool is_dir(const char *p)
{
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static char *dir_of(const char *path)
{
    char *copy = mm_strdup(path);
    char *d = copy ? mm_strdup(dirname(copy)) : NULL;
    free(copy);
    return d;
}

static int add_tables_dir(mm_install *inst, char *dir)
{
    char **grown = dir ? realloc(inst->tables_dirs, (inst->n_tables_dirs + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(dir);
        return -1;
    }
    inst->tables_dirs = grown;
    inst->tables_dirs[inst->n_tables_dirs++] = dir;
    return 0;
}

static int from_config(const char *config, mm_install *inst, mm_error *err)
{
    mm_server_config y;
    if (mm_server_config_read(config, &y, err) != 0)
        return -1;
    inst->config_file = mm_strdup(config);
    const char *primary = mm_server_config_get(&y, "storage.path");
    const char *meta_uri = mm_server_config_get(&y, "general.meta_uri");
    const char *secondary = NULL;
    if (!primary && mm_server_config_get(&y, "storage_config.primary_path")) {
        primary = mm_server_config_get(&y, "storage_config.primary_path");
        secondary = mm_server_config_get(&y, "storage_config.secondary_path");
        meta_uri = mm_server_config_get(&y, "db_config.backend_url");
        inst->version_hint = mm_strdup("0.9.x");
    } else {
        inst->version_hint = mm_strdup("0.10+");
    }
    /* <copy>/conf/server_config.yaml: <copy> stands in for storage.path. */
    char *conf_dir = dir_of(config);
    char *copy_root = conf_dir ? dir_of(conf_dir) : NULL;
    int rc = 0;
    char *copy_db = copy_root ? mm_asprintf("%s/db", copy_root) : NULL;
    if (is_dir(copy_db) || !(primary && is_dir(primary)))
        inst->data_dir = mm_strdup(copy_root);
    else
        inst->data_dir = mm_strdup(primary);
    free(copy_db);
    if (!primary && !copy_root)
        rc = mm_error_set(err, MM_ERR_CONFIG, "%s: no storage.path (or storage_config.primary_path)", config);
    if (rc == 0 && meta_uri && strncmp(meta_uri, "mysql://", 8) == 0)
        inst->mysql_uri = mm_strdup(meta_uri);
    else if (rc == 0)
        inst->sqlite_path = mm_asprintf("%s/db/meta.sqlite", inst->data_dir);
    if (rc == 0 && add_tables_dir(inst, mm_asprintf("%s/db/tables", inst->data_dir)) != 0)
        rc = mm_error_set(err, MM_ERR_NOMEM, "discover: out of memory");
    char *list = mm_strdup(secondary ? secondary : "");
    char *save = NULL;
    for (char *s = list ? strtok_r(list, ";", &save) : NULL; s && rc == 0; s = strtok_r(NULL, ";", &save)) {
        while (*s == ' ')
            s++;
        if (!*s)
            continue;
        if (add_tables_dir(inst, mm_asprintf("%s/db/tables", s)) != 0)
            rc = mm_error_set(err, MM_ERR_NOMEM, "discover: out of memory");
    }
    free(list);
    free(conf_dir);
    free(copy_root);
    mm_server_config_free(&y);
    return rc;
}

/* The WAL the same way every command finds it (wal_locate.h): beside the
 * data we read, else where the server config puts it. */
static int locate_wal(mm_install *inst, mm_error *err)
{
    mm_wal_hints h = {.data_dir = inst->data_dir, .server_config = inst->config_file};
    mm_wal_location loc;
    if (mm_wal_locate(&h, &loc, err) != 0)
        return -1;
    inst->wal_dir = loc.dir;
    loc.dir = NULL;
    mm_wal_location_free(&loc);
    return 0;
}

int mm_discover(const char *path, mm_install *out, mm_error *err)
{
    memset(out, 0, sizeof *out);
    struct stat st;
    if (stat(path, &st) != 0)
        return mm_error_errno(err, errno, "find the 1.x installation at", path);
    int rc = 0;
    char *config = NULL;
    if (S_ISREG(st.st_mode)) {
        size_t n = strlen(path);
        if (n >= 5 && (strcmp(path + n - 5, ".yaml") == 0 || strcmp(path + n - 4, ".yml") == 0)) {
            config = mm_strdup(path);
        } else {
            /* The meta.sqlite itself: <data>/db/meta.sqlite. */
            char *db = dir_of(path);
            out->sqlite_path = mm_strdup(path);
            out->data_dir = db ? mm_wal_storage_root_of_db(db) : NULL;
            rc = add_tables_dir(out, mm_asprintf("%s/tables", db ? db : "."));
            free(db);
        }
    } else {
        char *candidate = mm_asprintf("%s/conf/server_config.yaml", path);
        char *db_meta = mm_asprintf("%s/db/meta.sqlite", path);
        char *meta = mm_asprintf("%s/meta.sqlite", path);
        char *tables = mm_asprintf("%s/tables", path);
        if (is_file(candidate)) {
            config = candidate;
            candidate = NULL;
        } else if (is_file(db_meta)) {
            out->data_dir = mm_strdup(path);
            out->sqlite_path = db_meta;
            db_meta = NULL;
            rc = add_tables_dir(out, mm_asprintf("%s/db/tables", path));
        } else if (is_file(meta) || is_dir(tables)) {
            out->data_dir = mm_wal_storage_root_of_db(path);
            out->sqlite_path = meta;
            meta = NULL;
            rc = add_tables_dir(out, mm_strdup(tables));
        } else {
            rc = mm_error_set(err, MM_ERR_ARGUMENT, "no Milvus 1.x installation found at %s: expected %s/db/meta.sqlite, "
                              "%s/conf/server_config.yaml or a meta.sqlite file", path, path, path);
        }
        free(candidate);
        free(db_meta);
        free(meta);
        free(tables);
    }
    if (rc == 0 && config)
        rc = from_config(config, out, err);
    if (rc == 0 && out->data_dir)
        rc = locate_wal(out, err);
    free(config);
    if (rc != 0) {
        if (err && err->code == MM_OK)
            mm_error_set(err, MM_ERR_NOMEM, "discover: out of memory");
        mm_install_free(out);
    }
    return rc;
}

void mm_install_free(mm_install *inst)
{
    free(inst->data_dir);
    free(inst->config_file);
    free(inst->sqlite_path);
    free(inst->mysql_uri);
    for (size_t i = 0; i < inst->n_tables_dirs; i++)
        free(inst->tables_dirs[i]);
    free(inst->tables_dirs);
    free(inst->wal_dir);
    free(inst->version_hint);
    memset(inst, 0, sizeof *inst);
}
