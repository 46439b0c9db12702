#include "base/json_text.h"
#include "base/strbuf.h"
#include "testlib.h"
#include "verify.h"

#include <stdlib.h>
#include <string.h>

static void set_row(mm_verify_row *row, const char *tag, const char *target, int64_t live, int64_t milvus)
{
    row->collection = mm_strdup("docs");
    row->partition = mm_strdup(tag);
    row->target_collection = mm_strdup("docs");
    row->target_partition = mm_strdup(target);
    row->source_live = live;
    row->dumped = live;
    row->imported = live;
    row->milvus = milvus;
}

/* Rows moved between partitions leave the collection's total right: the
 * collection must still read MISMATCH. */
MM_TEST(collection_total_never_hides_a_partition)
{
    mm_verify_report r;
    memset(&r, 0, sizeof r);
    r.endpoint = mm_strdup("127.0.0.1:19530");
    r.server_version = mm_strdup("v2.5.4");
    r.rows = calloc(2, sizeof *r.rows);
    r.collections = calloc(1, sizeof *r.collections);
    r.n_rows = 2;
    r.n_collections = 1;
    set_row(&r.rows[0], "", "_default", 10, 12);
    set_row(&r.rows[1], "p", "p", 5, 3);
    r.collections[0].collection = mm_strdup("docs");
    r.collections[0].target = mm_strdup("docs");
    r.collections[0].expected = 15;
    r.collections[0].milvus = 15;
    mm_verify_judge(&r);
    MM_CHECK(!r.rows[0].match);
    MM_CHECK(!r.rows[1].match);
    MM_CHECK(!r.collections[0].match);
    MM_CHECK_INT(r.collections[0].partition_mismatches, 2);
    MM_CHECK_INT(r.mismatches, 3);
    MM_CHECK(!r.all_match);
    char *text = mm_verify_render_text(&r);
    MM_CHECK(text && strstr(text, "\ncollection docs: expected 15, Milvus 15: MISMATCH (2 partition(s) above do not "
                                  "match)\n"));
    free(text);

    /* Put right, judged again: OK everywhere. */
    r.rows[0].milvus = 10;
    r.rows[1].milvus = 5;
    mm_verify_judge(&r);
    MM_CHECK(r.collections[0].match);
    MM_CHECK_INT(r.collections[0].partition_mismatches, 0);
    MM_CHECK_INT(r.mismatches, 0);
    MM_CHECK(r.all_match);
    mm_verify_report_free(&r);
}

/* What is added to a report goes in as text: its 64-bit ids stay exact. */
MM_TEST(report_member_added_as_text)
{
    char *text = mm_json_text_add_member(mm_strdup("{\n\t\"id\":\t9007199254740993\n}"), "rowCounts", "[{\n\t\"a\":\t1\n}]");
    MM_CHECK_STR(text, "{\n\t\"id\":\t9007199254740993,\n\t\"rowCounts\":\t[{\n\t\t\"a\":\t1\n\t}]\n}");
    free(text);
    text = mm_json_text_add_member(mm_strdup("{\n}"), "rowCounts", "[]");
    MM_CHECK_STR(text, "{\n\t\"rowCounts\":\t[]\n}");
    free(text);
    MM_CHECK(mm_json_text_add_member(mm_strdup("not json"), "x", "1") == NULL);
}

int main(void)
{
    MM_RUN(collection_total_never_hides_a_partition);
    MM_RUN(report_member_added_as_text);
    return MM_TEST_EXIT();
}
