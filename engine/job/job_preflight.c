/* The staging probe of preflight.h for an open job, before its dump or load. */
#include "job/job.h"

#include "base/strbuf.h"
#include "job/preflight.h"
#include "plan.h"

#include <stdlib.h>
#include <string.h>

typedef struct remaining_ctx {
    mm_batch_plan *plan;
    size_t left;
} remaining_ctx;

static int count_left(void *ctx, const mm_journal_batch *b)
{
    remaining_ctx *r = ctx;
    if (b->state != MM_BATCH_IMPORTED && mm_batch_plan_classify(r->plan, b, NULL) == MM_BATCH_IN_PLAN)
        r->left++;
    return 0;
}

/* Whether any live segment is still to dump or any batch of the plan
 * still to import: the probe only matters then. */
static int work_left(mm_job *job, bool *left, mm_error *err)
{
    remaining_ctx r = {0};
    if (mm_batch_plan_build(&job->inv, job->journal, &r.plan, err) != 0)
        return -1;
    const char *undumped = NULL;
    mm_batch_plan_batches(r.plan, &undumped);
    int rc = mm_journal_each(job->journal, count_left, &r, err);
    *left = undumped != NULL || r.left > 0;
    mm_batch_plan_free(r.plan);
    return rc;
}

int mm_job_probe_staging(mm_job *job, mm_milvus *milvus, mm_findings *found, mm_error *err)
{
    bool left = true;
    if (work_left(job, &left, err) != 0)
        return -1;
    if (left)
        mm_preflight_probe(&job->cfg, milvus, job->storage, job->state_dir, job->sink ? job->sink->cancel : NULL,
                           found);
    return 0;
}
