/* Segment reader (engine/source/segment.c) on arbitrary .uid, .rv and
 * deleted_docs files. The input is split into the three files:
 *
 *   byte 0     flags: 1 binary vectors, 2 missing deleted_docs is ok,
 *              4 no deleted_docs file, 8 the files' 8-byte length headers
 *              come from the input (else the harness writes correct ones),
 *              16 dim is byte 1 * 256 (else byte 1 - 1),
 *              32 read_live without the ids, 64 without the vectors,
 *              128 the meta's row_count is given (else it is the true live count)
 *   byte 1     dim code
 *   byte 2     rows per read_live call, minus one (1..256)
 *   bytes 3-4  .uid length, little endian
 *   bytes 5-6  .rv length, little endian
 *   bytes 7-10 with flag 128: the meta's row_count, little endian
 *   rest       deleted_docs
 *
 * The files live in a private directory under $TMPDIR, rewritten for each
 * input. Properties of a segment that opens: the counts match an
 * independent reading of the three files; live runs and read_live return
 * exactly the rows not deleted, in order, with the ids and vectors the
 * files hold at those rows. Then the same segment scanned as part of a
 * 1.x install whose meta claims a row_count: every row is accounted for
 * (migrated or deleted), and nothing is dropped silently: a segment that
 * cannot be read, a collection 2.x cannot take, ignored deleted_docs
 * offsets and a row_count the files contradict each leave a warning, and
 * the last two an error, never zero rows. */
#include "fuzz_targets.h"

#include "source/inventory.h"
#include "source/scan.h"
#include "source/segment.h"
#include "base/strbuf.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    F_BINARY = 1,
    F_MISSING_OK = 2,
    F_NO_DELETED_DOCS = 4,
    F_RAW_HEADERS = 8,
    F_BIG_DIM = 16,
    F_NO_IDS = 32,
    F_NO_VECTORS = 64,
    F_META_ROWS = 128
};

static char *tables_dir;
static char *root_dir;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_root(void)
{
    nftw(root_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void make_dirs(void)
{
    if (tables_dir)
        return;
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/mm-fuzz-segment-XXXXXX", base && *base ? base : "/tmp");
    FUZZ_CHECK(mkdtemp(tmpl));
    root_dir = strdup(tmpl);
    size_t n = strlen(tmpl) + 32;
    tables_dir = malloc(n);
    FUZZ_CHECK(root_dir && tables_dir);
    snprintf(tables_dir, n, "%s/tables", tmpl);
    FUZZ_CHECK(mkdir(tables_dir, 0700) == 0);
    char seg[4200];
    snprintf(seg, sizeof seg, "%s/t", tables_dir);
    FUZZ_CHECK(mkdir(seg, 0700) == 0);
    snprintf(seg, sizeof seg, "%s/t/s", tables_dir);
    FUZZ_CHECK(mkdir(seg, 0700) == 0);
    atexit(remove_root);
}

static void write_file(const char *name, const uint8_t *payload, size_t len, bool header)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/t/s/%s", tables_dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FUZZ_CHECK(fd >= 0);
    uint64_t n = len;
    FUZZ_CHECK(!header || write(fd, &n, 8) == 8);
    FUZZ_CHECK(len == 0 || write(fd, payload, len) == (ssize_t)len);
    close(fd);
}

/* The payload of one file as the reader must see it (after the header). */
typedef struct part {
    const uint8_t *payload;
    size_t len;
} part;

static part payload_of(const uint8_t *bytes, size_t len, bool raw_headers)
{
    part p = {bytes, len};
    if (raw_headers) {
        p.payload = len >= 8 ? bytes + 8 : bytes;
        p.len = len >= 8 ? len - 8 : 0;
    }
    return p;
}

static void check_open_segment(mm_segment_reader *r, part uid, part rv, part dd, bool has_dd, size_t batch,
                               unsigned flags)
{
    int64_t rows = (int64_t)(uid.len / 8);
    FUZZ_CHECK(mm_segment_rows(r) == rows);
    size_t bpv = mm_segment_vector_bytes(r);
    FUZZ_CHECK(bpv > 0 && rv.len == (size_t)rows * bpv);

    uint8_t *deleted = calloc((size_t)rows + 1, 1);
    FUZZ_CHECK(deleted);
    int64_t distinct = 0, duplicates = 0, out_of_range = 0;
    for (size_t i = 0; has_dd && i + 4 <= dd.len; i += 4) {
        int32_t off;
        memcpy(&off, dd.payload + i, 4);
        if (off < 0 || off >= rows)
            out_of_range++;
        else if (deleted[off])
            duplicates++;
        else
            deleted[off] = 1, distinct++;
    }
    FUZZ_CHECK(mm_segment_deleted(r) == distinct);
    FUZZ_CHECK(mm_segment_duplicate_offsets(r) == duplicates);
    FUZZ_CHECK(mm_segment_out_of_range_offsets(r) == out_of_range);
    FUZZ_CHECK(mm_segment_live(r) == rows - distinct);
    FUZZ_CHECK(!mm_segment_is_deleted(r, -1) && !mm_segment_is_deleted(r, rows));
    for (int64_t row = 0; row < rows; row++)
        FUZZ_CHECK(mm_segment_is_deleted(r, row) == (bool)deleted[row]);

    for (int pass = 0; pass < 2; pass++) {
        int64_t next = 0, start, count, live = 0;
        while (mm_segment_next_live_run(r, &start, &count)) {
            FUZZ_CHECK(start >= next && count > 0 && start + count <= rows);
            for (int64_t row = next; row < start; row++)
                FUZZ_CHECK(deleted[row]);
            for (int64_t row = start; row < start + count; row++)
                FUZZ_CHECK(!deleted[row]);
            FUZZ_CHECK(start + count == rows || deleted[start + count]);
            live += count;
            next = start + count;
        }
        FUZZ_CHECK(live == rows - distinct);
        mm_segment_rewind(r);
    }

    int64_t *ids = malloc(batch * 8), *at = malloc(batch * 8);
    uint8_t *vectors = malloc(batch * bpv);
    FUZZ_CHECK(ids && at && vectors);
    bool want_ids = !(flags & F_NO_IDS), want_vectors = !(flags & F_NO_VECTORS);
    int64_t seen = 0, last = -1;
    for (;;) {
        size_t n = 99;
        mm_error err = {0};
        FUZZ_CHECK(mm_segment_read_live(r, batch, want_ids ? ids : NULL, want_vectors ? vectors : NULL, at, &n,
                                        &err) == 0);
        FUZZ_CHECK(n <= batch);
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(at[i] > last && at[i] < rows && !deleted[at[i]]);
            for (int64_t row = last + 1; row < at[i]; row++)
                FUZZ_CHECK(deleted[row]);
            last = at[i];
            FUZZ_CHECK(!want_ids || memcmp(&ids[i], uid.payload + at[i] * 8, 8) == 0);
            FUZZ_CHECK(!want_vectors || memcmp(vectors + i * bpv, rv.payload + (size_t)at[i] * bpv, bpv) == 0);
        }
        seen += (int64_t)n;
    }
    FUZZ_CHECK(seen == rows - distinct);
    free(ids);
    free(at);
    free(vectors);
    free(deleted);
}

