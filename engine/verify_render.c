/* The verification report as a terminal table, JSON and Markdown. */
#include "verify.h"

#include "milvus2/loading.h"
#include "source/inventory_render.h"
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

/* ---- the content sample ------------------------------------------------------------- */

static void sampled_cell(const mm_verify_row *row, char *buf, size_t n)
{
    if (row->content.state == MM_CONTENT_CHECKED)
        snprintf(buf, n, "%" PRId64, row->content.sampled);
    else
        snprintf(buf, n, "-");
}

const char *mm_verify_content_cell(const mm_verify_row *row, char *buf, size_t n)
{
    const mm_content_result *c = &row->content;
    static const char *const words[] = {
        [MM_CONTENT_OFF] = "off", [MM_CONTENT_SKIPPED] = "-", [MM_CONTENT_NOT_LOADED] = "not loaded",
        [MM_CONTENT_NOT_CHECKED] = "not checked",
    };
    if (c->state == MM_CONTENT_CHECKED)
        snprintf(buf, n, "%" PRId64 "/%" PRId64 " %s", c->matched, c->sampled,
                 c->n_mismatches ? "MISMATCH" : "OK");
    else
        snprintf(buf, n, "%s", words[c->state]);
    return buf;
}

static const char *content_status(const mm_content_result *c)
{
    static const char *const words[] = {
        [MM_CONTENT_OFF] = "OFF", [MM_CONTENT_SKIPPED] = "SKIPPED", [MM_CONTENT_NOT_LOADED] = "NOT_LOADED",
        [MM_CONTENT_NOT_CHECKED] = "NOT_CHECKED",
    };
    if (c->state == MM_CONTENT_CHECKED)
        return c->n_mismatches ? "MISMATCH" : "OK";
    return words[c->state];
}

bool mm_verify_collection_not_loaded(const mm_verify_report *r, const mm_verify_collection *vc)
{
    for (size_t i = 0; i < r->n_rows; i++)
        if (strcmp(r->rows[i].collection, vc->collection) == 0 && r->rows[i].content.state == MM_CONTENT_NOT_LOADED)
            return true;
    return false;
}

size_t mm_verify_not_loaded(const mm_verify_report *r, uint64_t *memory_bytes)
{
    size_t n = 0;
    uint64_t bytes = 0;
    for (size_t i = 0; i < r->n_collections; i++)
        if (mm_verify_collection_not_loaded(r, &r->collections[i])) {
            n++;
            bytes += r->collections[i].load_memory_bytes;
        }
    if (memory_bytes)
        *memory_bytes = bytes;
    return n;
}

/* What the sample read back, and each collection it could not read. */
static void content_summary(mm_strbuf *sb, const mm_verify_report *r)
{
    if (r->sample_size <= 0)
        return;
    int64_t sampled = 0, differ = 0, nan = 0;
    size_t partitions = 0;
    for (size_t i = 0; i < r->n_rows; i++) {
        const mm_content_result *c = &r->rows[i].content;
        if (c->state != MM_CONTENT_CHECKED)
            continue;
        partitions++;
        sampled += c->sampled;
        differ += c->sampled - c->matched;
        nan += c->nan_left_out;
    }
    mm_strbuf_appendf(sb, "\nContent sample (up to %d row(s) per partition, seed %d): %" PRId64 " row(s) of %zu "
                      "partition(s) read back from Milvus", r->sample_size, r->sample_seed, sampled, partitions);
    if (partitions == 0)
        mm_strbuf_append(sb, ".\n");
    else if (differ)
        mm_strbuf_appendf(sb, "; %" PRId64 " differ from the 1.x files (see the table).\n", differ);
    else
        mm_strbuf_append(sb, ", all identical to the 1.x files.\n");
    if (nan)
        mm_strbuf_appendf(sb, "%" PRId64 " NaN/Inf row(s) drawn were left out of it (dumper.nanPolicy: skip).\n", nan);
    for (size_t i = 0; i < r->n_collections; i++) {
        const mm_verify_collection *vc = &r->collections[i];
        if (!mm_verify_collection_not_loaded(r, vc))
            continue;
        char size[32];
        mm_format_bytes(vc->load_memory_bytes, size, sizeof size);
        mm_strbuf_appendf(sb, "Content of %s not sampled: Milvus has not loaded it. Set verify.loadForSample: true "
                          "to load it for the sample (about %s of query-node memory; released afterwards), or load "
                          "it and verify again.\n", vc->target, size);
    }
}

