/* Which batches of the journal belong to the migration as the 1.x source
 * is now. A batch belongs when its segment is a live segment of a
 * collection of the inventory, in the partition the batch names, and its
 * index is below the number of batches the dump recorded for the segment.
 * A source that changed between two dumps (a segment merged away, a
 * collection dropped) leaves stale batches behind: the dump retires them,
 * load never imports them and verify does not count them. */
#ifndef MM_BATCH_PLAN_H
#define MM_BATCH_PLAN_H

#include "base/error.h"
#include "journal.h"
#include "source/inventory.h"

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
