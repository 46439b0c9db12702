/* 1.x meta.sqlite, read without touching the user's files. Milvus keeps the
 * database in WAL mode, so committed rows may live only in meta.sqlite-wal:
 * mode=ro reads those frames without checkpointing, while immutable=1 would
 * ignore them (specs/milvus1x-format.md §1.1). Even a mode=ro reader
 * rewrites the -shm index, so we read a private copy of the three files. */
#include "source/meta_sqlite.h"

#include "base/fsutil.h"
#include "base/strbuf.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static const char wal_hint[] =
    "Milvus keeps recent metadata in meta.sqlite-wal: copy meta.sqlite together with "
    "meta.sqlite-wal and meta.sqlite-shm";

/* file: URIs need '%', '?' and '#' escaped; everything else may stay. */
static char *sqlite_uri(const char *path)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_append(&sb, "file:");
    for (const char *p = path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#')
            mm_strbuf_appendf(&sb, "%%%02X", (unsigned char)*p);
        else
            mm_strbuf_append_n(&sb, p, 1);
    }
    mm_strbuf_append(&sb, "?mode=ro");
    return mm_strbuf_take(&sb);
}

static const char recopy_hint[] =
    "copy meta.sqlite, meta.sqlite-wal and meta.sqlite-shm again from the stopped 1.x server (or restore them "
    "from a backup)";

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* SQLite silently ignores a -wal it cannot use (a torn last frame, a
 * damaged header) and a missing one, and would then show the database
 * without its newest rows. It offers no way to ask, so the -wal header
 * (magic, version, page size; sqlite.org/fileformat2.html#walformat) and
 * its length in whole frames are checked here. */
static int check_wal_files(const char *path, mm_error *err)
{
    char *wal = mm_asprintf("%s-wal", path);
    char *shm = mm_asprintf("%s-shm", path);
    int rc = wal && shm ? 0 : mm_error_set(err, MM_ERR_NOMEM, "read 1.x meta %s: out of memory", path);
    /* Not files (a FIFO, a directory): named before anything opens them. */
    if (rc == 0 && (mm_check_regular(wal, recopy_hint, err) < 0 || mm_check_regular(shm, recopy_hint, err) < 0))
        rc = -1;
    struct stat st;
    if (rc == 0 && stat(wal, &st) != 0) {
        /* A clean close removes both; -shm alone means the -wal was lost. */
        if (access(shm, F_OK) == 0)
            rc = mm_error_set(err, MM_ERR_META, "read 1.x meta %s: meta.sqlite-shm is there but meta.sqlite-wal is "
                              "missing, so the newest metadata (collections, segments) would be missed; copy "
                              "meta.sqlite together with meta.sqlite-wal and meta.sqlite-shm from the stopped 1.x "
                              "server", path);
    } else if (rc == 0 && st.st_size > 0) {
        unsigned char header[32];
        int fd = -1;
        if (mm_open_regular(wal, recopy_hint, &fd, err) != 0) {
            rc = -1;
        } else if (st.st_size < (off_t)sizeof header || mm_pread_full(fd, header, sizeof header, 0, wal, NULL) != 0) {
            rc = mm_error_set(err, MM_ERR_META, "read 1.x meta %s: %s has %lld bytes, less than a write-ahead log "
                              "header (truncated copy?); %s", path, wal, (long long)st.st_size, recopy_hint);
        } else {
            uint32_t magic = be32(header), page = be32(header + 8);
            if (page == 1)
                page = 65536;
            if ((magic != 0x377f0682 && magic != 0x377f0683) || page < 512 || page > 65536 || (page & (page - 1)))
                rc = mm_error_set(err, MM_ERR_META, "read 1.x meta %s: %s is not a SQLite write-ahead log (damaged "
                                  "copy?); %s", path, wal, recopy_hint);
            else if ((st.st_size - 32) % (24 + (off_t)page) != 0)
                rc = mm_error_set(err, MM_ERR_META, "read 1.x meta %s: %s has %lld bytes, which ends inside a frame "
                                  "of %u-byte pages: the copy is truncated; %s", path, wal, (long long)st.st_size,
                                  page, recopy_hint);
        }
        if (fd >= 0)
            close(fd);
    }
    free(wal);
    free(shm);
    return rc;
}

/* SQLite's own verdict on a damaged file, with what to do about it. */
static int sqlite_error(sqlite3 *db, mm_error *err, const char *what, const char *path)
{
    int code = sqlite3_errcode(db);
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
        return mm_error_set(err, MM_ERR_META, "%s %s: %s (damaged copy?); %s", what, path, sqlite3_errmsg(db),
                            recopy_hint);
    return mm_error_set(err, MM_ERR_META, "%s %s: %s", what, path, sqlite3_errmsg(db));
}

static bool wal_present(const char *path)
{
    char *wal = mm_asprintf("%s-wal", path);
    bool present = wal && access(wal, F_OK) == 0;
    free(wal);
    return present;
}

static char *column_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return mm_strdup(t ? (const char *)t : "");
}

