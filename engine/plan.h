/* The ONE planner: how the 1.x inventory becomes 2.x import batches. The
 * rules (rows per batch under dumper.maxFileSize, no batch for a segment
 * without live rows, the batch's name) are here and nowhere else: the dump
 * writes the batches they give, the Plan screen shows them before anything
 * is written, the Run screen follows them, and load, verify and the dump's
 * reconciliation judge the journal's batches against them.
 *
 * Two views of the same rules:
 * - mm_plan: per collection the 2.x schema and partitions and the batches
 *   with their rows and staged bytes, from a scanned inventory. It points
 *   into that inventory (names, segments); keep the inventory alive and
 *   unchanged while the plan is used.
 * - mm_batch_plan: which batches of the journal belong to the migration as
 *   the 1.x source is now. A batch belongs when its segment is a live
 *   segment of a collection of the inventory, in the partition the batch
 *   names, and its index is below the number of batches the dump recorded
 *   for the segment. A source that changed between two dumps (a segment
 *   merged away, a collection dropped) leaves stale batches behind: the
 *   dump retires them, load never imports them and verify does not count
 *   them. */
#ifndef MM_PLAN_H
#define MM_PLAN_H

#include "base/error.h"
#include "config/config.h"
#include "journal.h"
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

/* Rows per batch so that id.npy and data.npy of a collection's batch,
 * together, do not exceed max_file_size (one import's limit); 0 when not
 * even one row fits. */
int64_t mm_plan_rows_per_batch(uint64_t max_file_size, const mm_collection_info *c);
/* How many batches a segment of `rows` live rows becomes (0 for none). */
int mm_plan_batch_count(int64_t rows, int64_t rows_per_batch);
/* The batch's directory name under tables/<collection>/: "<segment>", or
 * "<segment>-<k>" when the segment is split into n batches. */
void mm_plan_segment_batch_name(const char *segment, int k, int n, char *buf, size_t size);

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

/* ---- the journal's batches against the source as it is now ---------------- */

typedef struct mm_batch_plan mm_batch_plan;

typedef enum {
    MM_BATCH_IN_PLAN,        /* belongs (or its segment is not completely dumped yet) */
    MM_BATCH_NOT_THIS_RUN,   /* of a collection left out with --col: not this run's business */
    MM_BATCH_STALE           /* of a segment or collection that is no longer live, or beyond its segment's batches */
} mm_batch_standing;

/* Built from the (filtered) inventory and the journal's segment records. */
int mm_batch_plan_build(const mm_inventory *inv, mm_journal *journal, mm_batch_plan **out, mm_error *err);
void mm_batch_plan_free(mm_batch_plan *plan);

/* why (may be NULL) receives, for a stale batch, the reason in words
 * ("segment 17 is no longer live in collection 'docs'"); valid until the
 * next call. */
mm_batch_standing mm_batch_plan_classify(mm_batch_plan *plan, const mm_journal_batch *b, const char **why);

/* The number of batches the plan's segments hold, from their segment
 * records; *undumped (may be NULL) names a live segment without a record
 * ("<segment> of collection '<name>'", valid until the next call), or is
 * NULL when every one has one. */
size_t mm_batch_plan_batches(mm_batch_plan *plan, const char **undumped);

/* Whether a segment record (journal) still describes a live segment of a
 * collection of this run; records of collections left out with --col
 * count as live. */
bool mm_batch_plan_segment_live(const mm_batch_plan *plan, const char *collection, const char *segment);

#endif
