#include "journal_internal.h"

#include "base/remedy.h"
#include "base/strbuf.h"

#include <errno.h>
#include <time.h>
#include <limits.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


static const char schema[] =
    "CREATE TABLE IF NOT EXISTS job(fingerprint TEXT NOT NULL, created_at INTEGER NOT NULL, job_id TEXT);"
    "CREATE TABLE IF NOT EXISTS batch("
    " collection TEXT NOT NULL, partition_tag TEXT NOT NULL, segment TEXT NOT NULL,"
    " batch INTEGER NOT NULL, state INTEGER NOT NULL, rows INTEGER NOT NULL,"
    " id_key TEXT, data_key TEXT, id_bytes INTEGER, data_bytes INTEGER,"
    " id_crc32 INTEGER, data_crc32 INTEGER, task_ids TEXT, imported_rows INTEGER,"
    " id_etag TEXT, data_etag TEXT, members TEXT,"
    " PRIMARY KEY(collection, segment, batch));"
    "CREATE TABLE IF NOT EXISTS segment("
    " collection TEXT NOT NULL, segment TEXT NOT NULL, batches INTEGER NOT NULL,"
    " rows INTEGER NOT NULL, nan_skipped INTEGER NOT NULL, packed_into TEXT,"
    " PRIMARY KEY(collection, segment));"
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

int mm_journal_db_error(mm_journal *j, mm_error *err, const char *what)
{
    int code = sqlite3_extended_errcode(j->db);
    mm_error_set(err, MM_ERR_IO, "journal %s: %s: %s", j->path, what, sqlite3_errmsg(j->db));
    add_full_hint(j->db, code, err);
    return -1;
}

int mm_journal_exec(mm_journal *j, const char *sql, mm_error *err)
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
        {"batch", "members", "ALTER TABLE batch ADD COLUMN members TEXT"},
        {"segment", "packed_into", "ALTER TABLE segment ADD COLUMN packed_into TEXT"},
    };
    for (size_t i = 0; i < sizeof added / sizeof added[0]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name='%s'", added[i].table,
                 added[i].column);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK)
            return mm_journal_db_error(j, err, "read the journal's schema");
        int step = sqlite3_step(st);
        sqlite3_finalize(st);
        if (step == SQLITE_DONE && mm_journal_exec(j, added[i].ddl, err) != 0)
            return -1;
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            return mm_journal_db_error(j, err, "read the journal's schema");
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

typedef enum { OPEN_CHECK, OPEN_RESTART, OPEN_KEEP } open_mode;

/* Replaces every record by an empty job for j->fingerprint (same job id). */
static int wipe(mm_journal *j, mm_error *err)
{
    sqlite3_stmt *st = NULL;
    if (mm_journal_exec(j, "BEGIN IMMEDIATE; DELETE FROM job; DELETE FROM batch; DELETE FROM segment; DELETE FROM target; "
                   "DELETE FROM target_partition;", err) != 0)
        return -1;
    if (sqlite3_prepare_v2(j->db, "INSERT INTO job VALUES(?, strftime('%s','now'), ?)", -1, &st, NULL) != SQLITE_OK) {
        mm_journal_exec(j, "ROLLBACK", NULL);
        return mm_journal_db_error(j, err, "record job");
    }
    sqlite3_bind_text(st, 1, j->fingerprint, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, j->job_id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : mm_journal_db_error(j, err, "record job");
    sqlite3_finalize(st);
    if (rc != 0) {
        mm_journal_exec(j, "ROLLBACK", NULL);
        return rc;
    }
    return mm_journal_exec(j, "COMMIT", err);
}

static int check_fingerprint(mm_journal *j, const char *fingerprint, open_mode mode, mm_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(j->db, "SELECT fingerprint, job_id FROM job", -1, &st, NULL) != SQLITE_OK)
        return mm_journal_db_error(j, err, "read job");
    int rc = 0;
    bool have = false;
    if (sqlite3_step(st) == SQLITE_ROW) {
        have = true;
        const char *old = (const char *)sqlite3_column_text(st, 0);
        const char *id = (const char *)sqlite3_column_text(st, 1);
        if (id && id[0])
            j->job_id = mm_strdup(id);
        if (old && strcmp(old, fingerprint) != 0 && mode == OPEN_CHECK)
            rc = mm_error_set(err, MM_ERR_CONFIG,
                              "journal %s belongs to another migration (%s); this one is %s. Use a "
                              "different state.dir, or start over %s, which discards that journal",
                              j->path, old, fingerprint, mm_remedy_how(MM_REMEDY_START_OVER));
    }
    sqlite3_finalize(st);
    if (rc != 0)
        return rc;
    j->fingerprint = mm_strdup(fingerprint);
    if (!j->job_id)
        j->job_id = new_job_id();
    if (!j->job_id || !j->fingerprint)
        return mm_error_set(err, MM_ERR_NOMEM, "journal %s: cannot make a job id", j->path);
    if (have && mode != OPEN_RESTART) {
        /* A journal from before job ids gets one now. */
        if (sqlite3_prepare_v2(j->db, "UPDATE job SET job_id=? WHERE job_id IS NULL OR job_id=''", -1, &st, NULL) !=
            SQLITE_OK)
            return mm_journal_db_error(j, err, "record job");
        sqlite3_bind_text(st, 1, j->job_id, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : mm_journal_db_error(j, err, "record job");
        sqlite3_finalize(st);
        return rc;
    }
    return wipe(j, err);
}

/* A journal.sqlite that is no SQLite database (or a damaged one) is moved
 * aside with its -wal and -shm under <name>.damaged-<seconds>, never
 * deleted: --restart starts over, and the user may still want to look. */
static int set_aside(const char *path, char *aside, size_t n, mm_error *err)
{
    snprintf(aside, n, "%s.damaged-%lld", path, (long long)time(NULL));
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char from[PATH_MAX], to[PATH_MAX];
        snprintf(from, sizeof from, "%s%s", path, suffixes[i]);
        snprintf(to, sizeof to, "%s%s", aside, suffixes[i]);
        if (rename(from, to) != 0 && errno != ENOENT)
            return mm_error_set(err, MM_ERR_IO, "journal %s is damaged and cannot be set aside as %s: %s", path, to,
                                strerror(errno));
    }
    return 0;
}

