#include "source/inventory.h"
#include "source/names.h"
#include "base/strbuf.h"
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
    add_table(rows, "odd", 7, "", "", 8, 1, 0);
    add_table(rows, "1700000000000000006", 0, "1700000000000000006", "self", 8, 1, 0);
    add_table(rows, "1700000000000000007", 0, "1700000000000000002", "nested", 8, 1, 0);
    add_table(rows, "../../db/tables/x", 0, "", "", 8, 1, 0);
    add_table(rows, "1700000000000000008", 1, "alpha", "dropped", 8, 1, 0);

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
    add_file(rows, "odd", "20", "20", 1, 13);
    add_file(rows, "", "21", "21", 1, 4);
    rows->files[rows->n_files - 1].table_id_null = true;
    add_file(rows, "1700000000000000006", "22", "22", 2, 398);
    add_file(rows, "1700000000000000007", "23", "23", 1, 5);
    add_file(rows, "alpha", "24", "../300/300", 1, 1000);
    add_file(rows, "alpha", "25", "25", 9, 6);
    add_file(rows, "../../db/tables/x", "26", "26", 1, 7);
    add_file(rows, "1700000000000000008", "27", "27", 1, 8);
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
    MM_CHECK_INT(inv.dropped_partitions, 1);
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
    /* The valid name keeps itself; the rewrite does not take it. */
    MM_CHECK_STR(a->partitions[2].tag, "p 1");
    MM_CHECK_STR(a->partitions[2].target_name, "p_x201");
    MM_CHECK_STR(a->partitions[3].tag, "p_1");
    MM_CHECK_STR(a->partitions[3].target_name, "p_1");

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
        "collection 'alpha': TableFiles row id 20: file_id '../300/300' is not a plain name inside the tables "
        "directory (empty, '.', '..' or holding '/'), so its files cannot be located safely; its 1000 row(s) are "
        "skipped",
        "collection 'alpha': index file 801 of segment 800 has no raw BACKUP row; its 3 rows cannot be "
        "migrated (1.x keeps raw data beside every index)",
        "collection 'alpha' partition 'p_1': segment 60 is marked BACKUP but has no INDEX file row",
        "collection 'alpha': partition tag 'p 1' is not a valid 2.x partition name; it becomes 'p_x201' ('p_1' is "
        "the name of another partition)",
        "TableFiles row id 17 (segment 21, 4 row(s)) has table_id NULL, which is no collection or partition in "
        "Tables; its rows are skipped",
        "collection 'alpha': TableFiles row id 21 (segment 25) has file_type 9, which Milvus 1.x never writes "
        "(0..7); its 6 row(s) are skipped",
        "partition 'old' (table_id 1700000000000000004) belongs to collection 'gone', which is dropped; "
        "its 2 row(s) in 1 segment(s) are skipped",
        "partition 'x' (table_id 1700000000000000005) belongs to collection 'missing', which does not "
        "exist; it holds no segment; skipped",
        "collection 'odd' has state 7, which Milvus 1.x never writes (0 normal, 1 dropped); its 13 row(s) in 1 "
        "segment(s) are skipped",
        "partition 'self' (table_id 1700000000000000006) names itself as its owner collection; its 398 row(s) in 1 "
        "segment(s) are skipped",
        "partition 'nested' (table_id 1700000000000000007) names partition 'a' (table_id 1700000000000000002) as "
        "its owner, but 1.x partitions belong to collections, never to other partitions; its 5 row(s) in 1 "
        "segment(s) are skipped",
        "collection '../../db/tables/x': its table_id is not a plain directory name (empty, '.', '..' or holding "
        "'/'), so its segment files cannot be located safely; its 7 row(s) in 1 segment(s) are skipped",
        "1 TableFiles row(s) are NEW (file_type 0): the 1.x server did not stop cleanly and buffered "
        "rows may exist only in its WAL",
    };
    MM_CHECK_INT(inv.n_warnings, sizeof expected / sizeof expected[0]);
    for (size_t i = 0; i < inv.n_warnings && i < sizeof expected / sizeof expected[0]; i++)
        MM_CHECK_STR(inv.warnings[i], expected[i]);

    /* Every segment row left out is recorded with its rows: 1000 (unsafe
     * file_id) + 3 (index without raw data) + 4 (NULL table_id) + 6
     * (file_type 9) + 2 + 13 + 398 + 5 + 7; drops are not. */
    MM_CHECK_INT(inv.n_skipped, 9);
    MM_CHECK_INT(inv.skipped_rows, 1000 + 3 + 4 + 6 + 2 + 13 + 398 + 5 + 7);

    mm_inventory_free(&inv);
    mm_meta_rows_free(&rows);
}

/* Dimension, metric and engine type are checked per collection when the
 * source is opened, and the refusal names every collection. */
