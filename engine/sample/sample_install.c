/* Writes the sample 1.x installation described in sample_install.h. The
 * layout and byte formats follow specs/milvus1x-format.md (§1.2 native DDL,
 * §2 layout, §3 file formats, §5 mxlog.meta); the content comes from one
 * fixed-seed generator so tests can assert exact counts and bytes. */
#include "sample/sample_install.h"

#include "base/fsutil.h"
#include "base/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SAMPLE_SEED UINT64_C(20231114)
/* LSN of the last flush: (WAL file number << 32) | end offset in that file. */
#define SAMPLE_FLUSH_LSN ((INT64_C(3) << 32) | INT64_C(1048576))
#define SAMPLE_PREVIOUS_LSN ((INT64_C(3) << 32) | INT64_C(1015808))
#define SAMPLE_INDEX_FILE_SIZE INT64_C(1073741824)
#define MAX_SEGMENTS 2
#define MAX_PARTITIONS 3

typedef struct sample_segment {
    int64_t flushed_us;   /* segment_id = file_id = flushed_us * 1000 (SafeIDGenerator) */
    int64_t first_id;     /* ids first_id, first_id + 1, ... in row order */
    int rows;
    int deleted;          /* distinct offsets drawn by the generator */
} sample_segment;

typedef struct sample_partition {
    const char *tag;      /* "" for the collection's own data */
    const char *table_id; /* NULL: the collection name */
    int64_t created_us;
    sample_segment segments[MAX_SEGMENTS];
    size_t n_segments;
} sample_partition;

typedef struct sample_collection {
    const char *name;
    int dim;
    int metric;           /* 1 L2, 3 HAMMING (binary) */
    int engine_type;      /* 2 IVF_FLAT, 10 BIN_IVF_FLAT */
    const char *index_params;
    int flag;             /* 1 auto ids, 2 user ids */
    sample_partition partitions[MAX_PARTITIONS];
    size_t n_partitions;
} sample_collection;

/* Auto ids are the insert time in µs × 1000 plus a counter, as 1.x makes
 * them; user ids are whatever the client sent. */
static const sample_collection sample[] = {
    {"images", 128, 1, 2, "{\"nlist\":1024}", 1,
     {{"", NULL, INT64_C(1700000000000000),
       {{INT64_C(1700000101000000), INT64_C(1700000100000000000), 1000, 60},
        {INT64_C(1700000201000000), INT64_C(1700000200000000000), 500, 0}}, 2},
      {"2024-Q1", "1700000050000000000", INT64_C(1700000050000000),
       {{INT64_C(1700000301000000), INT64_C(1700000300000000000), 400, 25}}, 1},
      {"caf\xc3\xa9", "1700000060000000000", INT64_C(1700000060000000),
       {{INT64_C(1700000401000000), INT64_C(1700000400000000000), 300, 12}}, 1}},
     3},
    {"fingerprints", 512, 3, 10, "{\"nlist\":256}", 2,
     {{"", NULL, INT64_C(1700000070000000),
       {{INT64_C(1700000501000000), INT64_C(100000), 600, 40},
        {INT64_C(1700000601000000), INT64_C(100600), 250, 0}}, 2}},
     1},
};

static const char *const native_ddl[] = {
    "CREATE TABLE Environment(global_lsn INTEGER DEFAULT (0) NOT NULL)",
    ("CREATE TABLE Tables(id INTEGER PRIMARY KEY NOT NULL,table_id TEXT UNIQUE NOT NULL,state INTEGER NOT "
     "NULL,dimension INTEGER NOT NULL,created_on INTEGER NOT NULL,flag INTEGER DEFAULT (0) NOT NULL,index_file_size "
     "INTEGER NOT NULL,engine_type INTEGER NOT NULL,index_params TEXT NOT NULL,metric_type INTEGER NOT "
     "NULL,owner_table TEXT DEFAULT ('') NOT NULL,partition_tag TEXT DEFAULT ('') NOT NULL,version TEXT DEFAULT "
     "('1.1.1') NOT NULL,flush_lsn INTEGER NOT NULL)"),
    ("CREATE TABLE TableFiles(id INTEGER PRIMARY KEY NOT NULL,table_id TEXT NOT NULL,segment_id TEXT DEFAULT ('') "
     "NOT NULL,engine_type INTEGER NOT NULL,file_id TEXT NOT NULL,file_type INTEGER NOT NULL,file_size INTEGER "
     "DEFAULT (0) NOT NULL,row_count INTEGER DEFAULT (0) NOT NULL,updated_time INTEGER NOT NULL,created_on INTEGER "
     "NOT NULL,date INTEGER NOT NULL,flush_lsn INTEGER NOT NULL)"),
    ("CREATE TABLE Fields(collection_id TEXT NOT NULL,field_name TEXT NOT NULL,field_type INTEGER NOT "
     "NULL,field_params TEXT NOT NULL)"),
};

