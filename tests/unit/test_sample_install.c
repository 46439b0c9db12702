/* The sample 1.x installation read back with the engine's own readers:
 * discovery from the data directory, meta rows, the live-set rules, a scan
 * of every segment and the unflushed-data check give exact counts; the
 * files have the exact frames of specs/milvus1x-format.md §3 and the same
 * bytes on every run. */
#include "sample/sample_install.h"
#include "source/inventory.h"
#include "source/scan.h"
#include "source/source.h"
#include "source/wal_check.h"
#include "base/strbuf.h"
#include "testlib.h"

#include <stdlib.h>
#include <sys/stat.h>

#define FLUSH_LSN INT64_C(12885950464) /* (3 << 32) | 1048576 */

typedef struct expected_partition {
    const char *tag, *target_name, *table_id;
    size_t segments;
    int64_t rows, deleted, live, bytes;
} expected_partition;

static const expected_partition images_parts[] = {
    {"", "_default", "images", 2, 1500, 60, 1440, 1500 * (512 + 8)},
    {"2024-Q1", "_2024_Q1", "1700000050000000000", 1, 400, 25, 375, 400 * (512 + 8)},
    {"caf\xc3\xa9", "cafe", "1700000060000000000", 1, 300, 12, 288, 300 * (512 + 8)},
};
static const expected_partition fingerprints_parts[] = {
    {"", "_default", "fingerprints", 2, 850, 40, 810, 850 * (64 + 8)},
};

static void check_partitions(const mm_collection_info *c, const expected_partition *want, size_t n)
{
    MM_CHECK_INT(c->n_partitions, n);
    for (size_t i = 0; i < n && i < c->n_partitions; i++) {
        const mm_partition_info *p = &c->partitions[i];
        MM_CHECK_STR(p->tag, want[i].tag);
        MM_CHECK_STR(p->target_name, want[i].target_name);
        MM_CHECK_STR(p->table_id, want[i].table_id);
        MM_CHECK_INT(p->flush_lsn, FLUSH_LSN);
        MM_CHECK_INT(p->n_segments, want[i].segments);
        int64_t rows = 0, deleted = 0, live = 0, bytes = 0;
        for (size_t s = 0; s < p->n_segments; s++) {
            const mm_segment_info *seg = &p->segments[s];
            MM_CHECK(seg->scanned);
            MM_CHECK_INT(seg->file_type, 1);
            MM_CHECK_STR(seg->file_id, seg->segment_id);
            MM_CHECK_INT(seg->meta_row_count, seg->live);
            MM_CHECK_INT(seg->duplicate_offsets, 0);
            MM_CHECK_INT(seg->out_of_range_offsets, 0);
            MM_CHECK_INT(seg->meta_file_size, (int64_t)seg->bytes);
            rows += seg->rows;
            deleted += seg->deleted;
            live += seg->live;
            bytes += (int64_t)seg->bytes;
        }
        MM_CHECK_INT(rows, want[i].rows);
        MM_CHECK_INT(deleted, want[i].deleted);
        MM_CHECK_INT(live, want[i].live);
        MM_CHECK_INT(bytes, want[i].bytes);
    }
}

static char *read_at(const char *root, const char *relative, size_t *len)
{
    char *path = mm_asprintf("%s/%s", root, relative);
    char *data = mm_test_read_file(path, len);
    free(path);
    return data;
}

