#include "source/discover.h"
#include "source/wal_check.h"
#include "base/strbuf.h"
#include "testlib.h"

#include <stdlib.h>

static void one_collection(mm_meta_rows *rows, int64_t flush_lsn)
{
    mm_meta_rows_init(rows);
    mm_table_row *t = mm_meta_rows_add_table(rows);
    t->table_id = mm_strdup("c1");
    t->owner_table = mm_strdup("");
    t->partition_tag = mm_strdup("");
    t->index_params = mm_strdup("{}");
    t->version = mm_strdup("1.0.0");
    t->flush_lsn = flush_lsn;
    mm_table_row *p = mm_meta_rows_add_table(rows);
    p->table_id = mm_strdup("777");
    p->owner_table = mm_strdup("c1");
    p->partition_tag = mm_strdup("p1");
    p->index_params = mm_strdup("{}");
    p->version = mm_strdup("1.0.0");
    p->flush_lsn = 500;
}

/* One WAL record: header (lsn, type, name len, tag len, n ids, data size) + body. */
static size_t record(unsigned char *buf, uint64_t lsn, uint8_t type, const char *name, const char *tag, uint32_t n_ids,
                     uint32_t data)
{
    size_t o = 0;
    memcpy(buf + o, &lsn, 8), o += 8;
    buf[o++] = type;
    uint16_t nl = (uint16_t)strlen(name), tl = (uint16_t)strlen(tag);
    memcpy(buf + o, &nl, 2), o += 2;
    memcpy(buf + o, &tl, 2), o += 2;
    memcpy(buf + o, &n_ids, 4), o += 4;
    memcpy(buf + o, &data, 4), o += 4;
    memcpy(buf + o, name, nl), o += nl;
    memcpy(buf + o, tag, tl), o += tl;
    memset(buf + o, 0, (size_t)n_ids * 8 + data), o += (size_t)n_ids * 8 + data;
    return o;
}

MM_TEST(unflushed_records_per_target)
{
    char *dir = mm_test_tmpdir("wal");
    mm_meta_rows rows;
    one_collection(&rows, 400);
    unsigned char buf[4096];
    size_t n = 0;
    n += record(buf + n, 300, 2, "c1", "", 3, 24);   /* flushed */
    n += record(buf + n, 450, 2, "c1", "", 2, 16);   /* after c1's 400 */
    n += record(buf + n, 460, 3, "c1", "", 1, 0);
    n += record(buf + n, 480, 2, "c1", "p1", 4, 32); /* p1 flushed to 500 */
    n += record(buf + n, 490, 5, "c1", "", 0, 0);    /* flush marker */
    n += record(buf + n, 510, 1, "gone", "", 5, 5);
    mm_test_write_file(dir, "0.wal", buf, n);
    uint64_t mx[3] = {400, 510, 510};
    mm_test_write_file(dir, "mxlog.meta", mx, sizeof mx);

    mm_wal_report rep;
    mm_error err;
    MM_CHECK_INT(mm_wal_check(dir, &rows, &rep, &err), 0);
    MM_CHECK(rep.wal_dir_checked);
    MM_CHECK(rep.has_mxlog);
    MM_CHECK_INT(rep.mxlog_latest_lsn, 510);
    MM_CHECK_INT(rep.flushed_lsn, 500);
    MM_CHECK_INT(rep.unflushed_records, 3);
    MM_CHECK_INT(rep.unflushed_inserted_rows, 7);
    MM_CHECK_INT(rep.unflushed_deleted_ids, 1);
    MM_CHECK(mm_wal_report_unflushed(&rep));
    MM_CHECK_INT(rep.n_details, 2);
    if (rep.n_details == 2) {
        MM_CHECK_STR(rep.details[0], "collection 'c1': 2 row(s) inserted and 1 id(s) deleted after the last flush (LSN 460 > flushed 400)");
        MM_CHECK_STR(rep.details[1], "collection 'gone' (not in the meta): 5 row(s) inserted and 0 id(s) deleted, only in the WAL");
    }
    mm_wal_report_free(&rep);

    /* A record cut short is an error naming the file and offset. */
    mm_test_write_file(dir, "0.wal", buf, n - 3);
    MM_CHECK_INT(mm_wal_check(dir, &rows, &rep, &err), -1);
    char *expected = mm_asprintf("read WAL %s/0.wal: record at byte %zu (LSN 510) runs past the end of the file",
                                 dir, n - record(buf, 510, 1, "gone", "", 5, 5));
    MM_CHECK_STR(err.message, expected);
    free(expected);

    /* No WAL directory: only the meta checks. */
    MM_CHECK_INT(mm_wal_check(NULL, &rows, &rep, &err), 0);
    MM_CHECK(!rep.wal_dir_checked);
    MM_CHECK(!mm_wal_report_unflushed(&rep));
    mm_wal_report_free(&rep);
    mm_meta_rows_free(&rows);
    mm_test_rmtree(dir);
    free(dir);
}

