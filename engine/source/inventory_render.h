/* The inventory as people and scripts read it (`inspect`, `inspect --json`). */
#ifndef MM_INVENTORY_RENDER_H
#define MM_INVENTORY_RENDER_H

#include "source/inventory.h"
#include "source/wal_guard.h"

typedef struct mm_inventory_totals {
    size_t collections;
    size_t partitions;     /* named partitions, _default not counted */
    size_t segments;
    int64_t rows, deleted, live;
    uint64_t bytes;
} mm_inventory_totals;

void mm_inventory_totals_of(const mm_inventory *inv, mm_inventory_totals *t);
/* Per partition / collection sums over scanned segments. */
void mm_partition_totals(const mm_partition_info *p, int64_t *rows, int64_t *deleted, int64_t *live,
                         uint64_t *bytes);

/* "1023 B", "4.0 KiB", "1.5 GiB". */
void mm_format_bytes(uint64_t bytes, char *buf, size_t n);

/* wal may be NULL (not checked). Both return malloc'd text or NULL on OOM. */
/* after_table (NULL: nothing): lines printed between the table and the
 * unflushed-data check (inspect's import plan). */
char *mm_inventory_render_text(const mm_inventory *inv, const mm_wal_guard *wal, const char *after_table);
char *mm_inventory_render_json(const mm_inventory *inv, const mm_wal_guard *wal);

#endif
