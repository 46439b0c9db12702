/* What the inventory's modules share, below all of them: warnings and
 * left-out segments recorded on the inventory, which Tables rows count as
 * collections and partitions, and the names of 1.x metric and engine
 * types. */
#include "source/inventory_internal.h"

#include "base/strbuf.h"
#include "source/names.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mm_inventory_warn(mm_inventory *inv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    char *text = malloc((size_t)n + 1);
    char **grown = realloc(inv->warnings, (inv->n_warnings + 1) * sizeof *grown);
    if (!text || !grown) {
        free(text);
        if (grown)
            inv->warnings = grown;
        return -1;
    }
    inv->warnings = grown;
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    inv->warnings[inv->n_warnings++] = text;
    return 0;
}

static const char *const metric_names[] = {
    [1] = "L2",      [2] = "IP",           [3] = "HAMMING",         [4] = "JACCARD",
    [5] = "TANIMOTO", [6] = "SUBSTRUCTURE", [7] = "SUPERSTRUCTURE",
};

const char *mm_metric_name(int metric_type)
{
    if (metric_type > 0 && (size_t)metric_type < sizeof metric_names / sizeof metric_names[0])
        return metric_names[metric_type];
    return "UNKNOWN";
}

static const char *const engine_names[] = {
    [0] = "INVALID",  [1] = "FLAT",       [2] = "IVF_FLAT",  [3] = "IVF_SQ8",
    [4] = "RNSG",     [5] = "IVF_SQ8H",   [6] = "IVF_PQ",    [7] = "SPTAG_KDT",
    [8] = "SPTAG_BKT", [9] = "BIN_FLAT",  [10] = "BIN_IVF_FLAT", [11] = "HNSW",
    [12] = "ANNOY",
};

const char *mm_engine_type_name(int engine_type)
{
    if (engine_type >= 0 && (size_t)engine_type < sizeof engine_names / sizeof engine_names[0])
        return engine_names[engine_type];
    return "UNKNOWN";
}

const mm_table_row *mm_meta_find_table(const mm_meta_rows *rows, const char *table_id)
{
    for (size_t i = 0; i < rows->n_tables; i++)
        if (strcmp(rows->tables[i].table_id, table_id) == 0)
            return &rows->tables[i];
    return NULL;
}

bool mm_table_is_collection(const mm_table_row *t)
{
    return t->state == MM_TABLE_NORMAL && !t->owner_table[0] && mm_name_safe_component(t->table_id);
}

/* An empty owner_table marks a collection, so a collection whose table_id
 * is empty must not claim every other collection as its partition. */
bool mm_table_is_partition_of(const mm_table_row *pt, const mm_table_row *t)
{
    return pt->state == MM_TABLE_NORMAL && pt->owner_table[0] && strcmp(pt->owner_table, t->table_id) == 0 &&
           mm_name_safe_component(pt->table_id);
}

bool mm_table_is_partition(const mm_meta_rows *rows, const mm_table_row *t)
{
    if (t->state != MM_TABLE_NORMAL || !t->owner_table[0])
        return false;
    const mm_table_row *owner = mm_meta_find_table(rows, t->owner_table);
    return owner && mm_table_is_collection(owner) && mm_table_is_partition_of(t, owner);
}

int mm_inventory_skip(mm_inventory *inv, const mm_file_row *f)
{
    mm_skipped_segment *grown = realloc(inv->skipped, (inv->n_skipped + 1) * sizeof *grown);
    if (!grown)
        return -1;
    inv->skipped = grown;
    mm_skipped_segment *s = &inv->skipped[inv->n_skipped];
    s->table_id = mm_strdup(f->table_id);
    s->segment_id = mm_strdup(f->segment_id);
    s->file_row = f->id;
    s->rows = f->row_count;
    if (!s->table_id || !s->segment_id) {
        free(s->table_id);
        free(s->segment_id);
        return -1;
    }
    inv->n_skipped++;
    inv->skipped_rows += f->row_count;
    return 0;
}
