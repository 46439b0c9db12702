#include "source/source_watch.h"

#include "base/fsutil.h"

#include "source/meta_mysql.h"
#include "source/meta_sqlite.h"
#include "base/strbuf.h"
#include "base/timeutil.h"

#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One collection's rows, hashed. */
typedef struct digest {
    char *collection;
    uint64_t hash;
} digest;

typedef struct digests {
    digest *items;
    size_t n;
} digests;

/* Unflushed records per collection/partition in the WAL. */
typedef struct wal_count {
    char *collection, *tag;
    size_t records;
} wal_count;

struct mm_source_watch {
    pthread_mutex_t lock;
    char *sqlite_path, *mysql_dsn, *wal_dir;
    char *fingerprint;          /* cheap: stat data and mxlog.meta */
    double last_mysql_read;
    const mm_meta_rows *rows;   /* borrowed baseline */
    digests base;
    wal_count *wal;
    size_t n_wal;
    int64_t base_mxlog;         /* mxlog.meta's LSN when the job began, -1 without */
    bool changed;
    mm_error change;            /* the error every later check repeats */
    char **names;               /* changed collections */
    size_t n_names;
    bool all;
};

/* ---- the cheap fingerprint --------------------------------------------------- */

static void stat_line(mm_strbuf *sb, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        mm_strbuf_appendf(sb, "%s:-\n", path);
        return;
    }
    mm_strbuf_appendf(sb, "%s:%ju:%jd:%jd.%09ld:%jd.%09ld\n", path, (uintmax_t)st.st_ino, (intmax_t)st.st_size,
                      (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (intmax_t)st.st_ctim.tv_sec,
                      st.st_ctim.tv_nsec);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void wal_lines(mm_strbuf *sb, const char *wal_dir)
{
    char *mxlog = mm_asprintf("%s/mxlog.meta", wal_dir);
    /* Anything but a file there (a FIFO would hang a plain open) reads as
     * no mxlog.meta; the WAL check names it. */
    FILE *f = mxlog ? mm_fopen_regular(mxlog, NULL, NULL) : NULL;
    unsigned char buf[24];
    size_t got = f ? fread(buf, 1, sizeof buf, f) : 0;
    mm_strbuf_append(sb, "mxlog:");
    for (size_t i = 0; i < got; i++)
        mm_strbuf_appendf(sb, "%02x", buf[i]);
    mm_strbuf_append(sb, "\n");
    if (f)
        fclose(f);
    free(mxlog);
    DIR *d = opendir(wal_dir);
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".wal") != 0)
            continue;
        char **grown = realloc(names, (n + 1) * sizeof *grown);
        if (!grown)
            break;
        names = grown;
        names[n++] = mm_asprintf("%s/%s", wal_dir, e->d_name);
    }
    if (d)
        closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (names[i])
            stat_line(sb, names[i]);
        free(names[i]);
    }
    free(names);
}

static char *fingerprint(const mm_source_watch *w)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    if (w->sqlite_path) {
        stat_line(&sb, w->sqlite_path);
        char *wal = mm_asprintf("%s-wal", w->sqlite_path);
        if (wal)
            stat_line(&sb, wal);
        free(wal);
    }
    if (w->wal_dir)
        wal_lines(&sb, w->wal_dir);
    mm_strbuf_append(&sb, "");
    return mm_strbuf_take(&sb);
}

/* ---- per-collection digests of the meta rows ---------------------------------- */

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (h ^ 0xff) * 1099511628211ULL;
}

static digest *digest_for(digests *d, const char *collection)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->items[i].collection, collection) == 0)
            return &d->items[i];
    digest *grown = realloc(d->items, (d->n + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    d->items = grown;
    digest *x = &d->items[d->n];
    x->collection = mm_strdup(collection);
    x->hash = 14695981039346656037ULL;
    if (!x->collection)
        return NULL;
    d->n++;
    return x;
}

static void digests_free(digests *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->items[i].collection);
    free(d->items);
    memset(d, 0, sizeof *d);
}

static const char *owner_of(const mm_meta_rows *rows, const char *table_id)
{
    for (size_t i = 0; i < rows->n_tables; i++)
        if (strcmp(rows->tables[i].table_id, table_id) == 0)
            return rows->tables[i].owner_table[0] ? rows->tables[i].owner_table : rows->tables[i].table_id;
    return table_id;
}

/* Rows come ordered by id from every backend, so equal rows hash equally. */
static int digest_rows(const mm_meta_rows *rows, digests *out)
{
    memset(out, 0, sizeof *out);
    char line[1024];
    for (size_t i = 0; i < rows->n_tables; i++) {
        const mm_table_row *t = &rows->tables[i];
        digest *d = digest_for(out, t->owner_table[0] ? t->owner_table : t->table_id);
        if (!d)
            return -1;
        snprintf(line, sizeof line, "T%" PRId64 "|%s|%d|%" PRId64 "|%" PRId64 "|%d|%s|%d|%s|%s|%" PRId64, t->id,
                 t->table_id, t->state, t->dimension, t->flag, t->engine_type, t->index_params, t->metric_type,
                 t->owner_table, t->partition_tag, t->flush_lsn);
        d->hash = fnv(d->hash, line);
    }
    for (size_t i = 0; i < rows->n_files; i++) {
        const mm_file_row *f = &rows->files[i];
        digest *d = digest_for(out, owner_of(rows, f->table_id));
        if (!d)
            return -1;
        snprintf(line, sizeof line, "F%" PRId64 "|%s|%s|%d|%s|%d|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64,
                 f->id, f->table_id, f->segment_id, f->engine_type, f->file_id, f->file_type, f->file_size,
                 f->row_count, f->updated_time, f->flush_lsn);
        d->hash = fnv(d->hash, line);
    }
    return 0;
}