static bool is_binary(const sample_collection *c)
{
    return c->metric >= 3 && c->metric <= 7;
}

static size_t vector_bytes(const sample_collection *c)
{
    return is_binary(c) ? (size_t)c->dim / 8 : (size_t)c->dim * 4;
}

static const char *table_id_of(const sample_collection *c, const sample_partition *p)
{
    return p->table_id ? p->table_id : c->name;
}

/* splitmix64: small, fast and the same on every platform. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static void put_u32le(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64le(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* ---- files --------------------------------------------------------------- */

static int write_new_file(const char *path, const void *data, size_t len, mm_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return mm_error_errno(err, errno, "write sample 1.x installation: create", path);
    int rc = mm_write_full(fd, data, len, path, err);
    if (close(fd) != 0 && rc == 0)
        rc = mm_error_errno(err, errno, "write sample 1.x installation: close", path);
    return rc;
}

/* The u64 payload length, then the payload: .rv, .uid and deleted_docs
 * share this frame (§3.1–3.3). */
static int write_framed(const char *dir, const char *name, unsigned char *buf, size_t payload, mm_error *err)
{
    put_u64le(buf, payload);
    char *path = mm_asprintf("%s/%s", dir, name);
    if (!path)
        return mm_error_set(err, MM_ERR_NOMEM, "write sample 1.x installation: out of memory");
    int rc = write_new_file(path, buf, 8 + payload, err);
    free(path);
    return rc;
}

/* Distinct offsets in [0, rows), ascending: one 1.1 delete round. */
static int32_t *draw_deleted(uint64_t *rng, int rows, int deleted)
{
    unsigned char *hit = calloc((size_t)rows + 1, 1);
    int32_t *offsets = malloc(((size_t)deleted + 1) * sizeof *offsets);
    if (!hit || !offsets) {
        free(hit);
        free(offsets);
        return NULL;
    }
    for (int drawn = 0; drawn < deleted;) {
        int off = (int)(next_random(rng) % (uint64_t)rows);
        if (!hit[off]) {
            hit[off] = 1;
            drawn++;
        }
    }
    for (int off = 0, k = 0; off < rows; off++)
        if (hit[off])
            offsets[k++] = off;
    free(hit);
    return offsets;
}

static void fill_vectors(const sample_collection *c, uint64_t *rng, unsigned char *out, int rows)
{
    size_t n = (size_t)rows * vector_bytes(c);
    if (is_binary(c)) {
        for (size_t i = 0; i < n; i++)
            out[i] = (unsigned char)(next_random(rng) >> 56);
        return;
    }
    /* Multiples of 1/1000 in [-1, 1]: exactly reproducible floats. */
    for (size_t i = 0; i < n; i += 4) {
        float v = (float)((int)(next_random(rng) % 2001) - 1000) / 1000.0f;
        uint32_t bits;
        memcpy(&bits, &v, sizeof bits);
        put_u32le(out + i, bits);
    }
}

/* 1.1 bloom filter (§3.4): "bloom_0\0", u32 capacity, f64 error rate, u64
 * bitmap bytes, bitmap. No migrator reads it; it is here because Milvus
 * writes one per segment. The bitmap is sized for the capacity at 1 % (about
 * 9.6 bits per id) and left empty. */
static int write_bloom(const char *dir, int rows, mm_error *err)
{
    uint64_t bitmap = ((uint64_t)rows * 96 / 10 + 7) / 8;
    size_t len = 28 + (size_t)bitmap;
    unsigned char *buf = calloc(len, 1);
    if (!buf)
        return mm_error_set(err, MM_ERR_NOMEM, "write sample 1.x installation: out of memory");
    memcpy(buf, "bloom_0", 8);
    put_u32le(buf + 8, (uint32_t)rows);
    double rate = 0.01;
    uint64_t rate_bits;
    memcpy(&rate_bits, &rate, sizeof rate_bits);
    put_u64le(buf + 12, rate_bits);
    put_u64le(buf + 20, bitmap);
    char *path = mm_asprintf("%s/bloom_filter", dir);
    int rc = path ? write_new_file(path, buf, len, err)
                  : mm_error_set(err, MM_ERR_NOMEM, "write sample 1.x installation: out of memory");
    free(path);
    free(buf);
    return rc;
}

