/* One 1.x raw segment (specs/milvus1x-format.md §3): <file_id>.uid (u64
 * payload length + int64 ids), <file_id>.rv (u64 payload length + rows *
 * vector bytes) and deleted_docs (u64 payload length + int32 offsets).
 * Memory stays bounded: the deletion bitset (rows/8 bytes) and one read
 * buffer per call; payloads are read with pread in blocks. */
#include "source/segment.h"

#include "base/fsutil.h"
#include "base/remedy.h"
#include "base/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { READ_BLOCK = 1 << 20 };

struct mm_segment_reader {
    char *dir;
    char *rv_path, *uid_path, *dd_path;
    int rv_fd, uid_fd;
    int64_t rows;
    size_t bpv;
    uint8_t *deleted_bits;
    int64_t deleted, duplicates, out_of_range;
    int64_t run_cursor;     /* next row for next_live_run */
    int64_t read_cursor;    /* next row for read_live */
    char *label;            /* "<table_id>/<segment_id>" for messages */
};

static const char recopy_hint[] = "copy the segment directory again from the stopped 1.x server";

static bool is_deleted(const mm_segment_reader *r, int64_t row)
{
    return r->deleted_bits && (r->deleted_bits[row >> 3] >> (row & 7)) & 1;
}

/* Finds name in the segment directory under each tables dir, in order. */
static char *probe(const mm_segment_source *src, const char *name, char **first_dir)
{
    for (size_t i = 0; i < src->n_tables_dirs; i++) {
        char *path = mm_asprintf("%s/%s/%s/%s", src->tables_dirs[i], src->table_id, src->segment_id, name);
        if (!path)
            return NULL;
        if (i == 0 && first_dir && !*first_dir)
            *first_dir = mm_asprintf("%s/%s/%s", src->tables_dirs[0], src->table_id, src->segment_id);
        /* Anything there but nothing at all (a symlink loop, a directory,
         * a FIFO) is taken, for the open to name what it is. */
        struct stat st;
        if (lstat(path, &st) == 0 || (errno != ENOENT && errno != ENOTDIR))
            return path;
        free(path);
    }
    return NULL;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_dir_at(const char *dir, const char *child, const char *grandchild)
{
    char *path = grandchild ? mm_asprintf("%s/%s/%s", dir, child, grandchild) : mm_asprintf("%s/%s", dir, child);
    bool yes = path && is_dir(path);
    free(path);
    return yes;
}

/* Segment files are missing. Before advising to copy them again: is the
 * tables directory itself wrong (one level too high, as when it names the
 * folder that holds meta.json and tables/), or does the collection have no
 * directory there at all? */
static int wrong_tables_dir(const mm_segment_source *src, mm_error *err)
{
    for (size_t i = 0; i < src->n_tables_dirs; i++) {
        const char *dir = src->tables_dirs[i];
        if (is_dir_at(dir, src->table_id, NULL))
            return 0;
        if (is_dir_at(dir, "tables", src->table_id))
            return mm_error_set(err, MM_ERR_CONFIG, "segment %s/%s: source.local.tablesDir %s is one level too "
                                "high: the collection directories are in %s/tables; set source.local.tablesDir%s "
                                "to %s/tables", src->table_id, src->segment_id, dir, dir,
                                mm_remedy_how(MM_REMEDY_TABLES_DIR), dir);
    }
    if (src->n_tables_dirs > 1 || src->missing_hint)
        return 0;
    return mm_error_set(err, MM_ERR_IO, "segment %s/%s: %s has no directory %s for this collection or partition "
                        "of the 1.x meta; set source.local.tablesDir%s to the db/tables directory copied from the "
                        "1.x server (it holds one directory per collection and partition, named by its table_id), "
                        "or copy that directory again", src->table_id, src->segment_id, src->tables_dirs[0],
                        src->table_id, mm_remedy_how(MM_REMEDY_TABLES_DIR));
}

static int missing_file(const mm_segment_source *src, const char *name, mm_error *err)
{
    bool any_dir = false;
    for (size_t i = 0; i < src->n_tables_dirs; i++)
        any_dir |= is_dir(src->tables_dirs[i]);
    if (src->n_tables_dirs && !any_dir)
        return mm_error_set(err, MM_ERR_IO, "segment %s/%s: the 1.x tables directory %s does not exist; set "
                            "source.local.tablesDir%s to the db/tables directory of the 1.x installation",
                            src->table_id, src->segment_id, src->tables_dirs[0], mm_remedy_how(MM_REMEDY_TABLES_DIR));
    if (src->n_tables_dirs && wrong_tables_dir(src, err) != 0)
        return -1;
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (size_t i = 0; i < src->n_tables_dirs; i++)
        mm_strbuf_appendf(&sb, "%s%s/%s/%s/%s", i ? ", " : "", src->tables_dirs[i], src->table_id, src->segment_id,
                          name);
    mm_error_set(err, MM_ERR_IO, "segment %s/%s: %s is missing (looked for %s); %s%s%s", src->table_id,
                 src->segment_id, name, sb.len ? sb.data : "no tables directory given",
                 src->missing_hint ? src->missing_hint : "", src->missing_hint ? "; otherwise " : "", recopy_hint);
    mm_strbuf_free(&sb);
    return -1;
}

/* Opens path and checks "u64 payload length" against the file size. */
static int open_payload_file(const char *path, int *fd_out, uint64_t *payload, mm_error *err)
{
    int fd;
    if (mm_open_regular(path, recopy_hint, &fd, err) != 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return mm_error_errno(err, e, "stat", path);
    }
    uint64_t header = 0;
    if (st.st_size < 8) {
        close(fd);
        return mm_error_set(err, MM_ERR_FORMAT, "read %s: the file has %lld bytes, too short for its 8-byte length "
                            "header (truncated copy?); %s", path, (long long)st.st_size, recopy_hint);
    }
    if (mm_pread_full(fd, &header, 8, 0, path, err) != 0) {
        close(fd);
        return -1;
    }
    uint64_t actual = (uint64_t)st.st_size - 8;
    if (header != actual) {
        close(fd);
        return mm_error_set(err, MM_ERR_FORMAT, "read %s: the header says %llu payload bytes but the file holds %llu "
                            "(%s); %s", path, (unsigned long long)header, (unsigned long long)actual,
                            header > actual ? "truncated copy?" : "trailing bytes", recopy_hint);
    }
    *fd_out = fd;
    *payload = header;
    return 0;
}

static int load_deleted_docs(mm_segment_reader *r, mm_error *err)
{
    int fd = -1;
    uint64_t payload = 0;
    if (open_payload_file(r->dd_path, &fd, &payload, err) != 0)
        return -1;
    if (payload % 4 != 0) {
        close(fd);
        return mm_error_set(err, MM_ERR_FORMAT, "read %s: %llu payload bytes is not a whole number of 4-byte row "
                            "offsets; %s", r->dd_path, (unsigned long long)payload, recopy_hint);
    }
    int32_t *buf = malloc(READ_BLOCK);
    if (!buf) {
        close(fd);
        return mm_error_set(err, MM_ERR_NOMEM, "read %s: out of memory", r->dd_path);
    }
    uint64_t done = 0;
    int rc = 0;
    while (done < payload && rc == 0) {
        size_t chunk = payload - done < READ_BLOCK ? (size_t)(payload - done) : READ_BLOCK;
        if ((rc = mm_pread_full(fd, buf, chunk, 8 + (off_t)done, r->dd_path, err)) != 0)
            break;
        for (size_t i = 0; i < chunk / 4; i++) {
            int64_t off = buf[i];
            if (off < 0 || off >= r->rows) {
                r->out_of_range++;
            } else if (is_deleted(r, off)) {
                r->duplicates++;
            } else {
                r->deleted_bits[off >> 3] |= (uint8_t)(1u << (off & 7));
                r->deleted++;
            }
        }
        done += chunk;
    }
    free(buf);
    close(fd);
    return rc;
}

static int check_sizes(mm_segment_reader *r, const mm_segment_source *src, uint64_t uid_payload,
                       uint64_t rv_payload, mm_error *err)
{
    if (uid_payload % 8 != 0)
        return mm_error_set(err, MM_ERR_FORMAT, "read %s: %llu payload bytes is not a whole number of 8-byte ids; %s",
                            r->uid_path, (unsigned long long)uid_payload, recopy_hint);
    r->rows = (int64_t)(uid_payload / 8);
    if (src->dim <= 0 || src->dim > 32768 || (src->binary && src->dim % 8 != 0))
        return mm_error_set(err, MM_ERR_META, "segment %s: the meta gives dim %lld%s, which 1.x cannot have",
                            r->label, (long long)src->dim, src->binary ? " for binary vectors" : "");
    r->bpv = src->binary ? (size_t)src->dim / 8 : (size_t)src->dim * 4;
    if (rv_payload == (uint64_t)r->rows * r->bpv)
        return 0;
    uint64_t bytes = r->rows > 0 ? rv_payload / (uint64_t)r->rows : 0;
    if (r->rows > 0 && rv_payload % (uint64_t)r->rows == 0 && bytes > 0 && (src->binary || bytes % 4 == 0)) {
        return mm_error_set(err, MM_ERR_FORMAT, "segment %s: %s holds %llu-byte vectors (dim %llu %s) but the meta "
                            "says dim %lld; the meta and the segment files come from different installations",
                            r->label, r->rv_path, (unsigned long long)bytes,
                            (unsigned long long)(src->binary ? bytes * 8 : bytes / 4),
                            src->binary ? "binary" : "float", (long long)src->dim);
    }
    return mm_error_set(err, MM_ERR_FORMAT, "segment %s: %s holds %llu payload bytes but %s holds %lld ids, which "
                        "need %llu bytes of dim-%lld vectors; %s", r->label, r->rv_path,
                        (unsigned long long)rv_payload, r->uid_path, (long long)r->rows,
                        (unsigned long long)((uint64_t)r->rows * r->bpv), (long long)src->dim, recopy_hint);
}

int mm_segment_open(const mm_segment_source *src, mm_segment_reader **out, mm_error *err)
{
    *out = NULL;
    mm_segment_reader *r = calloc(1, sizeof *r);
    if (!r)
        return mm_error_set(err, MM_ERR_NOMEM, "open segment: out of memory");
    r->rv_fd = r->uid_fd = -1;
    const char *stem = src->file_id && src->file_id[0] ? src->file_id : src->segment_id;
    char *rv_name = mm_asprintf("%s.rv", stem), *uid_name = mm_asprintf("%s.uid", stem);
    r->label = mm_asprintf("%s/%s", src->table_id, src->segment_id);
    int rc = (!rv_name || !uid_name || !r->label) ? mm_error_set(err, MM_ERR_NOMEM, "open segment: out of memory") : 0;
    if (rc == 0 && !(r->uid_path = probe(src, uid_name, &r->dir)))
        rc = missing_file(src, uid_name, err);
    if (rc == 0 && !(r->rv_path = probe(src, rv_name, &r->dir)))
        rc = missing_file(src, rv_name, err);
    if (rc == 0) {
        free(r->dir);
        char *slash = strrchr(r->uid_path, '/');
        r->dir = mm_strndup(r->uid_path, (size_t)(slash - r->uid_path));
    }
    uint64_t uid_payload = 0, rv_payload = 0;
    if (rc == 0)
        rc = open_payload_file(r->uid_path, &r->uid_fd, &uid_payload, err);
    if (rc == 0)
        rc = open_payload_file(r->rv_path, &r->rv_fd, &rv_payload, err);
    if (rc == 0)
        rc = check_sizes(r, src, uid_payload, rv_payload, err);
    if (rc == 0) {
        r->deleted_bits = calloc((size_t)(r->rows / 8 + 1), 1);
        if (!r->deleted_bits)
            rc = mm_error_set(err, MM_ERR_NOMEM, "open segment %s: out of memory for %lld rows", r->label,
                              (long long)r->rows);
    }
    if (rc == 0) {
        r->dd_path = probe(src, "deleted_docs", NULL);
        if (r->dd_path)
            rc = load_deleted_docs(r, err);
        else if (!src->missing_deleted_docs_ok)
            rc = mm_error_set(err, MM_ERR_IO, "segment %s: deleted_docs is missing from %s; Milvus itself refuses "
                              "such a segment. Copy it again from the 1.x server, or set "
                              "source.missingDeletedDocsOk: true if this segment never had deletes",
                              r->label, r->dir);
    }
    free(rv_name);
    free(uid_name);
    if (rc != 0) {
        mm_segment_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

void mm_segment_close(mm_segment_reader *r)
{
    if (!r)
        return;
    if (r->rv_fd >= 0)
        close(r->rv_fd);
    if (r->uid_fd >= 0)
        close(r->uid_fd);
    free(r->dir);
    free(r->rv_path);
    free(r->uid_path);
    free(r->dd_path);
    free(r->deleted_bits);
    free(r->label);
    free(r);
}

int64_t mm_segment_rows(const mm_segment_reader *r) { return r->rows; }
int64_t mm_segment_deleted(const mm_segment_reader *r) { return r->deleted; }
int64_t mm_segment_live(const mm_segment_reader *r) { return r->rows - r->deleted; }
int64_t mm_segment_duplicate_offsets(const mm_segment_reader *r) { return r->duplicates; }
int64_t mm_segment_out_of_range_offsets(const mm_segment_reader *r) { return r->out_of_range; }
size_t mm_segment_vector_bytes(const mm_segment_reader *r) { return r->bpv; }
const char *mm_segment_rv_path(const mm_segment_reader *r) { return r->rv_path; }
const char *mm_segment_uid_path(const mm_segment_reader *r) { return r->uid_path; }
const char *mm_segment_dir(const mm_segment_reader *r) { return r->dir; }

bool mm_segment_is_deleted(const mm_segment_reader *r, int64_t row)
{
    return row >= 0 && row < r->rows && is_deleted(r, row);
}

void mm_segment_rewind(mm_segment_reader *r)
{
    r->run_cursor = 0;
    r->read_cursor = 0;
}

bool mm_segment_next_live_run(mm_segment_reader *r, int64_t *start, int64_t *count)
{
    int64_t row = r->run_cursor;
    while (row < r->rows && is_deleted(r, row))
        row++;
    if (row >= r->rows) {
        r->run_cursor = r->rows;
        return false;
    }
    int64_t end = row;
    while (end < r->rows && !is_deleted(r, end))
        end++;
    *start = row;
    *count = end - row;
    r->run_cursor = end;
    return true;
}

int mm_segment_read_live(mm_segment_reader *r, size_t max_rows, int64_t *ids, void *vectors, int64_t *rows_out,
                         size_t *n, mm_error *err)
{
    *n = 0;
    while (*n < max_rows && r->read_cursor < r->rows) {
        int64_t row = r->read_cursor;
        while (row < r->rows && is_deleted(r, row))
            row++;
        int64_t end = row;
        while (end < r->rows && !is_deleted(r, end) && end - row < (int64_t)(max_rows - *n))
            end++;
        r->read_cursor = end;
        int64_t count = end - row;
        if (count == 0)
            break;
        if (ids && mm_pread_full(r->uid_fd, ids + *n, (size_t)count * 8, 8 + (off_t)row * 8, r->uid_path, err) != 0)
            return -1;
        if (vectors && mm_pread_full(r->rv_fd, (char *)vectors + *n * r->bpv, (size_t)count * r->bpv,
                                     8 + (off_t)row * (off_t)r->bpv, r->rv_path, err) != 0)
            return -1;
        if (rows_out)
            for (int64_t i = 0; i < count; i++)
                rows_out[*n + (size_t)i] = row + i;
        *n += (size_t)count;
    }
    return 0;
}

int mm_segment_read_row(mm_segment_reader *r, int64_t row, int64_t *id, void *vector, mm_error *err)
{
    if (row < 0 || row >= r->rows)
        return mm_error_set(err, MM_ERR_INTERNAL, "segment %s: row %lld is outside its %lld rows", r->label,
                            (long long)row, (long long)r->rows);
    if (id && mm_pread_full(r->uid_fd, id, 8, 8 + (off_t)row * 8, r->uid_path, err) != 0)
        return -1;
    if (vector && mm_pread_full(r->rv_fd, vector, r->bpv, 8 + (off_t)row * (off_t)r->bpv, r->rv_path, err) != 0)
        return -1;
    return 0;
}
