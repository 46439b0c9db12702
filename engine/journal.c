#include "journal.h"

#include "base/strbuf.h"

#include <errno.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct mm_journal {
    sqlite3 *db;
    char *path;
    char *job_id, *fingerprint;
    /* Dump workers record batches concurrently; one connection, serialised. */
    pthread_mutex_t lock;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS job(fingerprint TEXT NOT NULL, created_at INTEGER NOT NULL, job_id TEXT);"
    "CREATE TABLE IF NOT EXISTS batch("
    " collection TEXT NOT NULL, partition_tag TEXT NOT NULL, segment TEXT NOT NULL,"
    " batch INTEGER NOT NULL, state INTEGER NOT NULL, rows INTEGER NOT NULL,"
    " id_key TEXT, data_key TEXT, id_bytes INTEGER, data_bytes INTEGER,"
    " id_crc32 INTEGER, data_crc32 INTEGER, task_ids TEXT, imported_rows INTEGER,"
    " id_etag TEXT, data_etag TEXT,"
    " PRIMARY KEY(collection, segment, batch));"
    "CREATE TABLE IF NOT EXISTS segment("
    " collection TEXT NOT NULL, segment TEXT NOT NULL, batches INTEGER NOT NULL,"
    " rows INTEGER NOT NULL, nan_skipped INTEGER NOT NULL, PRIMARY KEY(collection, segment));"
    "CREATE TABLE IF NOT EXISTS target("
    " collection TEXT PRIMARY KEY, target TEXT NOT NULL, state INTEGER NOT NULL,"
    " baseline_rows INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS target_partition("
    " collection TEXT NOT NULL, partition_tag TEXT NOT NULL, baseline_rows INTEGER NOT NULL,"
    " PRIMARY KEY(collection, partition_tag));";

/* SQLite's "database or disk is full" does not say which disk or what to
 * do; the journal lives in state.dir, which the user can move. */
static void add_full_hint(sqlite3 *db, int code, mm_error *err)
{
    /* A write that hits the end of the disk can also come back as an I/O
     * error whose system errno says so. */
    if (!err || ((code & 0xff) != SQLITE_FULL && sqlite3_system_errno(db) != ENOSPC))
        return;
    size_t n = strlen(err->message);
    snprintf(err->message + n, sizeof err->message - n, "; the disk holding the journal is full: free space there "
             "or set state.dir to a larger disk, then run the command again (completed work is kept)");
}

static int db_error(mm_journal *j, mm_error *err, const char *what)
{
    int code = sqlite3_extended_errcode(j->db);
    mm_error_set(err, MM_ERR_IO, "journal %s: %s: %s", j->path, what, sqlite3_errmsg(j->db));
    add_full_hint(j->db, code, err);
    return -1;
}

static int exec(mm_journal *j, const char *sql, mm_error *err)
{
    char *msg = NULL;
    int code = sqlite3_exec(j->db, sql, NULL, NULL, &msg);
    if (code != SQLITE_OK) {
        mm_error_set(err, MM_ERR_IO, "journal %s: %s", j->path, msg ? msg : "unknown SQLite error");
        add_full_hint(j->db, code, err);
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* Journals written before a column existed get it, empty. */
static int add_missing_columns(mm_journal *j, mm_error *err)
{
    static const struct {
        const char *table, *column, *ddl;
    } added[] = {
        {"job", "job_id", "ALTER TABLE job ADD COLUMN job_id TEXT"},
        {"batch", "id_etag", "ALTER TABLE batch ADD COLUMN id_etag TEXT"},
        {"batch", "data_etag", "ALTER TABLE batch ADD COLUMN data_etag TEXT"},
    };
    for (size_t i = 0; i < sizeof added / sizeof added[0]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name='%s'", added[i].table,
                 added[i].column);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK)
            return db_error(j, err, "read the journal's schema");
        int step = sqlite3_step(st);
        sqlite3_finalize(st);
        if (step == SQLITE_DONE && exec(j, added[i].ddl, err) != 0)
            return -1;
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            return db_error(j, err, "read the journal's schema");
    }
    return 0;
}