static int write_segment(const char *tables_dir, const sample_collection *c, const sample_partition *p,
                         const sample_segment *s, uint64_t *rng, mm_error *err)
{
    char *seg_dir = mm_asprintf("%s/%s/%lld", tables_dir, table_id_of(c, p), (long long)s->flushed_us * 1000);
    char *rv_name = mm_asprintf("%lld.rv", (long long)s->flushed_us * 1000);
    char *uid_name = mm_asprintf("%lld.uid", (long long)s->flushed_us * 1000);
    size_t bpv = vector_bytes(c);
    unsigned char *buf = malloc(8 + (size_t)s->rows * (bpv > 8 ? bpv : 8));
    int32_t *offsets = draw_deleted(rng, s->rows, s->deleted);
    int rc = 0;
    if (!seg_dir || !rv_name || !uid_name || !buf || !offsets)
        rc = mm_error_set(err, MM_ERR_NOMEM, "write sample 1.x installation: out of memory");
    if (rc == 0)
        rc = mm_mkdir_p(seg_dir, err);
    if (rc == 0) {
        fill_vectors(c, rng, buf + 8, s->rows);
        rc = write_framed(seg_dir, rv_name, buf, (size_t)s->rows * bpv, err);
    }
    if (rc == 0) {
        for (int i = 0; i < s->rows; i++)
            put_u64le(buf + 8 + (size_t)i * 8, (uint64_t)(s->first_id + i));
        rc = write_framed(seg_dir, uid_name, buf, (size_t)s->rows * 8, err);
    }
    if (rc == 0) {
        for (int i = 0; i < s->deleted; i++)
            put_u32le(buf + 8 + (size_t)i * 4, (uint32_t)offsets[i]);
        rc = write_framed(seg_dir, "deleted_docs", buf, (size_t)s->deleted * 4, err);
    }
    if (rc == 0)
        rc = write_bloom(seg_dir, s->rows, err);
    free(offsets);
    free(buf);
    free(uid_name);
    free(rv_name);
    free(seg_dir);
    return rc;
}

/* ---- meta.sqlite --------------------------------------------------------- */

/* TableFiles.date: struct tm's year-1900, 0-based month and day, as 1.x
 * stores it (the verified 0.9.1 sample has 1210205 for 2021-03-05). */
static int64_t date_of(int64_t us)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    return (int64_t)tm.tm_year * 10000 + tm.tm_mon * 100 + tm.tm_mday;
}

static int sql_fail(sqlite3 *db, const char *path, mm_error *err)
{
    return mm_error_set(err, MM_ERR_DB, "write sample 1.x installation: %s: %s", path, sqlite3_errmsg(db));
}

