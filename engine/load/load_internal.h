/* Shared between load.c (batches and tasks) and load_target.c (collections,
 * partitions, indexes). */
#ifndef MM_LOAD_INTERNAL_H
#define MM_LOAD_INTERNAL_H

#include "load/load.h"

#include <stdarg.h>

void mm_load_log(const mm_load_options *opt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Makes sure the 2.x collection of c and its partitions exist as the policy
 * says, recording the decision (and row-count baselines) in the journal.
 * *skipped is set when the policy leaves the collection alone. */
int mm_load_prepare_collection(const mm_load_options *opt, const mm_collection_info *c, bool *skipped,
                               mm_load_result *res, mm_error *err);

/* Builds the index of a collection created by this job, if asked. */
int mm_load_create_index(const mm_load_options *opt, const mm_collection_info *c, mm_load_result *res,
                         mm_error *err);

#endif