/* A cell that should hold an integer, as a user reads it when it does not. */
static char *non_integer_text(sqlite3_stmt *st, int col)
{
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_INTEGER:
        return NULL;
    case SQLITE_NULL:
        return mm_strdup("NULL");
    default: {
        const unsigned char *t = sqlite3_column_text(st, col);
        return mm_asprintf("'%s'", t ? (const char *)t : "");
    }
    }
}

static const char tables_sql[] =
    "SELECT id, table_id, state, dimension, created_on, flag, index_file_size, engine_type, "
    "index_params, metric_type, owner_table, partition_tag, version, flush_lsn FROM Tables ORDER BY id";
static const char files_sql[] =
    "SELECT id, table_id, segment_id, engine_type, file_id, file_type, file_size, row_count, "
    "updated_time, created_on, date, flush_lsn FROM TableFiles ORDER BY id";

static int read_tables(sqlite3 *db, mm_meta_rows *out, mm_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, tables_sql, -1, &st, NULL) != SQLITE_OK)
        return sqlite_error(db, err, "read table Tables of", out->origin);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        mm_table_row *t = mm_meta_rows_add_table(out);
        if (!t)
            break;
        t->id = sqlite3_column_int64(st, 0);
        t->table_id = column_text(st, 1);
        t->state = sqlite3_column_int(st, 2);
        /* The type first: reading a column converts it. */
        t->dimension_text = non_integer_text(st, 3);
        t->dimension = sqlite3_column_int64(st, 3);
        t->created_on = sqlite3_column_int64(st, 4);
        t->flag = sqlite3_column_int64(st, 5);
        t->index_file_size = sqlite3_column_int64(st, 6);
        t->engine_type = sqlite3_column_int(st, 7);
        t->index_params = column_text(st, 8);
        t->metric_type = sqlite3_column_int(st, 9);
        t->owner_table = column_text(st, 10);
        t->partition_tag = column_text(st, 11);
        t->version = column_text(st, 12);
        t->flush_lsn = sqlite3_column_int64(st, 13);
        if (!t->table_id || !t->index_params || !t->owner_table || !t->partition_tag || !t->version)
            break;
    }
    sqlite3_finalize(st);
    if (step == SQLITE_ROW)
        return mm_error_set(err, MM_ERR_NOMEM, "read table Tables of %s: out of memory", out->origin);
    if (step != SQLITE_DONE)
        return sqlite_error(db, err, "read table Tables of", out->origin);
    return 0;
}

static int read_files(sqlite3 *db, mm_meta_rows *out, mm_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, files_sql, -1, &st, NULL) != SQLITE_OK)
        return sqlite_error(db, err, "read table TableFiles of", out->origin);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        mm_file_row *f = mm_meta_rows_add_file(out);
        if (!f)
            break;
        f->id = sqlite3_column_int64(st, 0);
        f->table_id_null = sqlite3_column_type(st, 1) == SQLITE_NULL;
        f->table_id = column_text(st, 1);
        f->segment_id = column_text(st, 2);
        f->engine_type = sqlite3_column_int(st, 3);
        f->file_id = column_text(st, 4);
        f->file_type = sqlite3_column_int(st, 5);
        f->file_size = sqlite3_column_int64(st, 6);
        f->row_count = sqlite3_column_int64(st, 7);
        f->updated_time = sqlite3_column_int64(st, 8);
        f->created_on = sqlite3_column_int64(st, 9);
        f->date = sqlite3_column_int64(st, 10);
        f->flush_lsn = sqlite3_column_int64(st, 11);
        if (!f->table_id || !f->segment_id || !f->file_id)
            break;
    }
    sqlite3_finalize(st);
    if (step == SQLITE_ROW)
        return mm_error_set(err, MM_ERR_NOMEM, "read table TableFiles of %s: out of memory", out->origin);
    if (step != SQLITE_DONE)
        return sqlite_error(db, err, "read table TableFiles of", out->origin);
    return 0;
}