static int insert_table_row(sqlite3_stmt *st, int64_t id, const sample_collection *c, const sample_partition *p)
{
    const char *owner = p->tag[0] ? c->name : "";
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, table_id_of(c, p), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, 0);
    sqlite3_bind_int(st, 4, c->dim);
    sqlite3_bind_int64(st, 5, p->created_us);
    sqlite3_bind_int(st, 6, p->tag[0] ? 0 : c->flag);
    sqlite3_bind_int64(st, 7, SAMPLE_INDEX_FILE_SIZE);
    sqlite3_bind_int(st, 8, c->engine_type);
    sqlite3_bind_text(st, 9, c->index_params, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 10, c->metric);
    sqlite3_bind_text(st, 11, owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, p->tag, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, MM_SAMPLE_MILVUS_VERSION, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 14, SAMPLE_FLUSH_LSN);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int insert_file_row(sqlite3_stmt *st, int64_t id, const sample_collection *c, const sample_partition *p,
                           const sample_segment *s)
{
    char segment_id[32];
    snprintf(segment_id, sizeof segment_id, "%lld", (long long)s->flushed_us * 1000);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, table_id_of(c, p), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, segment_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, c->engine_type);
    sqlite3_bind_text(st, 5, segment_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 6, 1); /* RAW: below index_file_size, never indexed */
    sqlite3_bind_int64(st, 7, (int64_t)s->rows * (int64_t)(vector_bytes(c) + 8));
    sqlite3_bind_int64(st, 8, s->rows - s->deleted);
    sqlite3_bind_int64(st, 9, s->flushed_us);
    sqlite3_bind_int64(st, 10, s->flushed_us);
    sqlite3_bind_int64(st, 11, date_of(s->flushed_us));
    sqlite3_bind_int64(st, 12, SAMPLE_FLUSH_LSN);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int fill_meta(sqlite3 *db, mm_error *err, const char *path)
{
    for (size_t i = 0; i < sizeof native_ddl / sizeof native_ddl[0]; i++)
        if (sqlite3_exec(db, native_ddl[i], NULL, NULL, NULL) != SQLITE_OK)
            return sql_fail(db, path, err);
    char *env = mm_asprintf("INSERT INTO Environment VALUES (%lld)", (long long)SAMPLE_FLUSH_LSN);
    int rc = env && sqlite3_exec(db, env, NULL, NULL, NULL) == SQLITE_OK ? 0 : sql_fail(db, path, err);
    free(env);
    sqlite3_stmt *tables = NULL, *files = NULL;
    if (rc == 0 && (sqlite3_prepare_v2(db, "INSERT INTO Tables VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &tables,
                                       NULL) != SQLITE_OK ||
                    sqlite3_prepare_v2(db, "INSERT INTO TableFiles VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", -1, &files,
                                       NULL) != SQLITE_OK))
        rc = sql_fail(db, path, err);
    int64_t table_row = 0, file_row = 0;
    for (size_t ci = 0; rc == 0 && ci < sizeof sample / sizeof sample[0]; ci++) {
        const sample_collection *c = &sample[ci];
        for (size_t pi = 0; rc == 0 && pi < c->n_partitions; pi++) {
            const sample_partition *p = &c->partitions[pi];
            if (insert_table_row(tables, ++table_row, c, p) != 0)
                rc = sql_fail(db, path, err);
            for (size_t si = 0; rc == 0 && si < p->n_segments; si++)
                if (insert_file_row(files, ++file_row, c, p, &p->segments[si]) != 0)
                    rc = sql_fail(db, path, err);
        }
    }
    sqlite3_finalize(tables);
    sqlite3_finalize(files);
    return rc;
}

/* Milvus keeps its SQLite meta in WAL journal mode; a server that stopped
 * cleanly has checkpointed it, so the rows are in meta.sqlite itself. */
static int write_meta(const char *db_dir, mm_error *err)
{
    char *path = mm_asprintf("%s/meta.sqlite", db_dir);
    if (!path)
        return mm_error_set(err, MM_ERR_NOMEM, "write sample 1.x installation: out of memory");
    sqlite3 *db = NULL;
    int rc = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        rc = db ? sql_fail(db, path, err)
                : mm_error_set(err, MM_ERR_NOMEM, "write sample 1.x installation: %s: out of memory", path);
    if (rc == 0)
        rc = fill_meta(db, err, path);
    if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = sql_fail(db, path, err);
    if (db && sqlite3_close(db) != SQLITE_OK && rc == 0)
        rc = mm_error_set(err, MM_ERR_DB, "write sample 1.x installation: %s: close failed", path);
    free(path);
    return rc;
}

/* ---- WAL and server configuration ----------------------------------------- */

/* mxlog.meta (§5): previous, latest, latest LSN. Equal to the flushed LSN:
 * nothing is waiting in the WAL. */
static int write_mxlog(const char *wal_dir, mm_error *err)
{
    unsigned char buf[24];
    put_u64le(buf, (uint64_t)SAMPLE_PREVIOUS_LSN);
    put_u64le(buf + 8, (uint64_t)SAMPLE_FLUSH_LSN);
    put_u64le(buf + 16, (uint64_t)SAMPLE_FLUSH_LSN);
    char *path = mm_asprintf("%s/mxlog.meta", wal_dir);
    int rc = path ? write_new_file(path, buf, sizeof buf, err)
                  : mm_error_set(err, MM_ERR_NOMEM, "write sample 1.x installation: out of memory");
    free(path);
    return rc;
}

static void append_yaml_string(mm_strbuf *sb, const char *s)
{
    mm_strbuf_append(sb, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            mm_strbuf_append(sb, "\\");
        mm_strbuf_append_n(sb, s, 1);
    }
    mm_strbuf_append(sb, "\"");
}

