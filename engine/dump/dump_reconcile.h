/* What the dump does around writing batches: the staging area claimed for
 * this job before anything is written, the journal reconciled with the
 * source as it is now once the segments are written (stale batches of
 * earlier runs retired), and every batch it reports complete checked
 * where it was staged before it says so. */
#ifndef MM_DUMP_RECONCILE_H
#define MM_DUMP_RECONCILE_H

#include "plan.h"
#include "dump/dump.h"
#include "load/staged_check.h"
#include "load/staging_manifest.h"

mm_staged_place mm_dump_staged_place(const mm_dump_options *opt);
mm_staging_area mm_dump_staging_area(const mm_dump_options *opt);

/* Removes the staged files of a batch record (local files and their batch
 * directory, or objects); files already gone are no error. */
int mm_dump_remove_staged(const mm_dump_options *opt, const mm_journal_batch *b, mm_error *err);

/* Retires every stale batch (see plan.h) not yet submitted for
 * import: its staged files and record go. One submitted already is kept
 * and reported through opt->log. Segment records of segments no longer
 * live go too. Counts into res. */
int mm_dump_retire_stale(const mm_dump_options *opt, mm_batch_plan *plan, mm_dump_result *res, mm_error *err);

/* Every batch of the plan that is dumped but not yet submitted is present
 * where it was staged with its recorded size (and ETag), every live
 * segment has all its batches, and the staging area is still this job's.
 * Otherwise an error naming the first batch that is not, and how many. */
int mm_dump_check_staged(const mm_dump_options *opt, mm_batch_plan *plan, mm_error *err);

#endif