static char *new_job_id(void)
{
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        return NULL;
    char hex[33];
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
    return mm_strdup(hex);
}

static int check_fingerprint(mm_journal *j, const char *fingerprint, bool restart, mm_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(j->db, "SELECT fingerprint, job_id FROM job", -1, &st, NULL) != SQLITE_OK)
        return db_error(j, err, "read job");
    int rc = 0;
    bool have = false;
    if (sqlite3_step(st) == SQLITE_ROW) {
        have = true;
        const char *old = (const char *)sqlite3_column_text(st, 0);
        const char *id = (const char *)sqlite3_column_text(st, 1);
        if (id && id[0])
            j->job_id = mm_strdup(id);
        if (old && strcmp(old, fingerprint) != 0 && !restart)
            rc = mm_error_set(err, MM_ERR_CONFIG,
                              "journal %s belongs to another migration (%s); this one is %s. Use a "
                              "different state.dir, or --restart to discard that journal",
                              j->path, old, fingerprint);
    }
    sqlite3_finalize(st);
    if (rc != 0)
        return rc;
    j->fingerprint = mm_strdup(fingerprint);
    if (!j->job_id)
        j->job_id = new_job_id();
    if (!j->job_id || !j->fingerprint)
        return mm_error_set(err, MM_ERR_NOMEM, "journal %s: cannot make a job id", j->path);
    if (have && !restart) {
        /* A journal from before job ids gets one now. */
        if (sqlite3_prepare_v2(j->db, "UPDATE job SET job_id=? WHERE job_id IS NULL OR job_id=''", -1, &st, NULL) !=
            SQLITE_OK)
            return db_error(j, err, "record job");
        sqlite3_bind_text(st, 1, j->job_id, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_error(j, err, "record job");
        sqlite3_finalize(st);
        return rc;
    }
    if (exec(j, "BEGIN IMMEDIATE; DELETE FROM job; DELETE FROM batch; DELETE FROM segment; DELETE FROM target; "
                   "DELETE FROM target_partition;", err) != 0)
        return -1;
    if (sqlite3_prepare_v2(j->db, "INSERT INTO job VALUES(?, strftime('%s','now'), ?)", -1, &st, NULL) != SQLITE_OK)
        return db_error(j, err, "record job");
    sqlite3_bind_text(st, 1, fingerprint, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, j->job_id, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_error(j, err, "record job");
    sqlite3_finalize(st);
    if (rc != 0) {
        exec(j, "ROLLBACK", NULL);
        return rc;
    }
    return exec(j, "COMMIT", err);
}

int mm_journal_open(const char *state_dir, const char *fingerprint, bool restart, mm_journal **out,
                    mm_error *err)
{
    *out = NULL;
    if (mkdir(state_dir, 0700) != 0 && errno != EEXIST)
        return mm_error_errno(err, errno, "create state directory", state_dir);
    mm_journal *j = calloc(1, sizeof *j);
    if (!j || !(j->path = mm_asprintf("%s/journal.sqlite", state_dir))) {
        free(j);
        return mm_error_set(err, MM_ERR_NOMEM, "open journal in %s: out of memory", state_dir);
    }
    pthread_mutex_init(&j->lock, NULL);
    if (sqlite3_open_v2(j->path, &j->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK) {
        db_error(j, err, "open");
        mm_journal_close(j);
        return -1;
    }
    sqlite3_busy_timeout(j->db, 5000);
    if (exec(j, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", err) != 0 || exec(j, schema, err) != 0 ||
        add_missing_columns(j, err) != 0 || check_fingerprint(j, fingerprint, restart, err) != 0) {
        mm_journal_close(j);
        return -1;
    }
    chmod(j->path, 0600);
    *out = j;
    return 0;
}

void mm_journal_close(mm_journal *j)
{
    if (!j)
        return;
    sqlite3_close(j->db);
    pthread_mutex_destroy(&j->lock);
    free(j->path);
    free(j->job_id);
    free(j->fingerprint);
    free(j);
}

const char *mm_journal_path(const mm_journal *j)
{
    return j->path;
}

const char *mm_journal_job_id(const mm_journal *j)
{
    return j->job_id;
}

const char *mm_journal_fingerprint(const mm_journal *j)
{
    return j->fingerprint;
}

static char *column_dup(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return mm_strdup(t ? (const char *)t : "");
}

static void read_row(sqlite3_stmt *st, mm_journal_batch *b)
{
    b->collection = column_dup(st, 0);
    b->partition = column_dup(st, 1);
    b->segment = column_dup(st, 2);
    b->batch = sqlite3_column_int(st, 3);
    b->state = (mm_batch_state)sqlite3_column_int(st, 4);
    b->rows = sqlite3_column_int64(st, 5);
    b->id_key = column_dup(st, 6);
    b->data_key = column_dup(st, 7);
    b->id_bytes = (uint64_t)sqlite3_column_int64(st, 8);
    b->data_bytes = (uint64_t)sqlite3_column_int64(st, 9);
    b->id_crc32 = (uint32_t)sqlite3_column_int64(st, 10);
    b->data_crc32 = (uint32_t)sqlite3_column_int64(st, 11);
    b->task_ids = column_dup(st, 12);
    b->imported_rows = sqlite3_column_int64(st, 13);
    b->id_etag = column_dup(st, 14);
    b->data_etag = column_dup(st, 15);
}

#define BATCH_COLUMNS                                                                              \
    "collection, partition_tag, segment, batch, state, rows, id_key, data_key, id_bytes, "         \
    "data_bytes, id_crc32, data_crc32, task_ids, imported_rows, id_etag, data_etag"

/* One SELECT that yields zero or one row: binds the text keys (and the
 * batch number when has_batch), runs it under the lock and lets `read`
 * copy the row out. */
typedef struct one_row_query {
    const char *sql, *what;
    const char *keys[2];
    bool has_batch;
    int batch;
    void (*read)(sqlite3_stmt *st, void *out);
    void *out;
} one_row_query;

static int query_one(mm_journal *j, const one_row_query *q, bool *found, mm_error *err)
{
    *found = false;
    pthread_mutex_lock(&j->lock);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(j->db, q->sql, -1, &st, NULL) != SQLITE_OK) {
        rc = db_error(j, err, q->what);
    } else {
        int n = 0;
        for (size_t k = 0; k < sizeof q->keys / sizeof q->keys[0] && q->keys[k]; k++)
            sqlite3_bind_text(st, ++n, q->keys[k], -1, SQLITE_TRANSIENT);
        if (q->has_batch)
            sqlite3_bind_int(st, ++n, q->batch);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            q->read(st, q->out);
            *found = true;
        } else if (step != SQLITE_DONE) {
            rc = db_error(j, err, q->what);
        }
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&j->lock);
    return rc;
}

static void read_batch(sqlite3_stmt *st, void *out)
{
    read_row(st, out);
}

int mm_journal_get(mm_journal *j, const char *collection, const char *segment, int batch,
                   mm_journal_batch *out, bool *found, mm_error *err)
{
    memset(out, 0, sizeof *out);
    one_row_query q = {
        .sql = "SELECT " BATCH_COLUMNS " FROM batch WHERE collection=? AND segment=? AND batch=?",
        .what = "read batch", .keys = {collection, segment}, .has_batch = true, .batch = batch,
        .read = read_batch, .out = out,
    };
    return query_one(j, &q, found, err);
}

int mm_journal_put(mm_journal *j, const mm_journal_batch *b, mm_error *err)
{
    pthread_mutex_lock(&j->lock);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(j->db, "INSERT OR REPLACE INTO batch(" BATCH_COLUMNS ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = db_error(j, err, "record batch");
    } else {
        sqlite3_bind_text(st, 1, b->collection, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, b->partition ? b->partition : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, b->segment, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 4, b->batch);
        sqlite3_bind_int(st, 5, (int)b->state);
        sqlite3_bind_int64(st, 6, b->rows);
        sqlite3_bind_text(st, 7, b->id_key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 8, b->data_key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 9, (sqlite3_int64)b->id_bytes);
        sqlite3_bind_int64(st, 10, (sqlite3_int64)b->data_bytes);
        sqlite3_bind_int64(st, 11, b->id_crc32);
        sqlite3_bind_int64(st, 12, b->data_crc32);
        sqlite3_bind_text(st, 13, b->task_ids ? b->task_ids : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 14, b->imported_rows);
        sqlite3_bind_text(st, 15, b->id_etag ? b->id_etag : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 16, b->data_etag ? b->data_etag : "", -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(j, err, "record batch");
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&j->lock);
    return rc;
}

int mm_journal_each(mm_journal *j, int (*fn)(void *ctx, const mm_journal_batch *b), void *ctx,
                    mm_error *err)
{
    /* The rows are read first and fn runs without the lock held, so fn
     * may record batches itself (load resets the batches of a collection
     * that vanished from Milvus this way). */
    mm_journal_batch *rows = NULL;
    size_t n = 0, cap = 0;
    pthread_mutex_lock(&j->lock);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(j->db, "SELECT " BATCH_COLUMNS " FROM batch ORDER BY collection, segment, batch", -1,
                           &st, NULL) != SQLITE_OK) {
        rc = db_error(j, err, "list batches");
    } else {
        int step;
        while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                mm_journal_batch *grown = realloc(rows, ncap * sizeof *rows);
                if (!grown) {
                    rc = mm_error_set(err, MM_ERR_NOMEM, "list batches: out of memory");
                    break;
                }
                rows = grown;
                cap = ncap;
            }
            read_row(st, &rows[n++]);
        }
        if (rc == 0 && step != SQLITE_DONE)
            rc = db_error(j, err, "list batches");
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&j->lock);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = fn(ctx, &rows[i]);
        mm_journal_batch_free(&rows[i]);
    }
    free(rows);
    return rc;
}