static bool warning_names(const mm_inventory *inv, const char *text)
{
    for (size_t i = 0; i < inv->n_warnings; i++)
        if (strstr(inv->warnings[i], text))
            return true;
    return false;
}

/* The segment as one collection "t" of a 1.x meta whose TableFiles row
 * says meta_rows, scanned the way inspect and dump scan it. */
static void check_scan(int64_t dim, bool binary, bool missing_ok, int64_t meta_rows)
{
    mm_meta_rows rows;
    mm_meta_rows_init(&rows);
    rows.origin = mm_strdup("fuzz.sqlite");
    rows.ddl_era = mm_strdup("native (0.10.4+)");
    mm_table_row *t = mm_meta_rows_add_table(&rows);
    FUZZ_CHECK(t);
    t->id = 1;
    t->table_id = mm_strdup("t");
    t->dimension = dim;
    t->engine_type = 1;
    t->metric_type = binary ? 3 : 1;
    t->index_params = mm_strdup("{}");
    t->owner_table = mm_strdup("");
    t->partition_tag = mm_strdup("");
    t->version = mm_strdup("1.1.0");
    mm_file_row *f = mm_meta_rows_add_file(&rows);
    FUZZ_CHECK(f);
    f->id = 1;
    f->table_id = mm_strdup("t");
    f->segment_id = mm_strdup("s");
    f->file_id = mm_strdup("s");
    f->file_type = 1;
    f->row_count = meta_rows;
    mm_inventory inv;
    mm_error err = {0};
    FUZZ_CHECK(mm_inventory_build(&rows, &inv, &err) == 0);
    FUZZ_CHECK(inv.n_collections == 1 && inv.collections[0].partitions[0].n_segments == 1);
    const mm_collection_info *c = &inv.collections[0];
    const mm_segment_info *seg = &c->partitions[0].segments[0];
    const char *dirs[] = {tables_dir};
    mm_scan_options o = {.tables_dirs = dirs, .n_tables_dirs = 1, .missing_deleted_docs_ok = missing_ok};
    int rc = mm_inventory_scan(&inv, &o, &err);
    if (c->schema_problem) {
        /* Not read, and said so. */
        FUZZ_CHECK(rc == 0 && !seg->scanned && warning_names(&inv, "cannot be migrated"));
    } else if (rc != 0) {
        FUZZ_CHECK(err.code != MM_OK && err.message[0] && !seg->scanned && warning_names(&inv, "segment"));
    } else {
        FUZZ_CHECK(seg->scanned && seg->live + seg->deleted == seg->rows);
        mm_rows_verdict v = mm_segment_rows_verdict(seg);
        FUZZ_CHECK(v != MM_ROWS_CONTRADICTED);
        FUZZ_CHECK(v == MM_ROWS_AGREE ? seg->live == meta_rows
                                      : seg->live > meta_rows && seg->live - meta_rows <= seg->duplicate_offsets);
        FUZZ_CHECK(v == MM_ROWS_AGREE || warning_names(&inv, "meta row_count is"));
        FUZZ_CHECK(!seg->out_of_range_offsets || warning_names(&inv, "which delete no row"));
        /* Zero rows never stand in for rows the meta claims. */
        FUZZ_CHECK(meta_rows <= 0 || seg->live > 0);
    }
    mm_inventory_free(&inv);
    mm_meta_rows_free(&rows);
}