MM_TEST(readers_see_exact_counts)
{
    char *dir = mm_test_tmpdir("sample");
    char *root = mm_asprintf("%s/milvus", dir);
    mm_error err;
    mm_error_clear(&err);
    MM_CHECK_INT(mm_sample_install_write(root, &err), 0);
    MM_CHECK_STR(err.message, "");

    mm_source_spec spec = {.data_dir = root};
    mm_source src;
    MM_CHECK_INT(mm_source_open(&spec, &src, &err), 0);
    MM_CHECK_STR(err.message, "");
    MM_CHECK_STR(src.rows.ddl_era, "native (0.10.4+)");
    MM_CHECK_INT(src.rows.n_tables, 4);
    MM_CHECK_INT(src.rows.n_files, 6);
    MM_CHECK(src.rows.has_global_lsn);
    MM_CHECK_INT(src.rows.global_lsn, FLUSH_LSN);
    MM_CHECK_INT(src.n_tables_dirs, 1);
    char *tables = mm_asprintf("%s/db/tables", root);
    char *wal = mm_asprintf("%s/wal", root);
    MM_CHECK_STR(src.n_tables_dirs ? src.tables_dirs[0] : NULL, tables);
    MM_CHECK_STR(src.wal.dir, wal);
    /* struct tm's year-1900, 0-based month, day: 2023-11-14. */
    for (size_t i = 0; i < src.rows.n_files; i++)
        MM_CHECK_INT(src.rows.files[i].date, 1231014);

    mm_wal_report walrep;
    memset(&walrep, 0, sizeof walrep);
    MM_CHECK_INT(mm_wal_check(src.wal.dir, &src.rows, &walrep, &err), 0);
    MM_CHECK(walrep.wal_dir_checked);
    MM_CHECK(walrep.has_mxlog);
    MM_CHECK_INT(walrep.mxlog_latest_lsn, FLUSH_LSN);
    MM_CHECK_INT(walrep.flushed_lsn, FLUSH_LSN);
    MM_CHECK(!mm_wal_report_unflushed(&walrep));
    mm_wal_report_free(&walrep);

    mm_inventory inv;
    MM_CHECK_INT(mm_inventory_build(&src.rows, &inv, &err), 0);
    mm_scan_options opt = {.tables_dirs = (const char *const *)src.tables_dirs,
                           .n_tables_dirs = src.n_tables_dirs,
                           .check_duplicate_ids = true};
    MM_CHECK_INT(mm_inventory_scan(&inv, &opt, &err), 0);
    MM_CHECK_STR(err.message, "");
    MM_CHECK_INT(inv.n_collections, 2);
    MM_CHECK_INT(inv.dropped_collections, 0);
    MM_CHECK_INT(inv.new_file_rows, 0);
    MM_CHECK_INT(inv.max_flush_lsn, FLUSH_LSN);
    static const char *const warnings[] = {
        "collection 'images': partition tag '2024-Q1' is not a valid 2.x partition name; it becomes '_2024_Q1'",
        "collection 'images': partition tag 'caf\xc3\xa9' is not a valid 2.x partition name; it becomes 'cafe'",
    };
    MM_CHECK_INT(inv.n_warnings, 2);
    for (size_t i = 0; i < inv.n_warnings && i < 2; i++)
        MM_CHECK_STR(inv.warnings[i], warnings[i]);

    if (inv.n_collections == 2) {
        const mm_collection_info *f = &inv.collections[0];
        MM_CHECK_STR(f->name, "fingerprints");
        MM_CHECK_STR(f->target_name, "fingerprints");
        MM_CHECK(f->binary);
        MM_CHECK_INT(f->dim, 512);
        MM_CHECK_STR(mm_metric_name(f->metric_type), "HAMMING");
        MM_CHECK_STR(mm_engine_type_name(f->engine_type), "BIN_IVF_FLAT");
        MM_CHECK_STR(f->index_params, "{\"nlist\":256}");
        MM_CHECK_INT(f->flag, 2);
        MM_CHECK_STR(f->version, "1.1.1");
        MM_CHECK_INT(f->duplicate_ids, 0);
        check_partitions(f, fingerprints_parts, 1);

        const mm_collection_info *im = &inv.collections[1];
        MM_CHECK_STR(im->name, "images");
        MM_CHECK(!im->binary);
        MM_CHECK_INT(im->dim, 128);
        MM_CHECK_STR(mm_metric_name(im->metric_type), "L2");
        MM_CHECK_STR(mm_engine_type_name(im->engine_type), "IVF_FLAT");
        MM_CHECK_STR(im->index_params, "{\"nlist\":1024}");
        MM_CHECK_INT(im->flag, 1);
        MM_CHECK_INT(im->index_file_size, 1073741824);
        MM_CHECK_INT(im->duplicate_ids, 0);
        check_partitions(im, images_parts, 3);
    }

    mm_sample_summary sum;
    mm_sample_install_summary(&sum);
    MM_CHECK_INT(sum.collections, 2);
    MM_CHECK_INT(sum.partitions, 2);
    MM_CHECK_INT(sum.segments, 6);
    MM_CHECK_INT(sum.rows, 3050);
    MM_CHECK_INT(sum.deleted, 137);
    MM_CHECK_INT(sum.live, 2913);

    mm_inventory_free(&inv);
    mm_source_free(&src);
    free(wal);
    free(tables);
    free(root);
    mm_test_rmtree(dir);
    free(dir);
}

/* Size and first 24 bytes of files of the sample: the u64 payload length
 * of each frame (§3.1-3.3), little-endian ids and offsets, the 1.1 bloom
 * header, mxlog.meta = {previous, latest, latest} LSN. */
typedef struct expected_file {
    const char *path;
    size_t size;
    const char *head; /* hex */
} expected_file;

static const expected_file files[] = {
    {"db/tables/images/1700000101000000000/1700000101000000000.rv", 8 + 1000 * 512,
     "00d0070000000000" "7368913e022b67bf" "931864bf5ebac9be"},
    {"db/tables/images/1700000101000000000/1700000101000000000.uid", 8 + 1000 * 8,
     "401f000000000000" "00e8a07e159d9717" "01e8a07e159d9717"},
    {"db/tables/images/1700000101000000000/deleted_docs", 8 + 60 * 4,
     "f000000000000000" "010000001e000000" "260000002a000000"},
    {"db/tables/images/1700000101000000000/bloom_filter", 28 + 1200,
     "626c6f6f6d5f3000" "e80300007b14ae47" "e17a843fb0040000"},
    {"db/tables/images/1700000201000000000/deleted_docs", 8, "0000000000000000"},
    {"db/tables/1700000050000000000/1700000301000000000/1700000301000000000.rv", 8 + 400 * 512,
     "0020030000000000" "0c02abbeb29defbe" "5c8f82befca9f1bd"},
    {"db/tables/1700000060000000000/1700000401000000000/deleted_docs", 8 + 12 * 4,
     "3000000000000000" "2900000032000000" "3400000047000000"},
    {"db/tables/fingerprints/1700000501000000000/1700000501000000000.rv", 8 + 600 * 64,
     "0096000000000000" "60e5be614a67daa9" "3ee6f520a1816fa1"},
    {"db/tables/fingerprints/1700000501000000000/1700000501000000000.uid", 8 + 600 * 8,
     "c012000000000000" "a086010000000000" "a186010000000000"},
    {"db/tables/fingerprints/1700000601000000000/1700000601000000000.uid", 8 + 250 * 8,
     "d007000000000000" "f888010000000000" "f988010000000000"},
    {"wal/mxlog.meta", 24, "00800f0003000000" "0000100003000000" "0000100003000000"},
};

