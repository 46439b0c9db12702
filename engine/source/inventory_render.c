#include "source/inventory_render.h"

#include "source/names.h"
#include "base/strbuf.h"
#include "base/textwidth.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mm_partition_totals(const mm_partition_info *p, int64_t *rows, int64_t *deleted, int64_t *live,
                         uint64_t *bytes)
{
    for (size_t k = 0; k < p->n_segments; k++) {
        const mm_segment_info *s = &p->segments[k];
        *rows += s->rows;
        *deleted += s->deleted;
        *live += s->scanned ? s->live : s->meta_row_count;
        *bytes += s->bytes;
    }
}

void mm_inventory_totals_of(const mm_inventory *inv, mm_inventory_totals *t)
{
    memset(t, 0, sizeof *t);
    t->collections = inv->n_collections;
    for (size_t i = 0; i < inv->n_collections; i++) {
        const mm_collection_info *c = &inv->collections[i];
        t->partitions += c->n_partitions - 1;
        for (size_t j = 0; j < c->n_partitions; j++) {
            t->segments += c->partitions[j].n_segments;
            mm_partition_totals(&c->partitions[j], &t->rows, &t->deleted, &t->live, &t->bytes);
        }
    }
}

void mm_format_bytes(uint64_t bytes, char *buf, size_t n)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    if (bytes < 1024) {
        snprintf(buf, n, "%llu B", (unsigned long long)bytes);
        return;
    }
    double v = (double)bytes;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        u++;
    }
    snprintf(buf, n, "%.1f %s", v, units[u]);
}

/* One table row of the text report. */
enum { COL_NAME, COL_TARGET, COL_DIM, COL_TYPE, COL_METRIC, COL_INDEX, COL_SEGMENTS, COL_ROWS,
       COL_DELETED, COL_LIVE, COL_SIZE, N_COLS };

static const struct {
    const char *title;
    bool right;
} columns[N_COLS] = {
    [COL_NAME] = {"COLLECTION / PARTITION", false},
    [COL_TARGET] = {"2.X NAME", false},
    [COL_DIM] = {"DIM", true},
    [COL_TYPE] = {"VECTORS", false},
    [COL_METRIC] = {"METRIC", false},
    [COL_INDEX] = {"INDEX", false},
    [COL_SEGMENTS] = {"SEGMENTS", true},
    [COL_ROWS] = {"ROWS", true},
    [COL_DELETED] = {"DELETED", true},
    [COL_LIVE] = {"LIVE", true},
    [COL_SIZE] = {"SIZE", true},
};

typedef struct text_row {
    char *cells[N_COLS];
} text_row;

static bool has_unread_segment(const mm_partition_info *p)
{
    for (size_t k = 0; k < p->n_segments; k++)
        if (!p->segments[k].scanned)
            return true;
    return false;
}

/* `estimated`: some segment could not be read, so LIVE includes its meta
 * row_count and is marked. */
static void fill_row(text_row *row, const char *name, const char *target, int64_t segments,
                     int64_t rows, int64_t deleted, int64_t live, uint64_t bytes, bool estimated)
{
    char size[32];
    mm_format_bytes(bytes, size, sizeof size);
    row->cells[COL_NAME] = mm_strdup(name);
    row->cells[COL_TARGET] = mm_strdup(target);
    row->cells[COL_SEGMENTS] = mm_asprintf("%lld", (long long)segments);
    row->cells[COL_ROWS] = mm_asprintf("%lld", (long long)rows);
    row->cells[COL_DELETED] = mm_asprintf("%lld", (long long)deleted);
    row->cells[COL_LIVE] = mm_asprintf("%lld%s", (long long)live, estimated ? "*" : "");
    row->cells[COL_SIZE] = mm_strdup(size);
}