/* ---- lifetime ------------------------------------------------------------------ */

int mm_source_watch_begin(const mm_source_watch_spec *spec, mm_source_watch **out, mm_error *err)
{
    *out = NULL;
    mm_source_watch *w = calloc(1, sizeof *w);
    if (!w)
        return mm_error_set(err, MM_ERR_NOMEM, "watch the 1.x source: out of memory");
    pthread_mutex_init(&w->lock, NULL);
    w->sqlite_path = mm_strdup(spec->sqlite_path);
    w->mysql_dsn = mm_strdup(spec->mysql_dsn);
    w->wal_dir = mm_strdup(spec->wal_dir);
    w->fingerprint = fingerprint(w);
    w->last_mysql_read = mm_monotonic_seconds();
    if (!w->fingerprint || (spec->sqlite_path && !w->sqlite_path) || (spec->mysql_dsn && !w->mysql_dsn) ||
        (spec->wal_dir && !w->wal_dir)) {
        mm_source_watch_free(w);
        return mm_error_set(err, MM_ERR_NOMEM, "watch the 1.x source: out of memory");
    }
    *out = w;
    return 0;
}

int mm_source_watch_baseline(mm_source_watch *w, const mm_meta_rows *rows, const mm_wal_report *wal, mm_error *err)
{
    w->rows = rows;
    w->base_mxlog = wal && wal->has_mxlog ? wal->mxlog_latest_lsn : -1;
    int rc = digest_rows(rows, &w->base);
    w->wal = wal && wal->n_targets ? calloc(wal->n_targets, sizeof *w->wal) : NULL;
    for (size_t i = 0; rc == 0 && wal && i < wal->n_targets; i++) {
        if (!w->wal)
            rc = -1;
        else if (!(w->wal[i].collection = mm_strdup(wal->targets[i].collection)) ||
                 !(w->wal[i].tag = mm_strdup(wal->targets[i].tag)))
            rc = -1;
        else
            w->wal[i].records = wal->targets[i].records, w->n_wal = i + 1;
    }
    return rc == 0 ? 0 : mm_error_set(err, MM_ERR_NOMEM, "watch the 1.x source: out of memory");
}

void mm_source_watch_free(mm_source_watch *w)
{
    if (!w)
        return;
    pthread_mutex_destroy(&w->lock);
    free(w->sqlite_path);
    free(w->mysql_dsn);
    free(w->wal_dir);
    free(w->fingerprint);
    digests_free(&w->base);
    for (size_t i = 0; i < w->n_wal; i++) {
        free(w->wal[i].collection);
        free(w->wal[i].tag);
    }
    free(w->wal);
    for (size_t i = 0; i < w->n_names; i++)
        free(w->names[i]);
    free(w->names);
    free(w);
}

const char *const *mm_source_watch_changed(const mm_source_watch *w, size_t *n, bool *all)
{
    *n = w->n_names;
    *all = w->all;
    return (const char *const *)w->names;
}

/* ---- telling what changed --------------------------------------------------- */

typedef struct change_list {
    mm_strbuf text;             /* one line per change */
    mm_source_watch *w;
} change_list;

static void changed(change_list *c, const char *collection, const char *what)
{
    mm_strbuf_appendf(&c->text, "\n  collection '%s': %s", collection, what);
    for (size_t i = 0; i < c->w->n_names; i++)
        if (strcmp(c->w->names[i], collection) == 0)
            return;
    char **grown = realloc(c->w->names, (c->w->n_names + 1) * sizeof *grown);
    if (grown) {
        c->w->names = grown;
        if ((grown[c->w->n_names] = mm_strdup(collection)))
            c->w->n_names++;
    }
}