int mm_journal_forget_collection(mm_journal *j, const char *collection, mm_error *err)
{
    pthread_mutex_lock(&j->lock);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(j->db, "DELETE FROM batch WHERE collection=?", -1, &st, NULL) != SQLITE_OK) {
        rc = db_error(j, err, "forget collection");
    } else {
        sqlite3_bind_text(st, 1, collection, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(j, err, "forget collection");
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&j->lock);
    return rc;
}

typedef struct batch_key {
    const char *collection, *segment;
    int batch;
} batch_key;

static void bind_batch_key(sqlite3_stmt *st, const void *ctx)
{
    const batch_key *k = ctx;
    sqlite3_bind_text(st, 1, k->collection, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, k->segment, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, k->batch);
}

static int run_statement(mm_journal *j, const char *sql, const char *what, void (*bind)(sqlite3_stmt *, const void *),
                         const void *ctx, mm_error *err);

int mm_journal_forget_batch(mm_journal *j, const char *collection, const char *segment, int batch, mm_error *err)
{
    batch_key k = {collection, segment, batch};
    return run_statement(j, "DELETE FROM batch WHERE collection=?1 AND segment=?2 AND batch=?3", "forget batch",
                         bind_batch_key, &k, err);
}

int mm_journal_forget_segment(mm_journal *j, const char *collection, const char *segment, mm_error *err)
{
    batch_key k = {collection, segment, 0};
    return run_statement(j, "DELETE FROM segment WHERE collection=?1 AND segment=?2", "forget segment",
                         bind_batch_key, &k, err);
}

