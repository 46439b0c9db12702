/* The ONE planner: how the 1.x inventory becomes 2.x import batches. The
 * rules (rows per batch under dumper.maxFileSize and the per-import limit,
 * small segments of a partition packed together up to dumper.batchSize,
 * no batch for a segment without live rows, the batch's name) are here and
 * nowhere else: the dump
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

/* Milvus refuses an import whose files add up to more than this
 * (dataNode.import.maxImportFileSizeInGB, 16 by default, checked against
 * the sum of one request's files): no batch of the plan is larger. */
#define MM_PLAN_IMPORT_LIMIT ((uint64_t)16 << 30)

/* A packed batch holds at most this share of its partition's bytes (see
 * mm_plan_pack_target). */
enum { MM_PLAN_MIN_PACKED_BATCHES = 16 };

/* What the rules depend on, from migration.yaml. */
typedef struct mm_plan_limits {
    uint64_t max_file_size;     /* dumper.maxFileSize: no .npy file above it */
    uint64_t batch_size;        /* dumper.batchSize: packing target; 0 = one batch per segment */
} mm_plan_limits;

mm_plan_limits mm_plan_limits_of(const mm_config *cfg);

/* Dump workers when dumper.worker.limit is not set: one per core this
 * process may run on, at most this many. One worker is bound by the CPU
 * (checksums, NaN checks, the gather of live rows) well below what a local
 * disk or a bucket takes, so more workers help up to the cores; beyond
 * about eight, measured hosts gained nothing on disk. */
enum { MM_PLAN_WORKERS_MAX = 8 };

/* How many segments the dump works on at once, and why (into why, e.g.
 * "dumper.worker.limit is not set: 2 cores available"). */
int mm_plan_workers(const mm_config *cfg, char *why, size_t why_size);

/* One import batch: part k of n of one segment's rows (n > 1 when the
 * segment is split), or whole segments of one partition packed together
 * (n_members > 1): the first of them, `segment`, names the batch. */
typedef struct mm_plan_batch {
    size_t collection;          /* index into mm_plan.collections */
    size_t partition;           /* index into the collection's partitions */
    const mm_segment_info *segment;
    int batch, n_batches;       /* k of n for the segment */
    size_t first_member, n_members; /* mm_plan.members[first_member...]; segment first */
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
    const mm_segment_info **members; /* the segments of each batch, see mm_plan_batch */
    size_t n_members;
    size_t segments_packed;         /* segments sharing a batch with others */
    size_t partitions;              /* partitions of the planned collections, _default included */
    int64_t rows;
    uint64_t bytes;
} mm_plan;

/* Rows per batch so that id.npy and data.npy of a collection's batch,
 * together, exceed neither max_file_size nor MM_PLAN_IMPORT_LIMIT; 0 when
 * not even one row fits. */
int64_t mm_plan_rows_per_batch(uint64_t max_file_size, const mm_collection_info *c);
/* The most bytes a packed batch of a partition holding `partition_bytes`
 * (the .npy files its segments would give one by one) may take: batch_size,
 * but no more than 1/MM_PLAN_MIN_PACKED_BATCHES of the partition, so that
 * packing still leaves several imports to run side by side and an import
 * that fails, or a dump that is killed, redoes a small part of it; 0 = no
 * packing. A partition of fewer than about 32 segments of similar size is
 * therefore never packed: each segment stays its own batch. */
uint64_t mm_plan_pack_target(uint64_t batch_size, uint64_t partition_bytes);
/* Whether a segment id can be one of a packed batch's members (the journal
 * lists them comma-separated). */
bool mm_plan_packable_id(const char *segment_id);
/* How many batches a segment of `rows` live rows becomes (0 for none). */
int mm_plan_batch_count(int64_t rows, int64_t rows_per_batch);
/* The batch's directory name under tables/<collection>/: "<segment>", or
 * "<segment>-<k>" when the segment is split into n batches. */
void mm_plan_segment_batch_name(const char *segment, int k, int n, char *buf, size_t size);

/* Plans the collections with selected[i] (NULL: all) of a scanned
 * inventory. Fails (MM_ERR_CONFIG) when max_file_size cannot hold one row
 * of a collection, with the message the dump would give. */
int mm_plan_build(mm_plan *plan, const mm_inventory *inv, const bool *selected, const mm_plan_limits *limits,
                  mm_error *err);
void mm_plan_free(mm_plan *plan);

/* "<segment>" or "<segment>-<k>": the batch's directory under tables/<collection>/. */
void mm_plan_batch_name(const mm_plan_batch *b, char *buf, size_t n);
/* The i-th segment of a batch (0: b->segment). */
const mm_segment_info *mm_plan_member(const mm_plan *plan, const mm_plan_batch *b, size_t i);
/* The journal's members of a batch: its segment ids comma-separated when
 * packed, "" otherwise (malloc'd; NULL when out of memory). */
char *mm_plan_members_text(const mm_plan *plan, const mm_plan_batch *b);
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
 * next call. A packed batch belongs when each of its segments does and
 * each segment's record names it as the batch holding its rows. */
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
