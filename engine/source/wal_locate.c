#include "source/wal_locate.h"

#include "base/fsutil.h"
#include "source/server_config.h"
#include "base/strbuf.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* A copy without trailing slashes ("/a/b/" -> "/a/b", "/" stays). */
static char *trimmed(const char *path)
{
    char *p = mm_strdup(path);
    if (!p)
        return NULL;
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    return p;
}

/* The parent of a trimmed path: "a/b" -> "a", "b" -> ".", "/b" -> "/". */
static char *parent_of(const char *path)
{
    char *p = trimmed(path);
    if (!p)
        return NULL;
    char *slash = strrchr(p, '/');
    if (!slash) {
        free(p);
        return mm_strdup(".");
    }
    if (slash == p)
        slash[1] = '\0';
    else
        *slash = '\0';
    return p;
}

static bool named(const char *path, const char *name)
{
    char *p = trimmed(path);
    const char *slash = p ? strrchr(p, '/') : NULL;
    bool match = p && strcmp(slash ? slash + 1 : p, name) == 0;
    free(p);
    return match;
}

char *mm_wal_storage_root_of_db(const char *db_dir)
{
    return named(db_dir, "db") ? parent_of(db_dir) : trimmed(db_dir);
}

/* Roots are compared by their real path where they exist. */
static bool same_dir(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    if (realpath(a, ra) && realpath(b, rb))
        return strcmp(ra, rb) == 0;
    return strcmp(a, b) == 0;
}

static int add_root(mm_wal_location *loc, char *root)
{
    if (!root)
        return -1;
    for (size_t i = 0; i < loc->n_roots; i++)
        if (same_dir(loc->roots[i], root)) {
            free(root);
            return 0;
        }
    char **grown = realloc(loc->roots, (loc->n_roots + 1) * sizeof *grown);
    if (!grown) {
        free(root);
        return -1;
    }
    loc->roots = grown;
    loc->roots[loc->n_roots++] = root;
    return 0;
}

static int collect_roots(const mm_wal_hints *h, mm_wal_location *loc)
{
    int rc = 0;
    if (h->data_dir && h->data_dir[0])
        rc |= add_root(loc, trimmed(h->data_dir));
    if (h->sqlite_path && h->sqlite_path[0]) {
        char *db = parent_of(h->sqlite_path);
        rc |= db ? add_root(loc, mm_wal_storage_root_of_db(db)) : -1;
        free(db);
    }
    for (size_t i = 0; i < h->n_tables_dirs; i++) {
        char *db = parent_of(h->tables_dirs[i]);
        rc |= db ? add_root(loc, mm_wal_storage_root_of_db(db)) : -1;
        free(db);
    }
    return rc;
}

/* Server configurations name the WAL with the keys of their generation. */
static const struct {
    const char *path_key, *enable_key;
} wal_keys[] = {
    {"wal.path", "wal.enable"},               /* 0.10 and later */
    {"wal_config.wal_path", "wal_config.enable"}, /* 0.9 */
};

static bool is_false(const char *v)
{
    return v && (strcasecmp(v, "false") == 0 || strcasecmp(v, "off") == 0 || strcasecmp(v, "no") == 0 ||
                 strcmp(v, "0") == 0);
}

/* Where we looked, as text for the user and as resolved paths, so that a
 * place reached twice (beside db/ and through the server config) is named
 * once. */
typedef struct searched_list {
    mm_strbuf text;
    char **seen;
    size_t n;
} searched_list;

/* Records a place looked at; false when it was already. */
static bool looked_at(searched_list *l, const char *path)
{
    char *real = mm_path_resolve(path);
    for (size_t i = 0; real && i < l->n; i++)
        if (strcmp(l->seen[i], real) == 0) {
            free(real);
            return false;
        }
    char **grown = real ? realloc(l->seen, (l->n + 1) * sizeof *grown) : NULL;
    if (grown) {
        l->seen = grown;
        l->seen[l->n++] = real;
    } else {
        free(real);
    }
    return true;
}

static void searched_free(searched_list *l)
{
    mm_strbuf_free(&l->text);
    for (size_t i = 0; i < l->n; i++)
        free(l->seen[i]);
    free(l->seen);
}

/* 1: found (or disabled) and recorded in loc, 0: nothing usable. */
static int from_server_config(const char *path, mm_wal_location *loc, searched_list *sl, mm_error *err)
{
    mm_server_config cfg;
    if (mm_server_config_read(path, &cfg, err) != 0)
        return mm_error_wrap(err, "read the 1.x server configuration to find its WAL");
    int found = 0;
    for (size_t i = 0; i < sizeof wal_keys / sizeof wal_keys[0] && found <= 0; i++) {
        const char *enable = mm_server_config_get(&cfg, wal_keys[i].enable_key);
        const char *dir = mm_server_config_get(&cfg, wal_keys[i].path_key);
        if (is_false(enable)) {
            loc->origin = MM_WAL_DISABLED;
            loc->config_key = mm_strdup(wal_keys[i].enable_key);
            found = 1;
        } else if (dir && dir[0] && is_dir(dir)) {
            loc->origin = MM_WAL_SERVER_CONFIG;
            loc->dir = trimmed(dir);
            loc->config_key = mm_strdup(wal_keys[i].path_key);
            found = 1;
        } else if (dir && dir[0] && looked_at(sl, dir)) {
            mm_strbuf_appendf(&sl->text, "%s%s (%s in %s, not a directory on this host)", sl->text.len ? ", " : "",
                              dir, wal_keys[i].path_key, path);
        } else if (dir && dir[0]) {
            found = -1; /* named, and already looked for */
        }
    }
    if (found > 0)
        loc->server_config = mm_strdup(path);
    else if (found == 0 && looked_at(sl, path))
        mm_strbuf_appendf(&sl->text, "%s%s (names no WAL directory)", sl->text.len ? ", " : "", path);
    mm_server_config_free(&cfg);
    return found > 0;
}