void mm_journal_batch_free(mm_journal_batch *b)
{
    free(b->collection);
    free(b->partition);
    free(b->segment);
    free(b->id_key);
    free(b->data_key);
    free(b->task_ids);
    free(b->id_etag);
    free(b->data_etag);
    memset(b, 0, sizeof *b);
}

/* ---- segments, target collections ---------------------------------------- */

/* Runs one prepared statement to completion under the lock; bind fills it. */
static int run_statement(mm_journal *j, const char *sql, const char *what, void (*bind)(sqlite3_stmt *, const void *),
                         const void *ctx, mm_error *err)
{
    pthread_mutex_lock(&j->lock);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) {
        rc = db_error(j, err, what);
    } else {
        bind(st, ctx);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(j, err, what);
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&j->lock);
    return rc;
}

static void bind_segment(sqlite3_stmt *st, const void *ctx)
{
    const mm_journal_segment *s = ctx;
    sqlite3_bind_text(st, 1, s->collection, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, s->segment, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, s->batches);
    sqlite3_bind_int64(st, 4, s->rows);
    sqlite3_bind_int64(st, 5, s->nan_skipped);
}

int mm_journal_segment_done(mm_journal *j, const mm_journal_segment *s, mm_error *err)
{
    return run_statement(j, "INSERT OR REPLACE INTO segment VALUES(?,?,?,?,?)", "record segment", bind_segment, s,
                         err);
}