static bool is_damaged(sqlite3 *db)
{
    int code = sqlite3_errcode(db);
    return code == SQLITE_NOTADB || code == SQLITE_CORRUPT;
}

static int open_journal(const char *state_dir, const char *fingerprint, open_mode mode, mm_journal **out,
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
    for (int attempt = 0;; attempt++) {
        if (sqlite3_open_v2(j->path, &j->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                            NULL) != SQLITE_OK) {
            mm_journal_db_error(j, err, "open");
            mm_journal_close(j);
            return -1;
        }
        sqlite3_busy_timeout(j->db, 5000);
        if (mm_journal_exec(j, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", err) == 0)
            break;
        if (!is_damaged(j->db)) {
            mm_journal_close(j);
            return -1;
        }
        sqlite3_close(j->db);
        j->db = NULL;
        char aside[PATH_MAX];
        if (mode == OPEN_CHECK || attempt > 0) {
            mm_error_set(err, MM_ERR_IO, "journal %s is not a usable SQLite database (damaged, or not written by "
                         "milvus-migrate); start over %s, which sets it aside and starts a new journal (staged "
                         "batches are then dumped again), or move it out of state.dir %s",
                         j->path, mm_remedy_how(MM_REMEDY_START_OVER), state_dir);
            mm_journal_close(j);
            return -1;
        }
        if (set_aside(j->path, aside, sizeof aside, err) != 0) {
            mm_journal_close(j);
            return -1;
        }
    }
    if (mm_journal_exec(j, schema, err) != 0 ||
        add_missing_columns(j, err) != 0 || check_fingerprint(j, fingerprint, mode, err) != 0) {
        mm_journal_close(j);
        return -1;
    }
    chmod(j->path, 0600);
    *out = j;
    return 0;
}

int mm_journal_open(const char *state_dir, const char *fingerprint, bool restart, mm_journal **out,
                    mm_error *err)
{
    return open_journal(state_dir, fingerprint, restart ? OPEN_RESTART : OPEN_CHECK, out, err);
}

int mm_journal_open_for_restart(const char *state_dir, const char *fingerprint, mm_journal **out, mm_error *err)
{
    return open_journal(state_dir, fingerprint, OPEN_KEEP, out, err);
}

int mm_journal_restart(mm_journal *j, mm_error *err)
{
    pthread_mutex_lock(&j->lock);
    int rc = wipe(j, err);
    pthread_mutex_unlock(&j->lock);
    return rc;
}

int mm_journal_open_readonly(const char *state_dir, mm_journal **out, mm_error *err)
{
    *out = NULL;
    char *path = mm_asprintf("%s/journal.sqlite", state_dir);
    if (!path)
        return mm_error_set(err, MM_ERR_NOMEM, "read journal in %s: out of memory", state_dir);
    struct stat st;
    if (stat(path, &st) != 0) {
        int e = errno;
        free(path);
        return e == ENOENT ? 0 : mm_error_errno(err, e, "read journal", state_dir);
    }
    mm_journal *j = calloc(1, sizeof *j);
    if (!j) {
        free(path);
        return mm_error_set(err, MM_ERR_NOMEM, "read journal in %s: out of memory", state_dir);
    }
    j->path = path;
    pthread_mutex_init(&j->lock, NULL);
    if (sqlite3_open_v2(j->path, &j->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
        mm_journal_db_error(j, err, "open read-only");
        mm_journal_close(j);
        return -1;
    }
    sqlite3_busy_timeout(j->db, 5000);
    sqlite3_stmt *q = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(j->db, "SELECT fingerprint, job_id FROM job", -1, &q, NULL) != SQLITE_OK) {
        rc = mm_journal_db_error(j, err, "read job");
    } else if (sqlite3_step(q) == SQLITE_ROW) {
        j->fingerprint = mm_journal_column_dup(q, 0);
        j->job_id = mm_journal_column_dup(q, 1);
    }
    sqlite3_finalize(q);
    if (rc != 0 || !j->fingerprint) {
        mm_journal_close(j);
        return rc; /* no job recorded: as good as no journal */
    }
    *out = j;
    return 0;
}

static int64_t count_of(mm_journal *j, const char *sql, mm_error *err, int *rc)
{
    sqlite3_stmt *st = NULL;
    int64_t v = 0;
    if (*rc != 0)
        return 0;
    if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK)
        *rc = mm_journal_db_error(j, err, "summarize");
    else if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int mm_journal_summarize(mm_journal *j, mm_journal_summary *out, mm_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = 0;
    pthread_mutex_lock(&j->lock);
    out->batches = (size_t)count_of(j, "SELECT count(*) FROM batch", err, &rc);
    out->rows = count_of(j, "SELECT coalesce(sum(rows),0) FROM batch", err, &rc);
    out->dumped = (size_t)count_of(j, "SELECT count(*) FROM batch WHERE state>=1", err, &rc);
    out->rows_dumped = count_of(j, "SELECT coalesce(sum(rows),0) FROM batch WHERE state>=1", err, &rc);
    out->submitted = (size_t)count_of(j, "SELECT count(*) FROM batch WHERE state>=2", err, &rc);
    out->imported = (size_t)count_of(j, "SELECT count(*) FROM batch WHERE state=3", err, &rc);
    out->rows_imported = count_of(j, "SELECT coalesce(sum(imported_rows),0) FROM batch WHERE state=3", err, &rc);
    out->collections = (size_t)count_of(j, "SELECT count(*) FROM target", err, &rc);
    out->created_at = count_of(j, "SELECT coalesce(max(created_at),0) FROM job", err, &rc);
    sqlite3_stmt *st = NULL;
    if (rc == 0 && sqlite3_prepare_v2(j->db, "SELECT fingerprint FROM job", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        out->fingerprint = mm_journal_column_dup(st, 0);
    sqlite3_finalize(st);
    pthread_mutex_unlock(&j->lock);
    if (rc == 0 && !out->fingerprint)
        out->fingerprint = mm_strdup("");
    return rc;
}

void mm_journal_summary_free(mm_journal_summary *s)
{
    free(s->fingerprint);
    memset(s, 0, sizeof *s);
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

char *mm_journal_column_dup(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return mm_strdup(t ? (const char *)t : "");
}

/* One SELECT that yields zero or one row: binds the text keys (and the
 * batch number when has_batch), runs it under the lock and lets `read`
 * copy the row out. */

int mm_journal_query_one(mm_journal *j, const one_row_query *q, bool *found, mm_error *err)
{
    *found = false;
    pthread_mutex_lock(&j->lock);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(j->db, q->sql, -1, &st, NULL) != SQLITE_OK) {
        rc = mm_journal_db_error(j, err, q->what);
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
            rc = mm_journal_db_error(j, err, q->what);
        }
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&j->lock);
    return rc;
}

/* Runs one prepared statement to completion under the lock; bind fills it. */
int mm_journal_run(mm_journal *j, const char *sql, const char *what, void (*bind)(sqlite3_stmt *, const void *),
                         const void *ctx, mm_error *err)
{
    pthread_mutex_lock(&j->lock);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) {
        rc = mm_journal_db_error(j, err, what);
    } else {
        bind(st, ctx);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = mm_journal_db_error(j, err, what);
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&j->lock);
    return rc;
}