char *mm_verify_render_text(const mm_verify_report *r)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_appendf(&sb, "Verification against %s (Milvus %s)\n\n", r->endpoint, r->server_version);
    mm_strbuf_appendf(&sb, "%-24s %-14s %-24s %12s %12s %12s %12s %8s  %-16s  %s\n", "COLLECTION", "1.X PARTITION",
                      "2.X PARTITION", "1.X LIVE", "STAGED", "IMPORTED", "MILVUS", "SAMPLED", "CONTENT", "STATUS");
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
        char sampled[24], content[48];
        sampled_cell(row, sampled, sizeof sampled);
        mm_verify_content_cell(row, content, sizeof content);
        mm_strbuf_appendf(&sb, " %12" PRId64 " %12" PRId64 " %12" PRId64 " %12s %8s  %-16s  %s", row->source_live,
                          row->dumped, row->imported, milvus, sampled, content, status_word(row));
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
    content_summary(&sb, r);
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

/* 64-bit keys and seeds as JSON numbers written exactly (a double would
 * round those above 2^53). */
static void add_exact(cJSON *o, const char *key, char *text)
{
    if (key)
        cJSON_AddRawToObject(o, key, text);
    else
        cJSON_AddItemToArray(o, cJSON_CreateRaw(text));
}

static void add_content_json(cJSON *o, const mm_content_result *c)
{
    char num[32];
    cJSON *content = cJSON_AddObjectToObject(o, "content");
    cJSON_AddStringToObject(content, "status", content_status(c));
    snprintf(num, sizeof num, "%" PRIu64, c->seed);
    add_exact(content, "seed", num);
    cJSON_AddNumberToObject(content, "sampled", (double)c->sampled);
    cJSON_AddNumberToObject(content, "matched", (double)c->matched);
    cJSON_AddNumberToObject(content, "nanLeftOut", (double)c->nan_left_out);
    cJSON *ids = cJSON_AddArrayToObject(content, "idsChecked");
    for (size_t i = 0; i < c->n_ids; i++) {
        snprintf(num, sizeof num, "%" PRId64, c->ids[i]);
        add_exact(ids, NULL, num);
    }
    cJSON *mismatches = cJSON_AddArrayToObject(content, "mismatches");
    for (size_t i = 0; i < c->n_mismatches; i++) {
        cJSON *m = cJSON_CreateObject();
        snprintf(num, sizeof num, "%" PRId64, c->mismatches[i].id);
        add_exact(m, "id", num);
        cJSON_AddStringToObject(m, "what", c->mismatches[i].what);
        cJSON_AddItemToArray(mismatches, m);
    }
    if (c->note)
        cJSON_AddStringToObject(content, "note", c->note);
    else
        cJSON_AddNullToObject(content, "note");
}

const char *mm_verify_load_state_word(int state)
{
    return mm_milvus_load_state_name(state);
}

char *mm_verify_render_json(const mm_verify_report *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "endpoint", r->endpoint);
    cJSON_AddStringToObject(root, "serverVersion", r->server_version);
    cJSON_AddBoolToObject(root, "match", r->all_match);
    cJSON_AddNumberToObject(root, "mismatches", (double)r->mismatches);
    cJSON *sample = cJSON_AddObjectToObject(root, "contentSample");
    cJSON_AddNumberToObject(sample, "rowsPerPartition", r->sample_size);
    cJSON_AddNumberToObject(sample, "seed", r->sample_seed);
    cJSON_AddBoolToObject(sample, "loadForSample", r->load_for_sample);
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
        add_content_json(o, &row->content);
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
        cJSON *content = cJSON_AddObjectToObject(o, "content");
        if (c->load_state < 0)
            cJSON_AddNullToObject(content, "loadState");
        else
            cJSON_AddStringToObject(content, "loadState", mm_verify_load_state_word(c->load_state));
        cJSON_AddBoolToObject(content, "loadedForSample", c->loaded_for_sample);
        cJSON_AddBoolToObject(content, "indexCreated", c->index_created);
        cJSON_AddNumberToObject(content, "loadMemoryBytes", (double)c->load_memory_bytes);
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

