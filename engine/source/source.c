#include "source/source.h"

#include "source/discover.h"
#include "source/meta_json.h"
#include "source/meta_mysql.h"
#include "source/meta_sqlite.h"
#include "source/names.h"
#include "source/server_config.h"
#include "base/strbuf.h"

#include "base/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *parent_dir(const char *path)
{
    char *copy = mm_strdup(path);
    if (!copy)
        return NULL;
    char *dir = mm_strdup(dirname(copy));
    free(copy);
    return dir;
}

static int add_tables_dir(mm_source *out, const char *dir)
{
    char **grown = realloc(out->tables_dirs, (out->n_tables_dirs + 1) * sizeof *grown);
    if (!grown)
        return -1;
    out->tables_dirs = grown;
    /* Without a trailing '/', so paths built from it read .../tables/<id>. */
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    out->tables_dirs[out->n_tables_dirs] = mm_strndup(dir, len);
    if (!out->tables_dirs[out->n_tables_dirs])
        return -1;
    out->n_tables_dirs++;
    return 0;
}

static int count_given(const mm_source_spec *spec)
{
    return !!spec->data_dir + !!spec->sqlite_path + !!spec->mysql_dsn + !!spec->meta_json_path;
}

/* Where the segment files are when only the meta file was named: a
 * meta.sqlite sits in db/ next to tables/; the reference's export puts
 * meta.json in a directory the user copies tables/ into. */
static int derive_tables_dir(const char *meta_file, mm_source *out)
{
    char *dir = parent_dir(meta_file);
    char *tables = dir ? mm_asprintf("%s/tables", dir) : NULL;
    int rc = tables ? add_tables_dir(out, tables) : -1;
    free(tables);
    free(dir);
    return rc;
}

/* A meta without a single collection beside a tables directory that holds
 * collection directories is an incomplete copy, typically a meta.sqlite
 * whose -wal (where Milvus keeps the newest rows) was left behind. */
static int check_meta_not_empty(const mm_source *src, mm_error *err)
{
    if (src->rows.n_tables || !src->n_tables_dirs)
        return 0;
    DIR *dir = opendir(src->tables_dirs[0]);
    if (!dir)
        return 0;
    size_t n = 0;
    char *first = NULL;
    for (struct dirent *e; (e = readdir(dir));) {
        if (e->d_name[0] == '.')
            continue;
        if (!first || strcmp(e->d_name, first) < 0) {
            free(first);
            first = mm_strdup(e->d_name);
        }
        n++;
    }
    closedir(dir);
    int rc = 0;
    if (n) {
        char *shown = first ? mm_name_escape(first) : NULL;
        rc = mm_error_set(err, MM_ERR_META, "the 1.x meta %s lists no collections, but %s holds %zu collection "
                          "director%s (first: '%s'): the meta is incomplete (a meta.sqlite copied without its "
                          "meta.sqlite-wal?); copy the meta again from the stopped 1.x server, for SQLite "
                          "meta.sqlite together with meta.sqlite-wal and meta.sqlite-shm",
                          src->rows.origin ? src->rows.origin : "", src->tables_dirs[0], n, n == 1 ? "y" : "ies",
                          shown ? shown : "?");
        free(shown);
    }
    free(first);
    return rc;
}

static int open_discovered(const mm_source_spec *spec, mm_source *out, mm_install *inst_out, mm_error *err)
{
    mm_install inst;
    if (mm_discover(spec->data_dir, &inst, err) != 0)
        return -1;
    int rc;
    if (inst.sqlite_path)
        rc = mm_meta_read_sqlite(inst.sqlite_path, &out->rows, err);
    else if (inst.mysql_uri)
        rc = mm_meta_read_mysql(inst.mysql_uri, &out->rows, err);
    else
        rc = mm_error_set(err, MM_ERR_META, "%s: the configuration names no meta store; give -s FILE or -m DSN",
                          spec->data_dir);
    for (size_t i = 0; rc == 0 && !spec->tables_dir && i < inst.n_tables_dirs; i++)
        if (add_tables_dir(out, inst.tables_dirs[i]) != 0)
            rc = mm_error_set(err, MM_ERR_NOMEM, "open source: out of memory");
    *inst_out = inst;
    return rc;
}

/* One place decides where the WAL is (wal_locate.h). A meta.json carries
 * no storage directory, so only a WAL the user names is read with it. */
static int locate_wal(const mm_source_spec *spec, const mm_install *inst, mm_source *out, mm_error *err)
{
    mm_wal_hints h = {
        .given = spec->wal_dir, .given_key = spec->wal_key ? spec->wal_key : "source.local.walDir",
        .data_dir = inst->data_dir, .server_config = inst->config_file,
        .sqlite_path = spec->sqlite_path ? spec->sqlite_path : inst->sqlite_path,
    };
    if (!spec->meta_json_path && !spec->meta_only && !spec->tables_fetched) {
        h.tables_dirs = (const char *const *)out->tables_dirs;
        h.n_tables_dirs = out->n_tables_dirs;
    }
    if (spec->meta_json_path && !(spec->wal_dir && spec->wal_dir[0])) {
        out->wal.origin = MM_WAL_NOWHERE_TO_LOOK;
        return 0;
    }
    return mm_wal_locate(&h, &out->wal, err);
}