int mm_fuzz_segment(const uint8_t *data, size_t size)
{
    if (size < 7)
        return 0;
    make_dirs();
    unsigned flags = data[0];
    bool binary = flags & F_BINARY, raw = flags & F_RAW_HEADERS, has_dd = !(flags & F_NO_DELETED_DOCS);
    int64_t dim = (flags & F_BIG_DIM) ? (int64_t)data[1] * 256 : (int64_t)data[1] - 1;
    size_t batch = (size_t)data[2] + 1;
    size_t uid_len = (size_t)data[3] | (size_t)data[4] << 8, rv_len = (size_t)data[5] | (size_t)data[6] << 8;
    const uint8_t *rest = data + 7;
    size_t left = size - 7;
    bool meta_given = flags & F_META_ROWS;
    int32_t meta_rows = -1;
    if (meta_given) {
        if (left < 4)
            return 0;
        memcpy(&meta_rows, rest, 4);
        rest += 4;
        left -= 4;
    }
    if (uid_len > left)
        uid_len = left;
    const uint8_t *uid_bytes = rest;
    rest += uid_len, left -= uid_len;
    if (rv_len > left)
        rv_len = left;
    const uint8_t *rv_bytes = rest;
    rest += rv_len, left -= rv_len;

    write_file("s.uid", uid_bytes, uid_len, !raw);
    write_file("s.rv", rv_bytes, rv_len, !raw);
    char dd_path[4200];
    snprintf(dd_path, sizeof dd_path, "%s/t/s/deleted_docs", tables_dir);
    if (has_dd)
        write_file("deleted_docs", rest, left, !raw);
    else
        unlink(dd_path);

    const char *dirs[] = {tables_dir};
    mm_segment_source src = {.tables_dirs = dirs, .n_tables_dirs = 1, .table_id = "t", .segment_id = "s",
                             .dim = dim, .binary = binary,
                             .missing_deleted_docs_ok = flags & F_MISSING_OK};
    mm_segment_reader *r = NULL;
    mm_error err = {0};
    if (mm_segment_open(&src, &r, &err) != 0) {
        FUZZ_CHECK(!r && err.code != MM_OK && err.message[0]);
        check_scan(dim, binary, flags & F_MISSING_OK, meta_given ? meta_rows : 0);
        return 0;
    }
    /* What was opened must be what a correct reader accepts. */
    part uid = payload_of(uid_bytes, uid_len, raw), rv = payload_of(rv_bytes, rv_len, raw),
         dd = payload_of(rest, left, raw);
    FUZZ_CHECK(has_dd || (flags & F_MISSING_OK));
    uint64_t header;
    FUZZ_CHECK(!raw || (memcpy(&header, uid_bytes, 8), header == uid.len));
    FUZZ_CHECK(!raw || (memcpy(&header, rv_bytes, 8), header == rv.len));
    FUZZ_CHECK(!raw || !has_dd || (memcpy(&header, rest, 8), header == dd.len));
    FUZZ_CHECK(uid.len % 8 == 0 && (!has_dd || dd.len % 4 == 0));
    FUZZ_CHECK(dim >= 1 && dim <= 32768 && (!binary || dim % 8 == 0));
    check_open_segment(r, uid, rv, dd, has_dd, batch, flags);
    int64_t live = mm_segment_live(r);
    mm_segment_close(r);
    check_scan(dim, binary, flags & F_MISSING_OK, meta_given ? meta_rows : live);
    return 0;
}

MM_FUZZ_ENTRY(mm_fuzz_segment)
