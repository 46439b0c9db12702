#include "source/inventory.h"
#include "source/names.h"
#include "strbuf.h"
#include "testlib.h"

#include <stdlib.h>

static void add_table(mm_meta_rows *rows, const char *table_id, int state, const char *owner, const char *tag,
                      int64_t dim, int metric, int64_t flush_lsn)
{
    mm_table_row *t = mm_meta_rows_add_table(rows);
    t->id = (int64_t)rows->n_tables;
    t->table_id = mm_strdup(table_id);
    t->state = state;
    t->dimension = dim;
    t->engine_type = 2;
    t->index_params = mm_strdup("{\"nlist\":16}");
    t->metric_type = metric;
    t->owner_table = mm_strdup(owner);
    t->partition_tag = mm_strdup(tag);
    t->version = mm_strdup("1.0.0");
    t->flush_lsn = flush_lsn;
}

static void add_file(mm_meta_rows *rows, const char *table_id, const char *segment, const char *file_id,
                     int type, int64_t row_count)
{
    mm_file_row *f = mm_meta_rows_add_file(rows);
    f->id = (int64_t)rows->n_files;
    f->table_id = mm_strdup(table_id);
    f->segment_id = mm_strdup(segment);
    f->file_id = mm_strdup(file_id);
    f->file_type = type;
    f->row_count = row_count;
}

static void build_sample(mm_meta_rows *rows)
{
    mm_meta_rows_init(rows);
    rows->origin = mm_strdup("/data/db/meta.sqlite");
    rows->ddl_era = mm_strdup("native (0.10.4+)");
    rows->has_global_lsn = true;
    rows->global_lsn = 500;
    add_table(rows, "zeta", 0, "", "", 16, 3, 100);
    add_table(rows, "alpha", 0, "", "", 8, 1, 700);
    add_table(rows, "gone", 1, "", "", 8, 1, 0);
    add_table(rows, "1700000000000000001", 0, "alpha", "p 1", 8, 1, 0);
    add_table(rows, "1700000000000000002", 0, "alpha", "a", 8, 1, 0);
    add_table(rows, "1700000000000000003", 0, "alpha", "p_1", 8, 1, 0);
    add_table(rows, "1700000000000000004", 0, "gone", "old", 8, 1, 0);
    add_table(rows, "1700000000000000005", 0, "missing", "x", 8, 1, 0);

    add_file(rows, "alpha", "300", "300", 1, 10);
    add_file(rows, "alpha", "100", "100", 7, 5);
    add_file(rows, "alpha", "100", "900", 3, 5);
    add_file(rows, "alpha", "200", "201", 2, 4);
    add_file(rows, "alpha", "400", "400", 4, 9);
    add_file(rows, "alpha", "500", "500", 0, 9);
    add_file(rows, "alpha", "600", "600", 5, 9);
    add_file(rows, "alpha", "700", "700", 6, 9);
    add_file(rows, "alpha", "300", "300", 2, 10);
    add_file(rows, "alpha", "800", "801", 3, 3);
    add_file(rows, "1700000000000000001", "50", "50", 1, 2);
    add_file(rows, "1700000000000000003", "60", "60", 7, 2);
    add_file(rows, "gone", "10", "10", 1, 2);
    add_file(rows, "1700000000000000004", "11", "11", 1, 2);
    add_file(rows, "zeta", "1", "1", 1, 3);
}