static void read_segment(sqlite3_stmt *st, void *out)
{
    mm_journal_segment *s = out;
    s->batches = sqlite3_column_int(st, 0);
    s->rows = sqlite3_column_int64(st, 1);
    s->nan_skipped = sqlite3_column_int64(st, 2);
}

int mm_journal_segment_get(mm_journal *j, const char *collection, const char *segment, mm_journal_segment *out,
                           bool *found, mm_error *err)
{
    memset(out, 0, sizeof *out);
    one_row_query q = {
        .sql = "SELECT batches, rows, nan_skipped FROM segment WHERE collection=? AND segment=?",
        .what = "read segment", .keys = {collection, segment}, .read = read_segment, .out = out,
    };
    return query_one(j, &q, found, err);
}

int mm_journal_each_segment(mm_journal *j, int (*fn)(void *ctx, const mm_journal_segment *s), void *ctx,
                            mm_error *err)
{
    typedef struct {
        char *collection, *segment;
        mm_journal_segment s;
    } seg_row;
    seg_row *list = NULL;
    size_t n = 0, cap = 0;
    pthread_mutex_lock(&j->lock);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(j->db, "SELECT collection, segment, batches, rows, nan_skipped FROM segment "
                           "ORDER BY collection, segment", -1, &st, NULL) != SQLITE_OK) {
        rc = db_error(j, err, "list segments");
    } else {
        int step;
        while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                seg_row *grown = realloc(list, ncap * sizeof *list);
                if (!grown) {
                    rc = mm_error_set(err, MM_ERR_NOMEM, "list segments: out of memory");
                    break;
                }
                list = grown;
                cap = ncap;
            }
            seg_row *r = &list[n++];
            r->collection = column_dup(st, 0);
            r->segment = column_dup(st, 1);
            r->s.batches = sqlite3_column_int(st, 2);
            r->s.rows = sqlite3_column_int64(st, 3);
            r->s.nan_skipped = sqlite3_column_int64(st, 4);
        }
        if (rc == 0 && step != SQLITE_DONE)
            rc = db_error(j, err, "list segments");
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&j->lock);
    for (size_t i = 0; i < n; i++) {
        list[i].s.collection = list[i].collection;
        list[i].s.segment = list[i].segment;
        if (rc == 0 && (!list[i].collection || !list[i].segment))
            rc = mm_error_set(err, MM_ERR_NOMEM, "list segments: out of memory");
        if (rc == 0)
            rc = fn(ctx, &list[i].s);
        free(list[i].collection);
        free(list[i].segment);
    }
    free(list);
    return rc;
}

static void bind_target(sqlite3_stmt *st, const void *ctx)
{
    const mm_journal_target *t = ctx;
    sqlite3_bind_text(st, 1, t->collection, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, t->target, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, (int)t->state);
    sqlite3_bind_int64(st, 4, t->baseline_rows);
}