static char *to_hex(const char *data, size_t n)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (size_t i = 0; i < n; i++)
        mm_strbuf_appendf(&sb, "%02x", (unsigned char)data[i]);
    return mm_strbuf_take(&sb);
}

MM_TEST(files_have_exact_frames_and_bytes)
{
    char *dir = mm_test_tmpdir("sample");
    char *a = mm_asprintf("%s/a", dir), *b = mm_asprintf("%s/b", dir);
    mm_error err;
    MM_CHECK_INT(mm_sample_install_write(a, &err), 0);
    MM_CHECK_INT(mm_sample_install_write(b, &err), 0);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t la = 0, lb = 0;
        char *da = read_at(a, files[i].path, &la), *db = read_at(b, files[i].path, &lb);
        MM_CHECK(da && db);
        MM_CHECK_INT(la, files[i].size);
        MM_CHECK_INT(lb, la);
        if (da && db && la == lb)
            MM_CHECK_MEM(da, db, la); /* the same bytes on every run */
        if (da) {
            char *head = to_hex(da, la < 24 ? la : 24);
            MM_CHECK_STR(head, files[i].head);
            free(head);
        }
        free(da);
        free(db);
    }
    /* Rows live in meta.sqlite itself (a clean stop checkpoints the WAL),
     * which is still in WAL journal mode: header bytes 18-19 are 2, 2. */
    size_t len = 0;
    char *meta = read_at(a, "db/meta.sqlite", &len);
    MM_CHECK(meta && len >= 100 && meta[18] == 2 && meta[19] == 2);
    free(meta);
    char *wal = mm_asprintf("%s/db/meta.sqlite-wal", a);
    struct stat st;
    MM_CHECK(stat(wal, &st) != 0);
    free(wal);
    free(a);
    free(b);
    mm_test_rmtree(dir);
    free(dir);
}

MM_TEST(server_config_names_the_data_dir)
{
    char *dir = mm_test_tmpdir("sample");
    char *root = mm_asprintf("%s/milvus", dir);
    mm_error err;
    MM_CHECK_INT(mm_sample_install_write(root, &err), 0);
    size_t len = 0;
    char *conf = read_at(root, "conf/server_config.yaml", &len);
    char *want = mm_asprintf("# Milvus 1.1.1 server configuration of a sample installation\n"
                             "version: 0.5\n\ncluster:\n  enable: false\n  role: rw\n\n"
                             "general:\n  timezone: UTC+8\n  meta_uri: sqlite://:@:/\n\n"
                             "network:\n  bind.address: 0.0.0.0\n  bind.port: 19530\n\n"
                             "storage:\n  path: \"%s\"\n  auto_flush_interval: 1\n\n"
                             "wal:\n  enable: true\n  recovery_error_ignore: false\n  buffer_size: 256MB\n"
                             "  path: \"%s/wal\"\n",
                             root, root);
    MM_CHECK_STR(conf, want);
    free(want);
    free(conf);
    free(root);
    mm_test_rmtree(dir);
    free(dir);
}

MM_TEST(refuses_a_directory_that_is_not_empty)
{
    char *dir = mm_test_tmpdir("sample");
    MM_CHECK_INT(mm_test_write_file(dir, "keep.txt", "x", 1), 0);
    mm_error err;
    mm_error_clear(&err);
    MM_CHECK_INT(mm_sample_install_write(dir, &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_ARGUMENT);
    char *want = mm_asprintf("write sample 1.x installation: %s is not empty; give a new or empty directory", dir);
    MM_CHECK_STR(err.message, want);
    free(want);
    size_t len = 0;
    char *kept = read_at(dir, "keep.txt", &len);
    MM_CHECK(kept && len == 1 && kept[0] == 'x');
    free(kept);
    char *db = mm_asprintf("%s/db", dir);
    struct stat st;
    MM_CHECK(stat(db, &st) != 0);
    free(db);
    mm_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    MM_RUN(readers_see_exact_counts);
    MM_RUN(files_have_exact_frames_and_bytes);
    MM_RUN(server_config_names_the_data_dir);
    MM_RUN(refuses_a_directory_that_is_not_empty);
    return MM_TEST_EXIT();
}
