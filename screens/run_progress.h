/* One set of numbers for the Run screen's progress: the totals come from
 * the steps' progress events, the per-collection rows from the journal
 * monitor, which reads the journal a few times a second. Drawn side by
 * side they disagreed (a collection at 0% under a total at 40%) until the
 * next read, and for the whole of a large batch while it was dumped: the
 * journal knows a batch only once it is written. This module makes both
 * say the same at every frame. */
#ifndef MM_SCREENS_RUN_PROGRESS_H
#define MM_SCREENS_RUN_PROGRESS_H

#include "run_job.h"

/* Recomputes v->collections from v->batches (the journal as the monitor
 * read it last) and the totals in v->dump and v->load, so that the rows of
 * the collections add up to the totals. Needs v->plan. */
void mm_run_progress_agree(mm_runjob_view *v);

#endif
