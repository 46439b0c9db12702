#include "source/segment.h"
#include "base/strbuf.h"
#include "testlib.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

/* Writes a segment: rows ids (100+i), float vectors v[i][j] = i*10+j, and
 * the given deleted offsets. Any of the three files can be replaced by
 * raw bytes through the override arguments. */
static void write_segment(const char *tables, const char *seg, int rows, int dim, const int32_t *dels, int n_dels)
{
    char name[256];
    size_t rv_len = 8 + (size_t)rows * dim * 4, uid_len = 8 + (size_t)rows * 8, dd_len = 8 + (size_t)n_dels * 4;
    unsigned char *rv = calloc(1, rv_len), *uid = calloc(1, uid_len), *dd = calloc(1, dd_len);
    uint64_t h = (uint64_t)rows * dim * 4;
    memcpy(rv, &h, 8);
    h = (uint64_t)rows * 8;
    memcpy(uid, &h, 8);
    h = (uint64_t)n_dels * 4;
    memcpy(dd, &h, 8);
    for (int i = 0; i < rows; i++) {
        int64_t id = 100 + i;
        memcpy(uid + 8 + i * 8, &id, 8);
        for (int j = 0; j < dim; j++) {
            float v = (float)(i * 10 + j);
            memcpy(rv + 8 + ((size_t)i * dim + j) * 4, &v, 4);
        }
    }
    if (n_dels)
        memcpy(dd + 8, dels, (size_t)n_dels * 4);
    snprintf(name, sizeof name, "c1/%s/%s.rv", seg, seg);
    mm_test_write_file(tables, name, rv, rv_len);
    snprintf(name, sizeof name, "c1/%s/%s.uid", seg, seg);
    mm_test_write_file(tables, name, uid, uid_len);
    snprintf(name, sizeof name, "c1/%s/deleted_docs", seg);
    mm_test_write_file(tables, name, dd, dd_len);
    free(rv);
    free(uid);
    free(dd);
}

static mm_segment_source source(const char *const *dirs, size_t n, const char *seg, int dim)
{
    mm_segment_source s = {.tables_dirs = dirs, .n_tables_dirs = n, .table_id = "c1", .segment_id = seg, .dim = dim};
    return s;
}

MM_TEST(deletes_are_deduplicated_and_range_checked)
{
    char *dir = mm_test_tmpdir("segment");
    const int32_t dels[] = {1, 3, 3, 9, -1, 10, 1, 4, 99};
    write_segment(dir, "7", 10, 2, dels, 9);
    const char *dirs[] = {dir};
    mm_segment_source src = source(dirs, 1, "7", 2);
    mm_segment_reader *r;
    mm_error err;
    MM_CHECK_INT(mm_segment_open(&src, &r, &err), 0);
    MM_CHECK_INT(mm_segment_rows(r), 10);
    MM_CHECK_INT(mm_segment_deleted(r), 4);
    MM_CHECK_INT(mm_segment_duplicate_offsets(r), 2);
    MM_CHECK_INT(mm_segment_out_of_range_offsets(r), 3);
    MM_CHECK_INT(mm_segment_live(r), 6);

    int64_t start, count;
    char runs[128] = "";
    while (mm_segment_next_live_run(r, &start, &count))
        snprintf(runs + strlen(runs), sizeof runs - strlen(runs), "%lld+%lld ", (long long)start, (long long)count);
    MM_CHECK_STR(runs, "0+1 2+1 5+4 ");

    int64_t ids[4], rows[4];
    float vecs[8];
    size_t n;
    char seen[256] = "";
    for (;;) {
        MM_CHECK_INT(mm_segment_read_live(r, 4, ids, vecs, rows, &n, &err), 0);
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++)
            snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "%lld@%lld:%g,%g ", (long long)ids[i],
                     (long long)rows[i], vecs[i * 2], vecs[i * 2 + 1]);
    }
    MM_CHECK_STR(seen, "100@0:0,1 102@2:20,21 105@5:50,51 106@6:60,61 107@7:70,71 108@8:80,81 ");
    mm_segment_close(r);
    mm_test_rmtree(dir);
    free(dir);
}

