/* Reads every segment of an inventory once to learn the exact counts the
 * meta only approximates: rows, distinct deletes, live rows, bytes, and
 * (optionally) duplicate live ids per collection. */
#ifndef MM_SCAN_H
#define MM_SCAN_H

#include "base/error.h"
#include "source/inventory.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mm_scan_options {
    const char *const *tables_dirs;  /* primary first, then 0.9 secondary roots */
    size_t n_tables_dirs;
    bool missing_deleted_docs_ok;
    /* Said when a segment file is not found (mm_source.missing_hint); NULL: none. */
    const char *missing_hint;
    bool check_duplicate_ids;
    /* Collections with more live rows than this skip the duplicate-id check
     * (it sorts all live ids in memory); 0 means 32 Mi ids = 256 MiB. */
    int64_t duplicate_check_max_ids;
    /* Called after each segment; return false to cancel. May be NULL. */
    bool (*progress)(void *ctx, size_t segments_done, size_t segments_total);
    void *progress_ctx;
} mm_scan_options;

/* TableFiles.row_count against what a scanned segment's files hold (spec
 * §4 step 5): equal; more live rows than the meta says, by no more than
 * the deleted_docs offsets Milvus <= 1.0 counted twice; or a
 * contradiction (a truncated copy, files of another segment), which the
 * scan reports as an error rather than migrating what the files say. */
typedef enum { MM_ROWS_AGREE, MM_ROWS_EXPLAINED, MM_ROWS_CONTRADICTED } mm_rows_verdict;
mm_rows_verdict mm_segment_rows_verdict(const mm_segment_info *s);

/* A segment that cannot be read, or whose files contradict its meta row
 * count, becomes a warning naming it and the cause (and stays
 * scanned=false); the function then returns -1 with err set to the first
 * such failure after scanning everything else, so `inspect` shows all
 * problems at once and `dump` refuses to start. Segments of a collection
 * with a schema_problem are not read. */
int mm_inventory_scan(mm_inventory *inv, const mm_scan_options *opt, mm_error *err);

#endif
