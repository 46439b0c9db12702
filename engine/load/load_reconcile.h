/* The arithmetic of exactly-once imports, on its own so it can be tested:
 * an Import whose answer never reached the journal (a crash or a lost
 * connection mid-call), or whose task Milvus no longer knows, is settled
 * from what Milvus holds before anything is sent again. */
#ifndef MM_LOAD_RECONCILE_H
#define MM_LOAD_RECONCILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { MM_LOAD_SUBSET_MAX = 16 };

/* Which of the n interrupted batches (rows[i] each) arrived, given that
 * `arrived` rows of them are in the partition: an import task is all or
 * nothing, so the answer is a subset whose rows add up to exactly that.
 * Returns the subset as a bit mask when exactly one subset fits, -1 when
 * none or several do (two batches of the same size, one of them in) or
 * when n exceeds MM_LOAD_SUBSET_MAX. */
int64_t mm_load_arrived_subset(const int64_t *rows, size_t n, int64_t arrived);
/* How many subsets of the n batches add up to `arrived` (0, 1, 2, ...;
 * -1 when n exceeds MM_LOAD_SUBSET_MAX): what a refusal has to say. */
long mm_load_fitting_subsets(const int64_t *rows, size_t n, int64_t arrived);
/* Whether a task's comma-separated file list (as 2.2/2.3 list it) names
 * key as one whole entry. */
bool mm_load_task_lists_file(const char *files, const char *key);

#endif