static void render_table(mm_strbuf *sb, text_row *rows, size_t n)
{
    size_t width[N_COLS];
    for (int c = 0; c < N_COLS; c++) {
        width[c] = mm_text_columns(columns[c].title);
        for (size_t r = 0; r < n; r++)
            if (rows[r].cells[c] && mm_text_columns(rows[r].cells[c]) > width[c])
                width[c] = mm_text_columns(rows[r].cells[c]);
    }
    for (size_t r = 0; r <= n; r++) {
        mm_strbuf line;
        mm_strbuf_init(&line);
        for (int c = 0; c < N_COLS; c++) {
            const char *cell = r == 0 ? columns[c].title : rows[r - 1].cells[c];
            if (!cell)
                cell = "";
            size_t pad = width[c] - mm_text_columns(cell);
            if (c)
                mm_strbuf_append(&line, "  ");
            if (columns[c].right)
                mm_strbuf_pad(&line, ' ', pad);
            mm_strbuf_append(&line, cell);
            if (!columns[c].right)
                mm_strbuf_pad(&line, ' ', pad);
        }
        while (line.len && line.data[line.len - 1] == ' ')
            line.data[--line.len] = '\0';
        mm_strbuf_append(sb, line.data ? line.data : "");
        mm_strbuf_append(sb, "\n");
        mm_strbuf_free(&line);
    }
}

static char *index_text(const mm_collection_info *c)
{
    if (strcmp(c->index_params, "{}") == 0)
        return mm_strdup(mm_engine_type_name(c->engine_type));
    return mm_asprintf("%s %s", mm_engine_type_name(c->engine_type), c->index_params);
}

static void render_wal(mm_strbuf *sb, const mm_wal_guard *wal)
{
    if (!wal) {
        mm_strbuf_append(sb, "Unflushed data: not checked\n");
        return;
    }
    char *text = mm_wal_guard_render_text(wal);
    mm_strbuf_append(sb, text ? text : "");
    free(text);
}

char *mm_inventory_render_text(const mm_inventory *inv, const mm_wal_guard *wal, const char *after_table)
{
    mm_inventory_totals t;
    mm_inventory_totals_of(inv, &t);
    char total_size[32];
    mm_format_bytes(t.bytes, total_size, sizeof total_size);

    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_appendf(&sb, "Source: %s (%s)\n", inv->origin, inv->ddl_era);
    mm_strbuf_appendf(&sb,
                      "%zu collection(s), %zu partition(s) besides _default, %zu segment(s), %lld live "
                      "row(s), %lld deleted, %s\n",
                      t.collections, t.partitions, t.segments, (long long)t.live, (long long)t.deleted,
                      total_size);
    if (inv->dropped_collections)
        mm_strbuf_appendf(&sb, "%zu dropped collection(s) (state TO_DELETE) skipped\n", inv->dropped_collections);
    if (inv->dropped_partitions)
        mm_strbuf_appendf(&sb, "%zu dropped partition(s) (state TO_DELETE) skipped\n", inv->dropped_partitions);
    if (inv->n_skipped)
        mm_strbuf_appendf(&sb, "%lld row(s) of %zu segment row(s) in the meta are not migrated (see the warnings)\n",
                          (long long)inv->skipped_rows, inv->n_skipped);

    size_t n_rows = 0;
    for (size_t i = 0; i < inv->n_collections; i++)
        n_rows += 1 + (inv->collections[i].n_partitions > 1 ? inv->collections[i].n_partitions : 0);
    text_row *rows = calloc(n_rows ? n_rows : 1, sizeof *rows);
    if (!rows) {
        mm_strbuf_free(&sb);
        return NULL;
    }
    size_t r = 0;
    bool any_estimated = false;
    for (size_t i = 0; i < inv->n_collections; i++) {
        const mm_collection_info *c = &inv->collections[i];
        int64_t rows_sum = 0, deleted = 0, live = 0, segments = 0;
        uint64_t bytes = 0;
        bool estimated = false;
        for (size_t j = 0; j < c->n_partitions; j++) {
            mm_partition_totals(&c->partitions[j], &rows_sum, &deleted, &live, &bytes);
            segments += (int64_t)c->partitions[j].n_segments;
            estimated = estimated || has_unread_segment(&c->partitions[j]);
        }
        any_estimated = any_estimated || estimated;
        char *name = mm_name_escape(c->name);
        text_row *row = &rows[r++];
        fill_row(row, name ? name : "?", c->target_name, segments, rows_sum, deleted, live, bytes, estimated);
        free(name);
        row->cells[COL_DIM] = mm_strdup(c->dim_text);
        row->cells[COL_TYPE] = mm_strdup(c->binary ? "binary" : "float");
        row->cells[COL_METRIC] = mm_strdup(mm_metric_name(c->metric_type));
        row->cells[COL_INDEX] = index_text(c);
        if (c->n_partitions < 2)
            continue;
        for (size_t j = 0; j < c->n_partitions; j++) {
            const mm_partition_info *p = &c->partitions[j];
            int64_t prow = 0, pdel = 0, plive = 0;
            uint64_t pbytes = 0;
            mm_partition_totals(p, &prow, &pdel, &plive, &pbytes);
            char *tag = mm_name_escape(p->tag[0] ? p->tag : "_default");
            char *label = mm_asprintf("  %s", tag ? tag : "?");
            fill_row(&rows[r++], label ? label : "?", p->target_name, (int64_t)p->n_segments, prow, pdel,
                     plive, pbytes, has_unread_segment(p));
            free(tag);
            free(label);
        }
    }
    mm_strbuf_append(&sb, "\n");
    render_table(&sb, rows, r);
    if (any_estimated)
        mm_strbuf_append(&sb, "* counts the meta row_count of segments that could not be read (see the warnings)\n");
    for (size_t i = 0; i < r; i++)
        for (int c = 0; c < N_COLS; c++)
            free(rows[i].cells[c]);
    free(rows);
    if (after_table) {
        mm_strbuf_append(&sb, "\n");
        mm_strbuf_append(&sb, after_table);
    }

    mm_strbuf_append(&sb, "\n");
    render_wal(&sb, wal);
    if (inv->n_warnings) {
        mm_strbuf_appendf(&sb, "\nWarnings (%zu):\n", inv->n_warnings);
        for (size_t i = 0; i < inv->n_warnings; i++)
            mm_strbuf_appendf(&sb, "  - %s\n", inv->warnings[i]);
    } else {
        mm_strbuf_append(&sb, "\nWarnings: none\n");
    }
    return mm_strbuf_take(&sb);
}

