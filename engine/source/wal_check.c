/* Unflushed 1.x data (specs/milvus1x-format.md §5): NEW file rows, an
 * mxlog.meta LSN past the flushed LSNs, and WAL records whose LSN is past
 * the flush_lsn of the collection or partition they target. */
#include "source/wal_check.h"

#include "base/fsutil.h"

#include "base/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { RECORD_HEADER = 21, WAL_INSERT_BINARY = 1, WAL_INSERT_VECTOR = 2, WAL_DELETE = 3, WAL_FLUSH = 5 };

typedef mm_wal_target target_count;

typedef struct counts {
    target_count *items;
    size_t n;
} counts;

static const mm_table_row *find_target(const mm_meta_rows *rows, const char *collection, const char *tag)
{
    for (size_t i = 0; i < rows->n_tables; i++) {
        const mm_table_row *t = &rows->tables[i];
        if (t->state != MM_TABLE_NORMAL)
            continue;
        if (!tag[0] && !t->owner_table[0] && strcmp(t->table_id, collection) == 0)
            return t;
        if (tag[0] && strcmp(t->owner_table, collection) == 0 && strcmp(t->partition_tag, tag) == 0)
            return t;
    }
    return NULL;
}

static target_count *count_for(counts *c, const char *collection, const char *tag, int64_t flushed)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->items[i].collection, collection) == 0 && strcmp(c->items[i].tag, tag) == 0)
            return &c->items[i];
    target_count *grown = realloc(c->items, (c->n + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    c->items = grown;
    target_count *t = &c->items[c->n++];
    memset(t, 0, sizeof *t);
    t->collection = mm_strdup(collection);
    t->tag = mm_strdup(tag);
    t->flushed = flushed;
    return t;
}

static const char wal_recopy_hint[] = "copy the 1.x WAL directory (wal.path) again from the stopped 1.x server";

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const unsigned char *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

static int parse_wal_file(const char *path, const mm_meta_rows *rows, counts *c, mm_wal_report *rep, mm_error *err)
{
    FILE *f = mm_fopen_regular(path, wal_recopy_hint, err);
    if (!f)
        return -1;
    long offset = 0;
    int rc = 0;
    unsigned char h[RECORD_HEADER];
    char *name = NULL, *tag = NULL;
    for (;;) {
        size_t got = fread(h, 1, sizeof h, f);
        if (got == 0)
            break;
        if (got < sizeof h) {
            rc = mm_error_set(err, MM_ERR_FORMAT, "read WAL %s: record at byte %ld is truncated (%zu of %d header "
                              "bytes)", path, offset, got, RECORD_HEADER);
            break;
        }
        int64_t lsn = (int64_t)le64(h);
        unsigned type = h[8];
        uint16_t name_len = le16(h + 9), tag_len = le16(h + 11);
        uint32_t vectors = le32(h + 13), data_size = le32(h + 17);
        uint64_t body = (uint64_t)name_len + tag_len + (uint64_t)vectors * 8 + data_size;
        free(name);
        free(tag);
        name = calloc((size_t)name_len + 1, 1);
        tag = calloc((size_t)tag_len + 1, 1);
        if (!name || !tag || fread(name, 1, name_len, f) != name_len || fread(tag, 1, tag_len, f) != tag_len ||
            fseek(f, (long)(body - name_len - tag_len), SEEK_CUR) != 0 || ftell(f) != offset + RECORD_HEADER + (long)body) {
            rc = mm_error_set(err, MM_ERR_FORMAT, "read WAL %s: record at byte %ld (LSN %lld) is truncated or "
                              "malformed", path, offset, (long long)lsn);
            break;
        }
        struct stat st;
        if (fstat(fileno(f), &st) == 0 && offset + RECORD_HEADER + (long)body > st.st_size) {
            rc = mm_error_set(err, MM_ERR_FORMAT, "read WAL %s: record at byte %ld (LSN %lld) runs past the end of "
                              "the file", path, offset, (long long)lsn);
            break;
        }
        offset += RECORD_HEADER + (long)body;
        if (type == WAL_FLUSH)
            continue;
        const mm_table_row *t = find_target(rows, name, tag);
        int64_t flushed = t ? t->flush_lsn : -1;
        if (t && lsn <= flushed)
            continue;
        target_count *tc = count_for(c, name, tag, flushed);
        if (!tc) {
            rc = mm_error_set(err, MM_ERR_NOMEM, "read WAL %s: out of memory", path);
            break;
        }
        tc->records++;
        rep->unflushed_records++;
        if (lsn > tc->max_lsn)
            tc->max_lsn = lsn;
        if (type == WAL_INSERT_BINARY || type == WAL_INSERT_VECTOR) {
            tc->inserted += vectors;
            rep->unflushed_inserted_rows += vectors;
        } else if (type == WAL_DELETE) {
            tc->deleted += vectors;
            rep->unflushed_deleted_ids += vectors;
        }
    }
    free(name);
    free(tag);
    fclose(f);
    return rc;
}

static bool is_wal_name(const char *name)
{
    size_t n = strlen(name);
    if (n < 5 || strcmp(name + n - 4, ".wal") != 0)
        return false;
    for (size_t i = 0; i < n - 4; i++)
        if (name[i] < '0' || name[i] > '9')
            return false;
    return true;
}

static int add_detail(mm_wal_report *rep, char *text)
{
    char **grown = text ? realloc(rep->details, (rep->n_details + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(text);
        return -1;
    }
    rep->details = grown;
    rep->details[rep->n_details++] = text;
    return 0;
}

static char *describe(const target_count *t)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_appendf(&sb, "collection '%s'", t->collection);
    if (t->tag[0])
        mm_strbuf_appendf(&sb, " partition '%s'", t->tag);
    if (t->flushed < 0)
        mm_strbuf_appendf(&sb, " (not in the meta): %lld row(s) inserted and %lld id(s) deleted, only in the WAL",
                          (long long)t->inserted, (long long)t->deleted);
    else
        mm_strbuf_appendf(&sb, ": %lld row(s) inserted and %lld id(s) deleted after the last flush (LSN %lld > "
                          "flushed %lld)", (long long)t->inserted, (long long)t->deleted, (long long)t->max_lsn,
                          (long long)t->flushed);
    return mm_strbuf_take(&sb);
}

static int read_mxlog(const char *wal_dir, mm_wal_report *rep, mm_error *err)
{
    char *path = mm_asprintf("%s/mxlog.meta", wal_dir);
    if (!path)
        return mm_error_set(err, MM_ERR_NOMEM, "check WAL: out of memory");
    /* No mxlog.meta is no error; anything but a file there is. */
    int rc = mm_check_regular(path, wal_recopy_hint, err);
    FILE *f = rc == 0 ? mm_fopen_regular(path, wal_recopy_hint, err) : NULL;
    if (rc == 0 && !f)
        rc = -1;
    if (rc == 1)
        rc = 0;
    if (f) {
        unsigned char buf[24];
        if (fread(buf, 1, sizeof buf, f) != sizeof buf) {
            rc = mm_error_set(err, MM_ERR_FORMAT, "read %s: expected 24 bytes (three LSNs)", path);
        } else {
            rep->has_mxlog = true;
            uint64_t prev = le64(buf), a = le64(buf + 8), b = le64(buf + 16);
            rep->mxlog_latest_lsn = (int64_t)(a == b ? b : prev);
        }
        fclose(f);
    }
    free(path);
    return rc;
}

int mm_wal_check(const char *wal_dir, const mm_meta_rows *rows, mm_wal_report *rep, mm_error *err)
{
    memset(rep, 0, sizeof *rep);
    for (size_t i = 0; i < rows->n_files; i++)
        if (rows->files[i].file_type == MM_FILE_NEW)
            rep->new_file_rows++;
    rep->flushed_lsn = rows->has_global_lsn ? rows->global_lsn : 0;
    for (size_t i = 0; i < rows->n_tables; i++)
        if (rows->tables[i].state == MM_TABLE_NORMAL && rows->tables[i].flush_lsn > rep->flushed_lsn)
            rep->flushed_lsn = rows->tables[i].flush_lsn;
    struct stat st;
    if (!wal_dir || stat(wal_dir, &st) != 0 || !S_ISDIR(st.st_mode))
        goto details;
    rep->wal_dir_checked = true;
    if (read_mxlog(wal_dir, rep, err) != 0)
        return -1;
    DIR *d = opendir(wal_dir);
    if (!d)
        return mm_error_errno(err, errno, "list WAL directory", wal_dir);
    char **names = NULL;
    size_t n_names = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (is_wal_name(e->d_name)) {
            char **grown = realloc(names, (n_names + 1) * sizeof *grown);
            if (!grown)
                break;
            names = grown;
            names[n_names++] = mm_strdup(e->d_name);
        }
    closedir(d);
    counts c = {0};
    int rc = 0;
    for (size_t i = 0; i < n_names && rc == 0; i++) {
        char *path = mm_asprintf("%s/%s", wal_dir, names[i]);
        rc = path ? parse_wal_file(path, rows, &c, rep, err) : mm_error_set(err, MM_ERR_NOMEM, "check WAL: out of memory");
        free(path);
    }
    for (size_t i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    for (size_t i = 0; i < c.n; i++)
        if (rc == 0 && add_detail(rep, describe(&c.items[i])) != 0)
            rc = mm_error_set(err, MM_ERR_NOMEM, "check WAL: out of memory");
    rep->targets = c.items;
    rep->n_targets = c.n;
    if (rc != 0) {
        mm_wal_report_free(rep);
        return -1;
    }
details:
    if (rep->has_mxlog && rep->mxlog_latest_lsn > rep->flushed_lsn && rep->unflushed_records == 0)
        add_detail(rep, mm_asprintf("mxlog.meta records LSN %lld but the meta is flushed only up to %lld, and no "
                                    "WAL file holds the records in between", (long long)rep->mxlog_latest_lsn,
                                    (long long)rep->flushed_lsn));
    if (rep->new_file_rows)
        add_detail(rep, mm_asprintf("%zu TableFiles row(s) of type NEW: the server was stopped while it was "
                                    "buffering inserts", rep->new_file_rows));
    return 0;
}

bool mm_wal_report_unflushed(const mm_wal_report *rep)
{
    return rep->new_file_rows > 0 || rep->unflushed_records > 0 ||
           (rep->has_mxlog && rep->mxlog_latest_lsn > rep->flushed_lsn);
}

char *mm_wal_report_explain(const mm_wal_report *rep)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (size_t i = 0; i < rep->n_details; i++)
        mm_strbuf_appendf(&sb, "  %s\n", rep->details[i]);
    mm_strbuf_append(&sb,
                     "These rows exist only in the 1.x WAL, not in any segment, and would not be migrated.\n"
                     "To include them: start the 1.x server on this data, call flush() for every collection\n"
                     "(pymilvus 1.x: client.flush()), stop it gracefully (SIGINT) and copy db/ again with\n"
                     "meta.sqlite-wal and meta.sqlite-shm. To migrate without them, set\n"
                     "source.allowUnflushed: true.\n");
    return mm_strbuf_take(&sb);
}

void mm_wal_report_free(mm_wal_report *rep)
{
    for (size_t i = 0; i < rep->n_details; i++)
        free(rep->details[i]);
    free(rep->details);
    rep->details = NULL;
    rep->n_details = 0;
    for (size_t i = 0; i < rep->n_targets; i++) {
        free(rep->targets[i].collection);
        free(rep->targets[i].tag);
    }
    free(rep->targets);
    rep->targets = NULL;
    rep->n_targets = 0;
}
