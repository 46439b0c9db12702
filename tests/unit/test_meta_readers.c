#include "source/inventory.h"
#include "source/meta_json.h"
#include "source/meta_sqlite.h"
#include "base/strbuf.h"
#include "testlib.h"

#include <sqlite3.h>
#include <stdlib.h>

MM_TEST(sqlite_errors_name_the_file_and_fix)
{
    char *dir = mm_test_tmpdir("metasqlite");
    mm_meta_rows rows;
    mm_error err;
    char *missing = mm_asprintf("%s/none/meta.sqlite", dir);
    MM_CHECK_INT(mm_meta_read_sqlite(missing, &rows, &err), -1);
    char *expected = mm_asprintf("open 1.x meta %s: No such file or directory", missing);
    MM_CHECK_STR(err.message, expected);
    free(expected);

    static const char junk_text[] = "this is not sqlite at all, just text padding padding padding padding "
                                    "padding padding padding padding padding padding";
    mm_test_write_file(dir, "junk.sqlite", junk_text, sizeof junk_text - 1);
    char *junk = mm_asprintf("%s/junk.sqlite", dir);
    MM_CHECK_INT(mm_meta_read_sqlite(junk, &rows, &err), -1);
    expected = mm_asprintf("read 1.x meta %s: not an SQLite database (file is not a database); give the "
                           "meta.sqlite of the Milvus 1.x data directory (<storage.path>/db/meta.sqlite)", junk);
    MM_CHECK_STR(err.message, expected);
    free(expected);

    /* A main file copied without its -wal: schema and rows are missing. */
    char *bare = mm_asprintf("%s/bare.sqlite", dir);
    sqlite3 *db;
    sqlite3_open(bare, &db);
    sqlite3_exec(db, "CREATE TABLE unrelated(x)", NULL, NULL, NULL);
    sqlite3_close(db);
    MM_CHECK_INT(mm_meta_read_sqlite(bare, &rows, &err), -1);
    expected = mm_asprintf("read 1.x meta %s: no table Tables and no meta.sqlite-wal beside it; Milvus keeps "
                           "recent metadata in meta.sqlite-wal: copy meta.sqlite together with meta.sqlite-wal "
                           "and meta.sqlite-shm", bare);
    MM_CHECK_STR(err.message, expected);
    MM_CHECK_INT(err.code, MM_ERR_META);
    free(expected);
    free(bare);
    free(junk);
    free(missing);
    mm_test_rmtree(dir);
    free(dir);
}

static const char reference_example[] =
    "{\"collections\":[{\"collection\":\"test1w\",\"metric\":1,\"rows\":10000,\"dim\":256,\"segments\":[{"
    "\"collection\":\"test1w\",\"segment\":\"1678354366132931000\",\"dim\":256,\"rows\":10000,\"fileSize\":"
    "10320000}]}],\"rows\":10000}";

MM_TEST(reference_meta_json_parses_and_renders)
{
    mm_meta_rows rows;
    mm_error err;
    MM_CHECK_INT(mm_meta_json_parse(reference_example, strlen(reference_example), "m.json", &rows, &err), 0);
    MM_CHECK_INT(rows.n_tables, 1);
    MM_CHECK_STR(rows.tables[0].table_id, "test1w");
    MM_CHECK_INT(rows.tables[0].dimension, 256);
    MM_CHECK_INT(rows.tables[0].metric_type, 1);
    MM_CHECK_INT(rows.n_files, 1);
    MM_CHECK_STR(rows.files[0].segment_id, "1678354366132931000");
    MM_CHECK_STR(rows.files[0].file_id, "1678354366132931000");
    MM_CHECK_INT(rows.files[0].row_count, 10000);
    MM_CHECK_INT(rows.files[0].file_size, 10320000);
    MM_CHECK_INT(rows.files[0].file_type, 1);

    mm_inventory inv;
    MM_CHECK_INT(mm_inventory_build(&rows, &inv, &err), 0);
    char *text = mm_meta_json_render(&inv, &err);
    MM_CHECK_STR(text,
                 "{\"collections\":[{\"collection\":\"test1w\",\"metric\":1,\"rows\":10000,\"dim\":256,\"segments\":[{"
                 "\"collection\":\"test1w\",\"segment\":\"1678354366132931000\",\"dim\":256,\"rows\":10000,"
                 "\"fileSize\":10320000,\"fileType\":1}],\"engineType\":1,\"indexType\":\"FLAT\",\"indexParams\":{},"
                 "\"metricType\":\"L2\",\"binary\":false,\"flag\":0,\"version\":\"\",\"flushLsn\":0,"
                 "\"partitions\":[]}],\"rows\":10000,\"globalLsn\":0}");
    free(text);
    mm_inventory_free(&inv);
    mm_meta_rows_free(&rows);
}