/* The meta file the user named must be there and be a file, checked by
 * stat (nothing is opened): a missing one is named with the key that gave
 * it, the directory a relative path was taken from, and what belongs
 * there. */
static int check_meta_file(const mm_source_spec *spec, mm_error *err)
{
    bool sqlite = spec->sqlite_path != NULL;
    const char *path = sqlite ? spec->sqlite_path : spec->meta_json_path;
    if (!path)
        return 0;
    const char *key = spec->meta_key ? spec->meta_key : sqlite ? "meta.sqliteFile" : "meta.localFile";
    const char *fix = sqlite ? "the 1.x db/meta.sqlite, copied from the stopped 1.x server together with "
                               "meta.sqlite-wal and meta.sqlite-shm (the three files belong together)"
                             : "the meta.json that `milvus-migrate export` wrote (`export -s meta.sqlite -o DIR` "
                               "or `export -m DSN -o DIR` writes DIR/meta.json)";
    char where[PATH_MAX + 64] = "";
    char cwd[PATH_MAX];
    if (path[0] != '/' && getcwd(cwd, sizeof cwd))
        snprintf(where, sizeof where, " (relative to the working directory %s)", cwd);
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return mm_error_set(err, MM_ERR_CONFIG, "%s %s does not exist%s; set %s to %s", key, path, where, key,
                                fix);
        if (errno == ELOOP)
            return mm_error_set(err, MM_ERR_IO, "%s %s is a symbolic link that leads back to itself (a loop); "
                                "set %s to %s", key, path, key, fix);
        return mm_error_set(err, MM_ERR_IO, "%s %s: %s%s", key, path, strerror(errno), where);
    }
    if (!S_ISREG(st.st_mode))
        return mm_error_set(err, MM_ERR_CONFIG, "%s %s is %s, not a file; set %s to %s", key, path,
                            mm_file_kind(st.st_mode), key, fix);
    return 0;
}

static int add_secondary(mm_source *out, const char *tables)
{
    for (size_t i = 0; i < out->n_secondary_tables_dirs; i++)
        if (strcmp(out->secondary_tables_dirs[i], tables) == 0)
            return 0;
    char **grown = realloc(out->secondary_tables_dirs, (out->n_secondary_tables_dirs + 1) * sizeof *grown);
    if (!grown)
        return -1;
    out->secondary_tables_dirs = grown;
    if (!(grown[out->n_secondary_tables_dirs] = mm_strdup(tables)))
        return -1;
    out->n_secondary_tables_dirs++;
    return 0;
}

/* storage_config.secondary_path of <root>/conf/server_config.yaml, for
 * each storage root the source reveals. A file that does not read is
 * left to the WAL's search, which names it. */