MM_TEST(live_set_rules)
{
    mm_meta_rows rows;
    build_sample(&rows);
    mm_inventory inv;
    mm_error err;
    MM_CHECK_INT(mm_inventory_build(&rows, &inv, &err), 0);
    MM_CHECK_INT(inv.n_collections, 2);
    MM_CHECK_INT(inv.dropped_collections, 1);
    MM_CHECK_INT(inv.new_file_rows, 1);
    MM_CHECK_INT(inv.max_flush_lsn, 700);
    MM_CHECK_STR(inv.origin, "/data/db/meta.sqlite");

    const mm_collection_info *a = &inv.collections[0];
    MM_CHECK_STR(a->name, "alpha");
    MM_CHECK_STR(a->target_name, "alpha");
    MM_CHECK(!a->binary);
    MM_CHECK_INT(a->n_partitions, 4);
    MM_CHECK_STR(a->partitions[0].tag, "");
    MM_CHECK_STR(a->partitions[0].target_name, "_default");
    MM_CHECK_STR(a->partitions[1].tag, "a");
    MM_CHECK_STR(a->partitions[2].tag, "p 1");
    MM_CHECK_STR(a->partitions[2].target_name, "p_1");
    MM_CHECK_STR(a->partitions[3].tag, "p_1");
    MM_CHECK_STR(a->partitions[3].target_name, "p_1_2");

    const mm_partition_info *d = &a->partitions[0];
    MM_CHECK_INT(d->n_segments, 3);
    MM_CHECK_STR(d->segments[0].segment_id, "100");
    MM_CHECK_INT(d->segments[0].file_type, 7);
    MM_CHECK(d->segments[0].has_index);
    MM_CHECK_STR(d->segments[1].segment_id, "200");
    MM_CHECK_STR(d->segments[1].file_id, "201");
    MM_CHECK_STR(d->segments[2].segment_id, "300");
    MM_CHECK_INT(d->segments[2].file_type, 1);
    MM_CHECK_INT(a->partitions[2].n_segments, 1);
    MM_CHECK_INT(a->partitions[3].n_segments, 1);
    MM_CHECK(!a->partitions[3].segments[0].has_index);

    const mm_collection_info *z = &inv.collections[1];
    MM_CHECK_STR(z->name, "zeta");
    MM_CHECK(z->binary);
    MM_CHECK_INT(z->n_partitions, 1);

    static const char *const expected[] = {
        "collection 'alpha': segment 200 has file_id 201; reading 201.rv/.uid",
        "collection 'alpha': segment 300 has more than one raw file row (TableFiles id 9 ignored); its "
        "rows are read once",
        "collection 'alpha': index file 801 of segment 800 has no raw BACKUP row; its 3 rows cannot be "
        "migrated (1.x keeps raw data beside every index)",
        "collection 'alpha' partition 'p_1': segment 60 is marked BACKUP but has no INDEX file row",
        "collection 'alpha': partition tag 'p 1' is not a valid 2.x partition name; it becomes 'p_1'",
        "collection 'alpha': partition tag 'p_1' is not a valid 2.x partition name; it becomes 'p_1_2'",
        "partition 'old' (table_id 1700000000000000004) belongs to collection 'gone', which is dropped; "
        "skipped",
        "partition 'x' (table_id 1700000000000000005) belongs to collection 'missing', which does not "
        "exist; skipped",
        "1 TableFiles row(s) are NEW (file_type 0): the 1.x server did not stop cleanly and buffered "
        "rows may exist only in its WAL",
    };
    MM_CHECK_INT(inv.n_warnings, sizeof expected / sizeof expected[0]);
    for (size_t i = 0; i < inv.n_warnings && i < sizeof expected / sizeof expected[0]; i++)
        MM_CHECK_STR(inv.warnings[i], expected[i]);

    mm_inventory_free(&inv);
    mm_meta_rows_free(&rows);
}

MM_TEST(filter_keeps_named_and_rejects_unknown)
{
    mm_meta_rows rows;
    build_sample(&rows);
    mm_inventory inv;
    mm_error err;
    MM_CHECK_INT(mm_inventory_build(&rows, &inv, &err), 0);
    MM_CHECK_INT(mm_inventory_filter(&inv, "zeta, nope", &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_USAGE);
    MM_CHECK_STR(err.message, "--col: no collection named 'nope' in /data/db/meta.sqlite; collections there: alpha, zeta");
    MM_CHECK_INT(inv.n_collections, 2);
    MM_CHECK_INT(mm_inventory_filter(&inv, " zeta ", &err), 0);
    MM_CHECK_INT(inv.n_collections, 1);
    MM_CHECK_STR(inv.collections[0].name, "zeta");
    mm_inventory_free(&inv);
    mm_meta_rows_free(&rows);
}

MM_TEST(names_for_2x)
{
    MM_CHECK(mm_name_valid_2x("abc_1"));
    MM_CHECK(mm_name_valid_2x("_x"));
    MM_CHECK(!mm_name_valid_2x("1abc"));
    MM_CHECK(!mm_name_valid_2x("a b"));
    MM_CHECK(!mm_name_valid_2x(""));
    char *s = mm_name_sanitize("1abc");
    MM_CHECK_STR(s, "_1abc");
    free(s);
    s = mm_name_sanitize("o'brien");
    MM_CHECK_STR(s, "o_brien");
    free(s);
    s = mm_name_sanitize("\xe3\x83\x87\xe3\x83\xbc\xe3\x82\xbf");
    MM_CHECK_STR(s, "e38387e383bce382bf");
    free(s);
    s = mm_name_sanitize("");
    MM_CHECK_STR(s, "_");
    free(s);
    const char *taken[] = {"a", "a_2"};
    s = mm_name_unique("a", taken, 2);
    MM_CHECK_STR(s, "a_3");
    free(s);
    s = mm_name_escape("a\tb\\c\n\x01\xff\xe3\x83\x87");
    MM_CHECK_STR(s, "a\\tb\\\\c\\n\\x01\\xff\xe3\x83\x87");
    free(s);
}

int main(void)
{
    MM_RUN(live_set_rules);
    MM_RUN(filter_keeps_named_and_rejects_unknown);
    MM_RUN(names_for_2x);
    return MM_TEST_EXIT();
}