static void compare_meta(change_list *c, const mm_meta_rows *now)
{
    digests fresh;
    if (digest_rows(now, &fresh) != 0) {
        digests_free(&fresh);
        mm_strbuf_append(&c->text, "\n  the meta could not be compared (out of memory)");
        c->w->all = true;
        return;
    }
    const char *where = c->w->sqlite_path ? "meta.sqlite" : "the MySQL meta";
    char what[160];
    for (size_t i = 0; i < c->w->base.n; i++) {
        const digest *old = &c->w->base.items[i];
        const digest *cur = NULL;
        for (size_t k = 0; k < fresh.n && !cur; k++)
            if (strcmp(fresh.items[k].collection, old->collection) == 0)
                cur = &fresh.items[k];
        snprintf(what, sizeof what, cur ? "its rows in %s changed (segments, deletes or settings)"
                                        : "it is gone from %s", where);
        if (!cur || cur->hash != old->hash)
            changed(c, old->collection, what);
    }
    for (size_t k = 0; k < fresh.n; k++) {
        bool known = false;
        for (size_t i = 0; i < c->w->base.n && !known; i++)
            known = strcmp(fresh.items[k].collection, c->w->base.items[i].collection) == 0;
        snprintf(what, sizeof what, "it appeared in %s", where);
        if (!known)
            changed(c, fresh.items[k].collection, what);
    }
    if (now->has_global_lsn != c->w->rows->has_global_lsn || now->global_lsn != c->w->rows->global_lsn)
        mm_strbuf_appendf(&c->text, "\n  Environment.global_lsn moved from %" PRId64 " to %" PRId64,
                          c->w->rows->global_lsn, now->global_lsn);
    digests_free(&fresh);
}

static void compare_wal(change_list *c, mm_error *err)
{
    mm_wal_report now;
    if (mm_wal_check(c->w->wal_dir, c->w->rows, &now, err) != 0) {
        mm_strbuf_appendf(&c->text, "\n  the WAL could not be read again (%s)", err->message);
        c->w->all = true;
        return;
    }
    bool attributed = false;
    for (size_t i = 0; i < now.n_targets; i++) {
        const mm_wal_target *t = &now.targets[i];
        size_t before = 0;
        for (size_t k = 0; k < c->w->n_wal; k++)
            if (strcmp(c->w->wal[k].collection, t->collection) == 0 && strcmp(c->w->wal[k].tag, t->tag) == 0)
                before = c->w->wal[k].records;
        if (t->records == before)
            continue;
        char what[256];
        snprintf(what, sizeof what, "%zu new WAL record(s)%s%s%s (%" PRId64 " row(s) inserted, %" PRId64
                 " id(s) deleted after its last flush)", t->records - before, t->tag[0] ? " for partition '" : "",
                 t->tag, t->tag[0] ? "'" : "", t->inserted, t->deleted);
        changed(c, t->collection, what);
        attributed = true;
    }
    if (!attributed && !c->w->n_names && (now.has_mxlog ? now.mxlog_latest_lsn : -1) != c->w->base_mxlog) {
        mm_strbuf_appendf(&c->text, "\n  mxlog.meta moved to LSN %" PRId64 " without a record that names a collection",
                          now.mxlog_latest_lsn);
        c->w->all = true;
    }
    mm_wal_report_free(&now);
}

/* The cheap fingerprint moved: read everything again and name what changed.
 * Returns true when something the dump depends on changed. */
static bool look_closer(mm_source_watch *w, mm_error *err)
{
    change_list c = {.w = w};
    mm_strbuf_init(&c.text);
    if (w->sqlite_path || w->mysql_dsn) {
        mm_meta_rows now;
        mm_error read_err;
        mm_error_clear(&read_err);
        int rc = w->sqlite_path ? mm_meta_read_sqlite(w->sqlite_path, &now, &read_err)
                                : mm_meta_read_mysql(w->mysql_dsn, &now, &read_err);
        if (rc != 0) {
            /* Files caught half-written are a writer at work too. */
            mm_strbuf_appendf(&c.text, "\n  the meta could not be read again: %s", read_err.message);
            w->all = true;
        } else {
            compare_meta(&c, &now);
            mm_meta_rows_free(&now);
        }
    }
    if (w->wal_dir) {
        mm_error wal_err;
        mm_error_clear(&wal_err);
        compare_wal(&c, &wal_err);
    }
    bool moved = w->n_names || w->all;
    if (moved)
        mm_error_set(err, MM_ERR_SOURCE_LIVE, "the 1.x source changed while it was being dumped, so a 1.x server "
                     "(or another program) is still writing to it:%s", c.text.data ? c.text.data : "");
    mm_strbuf_free(&c.text);
    return moved;
}

int mm_source_watch_check(mm_source_watch *w, bool final, mm_error *err)
{
    pthread_mutex_lock(&w->lock);
    int rc = 0;
    if (w->changed) {
        *err = w->change;
        rc = -1;
    } else {
        char *now = fingerprint(w);
        bool moved = !now || strcmp(now, w->fingerprint) != 0;
        double t = mm_monotonic_seconds();
        /* A MySQL meta has no file to stat: its rows are read again, now
         * and then. */
        if (w->mysql_dsn && (final || t - w->last_mysql_read >= MM_SOURCE_WATCH_MYSQL_SECONDS)) {
            moved = true;
            w->last_mysql_read = t;
        }
        mm_error e;
        mm_error_clear(&e);
        if (moved && look_closer(w, &e)) {
            w->changed = true;
            w->change = e;
            *err = e;
            rc = -1;
        } else if (now) {
            /* Same rows (a checkpoint, a read): this is the new normal. */
            free(w->fingerprint);
            w->fingerprint = now;
            now = NULL;
        }
        free(now);
    }
    pthread_mutex_unlock(&w->lock);
    return rc;
}
