#include "source/row_counts.h"

#include "base/json_text.h"
#include "base/strbuf.h"
#include "source/names.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static char *sentence(const mm_collection_info *c, const mm_row_count *r, const char *what)
{
    char *name = mm_name_escape(c->name);
    if (!name)
        return NULL;
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_appendf(&sb, "collection '%s': the 1.x meta counts %lld row(s) (TableFiles.row_count), but its "
                      "segment files hold %lld live row(s), all of which %s", name, (long long)r->meta_rows,
                      (long long)r->live_rows, what);
    if (r->repeated_offsets && r->live_rows - r->meta_rows == r->repeated_offsets)
        mm_strbuf_appendf(&sb, ": deleted_docs repeats %lld offset(s), which Milvus <= 1.0 subtracted from "
                          "row_count twice", (long long)r->repeated_offsets);
    mm_strbuf_appendf(&sb, "; get_collection_stats in Milvus 2.x counts %lld", (long long)r->live_rows);
    if (c->duplicate_ids > 0)
        mm_strbuf_appendf(&sb, ", including %lld id(s) that occur more than once, each kept as a row (a query "
                          "by id returns one of them)", (long long)c->duplicate_ids);
    free(name);
    return mm_strbuf_take(&sb);
}

int mm_row_counts(const mm_inventory *inv, const char *what, mm_row_count **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    mm_row_count *list = calloc(inv->n_collections ? inv->n_collections : 1, sizeof *list);
    if (!list)
        return -1;
    size_t count = 0;
    for (size_t i = 0; i < inv->n_collections; i++) {
        const mm_collection_info *c = &inv->collections[i];
        mm_row_count r = {.collection = c};
        bool all_scanned = !c->schema_problem;
        for (size_t p = 0; p < c->n_partitions; p++)
            for (size_t s = 0; s < c->partitions[p].n_segments; s++) {
                const mm_segment_info *seg = &c->partitions[p].segments[s];
                all_scanned &= seg->scanned;
                r.meta_rows += seg->meta_row_count;
                r.live_rows += seg->live;
                r.repeated_offsets += seg->duplicate_offsets;
            }
        if (!all_scanned || r.meta_rows == r.live_rows)
            continue;
        r.text = sentence(c, &r, what);
        if (!r.text) {
            mm_row_counts_free(list, count);
            return -1;
        }
        list[count++] = r;
    }
    *out = list;
    *n = count;
    return 0;
}

void mm_row_counts_free(mm_row_count *counts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(counts[i].text);
    free(counts);
}

char *mm_row_counts_add_to_report_json(char *report_json, const mm_inventory *inv)
{
    mm_row_count *counts = NULL;
    size_t n = 0;
    if (!report_json || mm_row_counts(inv, "are migrated", &counts, &n) != 0) {
        free(report_json);
        return NULL;
    }
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; list && i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "collection", counts[i].collection->name);
        cJSON_AddNumberToObject(o, "metaRowCount", (double)counts[i].meta_rows);
        cJSON_AddNumberToObject(o, "liveRows", (double)counts[i].live_rows);
        cJSON_AddNumberToObject(o, "repeatedOffsets", (double)counts[i].repeated_offsets);
        cJSON_AddStringToObject(o, "note", counts[i].text);
        cJSON_AddItemToArray(list, o);
    }
    mm_row_counts_free(counts, n);
    /* Added as text: the report's exact 64-bit numbers stay as written. */
    char *text = list ? cJSON_Print(list) : NULL;
    cJSON_Delete(list);
    char *out = text ? mm_json_text_add_member(report_json, "rowCounts", text) : NULL;
    if (!text)
        free(report_json);
    free(text);
    return out;
}

char *mm_row_counts_add_to_report_markdown(char *report_md, const mm_inventory *inv)
{
    mm_row_count *counts = NULL;
    size_t n = 0;
    if (!report_md || mm_row_counts(inv, "are migrated", &counts, &n) != 0) {
        free(report_md);
        return NULL;
    }
    if (!n) {
        mm_row_counts_free(counts, n);
        return report_md;
    }
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_append(&sb, report_md);
    free(report_md);
    mm_strbuf_append(&sb, "\n## Row counts of the 1.x meta\n\n");
    for (size_t i = 0; i < n; i++)
        mm_strbuf_appendf(&sb, "- %s\n", counts[i].text);
    mm_row_counts_free(counts, n);
    return mm_strbuf_take(&sb);
}