static cJSON *segment_json(const mm_segment_info *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "segment", s->segment_id);
    cJSON_AddStringToObject(o, "fileId", s->file_id);
    cJSON_AddStringToObject(o, "tableId", s->table_id);
    cJSON_AddNumberToObject(o, "fileType", s->file_type);
    cJSON_AddBoolToObject(o, "hasIndex", s->has_index);
    cJSON_AddNumberToObject(o, "metaRows", (double)s->meta_row_count);
    cJSON_AddBoolToObject(o, "scanned", s->scanned);
    if (s->scanned) {
        cJSON_AddNumberToObject(o, "rows", (double)s->rows);
        cJSON_AddNumberToObject(o, "deleted", (double)s->deleted);
        cJSON_AddNumberToObject(o, "duplicateOffsets", (double)s->duplicate_offsets);
        cJSON_AddNumberToObject(o, "outOfRangeOffsets", (double)s->out_of_range_offsets);
        cJSON_AddNumberToObject(o, "live", (double)s->live);
        cJSON_AddNumberToObject(o, "bytes", (double)s->bytes);
    }
    return o;
}

static void add_totals(cJSON *o, int64_t rows, int64_t deleted, int64_t live, uint64_t bytes)
{
    cJSON_AddNumberToObject(o, "rows", (double)rows);
    cJSON_AddNumberToObject(o, "deleted", (double)deleted);
    cJSON_AddNumberToObject(o, "live", (double)live);
    cJSON_AddNumberToObject(o, "bytes", (double)bytes);
}

