/* Reads every segment of an inventory once to learn the exact counts the
 * meta only approximates: rows, distinct deletes, live rows, bytes, and
 * (optionally) duplicate live ids per collection. */
#ifndef MM_SCAN_H
#define MM_SCAN_H

#include "error.h"
#include "source/inventory.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mm_scan_options {
    const char *const *tables_dirs;  /* primary first, then 0.9 secondary roots */
    size_t n_tables_dirs;
    bool missing_deleted_docs_ok;
    bool check_duplicate_ids;
    /* Collections with more live rows than this skip the duplicate-id check
     * (it sorts all live ids in memory); 0 means 32 Mi ids = 256 MiB. */
    int64_t duplicate_check_max_ids;
    /* Called after each segment; return false to cancel. May be NULL. */
    bool (*progress)(void *ctx, size_t segments_done, size_t segments_total);
    void *progress_ctx;
} mm_scan_options;

/* A segment that cannot be read becomes a warning naming it and the cause
 * (and stays scanned=false); the function then returns -1 with err set to
 * the first such failure after scanning everything else, so `inspect` shows
 * all problems at once and `dump` refuses to start. */
int mm_inventory_scan(mm_inventory *inv, const mm_scan_options *opt, mm_error *err);

#endif