int mm_journal_target_put(mm_journal *j, const mm_journal_target *t, mm_error *err)
{
    return run_statement(j, "INSERT OR REPLACE INTO target VALUES(?,?,?,?)", "record target collection", bind_target,
                         t, err);
}

static void read_target(sqlite3_stmt *st, void *out)
{
    mm_journal_target *t = out;
    t->target = column_dup(st, 0);
    t->state = (mm_target_state)sqlite3_column_int(st, 1);
    t->baseline_rows = sqlite3_column_int64(st, 2);
}

int mm_journal_target_get(mm_journal *j, const char *collection, mm_journal_target *out, bool *found, mm_error *err)
{
    memset(out, 0, sizeof *out);
    one_row_query q = {
        .sql = "SELECT target, state, baseline_rows FROM target WHERE collection=?",
        .what = "read target collection", .keys = {collection}, .read = read_target, .out = out,
    };
    int rc = query_one(j, &q, found, err);
    if (rc == 0 && *found)
        out->collection = mm_strdup(collection);
    return rc;
}

void mm_journal_target_free(mm_journal_target *t)
{
    free(t->collection);
    free(t->target);
    memset(t, 0, sizeof *t);
}

typedef struct partition_baseline {
    const char *collection, *partition;
    int64_t rows;
} partition_baseline;

static void bind_partition_baseline(sqlite3_stmt *st, const void *ctx)
{
    const partition_baseline *p = ctx;
    sqlite3_bind_text(st, 1, p->collection, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, p->partition, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, p->rows);
}

int mm_journal_partition_baseline_put(mm_journal *j, const char *collection, const char *partition, int64_t rows,
                                      mm_error *err)
{
    partition_baseline p = {collection, partition, rows};
    return run_statement(j, "INSERT OR IGNORE INTO target_partition VALUES(?,?,?)", "record partition baseline",
                         bind_partition_baseline, &p, err);
}

static void read_baseline(sqlite3_stmt *st, void *out)
{
    *(int64_t *)out = sqlite3_column_int64(st, 0);
}

int mm_journal_partition_baseline_get(mm_journal *j, const char *collection, const char *partition, int64_t *rows,
                                      bool *found, mm_error *err)
{
    *rows = 0;
    one_row_query q = {
        .sql = "SELECT baseline_rows FROM target_partition WHERE collection=? AND partition_tag=?",
        .what = "read partition baseline", .keys = {collection, partition}, .read = read_baseline, .out = rows,
    };
    return query_one(j, &q, found, err);
}

int mm_journal_forget_target(mm_journal *j, const char *collection, mm_error *err)
{
    partition_baseline p = {collection, "", 0};
    if (run_statement(j, "DELETE FROM target_partition WHERE collection=?1",
                      "forget partition baselines", bind_partition_baseline, &p, err) != 0)
        return -1;
    return run_statement(j, "DELETE FROM target WHERE collection=?1", "forget target collection",
                         bind_partition_baseline, &p, err);
}

static void bind_collection(sqlite3_stmt *st, const void *ctx)
{
    sqlite3_bind_text(st, 1, ctx, -1, SQLITE_TRANSIENT);
}

int mm_journal_forget_dumped(mm_journal *j, const char *collection, mm_error *err)
{
    if (exec(j, "BEGIN IMMEDIATE", err) != 0)
        return -1;
    /* state 1 = MM_BATCH_DUMPED: files staged, nothing sent to Milvus yet */
    int rc = run_statement(j, "DELETE FROM batch WHERE collection=?1 AND state=1", "forget dumped batches",
                           bind_collection, collection, err);
    if (rc == 0)
        rc = run_statement(j, "DELETE FROM segment WHERE collection=?1 AND NOT EXISTS (SELECT 1 FROM batch b WHERE "
                           "b.collection=segment.collection AND b.segment=segment.segment)",
                           "forget dumped segments", bind_collection, collection, err);
    if (rc != 0) {
        exec(j, "ROLLBACK", NULL);
        return -1;
    }
    return exec(j, "COMMIT", err);
}