static cJSON *collection_json(const mm_collection_info *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", c->name);
    cJSON_AddStringToObject(o, "target", c->target_name);
    cJSON_AddNumberToObject(o, "dim", (double)c->dim);
    if (c->schema_problem)
        cJSON_AddStringToObject(o, "schemaProblem", c->schema_problem);
    else
        cJSON_AddNullToObject(o, "schemaProblem");
    cJSON_AddBoolToObject(o, "binary", c->binary);
    cJSON_AddNumberToObject(o, "metricType", c->metric_type);
    cJSON_AddStringToObject(o, "metric", mm_metric_name(c->metric_type));
    cJSON_AddNumberToObject(o, "engineType", c->engine_type);
    cJSON_AddStringToObject(o, "indexType", mm_engine_type_name(c->engine_type));
    cJSON *params = cJSON_Parse(c->index_params);
    if (params)
        cJSON_AddItemToObject(o, "indexParams", params);
    else
        cJSON_AddStringToObject(o, "indexParams", c->index_params);
    cJSON_AddNumberToObject(o, "indexFileSize", (double)c->index_file_size);
    cJSON_AddNumberToObject(o, "flag", (double)c->flag);
    cJSON_AddStringToObject(o, "version", c->version);
    if (c->duplicate_ids >= 0)
        cJSON_AddNumberToObject(o, "duplicateIds", (double)c->duplicate_ids);
    else
        cJSON_AddNullToObject(o, "duplicateIds");
    int64_t rows = 0, deleted = 0, live = 0;
    uint64_t bytes = 0;
    cJSON *parts = cJSON_CreateArray();
    for (size_t j = 0; j < c->n_partitions; j++) {
        const mm_partition_info *p = &c->partitions[j];
        int64_t prow = 0, pdel = 0, plive = 0;
        uint64_t pbytes = 0;
        mm_partition_totals(p, &prow, &pdel, &plive, &pbytes);
        rows += prow;
        deleted += pdel;
        live += plive;
        bytes += pbytes;
        cJSON *po = cJSON_CreateObject();
        cJSON_AddStringToObject(po, "tag", p->tag);
        cJSON_AddStringToObject(po, "target", p->target_name);
        cJSON_AddStringToObject(po, "tableId", p->table_id);
        add_totals(po, prow, pdel, plive, pbytes);
        cJSON *segs = cJSON_CreateArray();
        for (size_t k = 0; k < p->n_segments; k++)
            cJSON_AddItemToArray(segs, segment_json(&p->segments[k]));
        cJSON_AddItemToObject(po, "segments", segs);
        cJSON_AddItemToArray(parts, po);
    }
    add_totals(o, rows, deleted, live, bytes);
    cJSON_AddItemToObject(o, "partitions", parts);
    return o;
}

char *mm_inventory_render_json(const mm_inventory *inv, const mm_wal_guard *wal)
{
    mm_inventory_totals t;
    mm_inventory_totals_of(inv, &t);
    cJSON *root = cJSON_CreateObject();
    cJSON *source = cJSON_AddObjectToObject(root, "source");
    cJSON_AddStringToObject(source, "origin", inv->origin);
    cJSON_AddStringToObject(source, "era", inv->ddl_era);
    cJSON *totals = cJSON_AddObjectToObject(root, "totals");
    cJSON_AddNumberToObject(totals, "collections", (double)t.collections);
    cJSON_AddNumberToObject(totals, "partitions", (double)t.partitions);
    cJSON_AddNumberToObject(totals, "segments", (double)t.segments);
    add_totals(totals, t.rows, t.deleted, t.live, t.bytes);
    cJSON_AddNumberToObject(totals, "droppedCollections", (double)inv->dropped_collections);
    cJSON_AddNumberToObject(totals, "droppedPartitions", (double)inv->dropped_partitions);
    cJSON_AddNumberToObject(totals, "skippedSegments", (double)inv->n_skipped);
    cJSON_AddNumberToObject(totals, "skippedRows", (double)inv->skipped_rows);
    cJSON *cols = cJSON_AddArrayToObject(root, "collections");
    for (size_t i = 0; i < inv->n_collections; i++)
        cJSON_AddItemToArray(cols, collection_json(&inv->collections[i]));
    if (wal)
        cJSON_AddItemToObject(root, "unflushed", mm_wal_guard_json(wal));
    else
        cJSON_AddNullToObject(root, "unflushed");
    cJSON *warnings = cJSON_AddArrayToObject(root, "warnings");
    for (size_t i = 0; i < inv->n_warnings; i++)
        cJSON_AddItemToArray(warnings, cJSON_CreateString(inv->warnings[i]));
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}
