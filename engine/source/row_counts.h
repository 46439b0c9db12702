/* The 1.x meta's row counts against the rows the segment files hold, per
 * collection, in words a DBA can check: Milvus <= 1.0 recorded a repeated
 * offset of deleted_docs twice and subtracted it twice from
 * TableFiles.row_count, so the meta (and a meta.json exported from it)
 * counts fewer rows than are live, migrated and then counted by 2.x's
 * get_collection_stats. Ids that repeat stay rows of their own. */
#ifndef MM_ROW_COUNTS_H
#define MM_ROW_COUNTS_H

#include "source/inventory.h"

#include <stddef.h>
#include <stdint.h>

typedef struct mm_row_count {
    const mm_collection_info *collection;
    int64_t meta_rows;        /* TableFiles.row_count of its migrated segments, summed */
    int64_t live_rows;        /* what the scanned files hold */
    int64_t repeated_offsets; /* deleted_docs offsets Milvus <= 1.0 counted twice */
    char *text;               /* the sentence, "collection 'x': ..." */
} mm_row_count;

/* One entry per collection whose segments were all scanned and whose meta
 * count differs from its live rows, in inventory order. `what` says what
 * becomes of the live rows ("migrated", "dumped"). 0, or -1 when out of
 * memory; free with mm_row_counts_free. */
int mm_row_counts(const mm_inventory *inv, const char *what, mm_row_count **out, size_t *n);
void mm_row_counts_free(mm_row_count *counts, size_t n);

/* The verification report with them: "rowCounts" in its JSON (an array of
 * {collection, metaRowCount, liveRows, repeatedOffsets, note}, empty when
 * all agree) and a section of its Markdown (none when all agree). Both take
 * the text and return a new one (NULL when out of memory). */
char *mm_row_counts_add_to_report_json(char *report_json, const mm_inventory *inv);
char *mm_row_counts_add_to_report_markdown(char *report_md, const mm_inventory *inv);

#endif