static int read_environment(sqlite3 *db, mm_meta_rows *out, mm_error *err)
{
    sqlite3_stmt *st = NULL;
    /* Older or hand-made databases may lack Environment; that only weakens
     * the unflushed-data check. */
    if (sqlite3_prepare_v2(db, "SELECT global_lsn FROM Environment", -1, &st, NULL) != SQLITE_OK)
        return 0;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        out->has_global_lsn = true;
        out->global_lsn = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return sqlite_error(db, err, "read table Environment of", out->origin);
    return 0;
}

/* Returns the DDL of a table, or NULL when the table does not exist. */
static char *table_ddl(sqlite3 *db, const char *name, int *rc)
{
    sqlite3_stmt *st = NULL;
    *rc = sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE type='table' AND name=?", -1, &st, NULL);
    if (*rc != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    char *ddl = NULL;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        ddl = column_text(st, 0);
    *rc = (step == SQLITE_ROW || step == SQLITE_DONE) ? SQLITE_OK : step;
    sqlite3_finalize(st);
    return ddl;
}

static int check_schema(sqlite3 *db, const char *path, mm_meta_rows *out, mm_error *err)
{
    int rc;
    char *ddl = table_ddl(db, "Tables", &rc);
    if (rc != SQLITE_OK) {
        const char *why = sqlite3_errmsg(db);
        if (rc == SQLITE_NOTADB)
            return mm_error_set(err, MM_ERR_META, "read 1.x meta %s: not an SQLite database (%s); give the "
                                "meta.sqlite of the Milvus 1.x data directory (<storage.path>/db/meta.sqlite)",
                                path, why);
        if (rc == SQLITE_CANTOPEN)
            return mm_error_set(err, MM_ERR_META, "read 1.x meta %s: %s; %s, into a directory you can write to",
                                path, why, wal_hint);
        return sqlite_error(db, err, "read 1.x meta", path);
    }
    if (!ddl) {
        if (!wal_present(path))
            return mm_error_set(err, MM_ERR_META, "read 1.x meta %s: no table Tables and no meta.sqlite-wal "
                                "beside it; %s", path, wal_hint);
        return mm_error_set(err, MM_ERR_META, "read 1.x meta %s: no table Tables, although meta.sqlite-wal is "
                            "beside it; is this the meta.sqlite of a Milvus 0.9-1.x installation? If it is, the "
                            "-wal holds no complete transaction SQLite can use: %s", path, recopy_hint);
    }
    /* sqlite_orm (0.9.0-0.10.3) quotes identifiers: CREATE TABLE 'Tables' (...). */
    out->ddl_era = mm_strdup(strstr(ddl, "'Tables'") ? "sqlite_orm (0.9.0-0.10.3)" : "native (0.10.4+)");
    free(ddl);
    char *files = table_ddl(db, "TableFiles", &rc);
    if (!files)
        return mm_error_set(err, MM_ERR_META, "read 1.x meta %s: no table TableFiles; is this the meta.sqlite "
                            "of a Milvus 0.9-1.x installation?", path);
    free(files);
    return out->ddl_era ? 0 : mm_error_set(err, MM_ERR_NOMEM, "read 1.x meta %s: out of memory", path);
}

/* A damaged page may never be touched by our SELECTs and still hide rows;
 * quick_check reads every page (the meta is small). */
static int check_integrity(sqlite3 *db, const char *path, mm_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL) != SQLITE_OK)
        return sqlite_error(db, err, "check 1.x meta", path);
    int step = sqlite3_step(st);
    int rc = 0;
    if (step == SQLITE_ROW) {
        const unsigned char *text = sqlite3_column_text(st, 0);
        char verdict[256];
        snprintf(verdict, sizeof verdict, "%s", text ? (const char *)text : "no answer");
        for (char *p = verdict; *p; p++)
            if (*p == '\n')
                *p = ' ';
        if (strcmp(verdict, "ok") != 0)
            rc = mm_error_set(err, MM_ERR_META, "check 1.x meta %s: the database is damaged (SQLite quick_check: "
                              "%s); %s", path, verdict, recopy_hint);
    } else {
        rc = sqlite_error(db, err, "check 1.x meta", path);
    }
    sqlite3_finalize(st);
    return rc;
}

