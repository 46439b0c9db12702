/* The journal's records: import batches (with their state, staged files
 * and task), dumped segments, target collections and partition row-count
 * baselines; on the SQL plumbing of journal.c. */
#include "journal_internal.h"

#include "base/strbuf.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void read_row(sqlite3_stmt *st, mm_journal_batch *b)
{
    b->collection = mm_journal_column_dup(st, 0);
    b->partition = mm_journal_column_dup(st, 1);
    b->segment = mm_journal_column_dup(st, 2);
    b->batch = sqlite3_column_int(st, 3);
    b->state = (mm_batch_state)sqlite3_column_int(st, 4);
    b->rows = sqlite3_column_int64(st, 5);
    b->id_key = mm_journal_column_dup(st, 6);
    b->data_key = mm_journal_column_dup(st, 7);
    b->id_bytes = (uint64_t)sqlite3_column_int64(st, 8);
    b->data_bytes = (uint64_t)sqlite3_column_int64(st, 9);
    b->id_crc32 = (uint32_t)sqlite3_column_int64(st, 10);
    b->data_crc32 = (uint32_t)sqlite3_column_int64(st, 11);
    b->task_ids = mm_journal_column_dup(st, 12);
    b->imported_rows = sqlite3_column_int64(st, 13);
    b->id_etag = mm_journal_column_dup(st, 14);
    b->data_etag = mm_journal_column_dup(st, 15);
    b->members = mm_journal_column_dup(st, 16);
}

#define BATCH_COLUMNS                                                                              \
    "collection, partition_tag, segment, batch, state, rows, id_key, data_key, id_bytes, "         \
    "data_bytes, id_crc32, data_crc32, task_ids, imported_rows, id_etag, data_etag, members"

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
    return mm_journal_query_one(j, &q, found, err);
}