static int write_server_config(const char *data_dir, const char *conf_dir, mm_error *err)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_append(&sb, "# Milvus " MM_SAMPLE_MILVUS_VERSION " server configuration of a sample installation\n"
                          "version: 0.5\n\ncluster:\n  enable: false\n  role: rw\n\n"
                          "general:\n  timezone: UTC+8\n  meta_uri: sqlite://:@:/\n\n"
                          "network:\n  bind.address: 0.0.0.0\n  bind.port: 19530\n\n"
                          "storage:\n  path: ");
    append_yaml_string(&sb, data_dir);
    mm_strbuf_append(&sb, "\n  auto_flush_interval: 1\n\n"
                          "wal:\n  enable: true\n  recovery_error_ignore: false\n  buffer_size: 256MB\n  path: ");
    char *wal = mm_asprintf("%s/wal", data_dir);
    if (wal)
        append_yaml_string(&sb, wal);
    mm_strbuf_append(&sb, "\n");
    free(wal);
    char *path = mm_asprintf("%s/server_config.yaml", conf_dir);
    int rc = path && wal && mm_strbuf_ok(&sb)
                 ? write_new_file(path, sb.data, sb.len, err)
                 : mm_error_set(err, MM_ERR_NOMEM, "write sample 1.x installation: out of memory");
    free(path);
    mm_strbuf_free(&sb);
    return rc;
}

/* ---- the whole installation ------------------------------------------------ */

static int prepare_empty_dir(const char *dir, mm_error *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno != ENOENT)
            return mm_error_errno(err, errno, "write sample 1.x installation: open", dir);
        return mm_mkdir_p(dir, err);
    }
    bool empty = true;
    for (struct dirent *e; empty && (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = false;
    closedir(d);
    if (!empty)
        return mm_error_set(err, MM_ERR_ARGUMENT,
                            "write sample 1.x installation: %s is not empty; give a new or empty directory", dir);
    return 0;
}

int mm_sample_install_write(const char *data_dir, mm_error *err)
{
    if (prepare_empty_dir(data_dir, err) != 0)
        return -1;
    char *root = realpath(data_dir, NULL);
    if (!root)
        return mm_error_errno(err, errno, "write sample 1.x installation: resolve", data_dir);
    char *db_dir = mm_asprintf("%s/db", root);
    char *tables_dir = mm_asprintf("%s/db/tables", root);
    char *wal_dir = mm_asprintf("%s/wal", root);
    char *conf_dir = mm_asprintf("%s/conf", root);
    int rc = db_dir && tables_dir && wal_dir && conf_dir
                 ? 0
                 : mm_error_set(err, MM_ERR_NOMEM, "write sample 1.x installation: out of memory");
    if (rc == 0)
        rc = mm_mkdir_p(tables_dir, err);
    if (rc == 0)
        rc = mm_mkdir_p(wal_dir, err);
    if (rc == 0)
        rc = mm_mkdir_p(conf_dir, err);
    uint64_t rng = SAMPLE_SEED;
    for (size_t ci = 0; rc == 0 && ci < sizeof sample / sizeof sample[0]; ci++)
        for (size_t pi = 0; rc == 0 && pi < sample[ci].n_partitions; pi++)
            for (size_t si = 0; rc == 0 && si < sample[ci].partitions[pi].n_segments; si++)
                rc = write_segment(tables_dir, &sample[ci], &sample[ci].partitions[pi],
                                   &sample[ci].partitions[pi].segments[si], &rng, err);
    if (rc == 0)
        rc = write_meta(db_dir, err);
    if (rc == 0)
        rc = write_mxlog(wal_dir, err);
    if (rc == 0)
        rc = write_server_config(root, conf_dir, err);
    free(conf_dir);
    free(wal_dir);
    free(tables_dir);
    free(db_dir);
    free(root);
    return rc;
}

void mm_sample_install_summary(mm_sample_summary *out)
{
    memset(out, 0, sizeof *out);
    for (size_t ci = 0; ci < sizeof sample / sizeof sample[0]; ci++) {
        out->collections++;
        for (size_t pi = 0; pi < sample[ci].n_partitions; pi++) {
            const sample_partition *p = &sample[ci].partitions[pi];
            if (p->tag[0])
                out->partitions++;
            for (size_t si = 0; si < p->n_segments; si++) {
                out->segments++;
                out->rows += p->segments[si].rows;
                out->deleted += p->segments[si].deleted;
            }
        }
    }
    out->live = out->rows - out->deleted;
}