static int copy_file(const char *from, const char *to, mm_error *err)
{
    int in;
    if (mm_open_regular(from, recopy_hint, &in, err) != 0)
        return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
        int e = errno;
        close(in);
        return mm_error_errno(err, e, "copy 1.x meta to", to);
    }
    char buf[65536];
    int rc = 0;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = mm_error_errno(err, errno, "read 1.x meta", from);
            break;
        }
        if (n == 0)
            break;
        rc = mm_write_full(out, buf, (size_t)n, to, err);
        if (rc != 0)
            break;
    }
    close(in);
    close(out);
    return rc;
}

static int remove_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

/* Copies meta.sqlite and whichever of -wal/-shm exist into a private
 * directory; returns the copy's path. */
static char *private_copy(const char *path, char **dir_out, mm_error *err)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = mm_asprintf("%s/milvus-migrate-meta.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!dir || !mkdtemp(dir)) {
        mm_error_errno(err, errno, "create a private directory for a copy of", path);
        free(dir);
        return NULL;
    }
    *dir_out = dir;
    char *copy = mm_asprintf("%s/meta.sqlite", dir);
    int rc = copy ? copy_file(path, copy, err) : -1;
    static const char *const suffixes[] = {"-wal", "-shm"};
    for (size_t i = 0; rc == 0 && i < 2; i++) {
        char *from = mm_asprintf("%s%s", path, suffixes[i]);
        char *to = mm_asprintf("%s%s", copy, suffixes[i]);
        if (from && to && access(from, F_OK) == 0)
            rc = copy_file(from, to, err);
        free(from);
        free(to);
    }
    if (rc != 0) {
        free(copy);
        return NULL;
    }
    return copy;
}

int mm_meta_read_sqlite(const char *path, mm_meta_rows *out, mm_error *err)
{
    mm_meta_rows_init(out);
    struct stat st;
    if (stat(path, &st) != 0)
        return mm_error_set(err, MM_ERR_IO, "open 1.x meta %s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return mm_error_set(err, MM_ERR_IO, "open 1.x meta %s: it is %s, not a file; %s", path,
                            mm_file_kind(st.st_mode), recopy_hint);
    if (check_wal_files(path, err) != 0)
        return -1;
    out->kind = MM_META_KIND_SQLITE;
    out->origin = mm_strdup(path);
    char *copy_dir = NULL;
    char *copy = private_copy(path, &copy_dir, err);
    if (!copy) {
        if (copy_dir)
            nftw(copy_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
        free(copy_dir);
        mm_meta_rows_free(out);
        return -1;
    }
    char *uri = sqlite_uri(copy);
    if (!out->origin || !uri) {
        free(uri);
        nftw(copy_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
        free(copy_dir);
        free(copy);
        mm_meta_rows_free(out);
        return mm_error_set(err, MM_ERR_NOMEM, "open 1.x meta %s: out of memory", path);
    }
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    free(uri);
    if (rc != SQLITE_OK) {
        mm_error_set(err, MM_ERR_META, "open 1.x meta %s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        nftw(copy_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
        free(copy_dir);
        free(copy);
        mm_meta_rows_free(out);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    rc = check_schema(db, path, out, err);
    if (rc == 0)
        rc = check_integrity(db, path, err);
    if (rc == 0)
        rc = read_tables(db, out, err);
    if (rc == 0)
        rc = read_files(db, out, err);
    if (rc == 0)
        rc = read_environment(db, out, err);
    sqlite3_close(db);
    nftw(copy_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(copy_dir);
    free(copy);
    if (rc != 0)
        mm_meta_rows_free(out);
    return rc;
}