MM_TEST(files_are_probed_on_every_root)
{
    char *a = mm_test_tmpdir("root-a"), *b = mm_test_tmpdir("root-b");
    write_segment(b, "8", 3, 4, NULL, 0);
    const char *dirs[] = {a, b};
    mm_segment_source src = source(dirs, 2, "8", 4);
    mm_segment_reader *r;
    mm_error err;
    MM_CHECK_INT(mm_segment_open(&src, &r, &err), 0);
    MM_CHECK_INT(mm_segment_live(r), 3);
    char *expected = mm_asprintf("%s/c1/8", b);
    MM_CHECK_STR(mm_segment_dir(r), expected);
    free(expected);
    mm_segment_close(r);

    src.segment_id = "9";
    MM_CHECK_INT(mm_segment_open(&src, &r, &err), -1);
    expected = mm_asprintf("segment c1/9: 9.uid is missing (looked for %s/c1/9/9.uid, %s/c1/9/9.uid); copy the "
                           "segment directory again from the stopped 1.x server", a, b);
    MM_CHECK_STR(err.message, expected);
    free(expected);
    mm_test_rmtree(a);
    mm_test_rmtree(b);
    free(a);
    free(b);
}

static void expect_open_error(const char *dir, const char *seg, int dim, bool binary, const char *message)
{
    const char *dirs[] = {dir};
    mm_segment_source src = source(dirs, 1, seg, dim);
    src.binary = binary;
    mm_segment_reader *r = NULL;
    mm_error err;
    MM_CHECK_INT(mm_segment_open(&src, &r, &err), -1);
    MM_CHECK(r == NULL);
    char *expected = mm_asprintf(message, dir, dir, dir);
    MM_CHECK_STR(err.message, expected);
    free(expected);
}

MM_TEST(malformed_segments_are_named)
{
    char *dir = mm_test_tmpdir("segment-bad");
    write_segment(dir, "1", 4, 2, NULL, 0);
    expect_open_error(dir, "1", 4, false,
                      "segment c1/1: %s/c1/1/1.rv holds 8-byte vectors (dim 2 float) but the meta says dim 4; the "
                      "meta and the segment files come from different installations");

    /* .rv with one row fewer than .uid */
    write_segment(dir, "2", 4, 2, NULL, 0);
    unsigned char rv[8 + 24];
    uint64_t h = 24;
    memset(rv, 0, sizeof rv);
    memcpy(rv, &h, 8);
    mm_test_write_file(dir, "c1/2/2.rv", rv, sizeof rv);
    expect_open_error(dir, "2", 2, false,
                      "segment c1/2: %s/c1/2/2.rv holds 24 payload bytes but %s/c1/2/2.uid holds 4 ids, which need "
                      "32 bytes of dim-2 vectors; copy the segment directory again from the stopped 1.x server");

    /* header claims more than the file has, including an absurd value */
    write_segment(dir, "3", 4, 2, NULL, 0);
    h = UINT64_MAX;
    unsigned char uid[8 + 32];
    memset(uid, 0, sizeof uid);
    memcpy(uid, &h, 8);
    mm_test_write_file(dir, "c1/3/3.uid", uid, sizeof uid);
    expect_open_error(dir, "3", 2, false,
                      "read %s/c1/3/3.uid: the header says 18446744073709551615 payload bytes but the file holds 32 "
                      "(truncated copy?); copy the segment directory again from the stopped 1.x server");

    write_segment(dir, "4", 4, 2, NULL, 0);
    mm_test_write_file(dir, "c1/4/4.uid", "\x01\x02", 2);
    expect_open_error(dir, "4", 2, false,
                      "read %s/c1/4/4.uid: the file has 2 bytes, too short for its 8-byte length header (truncated "
                      "copy?); copy the segment directory again from the stopped 1.x server");

    write_segment(dir, "5", 4, 2, NULL, 0);
    unsigned char dd[8 + 6] = {6, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0};
    mm_test_write_file(dir, "c1/5/deleted_docs", dd, sizeof dd);
    expect_open_error(dir, "5", 2, false,
                      "read %s/c1/5/deleted_docs: 6 payload bytes is not a whole number of 4-byte row offsets; copy "
                      "the segment directory again from the stopped 1.x server");

    write_segment(dir, "6", 4, 2, NULL, 0);
    expect_open_error(dir, "6", 12, true, "segment c1/6: the meta gives dim 12 for binary vectors, which 1.x cannot have");
    mm_test_rmtree(dir);
    free(dir);
}

