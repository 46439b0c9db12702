/* Finds meta store, tables directories and WAL of a 1.x installation from
 * one path. The server_config.yaml names paths as the 1.x server saw them.
 * The directory the config sits in (<dir>/conf/server_config.yaml) wins
 * over storage.path when it holds db/: a user pointing at a copy means the
 * copy, even when the original still exists on this host. */
#include "source/discover.h"

#include "strbuf.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

typedef struct flat_yaml {
    char **keys, **values;
    size_t n;
} flat_yaml;

static void flat_free(flat_yaml *y)
{
    for (size_t i = 0; i < y->n; i++) {
        free(y->keys[i]);
        free(y->values[i]);
    }
    free(y->keys);
    free(y->values);
}

static const char *flat_get(const flat_yaml *y, const char *key)
{
    for (size_t i = 0; i < y->n; i++)
        if (strcmp(y->keys[i], key) == 0)
            return y->values[i];
    return NULL;
}

/* Reads scalar values of nested mappings as dotted keys (section.key). */
static int read_config(const char *path, flat_yaml *out, mm_error *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return mm_error_errno(err, errno, "open", path);
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    char *stack[8] = {0};
    int depth = 0;
    bool expect_key[8] = {false};
    int rc = 0;
    for (bool done = false; !done && rc == 0;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = mm_error_set(err, MM_ERR_FORMAT, "%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
                              parser.problem_mark.column + 1, parser.problem ? parser.problem : "invalid YAML");
            break;
        }
        switch (ev.type) {
        case YAML_MAPPING_START_EVENT:
            if (depth < 7)
                expect_key[++depth] = true;
            break;
        case YAML_MAPPING_END_EVENT:
            if (depth > 0) {
                free(stack[depth]);
                stack[depth] = NULL;
                depth--;
                if (depth > 0)
                    expect_key[depth] = true;
            }
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            if (depth > 0 && ev.type == YAML_SEQUENCE_END_EVENT)
                expect_key[depth] = true;
            break;
        case YAML_SCALAR_EVENT:
            if (depth == 0)
                break;
            if (expect_key[depth]) {
                free(stack[depth]);
                stack[depth] = mm_strdup((const char *)ev.data.scalar.value);
                expect_key[depth] = false;
            } else {
                mm_strbuf key;
                mm_strbuf_init(&key);
                for (int i = 1; i <= depth; i++)
                    mm_strbuf_appendf(&key, "%s%s", i > 1 ? "." : "", stack[i] ? stack[i] : "");
                char **k = realloc(out->keys, (out->n + 1) * sizeof *k);
                if (k)
                    out->keys = k;
                char **v = realloc(out->values, (out->n + 1) * sizeof *v);
                if (v)
                    out->values = v;
                if (k && v) {
                    out->keys[out->n] = mm_strbuf_take(&key);
                    out->values[out->n++] = mm_strdup((const char *)ev.data.scalar.value);
                } else {
                    mm_strbuf_free(&key);
                }
                expect_key[depth] = true;
            }
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    for (int i = 0; i < 8; i++)
        free(stack[i]);
    yaml_parser_delete(&parser);
    fclose(f);
    if (rc != 0)
        flat_free(out);
    return rc;
}

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

/* A configured path if it exists here, else the same-named place inside the copied data dir. */
static char *local_path(const char *configured, const char *copy_root, const char *fallback_rel)
{
    if (configured && configured[0] && is_dir(configured))
        return mm_strdup(configured);
    if (copy_root && fallback_rel) {
        char *p = mm_asprintf("%s/%s", copy_root, fallback_rel);
        if (is_dir(p))
            return p;
        free(p);
    }
    return NULL;
}

static int from_config(const char *config, mm_install *inst, mm_error *err)
{
    flat_yaml y;
    if (read_config(config, &y, err) != 0)
        return -1;
    inst->config_file = mm_strdup(config);
    const char *primary = flat_get(&y, "storage.path");
    const char *meta_uri = flat_get(&y, "general.meta_uri");
    const char *wal = flat_get(&y, "wal.path");
    const char *secondary = NULL;
    if (!primary && flat_get(&y, "storage_config.primary_path")) {
        primary = flat_get(&y, "storage_config.primary_path");
        secondary = flat_get(&y, "storage_config.secondary_path");
        meta_uri = flat_get(&y, "db_config.backend_url");
        wal = flat_get(&y, "wal_config.wal_path");
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
    if (rc == 0) {
        /* The WAL beside the data we read, else where the config puts it. */
        inst->wal_dir = local_path(NULL, inst->data_dir, "wal");
        if (!inst->wal_dir)
            inst->wal_dir = local_path(wal, NULL, NULL);
    }
    free(conf_dir);
    free(copy_root);
    flat_free(&y);
    return rc;
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
            out->data_dir = db ? dir_of(db) : NULL;
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
            out->data_dir = dir_of(path);
            out->sqlite_path = meta;
            meta = NULL;
            rc = add_tables_dir(out, mm_strdup(tables));
        } else {
            rc = mm_error_set(err, MM_ERR_USAGE, "no Milvus 1.x installation found at %s: expected %s/db/meta.sqlite, "
                              "%s/conf/server_config.yaml or a meta.sqlite file", path, path, path);
        }
        free(candidate);
        free(db_meta);
        free(meta);
        free(tables);
        if (rc == 0 && !config && out->data_dir)
            out->wal_dir = local_path(NULL, out->data_dir, "wal");
    }
    if (rc == 0 && config)
        rc = from_config(config, out, err);
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