MM_TEST(schema_problems_refused_per_collection)
{
    mm_meta_rows rows;
    mm_meta_rows_init(&rows);
    rows.origin = mm_strdup("meta.sqlite");
    rows.ddl_era = mm_strdup("native (0.10.4+)");
    add_table(&rows, "d_zero", 0, "", "", 0, 1, 0);
    add_table(&rows, "d_neg", 0, "", "", -16, 1, 0);
    add_table(&rows, "d_null", 0, "", "", 0, 1, 0);
    rows.tables[rows.n_tables - 1].dimension_text = mm_strdup("NULL");
    add_table(&rows, "d_big", 0, "", "", 100000, 1, 0);
    add_table(&rows, "m_99", 0, "", "", 8, 99, 0);
    add_table(&rows, "bin_12", 0, "", "", 12, 3, 0);
    add_table(&rows, "good", 0, "", "", 8, 2, 0);
    rows.tables[rows.n_tables - 3].engine_type = 40;
    add_file(&rows, "d_neg", "1", "1", 1, 3);
    mm_inventory inv;
    mm_error err;
    MM_CHECK_INT(mm_inventory_build(&rows, &inv, &err), 0);
    MM_CHECK_INT(inv.n_collections, 7);
    MM_CHECK_INT(mm_inventory_check_schemas(&inv, &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_META);
    MM_CHECK_STR(err.message,
                 "the 1.x meta meta.sqlite describes 6 collection(s) that Milvus 2.x cannot take, so nothing is "
                 "staged:\n"
                 "  collection 'bin_12': dim 12 is not a multiple of 8, as binary vectors (metric HAMMING) need\n"
                 "  collection 'd_big': dim 100000 is outside 1..32768, the dimensions Milvus accepts\n"
                 "  collection 'd_neg': dim -16 is outside 1..32768, the dimensions Milvus accepts\n"
                 "  collection 'd_null': dim NULL is not a number\n"
                 "  collection 'd_zero': dim 0 is outside 1..32768, the dimensions Milvus accepts\n"
                 "  collection 'm_99': metric_type 99 is not a Milvus 1.x metric (1 L2, 2 IP, 3 HAMMING, 4 JACCARD, "
                 "5 TANIMOTO, 6 SUBSTRUCTURE, 7 SUPERSTRUCTURE); engine_type 40 is not a Milvus 1.x index type "
                 "(1 FLAT .. 12 ANNOY)\n"
                 "Correct these rows of the Tables table, or leave the collection(s) out of the migration");
    MM_CHECK_STR(inv.collections[3].dim_text, "NULL");
    MM_CHECK_INT(mm_inventory_filter(&inv, "good", &err), 0);
    MM_CHECK_INT(mm_inventory_check_schemas(&inv, &err), 0);
    MM_CHECK_INT(inv.n_warnings, 0);
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
    MM_CHECK_INT(err.code, MM_ERR_NOT_FOUND);
    MM_CHECK_STR(err.message, "no collection named 'nope' in /data/db/meta.sqlite; collections there: alpha, zeta");
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
    MM_CHECK_STR(s, "_xe38387_xe383bc_xe382bf");
    free(s);
    s = mm_name_sanitize("caf\xc3\xa9 \xc5\x81\xc3\xb3" "d\xc5\xba stra\xc3\x9f" "e");
    MM_CHECK_STR(s, "cafe_Lodz_strasse");
    free(s);
    s = mm_name_sanitize("caf\xe9");
    MM_CHECK_STR(s, "caf_xe9");
    free(s);
    s = mm_name_sanitize_escaped("caf\xc3\xa9");
    MM_CHECK_STR(s, "caf_xc3a9");
    free(s);
    s = mm_name_sanitize_escaped("p 1");
    MM_CHECK_STR(s, "p_x201");
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
    s = mm_name_path_component("../../db/tables/c_dup");
    MM_CHECK_STR(s, "%2E%2E%2F%2E%2E%2Fdb%2Ftables%2Fc_dup");
    free(s);
    s = mm_name_path_component("docs-1_a");
    MM_CHECK_STR(s, "docs-1_a");
    free(s);
    MM_CHECK(!mm_name_safe_component(".."));
    MM_CHECK(!mm_name_safe_component("a/b"));
    MM_CHECK(!mm_name_safe_component(""));
    MM_CHECK(mm_name_safe_component("1614924431171826000"));
}

/* Valid names keep theirs; rewrites are readable, fall back to the escaped
 * spelling when the readable one is owned, and never take an owned name. */
MM_TEST(names_assigned_without_stealing)
{
    const char *names[] = {"p 1", "p_1", "caf\xc3\xa9", "cafe", "_default", "p_x201"};
    char *out[6], *displaced[6];
    MM_CHECK_INT(mm_names_assign(names, 6, "_default", out, displaced), 0);
    MM_CHECK_STR(out[0], "p_x201_2");
    MM_CHECK_STR(displaced[0], "p_1");
    MM_CHECK_STR(out[1], "p_1");
    MM_CHECK(!displaced[1]);
    MM_CHECK_STR(out[2], "caf_xc3a9");
    MM_CHECK_STR(displaced[2], "cafe");
    MM_CHECK_STR(out[3], "cafe");
    MM_CHECK_STR(out[4], "_default_2");
    MM_CHECK_STR(out[5], "p_x201");
    for (int i = 0; i < 6; i++) {
        free(out[i]);
        free(displaced[i]);
    }
}

int main(void)
{
    MM_RUN(live_set_rules);
    MM_RUN(filter_keeps_named_and_rejects_unknown);
    MM_RUN(names_for_2x);
    MM_RUN(schema_problems_refused_per_collection);
    MM_RUN(names_assigned_without_stealing);
    return MM_TEST_EXIT();
}