MM_TEST(discovery_forms)
{
    char *dir = mm_test_tmpdir("discover");
    mm_test_write_file(dir, "data/db/meta.sqlite", "x", 1);
    mm_test_write_file(dir, "data/wal/mxlog.meta", "x", 1);
    char *data = mm_asprintf("%s/data", dir);
    mm_install inst;
    mm_error err;
    MM_CHECK_INT(mm_discover(data, &inst, &err), 0);
    char *expected = mm_asprintf("%s/db/meta.sqlite", data);
    MM_CHECK_STR(inst.sqlite_path, expected);
    free(expected);
    MM_CHECK_INT(inst.n_tables_dirs, 1);
    expected = mm_asprintf("%s/wal", data);
    MM_CHECK_STR(inst.wal_dir, expected);
    free(expected);
    mm_install_free(&inst);

    /* 0.9 config with a secondary root and a MySQL meta. */
    char *yaml = mm_asprintf("storage_config:\n  primary_path: %s/gone\n  secondary_path: /s1;/s2\n"
                             "db_config:\n  backend_url: mysql://root:pw@db:3306/milvus\n", dir);
    mm_test_write_file(dir, "data/conf/server_config.yaml", yaml, strlen(yaml));
    free(yaml);
    MM_CHECK_INT(mm_discover(data, &inst, &err), 0);
    MM_CHECK_STR(inst.mysql_uri, "mysql://root:pw@db:3306/milvus");
    MM_CHECK(inst.sqlite_path == NULL);
    MM_CHECK_INT(inst.n_tables_dirs, 3);
    if (inst.n_tables_dirs == 3) {
        expected = mm_asprintf("%s/db/tables", data);
        MM_CHECK_STR(inst.tables_dirs[0], expected);
        free(expected);
        MM_CHECK_STR(inst.tables_dirs[1], "/s1/db/tables");
        MM_CHECK_STR(inst.tables_dirs[2], "/s2/db/tables");
    }
    MM_CHECK_STR(inst.version_hint, "0.9.x");
    mm_install_free(&inst);

    mm_test_write_file(dir, "bad/conf/server_config.yaml", "storage:\n  path: [unclosed\n", 25);
    char *bad = mm_asprintf("%s/bad", dir);
    MM_CHECK_INT(mm_discover(bad, &inst, &err), -1);
    expected = mm_asprintf("%s/bad/conf/server_config.yaml:3:1: did not find expected ',' or ']'", dir);
    MM_CHECK_STR(err.message, expected);
    free(expected);

    char *empty = mm_asprintf("%s/empty", dir);
    mm_test_write_file(dir, "empty/readme.txt", "x", 1);
    MM_CHECK_INT(mm_discover(empty, &inst, &err), -1);
    expected = mm_asprintf("no Milvus 1.x installation found at %s: expected %s/db/meta.sqlite, "
                           "%s/conf/server_config.yaml or a meta.sqlite file", empty, empty, empty);
    MM_CHECK_STR(err.message, expected);
    free(expected);
    free(empty);
    free(bad);
    free(data);
    mm_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    MM_RUN(unflushed_records_per_target);
    MM_RUN(discovery_forms);
    return MM_TEST_EXIT();
}