static int roots_from_server_config(mm_source *out)
{
    for (size_t i = 0; i < out->wal.n_roots && !out->roots_config; i++) {
        char *path = mm_asprintf("%s/conf/server_config.yaml", out->wal.roots[i]);
        struct stat st;
        mm_server_config cfg;
        if (!path || stat(path, &st) != 0 || !S_ISREG(st.st_mode) || mm_server_config_read(path, &cfg, NULL) != 0) {
            free(path);
            continue;
        }
        const char *list = mm_server_config_get(&cfg, "storage_config.secondary_path");
        char *copy = mm_strdup(list ? list : ""), *save = NULL;
        int rc = copy ? 0 : -1;
        for (char *r = copy ? strtok_r(copy, ";", &save) : NULL; r && rc == 0; r = strtok_r(NULL, ";", &save)) {
            while (*r == ' ')
                r++;
            size_t len = strlen(r);
            while (len > 1 && (r[len - 1] == '/' || r[len - 1] == ' '))
                r[--len] = '\0';
            char *tables = *r ? mm_asprintf("%s/db/tables", r) : NULL;
            if (*r && (!tables || add_secondary(out, tables) != 0))
                rc = -1;
            free(tables);
        }
        free(copy);
        mm_server_config_free(&cfg);
        if (rc == 0 && out->n_secondary_tables_dirs && !(out->roots_config = mm_strdup(path)))
            rc = -1;
        free(path);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* The roots of a 0.9 install with more than one, and, when the tables
 * directories given leave some out, the hint a missing segment needs. */
static int note_secondary_roots(mm_source *out)
{
    const mm_meta_rows *rows = &out->rows;
    if (rows->n_secondary_tables_dirs) {
        for (size_t i = 0; i < rows->n_secondary_tables_dirs; i++)
            if (add_secondary(out, rows->secondary_tables_dirs[i]) != 0)
                return -1;
        if (!(out->roots_config = mm_strdup(rows->roots_config ? rows->roots_config : "")))
            return -1;
    } else if (rows->kind != MM_META_KIND_JSON && roots_from_server_config(out) != 0) {
        return -1;
    }
    mm_strbuf left;
    mm_strbuf_init(&left);
    size_t n_left = 0;
    for (size_t i = 0; i < out->n_secondary_tables_dirs; i++) {
        bool used = false;
        for (size_t j = 0; j < out->n_tables_dirs; j++)
            used |= strcmp(out->tables_dirs[j], out->secondary_tables_dirs[i]) == 0;
        if (!used)
            mm_strbuf_appendf(&left, "%s%s", n_left++ ? ", " : "", out->secondary_tables_dirs[i]);
    }
    if (n_left)
        out->missing_hint = mm_asprintf(
            "this 0.9 installation keeps segments on more than one storage root (storage_config.secondary_path "
            "in %s%s), and the segment may be on another one: copy the db/tables directory of each (%s) and "
            "list the copies in source.local.secondaryTablesDirs", out->roots_config,
            rows->kind == MM_META_KIND_JSON ? ", recorded in the meta.json by export" : "",
            left.data ? left.data : "");
    mm_strbuf_free(&left);
    return n_left && !out->missing_hint ? -1 : 0;
}

int mm_source_open(const mm_source_spec *spec, mm_source *out, mm_error *err)
{
    memset(out, 0, sizeof *out);
    mm_meta_rows_init(&out->rows);
    mm_install inst;
    memset(&inst, 0, sizeof inst);
    if (count_given(spec) != 1)
        return mm_error_set(err, MM_ERR_ARGUMENT,
                            "name exactly one 1.x source: a data directory, a meta.sqlite, a MySQL DSN or a "
                            "meta.json");
    if (check_meta_file(spec, err) != 0)
        return -1;
    if (spec->tables_dir && add_tables_dir(out, spec->tables_dir) != 0)
        goto oom;

    int rc;
    if (spec->data_dir) {
        rc = open_discovered(spec, out, &inst, err);
    } else if (spec->sqlite_path) {
        rc = mm_meta_read_sqlite(spec->sqlite_path, &out->rows, err);
        if (rc == 0 && !spec->tables_dir && !spec->meta_only && derive_tables_dir(spec->sqlite_path, out) != 0)
            goto oom;
    } else if (spec->mysql_dsn) {
        rc = mm_meta_read_mysql(spec->mysql_dsn, &out->rows, err);
        if (rc == 0 && !spec->tables_dir && !spec->meta_only)
            rc = mm_error_set(err, MM_ERR_ARGUMENT,
                              "a MySQL meta store does not say where the segment files are: give %s (the 1.x "
                              "<storage.path>/db/tables directory)",
                              spec->tables_key ? spec->tables_key : "source.local.tablesDir");
    } else {
        rc = mm_meta_read_json(spec->meta_json_path, &out->rows, err);
        if (rc != 0 && err && err->code == MM_ERR_FORMAT) {
            size_t n = strlen(err->message);
            snprintf(err->message + n, sizeof err->message - n, "; write it again from the 1.x meta with "
                     "`milvus-migrate export -s meta.sqlite -o DIR` (or -m DSN)");
        }
        if (rc == 0 && !spec->tables_dir && derive_tables_dir(spec->meta_json_path, out) != 0)
            goto oom;
    }
    for (size_t i = 0; rc == 0 && i < spec->n_secondary_tables_dirs; i++)
        if (add_tables_dir(out, spec->secondary_tables_dirs[i]) != 0)
            goto oom;
    if (rc == 0 && !spec->meta_only)
        rc = check_meta_not_empty(out, err);
    if (rc == 0)
        rc = locate_wal(spec, &inst, out, err);
    if (rc == 0 && !spec->tables_fetched && note_secondary_roots(out) != 0)
        rc = mm_error_set(err, MM_ERR_NOMEM, "open source: out of memory");
    mm_install_free(&inst);
    if (rc != 0)
        mm_source_free(out);
    return rc;
oom:
    mm_install_free(&inst);
    mm_source_free(out);
    return mm_error_set(err, MM_ERR_NOMEM, "open source: out of memory");
}

void mm_source_free(mm_source *src)
{
    mm_meta_rows_free(&src->rows);
    for (size_t i = 0; i < src->n_tables_dirs; i++)
        free(src->tables_dirs[i]);
    free(src->tables_dirs);
    mm_wal_location_free(&src->wal);
    for (size_t i = 0; i < src->n_secondary_tables_dirs; i++)
        free(src->secondary_tables_dirs[i]);
    free(src->secondary_tables_dirs);
    free(src->roots_config);
    free(src->missing_hint);
    memset(src, 0, sizeof *src);
}