MM_TEST(extended_meta_json_round_trips_partitions)
{
    static const char text[] =
        "{\"collections\":[{\"collection\":\"c\",\"metric\":3,\"rows\":7,\"dim\":64,\"segments\":["
        "{\"collection\":\"c\",\"segment\":\"1\",\"dim\":64,\"rows\":4,\"fileSize\":48},"
        "{\"collection\":\"c\",\"segment\":\"2\",\"dim\":64,\"rows\":3,\"fileSize\":48,\"partition\":\"p 1\","
        "\"fileId\":\"22\",\"fileType\":7}],\"engineType\":10,\"indexParams\":{\"nlist\":4},"
        "\"partitions\":[{\"tag\":\"p 1\",\"tableId\":\"99\"}]}],\"rows\":7}";
    mm_meta_rows rows;
    mm_error err;
    MM_CHECK_INT(mm_meta_json_parse(text, strlen(text), "x.json", &rows, &err), 0);
    mm_inventory inv;
    MM_CHECK_INT(mm_inventory_build(&rows, &inv, &err), 0);
    MM_CHECK_INT(inv.n_collections, 1);
    const mm_collection_info *c = &inv.collections[0];
    MM_CHECK(c->binary);
    MM_CHECK_STR(c->index_params, "{\"nlist\":4}");
    MM_CHECK_INT(c->n_partitions, 2);
    MM_CHECK_STR(c->partitions[1].table_id, "99");
    MM_CHECK_STR(c->partitions[1].target_name, "p_1");
    MM_CHECK_INT(c->partitions[1].n_segments, 1);
    MM_CHECK_STR(c->partitions[1].segments[0].file_id, "22");
    char *out = mm_meta_json_render(&inv, &err);
    mm_meta_rows again;
    MM_CHECK_INT(mm_meta_json_parse(out, strlen(out), "again", &again, &err), 0);
    MM_CHECK_INT(again.n_tables, 2);
    MM_CHECK_INT(again.n_files, 2);
    MM_CHECK_STR(again.files[1].table_id, "99");
    MM_CHECK_INT(again.files[1].file_type, 7);
    free(out);
    mm_meta_rows_free(&again);
    mm_inventory_free(&inv);
    mm_meta_rows_free(&rows);
}

static void check_json_error(const char *text, const char *message)
{
    mm_meta_rows rows;
    mm_error err;
    MM_CHECK_INT(mm_meta_json_parse(text, strlen(text), "/x/meta.json", &rows, &err), -1);
    MM_CHECK_STR(err.message, message);
}

MM_TEST(meta_json_errors_name_the_path)
{
    check_json_error("{\"collections\":[{\"collection\":\"a\",\"metric\":1,\"dim\":8,\"segments\":[{\"segment\":\"1\",\"rows\":\"12\"}]}]}",
                     "meta.json /x/meta.json: collections[0].segments[0].rows: expected a non-negative integer");
    check_json_error("{\"collections\":[{\"metric\":1}]}", "meta.json /x/meta.json: collections[0].collection: missing");
    check_json_error("{\"rows\":1}", "meta.json /x/meta.json: collections: missing");
    check_json_error("{\"collections\":[", "meta.json /x/meta.json: invalid JSON at byte offset 15");
    check_json_error("{\"collections\":[{\"collection\":\"a\",\"metric\":1,\"dim\":8,\"segments\":[{\"segment\":\"1\",\"rows\":1,\"partition\":\"zz\"}]}]}",
                     "meta.json /x/meta.json: collections[0].segments[0].partition: names a partition that is not listed in \"partitions\"");
}

int main(void)
{
    MM_RUN(sqlite_errors_name_the_file_and_fix);
    MM_RUN(reference_meta_json_parses_and_renders);
    MM_RUN(extended_meta_json_round_trips_partitions);
    MM_RUN(meta_json_errors_name_the_path);
    return MM_TEST_EXIT();
}