/* With the lock held. */
static int put_batch(mm_journal *j, const mm_journal_batch *b, mm_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(j->db, "INSERT OR REPLACE INTO batch(" BATCH_COLUMNS ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = mm_journal_db_error(j, err, "record batch");
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
        sqlite3_bind_text(st, 17, b->members ? b->members : "", -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = mm_journal_db_error(j, err, "record batch");
    }
    sqlite3_finalize(st);
    return rc;
}

int mm_journal_put(mm_journal *j, const mm_journal_batch *b, mm_error *err)
{
    pthread_mutex_lock(&j->lock);
    int rc = put_batch(j, b, err);
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
        rc = mm_journal_db_error(j, err, "list batches");
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
            rc = mm_journal_db_error(j, err, "list batches");
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
        rc = mm_journal_db_error(j, err, "forget collection");
    } else {
        sqlite3_bind_text(st, 1, collection, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = mm_journal_db_error(j, err, "forget collection");
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

int mm_journal_forget_batch(mm_journal *j, const char *collection, const char *segment, int batch, mm_error *err)
{
    batch_key k = {collection, segment, batch};
    return mm_journal_run(j, "DELETE FROM batch WHERE collection=?1 AND segment=?2 AND batch=?3", "forget batch",
                         bind_batch_key, &k, err);
}

int mm_journal_forget_segment(mm_journal *j, const char *collection, const char *segment, mm_error *err)
{
    batch_key k = {collection, segment, 0};
    return mm_journal_run(j, "DELETE FROM segment WHERE collection=?1 AND segment=?2", "forget segment",
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
    free(b->members);
    memset(b, 0, sizeof *b);
}

static const char segment_insert[] =
    "INSERT OR REPLACE INTO segment(collection, segment, batches, rows, nan_skipped, packed_into) VALUES(?,?,?,?,?,?)";

static void bind_segment(sqlite3_stmt *st, const void *ctx)
{
    const mm_journal_segment *s = ctx;
    sqlite3_bind_text(st, 1, s->collection, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, s->segment, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, s->batches);
    sqlite3_bind_int64(st, 4, s->rows);
    sqlite3_bind_int64(st, 5, s->nan_skipped);
    sqlite3_bind_text(st, 6, s->packed_into, -1, SQLITE_TRANSIENT);
}

int mm_journal_segment_done(mm_journal *j, const mm_journal_segment *s, mm_error *err)
{
    return mm_journal_run(j, segment_insert, "record segment", bind_segment, s, err);
}

/* With the lock held. */
static int put_segment(mm_journal *j, const mm_journal_segment *s, mm_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(j->db, segment_insert, -1, &st, NULL) != SQLITE_OK) {
        rc = mm_journal_db_error(j, err, "record segment");
    } else {
        bind_segment(st, s);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = mm_journal_db_error(j, err, "record segment");
    }
    sqlite3_finalize(st);
    return rc;
}

static int exec_locked(mm_journal *j, const char *sql, const char *what, mm_error *err)
{
    return sqlite3_exec(j->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : mm_journal_db_error(j, err, what);
}

/* The lock is held from BEGIN to COMMIT: no other thread's record can slip
 * into this transaction, or be rolled back with it. */
int mm_journal_record_group(mm_journal *j, const mm_journal_batch *batches, size_t n_batches,
                            const mm_journal_segment *segments, size_t n_segments, mm_error *err)
{
    pthread_mutex_lock(&j->lock);
    int rc = exec_locked(j, "BEGIN IMMEDIATE", "record batches", err);
    for (size_t i = 0; rc == 0 && i < n_batches; i++)
        rc = put_batch(j, &batches[i], err);
    for (size_t i = 0; rc == 0 && i < n_segments; i++)
        rc = put_segment(j, &segments[i], err);
    if (rc == 0)
        rc = exec_locked(j, "COMMIT", "record batches", err);
    if (rc != 0)
        sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&j->lock);
    return rc;
}

static void copy_packed_into(sqlite3_stmt *st, int col, mm_journal_segment *s)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(s->packed_into, sizeof s->packed_into, "%s", t ? (const char *)t : "");
}

static void read_segment(sqlite3_stmt *st, void *out)
{
    mm_journal_segment *s = out;
    s->batches = sqlite3_column_int(st, 0);
    s->rows = sqlite3_column_int64(st, 1);
    s->nan_skipped = sqlite3_column_int64(st, 2);
    copy_packed_into(st, 3, s);
}

int mm_journal_segment_get(mm_journal *j, const char *collection, const char *segment, mm_journal_segment *out,
                           bool *found, mm_error *err)
{
    memset(out, 0, sizeof *out);
    one_row_query q = {
        .sql = "SELECT batches, rows, nan_skipped, packed_into FROM segment WHERE collection=? AND segment=?",
        .what = "read segment", .keys = {collection, segment}, .read = read_segment, .out = out,
    };
    return mm_journal_query_one(j, &q, found, err);
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
    if (sqlite3_prepare_v2(j->db, "SELECT collection, segment, batches, rows, nan_skipped, packed_into FROM segment "
                           "ORDER BY collection, segment", -1, &st, NULL) != SQLITE_OK) {
        rc = mm_journal_db_error(j, err, "list segments");
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
            r->collection = mm_journal_column_dup(st, 0);
            r->segment = mm_journal_column_dup(st, 1);
            r->s.batches = sqlite3_column_int(st, 2);
            r->s.rows = sqlite3_column_int64(st, 3);
            r->s.nan_skipped = sqlite3_column_int64(st, 4);
            copy_packed_into(st, 5, &r->s);
        }
        if (rc == 0 && step != SQLITE_DONE)
            rc = mm_journal_db_error(j, err, "list segments");
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
    return mm_journal_run(j, "INSERT OR REPLACE INTO target VALUES(?,?,?,?)", "record target collection", bind_target,
                         t, err);
}

static void read_target(sqlite3_stmt *st, void *out)
{
    mm_journal_target *t = out;
    t->target = mm_journal_column_dup(st, 0);
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
    int rc = mm_journal_query_one(j, &q, found, err);
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
    return mm_journal_run(j, "INSERT OR IGNORE INTO target_partition VALUES(?,?,?)", "record partition baseline",
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
    return mm_journal_query_one(j, &q, found, err);
}

int mm_journal_forget_target(mm_journal *j, const char *collection, mm_error *err)
{
    partition_baseline p = {collection, "", 0};
    if (mm_journal_run(j, "DELETE FROM target_partition WHERE collection=?1",
                      "forget partition baselines", bind_partition_baseline, &p, err) != 0)
        return -1;
    return mm_journal_run(j, "DELETE FROM target WHERE collection=?1", "forget target collection",
                         bind_partition_baseline, &p, err);
}

static void bind_collection(sqlite3_stmt *st, const void *ctx)
{
    sqlite3_bind_text(st, 1, ctx, -1, SQLITE_TRANSIENT);
}

int mm_journal_forget_dumped(mm_journal *j, const char *collection, mm_error *err)
{
    if (mm_journal_exec(j, "BEGIN IMMEDIATE", err) != 0)
        return -1;
    /* state 1 = MM_BATCH_DUMPED: files staged, nothing sent to Milvus yet */
    int rc = mm_journal_run(j, "DELETE FROM batch WHERE collection=?1 AND state=1", "forget dumped batches",
                           bind_collection, collection, err);
    if (rc == 0)
        rc = mm_journal_run(j, "DELETE FROM segment WHERE collection=?1 AND NOT EXISTS (SELECT 1 FROM batch b WHERE "
                           "b.collection=segment.collection AND b.segment=segment.segment)",
                           "forget dumped segments", bind_collection, collection, err);
    if (rc != 0) {
        mm_journal_exec(j, "ROLLBACK", NULL);
        return -1;
    }
    return mm_journal_exec(j, "COMMIT", err);
}