MM_TEST(binary_vectors_and_empty_segments)
{
    char *dir = mm_test_tmpdir("segment-bin");
    /* 2 float-sized rows of dim 2 = 16 bytes = 2 rows of binary dim 64 */
    write_segment(dir, "1", 2, 2, NULL, 0);
    const char *dirs[] = {dir};
    mm_segment_source src = source(dirs, 1, "1", 64);
    src.binary = true;
    mm_segment_reader *r;
    mm_error err;
    MM_CHECK_INT(mm_segment_open(&src, &r, &err), 0);
    MM_CHECK_INT(mm_segment_vector_bytes(r), 8);
    MM_CHECK_INT(mm_segment_live(r), 2);
    mm_segment_close(r);

    write_segment(dir, "2", 0, 8, NULL, 0);
    src = source(dirs, 1, "2", 8);
    MM_CHECK_INT(mm_segment_open(&src, &r, &err), 0);
    int64_t start, count;
    MM_CHECK(!mm_segment_next_live_run(r, &start, &count));
    size_t n = 1;
    MM_CHECK_INT(mm_segment_read_live(r, 10, NULL, NULL, NULL, &n, &err), 0);
    MM_CHECK_INT(n, 0);
    mm_segment_close(r);
    mm_test_rmtree(dir);
    free(dir);
}

/* A 512 MiB segment (sparse file) streams in well under 64 MiB of RSS. */
MM_TEST(memory_does_not_grow_with_segment_size)
{
    char *dir = mm_test_tmpdir("segment-big");
    const int64_t rows = 1 << 20, dim = 128;
    char *rv = mm_asprintf("%s/c1/1/1.rv", dir), *uid = mm_asprintf("%s/c1/1/1.uid", dir);
    uint64_t h = (uint64_t)rows * dim * 4;
    mm_test_write_file(dir, "c1/1/1.rv", &h, 8);
    MM_CHECK_INT(truncate(rv, 8 + (off_t)h), 0);
    h = (uint64_t)rows * 8;
    mm_test_write_file(dir, "c1/1/1.uid", &h, 8);
    MM_CHECK_INT(truncate(uid, 8 + (off_t)h), 0);
    uint64_t zero = 0;
    mm_test_write_file(dir, "c1/1/deleted_docs", &zero, 8);
    const char *dirs[] = {dir};
    mm_segment_source src = source(dirs, 1, "1", (int)dim);
    mm_segment_reader *r;
    mm_error err;
    MM_CHECK_INT(mm_segment_open(&src, &r, &err), 0);
    enum { BLOCK = 2048 };
    int64_t *ids = malloc(BLOCK * 8);
    float *vecs = malloc(BLOCK * dim * 4);
    int64_t total = 0;
    size_t n;
    do {
        MM_CHECK_INT(mm_segment_read_live(r, BLOCK, ids, vecs, NULL, &n, &err), 0);
        total += (int64_t)n;
    } while (n > 0);
    MM_CHECK_INT(total, rows);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    MM_CHECK(ru.ru_maxrss < 64 * 1024);
    mm_segment_close(r);
    free(ids);
    free(vecs);
    free(rv);
    free(uid);
    mm_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    MM_RUN(deletes_are_deduplicated_and_range_checked);
    MM_RUN(files_are_probed_on_every_root);
    MM_RUN(malformed_segments_are_named);
    MM_RUN(binary_vectors_and_empty_segments);
    MM_RUN(memory_does_not_grow_with_segment_size);
    return MM_TEST_EXIT();
}
