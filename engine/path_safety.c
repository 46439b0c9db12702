#include "path_safety.h"

#include "source/wal_locate.h"
#include "base/strbuf.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct entry {
    char *name;     /* key or description */
    char *value;    /* as given */
    char *real_value;
    char *real;     /* where it writes (or the source directory), resolved */
    bool contains_refused;
} entry;

struct mm_path_set {
    entry *sources, *writes;
    size_t n_sources, n_writes;
    bool oom;
};

mm_path_set *mm_path_set_new(void)
{
    return calloc(1, sizeof(mm_path_set));
}

static void free_entry(entry *e)
{
    free(e->name);
    free(e->value);
    free(e->real_value);
    free(e->real);
}

static void free_entries(entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free_entry(&e[i]);
    free(e);
}

void mm_path_set_free(mm_path_set *s)
{
    if (!s)
        return;
    free_entries(s->sources, s->n_sources);
    free_entries(s->writes, s->n_writes);
    free(s);
}

static void add(mm_path_set *s, entry **list, size_t *n, const char *name, const char *value, const char *path,
                bool contains)
{
    if (!value || !value[0] || !path || !path[0])
        return;
    entry *grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown) {
        s->oom = true;
        return;
    }
    *list = grown;
    entry *e = &grown[*n];
    e->name = mm_strdup(name);
    e->value = mm_strdup(value);
    e->real_value = mm_path_resolve(value);
    e->real = mm_path_resolve(path);
    e->contains_refused = contains;
    if (!e->name || !e->value || !e->real_value || !e->real) {
        free_entry(e);
        s->oom = true;
        return;
    }
    (*n)++;
}

void mm_path_set_add_source(mm_path_set *s, const char *what, const char *path)
{
    add(s, &s->sources, &s->n_sources, what, path, path, false);
}

void mm_path_set_add_write(mm_path_set *s, const char *key, const char *value, const char *path,
                           bool contains_refused)
{
    add(s, &s->writes, &s->n_writes, key, value, path, contains_refused);
}

static char *parent_of(const char *path)
{
    char *p = mm_strdup(path);
    if (!p)
        return NULL;
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    char *slash = strrchr(p, '/');
    if (!slash) {
        free(p);
        return mm_strdup(".");
    }
    slash[slash == p ? 1 : 0] = '\0';
    return p;
}

static bool named_db(const char *dir)
{
    char *real = mm_path_resolve(dir);
    const char *slash = real ? strrchr(real, '/') : NULL;
    bool db = slash && strcmp(slash + 1, "db") == 0;
    free(real);
    return db;
}

/* The db directory above a tables directory, when that is what it is. */
static void add_db_of_tables(mm_path_set *s, const char *tables)
{
    char *db = parent_of(tables);
    if (db && named_db(db))
        mm_path_set_add_source(s, "the 1.x db directory", db);
    free(db);
}

int mm_path_set_add_config(mm_path_set *s, const mm_config *cfg, mm_error *err)
{
    const char *tables = NULL;
    char *derived = NULL;
    if (cfg->source.mode == MM_LOCATION_LOCAL && cfg->source.local.tables_dir[0]) {
        tables = cfg->source.local.tables_dir;
        mm_path_set_add_source(s, "source.local.tablesDir", tables);
        add_db_of_tables(s, tables);
    }
    if (cfg->source.mode == MM_LOCATION_LOCAL)
        for (size_t i = 0; i < cfg->source.local.secondary_tables_dirs.count; i++) {
            const char *t = cfg->source.local.secondary_tables_dirs.items[i];
            mm_path_set_add_source(s, "source.local.secondaryTablesDirs", t);
            add_db_of_tables(s, t);
        }
    if (cfg->meta.mode == MM_META_SQLITE && cfg->meta.sqlite_file[0]) {
        char *db = parent_of(cfg->meta.sqlite_file);
        mm_path_set_add_source(s, "the 1.x db directory", db);
        if (!tables && cfg->source.mode == MM_LOCATION_LOCAL && db) {
            derived = mm_asprintf("%s/tables", db);
            tables = derived;
            mm_path_set_add_source(s, "the 1.x tables directory (beside meta.sqliteFile)", derived);
        }
        free(db);
    }
    /* The WAL found the way the source will find it. */
    mm_wal_location wal;
    int rc = mm_wal_locate_config(cfg, &wal, err);
    if (rc == 0 && wal.dir) {
        char *how = mm_wal_location_describe(&wal);
        char *what = mm_asprintf("the 1.x WAL directory (%s)", how ? how : "found");
        mm_path_set_add_source(s, what ? what : "the 1.x WAL directory", wal.dir);
        free(what);
        free(how);
    }
    if (rc == 0)
        mm_wal_location_free(&wal);
    free(derived);

    if (cfg->target.mode == MM_LOCATION_LOCAL && cfg->target.local.output_dir[0]) {
        char *staging = mm_asprintf("%s/migration", cfg->target.local.output_dir);
        mm_path_set_add_write(s, "target.local.outputDir", cfg->target.local.output_dir, staging, true);
        free(staging);
    }
    char *state = mm_config_state_dir(cfg);
    char *key = cfg->state.dir[0] ? mm_strdup("state.dir")
                                  : mm_asprintf("state.dir (not set: the default beside %s)",
                                                cfg->origin ? cfg->origin : "migration.yaml");
    mm_path_set_add_write(s, key ? key : "state.dir", state, state, false);
    free(key);
    free(state);
    const char *tmp = getenv("TMPDIR");
    mm_path_set_add_write(s, "TMPDIR (environment variable)", tmp && *tmp ? tmp : "/tmp", tmp && *tmp ? tmp : "/tmp",
                          false);
    if (rc == 0 && s->oom)
        rc = mm_error_set(err, MM_ERR_NOMEM, "check the output paths: out of memory");
    return rc;
}

/* "is" or "is inside" the source directory, said from the key's value. */
static void describe(mm_strbuf *sb, const entry *place, const entry *src, bool inside)
{
    mm_strbuf_appendf(sb, "%s %s", place->name, place->value);
    if (strcmp(place->value, place->real_value) != 0)
        mm_strbuf_appendf(sb, " (really %s)", place->real_value);
    if (!inside)
        mm_strbuf_appendf(sb, " would put %s around %s %s", place->real, src->name, src->real);
    else if (strcmp(place->real_value, src->real) == 0)
        mm_strbuf_appendf(sb, " is %s", src->name);
    else
        mm_strbuf_appendf(sb, " is inside %s %s", src->name, src->real);
    mm_strbuf_append(sb, ": milvus-migrate never writes into the 1.x installation; choose a directory outside it");
}

int mm_path_set_check(const mm_path_set *s, mm_error *err)
{
    if (s->oom)
        return mm_error_set(err, MM_ERR_NOMEM, "check the output paths: out of memory");
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (size_t w = 0; w < s->n_writes; w++) {
        const entry *place = &s->writes[w];
        for (size_t r = 0; r < s->n_sources; r++) {
            const entry *src = &s->sources[r];
            bool inside = mm_path_within(place->real, src->real);
            if (!inside && !(place->contains_refused && mm_path_within(src->real, place->real)))
                continue;
            if (sb.len)
                mm_strbuf_append(&sb, "\n");
            describe(&sb, place, src, inside);
            break;
        }
    }
    int rc = 0;
    if (sb.len)
        rc = mm_error_set(err, MM_ERR_CONFIG, "%s", sb.data);
    else if (!mm_strbuf_ok(&sb))
        rc = mm_error_set(err, MM_ERR_NOMEM, "check the output paths: out of memory");
    mm_strbuf_free(&sb);
    return rc;
}
