#include "run_progress.h"

#include <string.h>

/* The dump's total counts rows while a batch is being written; the journal
 * has them only once the batch is recorded. Those rows in flight belong to
 * batches the journal still lists as to dump, and the dump works through
 * the plan's segments in order, so they are given to the first such
 * batches, each up to its own rows. Nothing says which worker wrote which
 * rows, and this keeps every collection within its batches. */
static void add_rows_in_flight(mm_runjob_view *v, int64_t in_flight)
{
    const mm_plan *plan = v->plan;
    for (size_t i = 0; i < plan->n_batches && in_flight > 0; i++) {
        if (v->batches[i].state >= MM_BATCH_DUMPED)
            continue;
        int64_t rows = plan->batches[i].rows < in_flight ? plan->batches[i].rows : in_flight;
        v->collections[plan->batches[i].collection].dumped += rows;
        in_flight -= rows;
    }
}

void mm_run_progress_agree(mm_runjob_view *v)
{
    const mm_plan *plan = v->plan;
    if (!plan || !v->batches || !v->collections)
        return;
    memset(v->collections, 0, plan->n_collections * sizeof *v->collections);
    int64_t dumped = 0, imported = 0;
    size_t batches_imported = 0;
    for (size_t i = 0; i < plan->n_batches; i++) {
        mm_monitor_collection *c = &v->collections[plan->batches[i].collection];
        if (v->batches[i].state >= MM_BATCH_DUMPED) {
            c->dumped += plan->batches[i].rows;
            dumped += plan->batches[i].rows;
        }
        if (v->batches[i].state == MM_BATCH_IMPORTED) {
            c->imported += v->batches[i].imported_rows;
            imported += v->batches[i].imported_rows;
            batches_imported++;
        }
    }
    /* A batch is counted as imported by the load when it records it in the
     * journal: the journal is the one count of imported rows and batches. */
    v->load.rows_done = imported;
    v->load.batches_done = batches_imported;
    if (v->dump.rows_done > dumped)
        add_rows_in_flight(v, v->dump.rows_done - dumped);
    else /* recorded before its progress event arrived */
        v->dump.rows_done = dumped;
}
