/* Shared by the inventory's modules: inventory.c (collections, partitions,
 * segments, filter), inventory_account.c (what the meta holds but
 * the migration leaves out), inventory_names.c (2.x names) and
 * inventory_schema.c (what 2.x cannot take); inventory_rows.c holds what
 * they all use, so none of them calls back into another. */
#ifndef MM_INVENTORY_INTERNAL_H
#define MM_INVENTORY_INTERNAL_H

#include "source/inventory.h"

#include <stdbool.h>

static inline bool mm_is_raw_file_type(int file_type)
{
    return file_type == MM_FILE_RAW || file_type == MM_FILE_TO_INDEX || file_type == MM_FILE_BACKUP;
}

const mm_table_row *mm_meta_find_table(const mm_meta_rows *rows, const char *table_id);

/* A Tables row that becomes a collection of the inventory: live, no owner,
 * a table_id usable as a directory name. */
bool mm_table_is_collection(const mm_table_row *t);
/* A Tables row that becomes a partition of a collection of the inventory. */
bool mm_table_is_partition(const mm_meta_rows *rows, const mm_table_row *t);
/* Whether pt is a live partition row of collection row t. */
bool mm_table_is_partition_of(const mm_table_row *pt, const mm_table_row *t);

/* Records a segment row that is left out (its warning is the caller's). */
int mm_inventory_skip(mm_inventory *inv, const mm_file_row *f);

/* After the collections are built: warns about (and records) every
 * Tables and TableFiles row that holds rows the inventory does not
 * include, except drops. accounted[i] tells whether rows->files[i] was
 * already taken into a segment or reported. */
int mm_inventory_account(const mm_meta_rows *rows, const bool *accounted, mm_inventory *inv);

/* Give every partition of c (the collection's own data is "_default") and
 * every collection of inv a valid, unique 2.x name; renames are warned. */
int mm_inventory_name_partitions(mm_collection_info *c, mm_inventory *inv);
int mm_inventory_name_collections(mm_inventory *inv);

/* What Milvus 2.x cannot take in a collection's Tables row (dimension,
 * metric, engine type), as one sentence; NULL when nothing. *oom is set on
 * allocation failure. */
char *mm_schema_problem(const mm_table_row *t, bool *oom);

#endif
