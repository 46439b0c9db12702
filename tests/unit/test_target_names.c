#include "source/inventory.h"
#include "source/target_names.h"
#include "base/strbuf.h"
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

static void add_table(mm_meta_rows *rows, const char *table_id, const char *owner, const char *tag)
{
    mm_table_row *t = mm_meta_rows_add_table(rows);
    t->id = (int64_t)rows->n_tables;
    t->table_id = mm_strdup(table_id);
    t->dimension = 8;
    t->metric_type = 1;
    t->index_params = mm_strdup("{}");
    t->owner_table = mm_strdup(owner);
    t->partition_tag = mm_strdup(tag);
    t->version = mm_strdup("1.0.0");
}

/* docs (partitions "p 1", "p_1", "a=b/c"), logs. */
static void build(mm_inventory *inv)
{
    mm_meta_rows rows;
    mm_meta_rows_init(&rows);
    rows.origin = mm_strdup("meta.sqlite");
    rows.ddl_era = mm_strdup("native (0.10.4+)");
    add_table(&rows, "docs", "", "");
    add_table(&rows, "logs", "", "");
    add_table(&rows, "1700000000000000001", "docs", "p 1");
    add_table(&rows, "1700000000000000002", "docs", "p_1");
    add_table(&rows, "1700000000000000003", "docs", "a=b/c");
    mm_error err;
    mm_inventory_init(inv);
    MM_CHECK_INT(mm_inventory_build(&rows, inv, &err), 0);
    mm_meta_rows_free(&rows);
}

static const mm_partition_info *partition(const mm_inventory *inv, const char *tag)
{
    for (size_t i = 0; i < inv->collections[0].n_partitions; i++)
        if (strcmp(inv->collections[0].partitions[i].tag, tag) == 0)
            return &inv->collections[0].partitions[i];
    return NULL;
}

static int apply(mm_inventory *inv, const char *const *entries, size_t n, mm_error *err)
{
    mm_config_list list = {(char **)entries, n};
    return mm_target_names_apply(inv, &list, "m.yaml: target.milvus2x.names", err);
}

MM_TEST(entries_rename_collections_and_partitions)
{
    mm_inventory inv;
    build(&inv);
    MM_CHECK_STR(inv.collections[0].name, "docs");
    MM_CHECK_STR(partition(&inv, "p 1")->target_name, "p_x201");
    MM_CHECK_STR(partition(&inv, "p_1")->target_name, "p_1");
    const char *entries[] = {"docs=docs_v2", "docs/p 1=first", "docs/a=b/c=slashes_and_equals", "absent=x"};
    mm_error err;
    MM_CHECK_INT(apply(&inv, entries, 4, &err), 0);
    MM_CHECK_STR(inv.collections[0].target_name, "docs_v2");
    MM_CHECK_STR(partition(&inv, "p 1")->target_name, "first");
    MM_CHECK_STR(partition(&inv, "a=b/c")->target_name, "slashes_and_equals");
    MM_CHECK_STR(partition(&inv, "")->target_name, "_default");
    mm_inventory_free(&inv);
}

static void expect_error(const char *entry, const char *want)
{
    mm_inventory inv;
    build(&inv);
    const char *entries[] = {entry};
    mm_error err;
    MM_CHECK_INT(apply(&inv, entries, 1, &err), -1);
    MM_CHECK_STR(err.message, want);
    mm_inventory_free(&inv);
}

MM_TEST(bad_entries_name_the_entry_and_the_fix)
{
    expect_error("docs", "m.yaml: target.milvus2x.names: entry 'docs' is not <collection>=<2.x name> or "
                         "<collection>/<partition tag>=<2.x name>");
    expect_error("docs=2docs", "m.yaml: target.milvus2x.names: entry 'docs=2docs': '2docs' is not a valid Milvus "
                               "2.x name (letters, digits and '_', not starting with a digit, at most 255 bytes)");
    expect_error("docs/=d", "m.yaml: target.milvus2x.names: entry 'docs/=d': the default partition is always "
                            "_default in Milvus 2.x and cannot be renamed");
    expect_error("docs=logs", "m.yaml: target.milvus2x.names: entry 'docs=logs': 1.x collection 'logs' is already "
                              "migrated as 'logs'; choose another name");
    expect_error("docs/p 1=p_1", "m.yaml: target.milvus2x.names: entry 'docs/p 1=p_1': partition 'p_1' of "
                                 "'docs' is already migrated as 'p_1'; choose another name");
    expect_error("docs/nope=x", "m.yaml: target.milvus2x.names: entry 'docs/nope=x': collection 'docs' has no "
                                "partition tag 'nope'");
}

MM_TEST(set_adds_replaces_and_drops_default_entries)
{
    mm_config_list names = {0};
    mm_error err;
    MM_CHECK_INT(mm_target_names_set(&names, "docs", "p 1", "first", &err), 0);
    MM_CHECK_INT(mm_target_names_set(&names, "docs", NULL, "docs_v2", &err), 0);
    MM_CHECK_INT(mm_target_names_set(&names, "docs", "p 1", "second", &err), 0);
    MM_CHECK_INT((int)names.count, 2);
    MM_CHECK_STR(names.items[0], "docs/p 1=second");
    MM_CHECK_STR(names.items[1], "docs=docs_v2");
    /* Back to the generated name: the entry goes. */
    MM_CHECK_INT(mm_target_names_set(&names, "docs", "p 1", "p_1", &err), 0);
    MM_CHECK_INT((int)names.count, 1);
    MM_CHECK_STR(names.items[0], "docs=docs_v2");
    for (size_t i = 0; i < names.count; i++)
        free(names.items[i]);
    free(names.items);
}

int main(void)
{
    MM_RUN(entries_rename_collections_and_partitions);
    MM_RUN(bad_entries_name_the_entry_and_the_fix);
    MM_RUN(set_adds_replaces_and_drops_default_entries);
    return MM_TEST_EXIT();
}