int mm_wal_locate(const mm_wal_hints *h, mm_wal_location *out, mm_error *err)
{
    memset(out, 0, sizeof *out);
    if (collect_roots(h, out) != 0) {
        mm_wal_location_free(out);
        return mm_error_set(err, MM_ERR_NOMEM, "locate the WAL: out of memory");
    }
    if (h->given && h->given[0]) {
        const char *key = h->given_key ? h->given_key : "source.local.walDir";
        struct stat st;
        const char *why = stat(h->given, &st) != 0 ? strerror(errno) : S_ISDIR(st.st_mode) ? NULL : "not a directory";
        if (why) {
            mm_wal_location_free(out);
            return mm_error_set(err, MM_ERR_CONFIG, "%s %s: %s; set it to the 1.x server's WAL directory (wal.path, "
                                "wal_config.wal_path in 0.9) or leave it empty to look for the WAL beside the db "
                                "directory", key, h->given, why);
        }
        out->origin = MM_WAL_GIVEN;
        out->dir = trimmed(h->given);
        out->given_key = mm_strdup(key);
        return out->dir && out->given_key ? 0 : mm_error_set(err, MM_ERR_NOMEM, "locate the WAL: out of memory");
    }
    if (!out->n_roots && !(h->server_config && h->server_config[0])) {
        out->origin = MM_WAL_NOWHERE_TO_LOOK;
        return 0;
    }
    searched_list sl = {0};
    mm_strbuf_init(&sl.text);
    for (size_t i = 0; i < out->n_roots && !out->dir; i++) {
        char *wal = mm_asprintf("%s%swal", out->roots[i], strcmp(out->roots[i], "/") == 0 ? "" : "/");
        if (is_dir(wal)) {
            out->origin = MM_WAL_BESIDE_DB;
            out->dir = wal;
        } else {
            if (wal && looked_at(&sl, wal))
                mm_strbuf_appendf(&sl.text, "%s%s", sl.text.len ? ", " : "", wal);
            free(wal);
        }
    }
    int rc = 0;
    if (!out->dir && h->server_config && h->server_config[0])
        rc = from_server_config(h->server_config, out, &sl, err);
    for (size_t i = 0; rc == 0 && !out->dir && i < out->n_roots; i++) {
        char *cfg = mm_asprintf("%s/conf/server_config.yaml", out->roots[i]);
        if (is_file(cfg) && !(h->server_config && same_dir(cfg, h->server_config)))
            rc = from_server_config(cfg, out, &sl, err);
        free(cfg);
    }
    out->searched = mm_strbuf_take(&sl.text);
    searched_free(&sl);
    if (rc < 0) {
        mm_wal_location_free(out);
        return -1;
    }
    return 0;
}

int mm_wal_locate_config(const mm_config *cfg, mm_wal_location *out, mm_error *err)
{
    bool local = cfg->source.mode == MM_LOCATION_LOCAL;
    bool json = cfg->meta.mode == MM_META_LOCAL || cfg->meta.mode == MM_META_MOCK || cfg->meta.mode == MM_META_REMOTE;
    const mm_config_list *secondary = &cfg->source.local.secondary_tables_dirs;
    const char **tables = calloc(1 + secondary->count, sizeof *tables);
    if (!tables)
        return mm_error_set(err, MM_ERR_NOMEM, "locate the WAL: out of memory");
    size_t n = 0;
    if (local && !json && cfg->source.local.tables_dir[0])
        tables[n++] = cfg->source.local.tables_dir;
    for (size_t i = 0; local && !json && i < secondary->count; i++)
        tables[n++] = secondary->items[i];
    mm_wal_hints h = {
        .given = local ? cfg->source.local.wal_dir : NULL, .given_key = "source.local.walDir",
        .sqlite_path = cfg->meta.mode == MM_META_SQLITE ? cfg->meta.sqlite_file : NULL,
        .tables_dirs = tables, .n_tables_dirs = n,
    };
    int rc;
    if (json && !(h.given && h.given[0])) {
        memset(out, 0, sizeof *out);
        out->origin = MM_WAL_NOWHERE_TO_LOOK;
        rc = 0;
    } else {
        rc = mm_wal_locate(&h, out, err);
    }
    free(tables);
    return rc;
}

char *mm_wal_location_describe(const mm_wal_location *loc)
{
    switch (loc->origin) {
    case MM_WAL_GIVEN: return mm_asprintf("named by %s", loc->given_key);
    case MM_WAL_BESIDE_DB: return mm_asprintf("found beside the db directory");
    case MM_WAL_SERVER_CONFIG: return mm_asprintf("named by %s in %s", loc->config_key, loc->server_config);
    case MM_WAL_DISABLED: return mm_asprintf("turned off by %s in %s", loc->config_key, loc->server_config);
    case MM_WAL_NOWHERE_TO_LOOK: return mm_strdup("not looked for: the source names no 1.x storage directory");
    default: return mm_asprintf("not found (looked for %s)", loc->searched && loc->searched[0] ? loc->searched : "?");
    }
}

void mm_wal_location_free(mm_wal_location *loc)
{
    free(loc->dir);
    free(loc->given_key);
    free(loc->server_config);
    free(loc->config_key);
    for (size_t i = 0; i < loc->n_roots; i++)
        free(loc->roots[i]);
    free(loc->roots);
    free(loc->searched);
    memset(loc, 0, sizeof *loc);
}