static void content_markdown(mm_strbuf *sb, const mm_verify_report *r)
{
    if (r->sample_size <= 0) {
        mm_strbuf_append(sb, "\n## Content sample\n\nOff (verify.sample: 0): only the counts were compared.\n");
        return;
    }
    mm_strbuf_appendf(sb, "\n## Content sample\n\nUp to %d row(s) per partition (verify.sample), seed %d "
                      "(verify.sampleSeed; the same seed draws the same rows again). Each row was drawn from the live "
                      "rows of the 1.x segments, read back from Milvus through Query and compared bit for bit "
                      "(float32 bits, binary bytes). Milvus answers a key once even where 1.x holds several rows "
                      "under it (which one it keeps is not specified): such a key passes when every row Milvus "
                      "answers equals one of its 1.x rows. That every row arrived is shown by the counts above.\n\n",
                      r->sample_size, r->sample_seed);
    mm_strbuf_append(sb, "| 2.x collection.partition | sampled | content | partition seed |\n|---|---:|---|---:|\n");
    for (size_t i = 0; i < r->n_rows; i++) {
        const mm_verify_row *row = &r->rows[i];
        char sampled[24], content[48];
        sampled_cell(row, sampled, sizeof sampled);
        mm_verify_content_cell(row, content, sizeof content);
        mm_strbuf_appendf(sb, "| %s.%s | %s | %s | %" PRIu64 " |\n", row->target_collection, row->target_partition,
                          sampled, content, row->content.seed);
    }
    uint64_t memory = 0;
    if (mm_verify_not_loaded(r, &memory)) {
        mm_strbuf_append(sb, "\nNot sampled because Milvus has not loaded them (verify.loadForSample: true loads "
                             "them for the sample and releases them again):\n\n");
        for (size_t i = 0; i < r->n_collections; i++) {
            const mm_verify_collection *vc = &r->collections[i];
            if (!mm_verify_collection_not_loaded(r, vc))
                continue;
            char size[32];
            mm_format_bytes(vc->load_memory_bytes, size, sizeof size);
            mm_strbuf_appendf(sb, "- %s: about %s of query-node memory to load\n", vc->target, size);
        }
    }
    bool any = false;
    for (size_t i = 0; i < r->n_rows; i++) {
        const mm_verify_row *row = &r->rows[i];
        for (size_t m = 0; m < row->content.n_mismatches; m++) {
            if (!any)
                mm_strbuf_append(sb, "\n### Rows that differ\n\n");
            any = true;
            mm_strbuf_appendf(sb, "- %s.%s, id %" PRId64 ": %s\n", row->target_collection, row->target_partition,
                              row->content.mismatches[m].id, row->content.mismatches[m].what);
        }
    }
    mm_strbuf_append(sb, "\n### Ids read back\n\n");
    for (size_t i = 0; i < r->n_rows; i++) {
        const mm_verify_row *row = &r->rows[i];
        if (row->content.state != MM_CONTENT_CHECKED)
            continue;
        mm_strbuf_appendf(sb, "- %s.%s (%zu):", row->target_collection, row->target_partition, row->content.n_ids);
        for (size_t k = 0; k < row->content.n_ids; k++)
            mm_strbuf_appendf(sb, "%s %" PRId64, k ? "," : "", row->content.ids[k]);
        mm_strbuf_append(sb, "\n");
    }
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
    content_markdown(&sb, r);
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
