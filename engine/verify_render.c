/* The verification report as a terminal table, JSON and Markdown. */
#include "verify.h"

#include "source/names.h"
#include "base/strbuf.h"
#include "base/textwidth.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *status_word(const mm_verify_row *row)
{
    return row->skipped ? "SKIPPED" : row->match ? "OK" : "MISMATCH";
}

static void count_cell(char *buf, size_t n, int64_t v)
{
    if (v < 0)
        snprintf(buf, n, "?");
    else
        snprintf(buf, n, "%" PRId64, v);
}

static const char *display_tag(const mm_verify_row *row)
{
    return row->partition[0] ? row->partition : "(default)";
}

char *mm_verify_render_text(const mm_verify_report *r)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_appendf(&sb, "Verification against %s (Milvus %s)\n\n", r->endpoint, r->server_version);
    mm_strbuf_appendf(&sb, "%-24s %-14s %-24s %12s %12s %12s %12s  %s\n", "COLLECTION", "1.X PARTITION",
                      "2.X PARTITION", "1.X LIVE", "STAGED", "IMPORTED", "MILVUS", "STATUS");
    for (size_t i = 0; i < r->n_rows; i++) {
        const mm_verify_row *row = &r->rows[i];
        char target[600], milvus[24];
        snprintf(target, sizeof target, "%s.%s", row->target_collection, row->target_partition);
        count_cell(milvus, sizeof milvus, row->milvus);
        /* Names may be UTF-8 (partition tags often are): pad by columns. */
        mm_strbuf_append_left(&sb, row->collection, 24);
        mm_strbuf_append(&sb, " ");
        mm_strbuf_append_left(&sb, display_tag(row), 14);
        mm_strbuf_append(&sb, " ");
        mm_strbuf_append_left(&sb, target, 24);
        mm_strbuf_appendf(&sb, " %12" PRId64 " %12" PRId64 " %12" PRId64 " %12s  %s", row->source_live, row->dumped,
                          row->imported, milvus, status_word(row));
        if (row->note[0])
            mm_strbuf_appendf(&sb, "  %s", row->note);
        if (row->baseline)
            mm_strbuf_appendf(&sb, "  (%" PRId64 " rows were there before)", row->baseline);
        mm_strbuf_append(&sb, "\n");
    }
    mm_strbuf_append(&sb, "\n");
    for (size_t i = 0; i < r->n_collections; i++) {
        const mm_verify_collection *c = &r->collections[i];
        char milvus[24];
        count_cell(milvus, sizeof milvus, c->milvus);
        mm_strbuf_appendf(&sb, "collection %s: expected %" PRId64 ", Milvus %s: %s", c->target, c->expected,
                          c->skipped ? "-" : milvus, c->skipped ? "SKIPPED" : c->match ? "OK" : "MISMATCH");
        if (!c->skipped && c->partition_mismatches)
            mm_strbuf_appendf(&sb, " (%zu partition(s) above do not match)", c->partition_mismatches);
        mm_strbuf_append(&sb, "\n");
    }
    if (r->n_renames || r->n_source_warnings)
        mm_strbuf_appendf(&sb, "\n%zu name(s) rewritten for Milvus 2.x, %zu warning(s) about the 1.x source (%" PRId64
                          " row(s) of its meta not migrated): listed in the report\n",
                          r->n_renames, r->n_source_warnings, r->skipped_rows);
    if (r->all_match)
        mm_strbuf_append(&sb, "\nAll counts match.\n");
    else
        mm_strbuf_appendf(&sb, "\n%zu mismatch(es).\n", r->mismatches);
    return mm_strbuf_take(&sb);
}

/* 1.x names may hold any bytes; JSON must be UTF-8. */
static void add_name(cJSON *o, const char *key, const char *name)
{
    char *text = mm_name_utf8(name);
    cJSON_AddStringToObject(o, key, text ? text : "");
    free(text);
}

