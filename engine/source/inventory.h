/* What a Milvus 1.x installation holds, as the migration sees it: the live
 * collections, their partitions (the collection's own table_id is the 2.x
 * `_default` partition) and the raw segments (file_type 1/2/7) of each, with
 * every warning found on the way. Built from mm_meta_rows by
 * mm_inventory_build (specs/milvus1x-format.md §4), then optionally filled
 * with per-segment counts by mm_inventory_scan. */
#ifndef MM_INVENTORY_H
#define MM_INVENTORY_H

#include "base/error.h"
#include "source/meta_rows.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mm_segment_info {
    char *table_id;        /* directory under tables/ (collection or partition table_id) */
    char *segment_id;
    char *file_id;         /* stem of .rv/.uid; equals segment_id normally */
    int file_type;         /* 1, 2 or 7 */
    int64_t meta_row_count;/* TableFiles.row_count (already reduced by deletes) */
    int64_t meta_file_size;
    bool has_index;        /* an INDEX row shares the segment_id */

    /* Filled by mm_inventory_scan. */
    bool scanned;
    int64_t rows;          /* rows in .uid/.rv */
    int64_t deleted;       /* distinct in-range offsets in deleted_docs */
    int64_t duplicate_offsets;
    int64_t out_of_range_offsets;
    int64_t live;          /* rows - deleted */
    uint64_t bytes;        /* bytes of .rv + .uid payload */
} mm_segment_info;

typedef struct mm_partition_info {
    char *tag;             /* 1.x tag; "" for the collection's own data */
    char *target_name;     /* 2.x partition name: "_default" for "" */
    char *table_id;
    int64_t flush_lsn;
    mm_segment_info *segments;
    size_t n_segments;
} mm_partition_info;

typedef struct mm_collection_info {
    char *name;            /* Tables.table_id of the collection */
    char *target_name;     /* 2.x collection name (sanitised, unique) */
    int64_t dim;
    int metric_type;
    bool binary;           /* metric 3..7 */
    int engine_type;
    char *index_params;
    int64_t index_file_size;
    int64_t flag;
    char *version;
    int64_t created_on;
    mm_partition_info *partitions; /* [0] is always the collection's own table_id */
    size_t n_partitions;
    int64_t duplicate_ids; /* live ids seen more than once (scan with id check), -1 unknown */
    char *dim_text;        /* Tables.dimension as stored ("-16", "NULL", "'abc'") */
    /* Why Milvus 2.x cannot take this collection (dimension, metric or
     * engine type out of range), or NULL. Its segments are not read. */
    char *schema_problem;
} mm_collection_info;

/* A raw segment row of TableFiles (file_type 1, 2 or 7, or a type 1.x
 * never writes) that holds rows but is not migrated; a warning says why. */
typedef struct mm_skipped_segment {
    char *table_id;
    char *segment_id;
    int64_t file_row;      /* TableFiles.id */
    int64_t rows;          /* TableFiles.row_count */
} mm_skipped_segment;

typedef struct mm_inventory {
    char *origin;          /* where the meta came from (password masked) */
    char *ddl_era;
    mm_collection_info *collections;
    size_t n_collections;
    char **warnings;
    size_t n_warnings;
    int64_t max_flush_lsn;     /* max(Tables.flush_lsn, Environment.global_lsn) */
    size_t new_file_rows;      /* file_type 0 rows: unclean shutdown */
    size_t dropped_collections;/* state=1 collections, skipped */
    size_t dropped_partitions; /* state=1 partitions of live collections, skipped */
    /* Every segment row of the meta that holds rows and is left out for a
     * reason other than a drop, each named by a warning. */
    mm_skipped_segment *skipped;
    size_t n_skipped;
    int64_t skipped_rows;      /* their TableFiles.row_count, summed */
    /* Collections left out by mm_inventory_filter (still in the source). */
    char **filtered_out;
    size_t n_filtered_out;
} mm_inventory;

void mm_inventory_init(mm_inventory *inv);
void mm_inventory_free(mm_inventory *inv);

/* Applies the live-set rules to raw meta rows. Only fails on allocation
 * failure or when the rows make no sense at all; everything a user should
 * know about (orphan partitions, duplicate segments, ...) becomes a warning. */
int mm_inventory_build(const mm_meta_rows *rows, mm_inventory *inv, mm_error *err);

/* Refuses (MM_ERR_META) when a collection has a schema_problem, naming
 * every such collection, its problem and the way out: fix the meta or
 * leave the collection out with --col. */
int mm_inventory_check_schemas(const mm_inventory *inv, mm_error *err);

/* Adds a formatted warning. Returns 0, or -1 on allocation failure. */
int mm_inventory_warn(mm_inventory *inv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Keeps only the named collections (comma-separated list); an unknown name
 * is an MM_ERR_NOT_FOUND error naming it and listing what exists. The names of
 * the others are kept in filtered_out. */
int mm_inventory_filter(mm_inventory *inv, const char *names_csv, mm_error *err);

/* The collection of that 1.x name, or NULL. */
const mm_collection_info *mm_inventory_find(const mm_inventory *inv, const char *name);

const char *mm_metric_name(int metric_type);       /* "L2", "IP", "HAMMING", ... or "UNKNOWN" */
const char *mm_engine_type_name(int engine_type);  /* "FLAT", "IVF_FLAT", ... */

/* Bytes of one vector. */
static inline int64_t mm_collection_vector_bytes(const mm_collection_info *c)
{
    return c->binary ? c->dim / 8 : c->dim * 4;
}

#endif
