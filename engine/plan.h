/* The plan of a migration, before anything is written: per collection the
 * 2.x schema and partitions, and the import batches the dump will write,
 * split exactly as engine/dump/dump.c splits segments (mm_dump_rows_per_batch
 * under dumper.maxFileSize), with their rows and staged bytes. Used by the
 * Plan screen and, as the list of batches to follow, by the Run screen.
 *
 * The plan points into the inventory it was built from (names, segments);
 * keep the inventory alive and unchanged while the plan is used. */
#ifndef MM_SCREENS_PLAN_MODEL_H
#define MM_SCREENS_PLAN_MODEL_H

#include "config/config.h"
#include "base/error.h"
#include "source/inventory.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mm_plan_batch {
    size_t collection;          /* index into mm_plan.collections */
    size_t partition;           /* index into the collection's partitions */
    const mm_segment_info *segment;
    int batch, n_batches;       /* k of n for the segment */
    int64_t rows;
    uint64_t bytes;             /* the id and vector .npy files */
} mm_plan_batch;

typedef struct mm_plan_partition {
    const mm_partition_info *info;
    size_t batches;
    int64_t rows;
    uint64_t bytes;
} mm_plan_partition;

typedef struct mm_plan_collection {
    const mm_collection_info *info;
    mm_plan_partition *partitions;  /* as info->partitions */
    size_t batches;
    int64_t rows;
    uint64_t bytes;
} mm_plan_collection;

typedef struct mm_plan {
    mm_plan_collection *collections;
    size_t n_collections;
    mm_plan_batch *batches;         /* in dump order */
    size_t n_batches;
    size_t *by_key;                 /* batch indexes sorted by (collection, segment, k) */
    size_t partitions;              /* partitions of the planned collections, _default included */
    int64_t rows;
    uint64_t bytes;
} mm_plan;

/* Plans the collections with selected[i] (NULL: all) of a scanned
 * inventory. Fails (MM_ERR_CONFIG) when max_file_size cannot hold one row
 * of a collection, with the message the dump would give. */
int mm_plan_build(mm_plan *plan, const mm_inventory *inv, const bool *selected, uint64_t max_file_size,
                  mm_error *err);
void mm_plan_free(mm_plan *plan);

/* "<segment>" or "<segment>-<k>": the batch's directory under tables/<collection>/. */
void mm_plan_batch_name(const mm_plan_batch *b, char *buf, size_t n);
/* Index of the batch of (1.x collection, segment, k), or -1. */
long mm_plan_find_batch(const mm_plan *plan, const char *collection, const char *segment, int batch);

/* "FloatVector(128)" / "BinaryVector(512)". */
void mm_plan_vector_type(const mm_collection_info *c, char *buf, size_t n);
/* What target.milvus2x.existingCollection does, in a sentence. */
const char *mm_plan_policy_text(mm_existing_policy policy);
const char *mm_plan_policy_name(mm_existing_policy policy);

#endif