char *mm_verify_render_json(const mm_verify_report *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "endpoint", r->endpoint);
    cJSON_AddStringToObject(root, "serverVersion", r->server_version);
    cJSON_AddBoolToObject(root, "match", r->all_match);
    cJSON_AddNumberToObject(root, "mismatches", (double)r->mismatches);
    cJSON *parts = cJSON_AddArrayToObject(root, "partitions");
    for (size_t i = 0; i < r->n_rows; i++) {
        const mm_verify_row *row = &r->rows[i];
        cJSON *o = cJSON_CreateObject();
        add_name(o, "collection", row->collection);
        add_name(o, "partition", row->partition);
        cJSON_AddStringToObject(o, "targetCollection", row->target_collection);
        cJSON_AddStringToObject(o, "targetPartition", row->target_partition);
        cJSON_AddNumberToObject(o, "sourceLive", (double)row->source_live);
        cJSON_AddNumberToObject(o, "nanSkipped", (double)row->nan_skipped);
        cJSON_AddNumberToObject(o, "staged", (double)row->dumped);
        cJSON_AddNumberToObject(o, "imported", (double)row->imported);
        cJSON_AddNumberToObject(o, "baseline", (double)row->baseline);
        if (row->milvus < 0)
            cJSON_AddNullToObject(o, "milvus");
        else
            cJSON_AddNumberToObject(o, "milvus", (double)row->milvus);
        cJSON_AddStringToObject(o, "status", status_word(row));
        add_name(o, "note", row->note);
        cJSON_AddItemToArray(parts, o);
    }
    cJSON *cols = cJSON_AddArrayToObject(root, "collections");
    for (size_t i = 0; i < r->n_collections; i++) {
        const mm_verify_collection *c = &r->collections[i];
        cJSON *o = cJSON_CreateObject();
        add_name(o, "collection", c->collection);
        cJSON_AddStringToObject(o, "targetCollection", c->target);
        cJSON_AddNumberToObject(o, "expected", (double)c->expected);
        if (c->milvus < 0)
            cJSON_AddNullToObject(o, "milvus");
        else
            cJSON_AddNumberToObject(o, "milvus", (double)c->milvus);
        cJSON_AddNumberToObject(o, "partitionMismatches", (double)c->partition_mismatches);
        cJSON_AddStringToObject(o, "status", c->skipped ? "SKIPPED" : c->match ? "OK" : "MISMATCH");
        cJSON_AddItemToArray(cols, o);
    }
    cJSON *renames = cJSON_AddArrayToObject(root, "renames");
    for (size_t i = 0; i < r->n_renames; i++) {
        const mm_verify_rename *n = &r->renames[i];
        cJSON *o = cJSON_CreateObject();
        add_name(o, "collection", n->collection);
        if (n->partition)
            add_name(o, "partition", n->partition);
        else
            cJSON_AddNullToObject(o, "partition");
        add_name(o, "from", n->from);
        cJSON_AddStringToObject(o, "to", n->to);
        cJSON_AddItemToArray(renames, o);
    }
    cJSON_AddNumberToObject(root, "skippedRows", (double)r->skipped_rows);
    cJSON_AddNumberToObject(root, "skippedSegments", (double)r->skipped_segments);
    cJSON *warnings = cJSON_AddArrayToObject(root, "sourceWarnings");
    for (size_t i = 0; i < r->n_source_warnings; i++) {
        char *text = mm_name_utf8(r->source_warnings[i]);
        cJSON_AddItemToArray(warnings, cJSON_CreateString(text ? text : ""));
        free(text);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

char *mm_verify_render_markdown(const mm_verify_report *r)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_appendf(&sb, "# Migration verification\n\nTarget: %s (Milvus %s)\n\nResult: **%s**\n\n", r->endpoint,
                      r->server_version, r->all_match ? "all counts match" : "MISMATCH");
    mm_strbuf_append(&sb, "| 1.x collection | 1.x partition | 2.x collection.partition | 1.x live | staged | "
                          "imported | before | Milvus | status | note |\n"
                          "|---|---|---|---:|---:|---:|---:|---:|---|---|\n");
    for (size_t i = 0; i < r->n_rows; i++) {
        const mm_verify_row *row = &r->rows[i];
        char milvus[24];
        count_cell(milvus, sizeof milvus, row->milvus);
        mm_strbuf_appendf(&sb, "| %s | %s | %s.%s | %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64 " | %s | %s | %s |\n",
                          row->collection, display_tag(row), row->target_collection, row->target_partition,
                          row->source_live, row->dumped, row->imported, row->baseline, milvus, status_word(row),
                          row->note);
    }
    mm_strbuf_append(&sb, "\n| 2.x collection | expected | Milvus | status |\n|---|---:|---:|---|\n");
    for (size_t i = 0; i < r->n_collections; i++) {
        const mm_verify_collection *c = &r->collections[i];
        char milvus[24];
        count_cell(milvus, sizeof milvus, c->milvus);
        mm_strbuf_appendf(&sb, "| %s | %" PRId64 " | %s | %s%s |\n", c->target, c->expected, milvus,
                          c->skipped ? "SKIPPED" : c->match ? "OK" : "MISMATCH",
                          !c->skipped && c->partition_mismatches ? " (a partition does not match)" : "");
    }
    if (r->n_renames) {
        mm_strbuf_append(&sb, "\n## Renamed for Milvus 2.x\n\n| 1.x collection | 1.x partition | 1.x name | 2.x name |\n"
                              "|---|---|---|---|\n");
        for (size_t i = 0; i < r->n_renames; i++) {
            const mm_verify_rename *n = &r->renames[i];
            mm_strbuf_appendf(&sb, "| %s | %s | %s | %s |\n", n->collection, n->partition ? n->partition : "",
                              n->from, n->to);
        }
    }
    if (r->n_source_warnings) {
        mm_strbuf_appendf(&sb, "\n## The 1.x source\n\n%" PRId64 " row(s) in %zu segment row(s) of the meta are not "
                          "migrated.\n\n", r->skipped_rows, r->skipped_segments);
        for (size_t i = 0; i < r->n_source_warnings; i++)
            mm_strbuf_appendf(&sb, "- %s\n", r->source_warnings[i]);
    }
    return mm_strbuf_take(&sb);
}
