/* The checks of preflight.h for an open job, before its dump or load. */
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

static mm_preflight_target *job_targets(const mm_job *job, size_t *n)
{
    *n = job->inv.n_collections;
    mm_preflight_target *t = calloc(*n ? *n : 1, sizeof *t);
    for (size_t i = 0; t && i < *n; i++)
        t[i] = (mm_preflight_target){.name = job->inv.collections[i].target_name,
                                     .source = job->inv.collections[i].name};
    return t;
}

int mm_job_preflight(mm_job *job, mm_milvus *milvus, mm_error *err)
{
    mm_findings f = {0};
    mm_preflight_plan(&job->cfg, &job->inv, NULL, &f);
    if (milvus && !f.errors) {
        size_t n = 0;
        mm_preflight_target *targets = job_targets(job, &n);
        if (!targets)
            return mm_error_set(err, MM_ERR_NOMEM, "%s: out of memory", job->command);
        mm_preflight_collections(&job->cfg, milvus, targets, n, job->journal, &f);
        free(targets);
        bool left = true;
        if (!f.errors && work_left(job, &left, err) != 0) {
            mm_findings_free(&f);
            return -1;
        }
        if (!f.errors && left)
            mm_preflight_probe(&job->cfg, milvus, job->storage, job->state_dir, job->sink ? job->sink->cancel : NULL,
                               &f);
    }
    /* What passed is shown by the wizard's screens; a job only says what
     * is wrong. */
    const mm_finding *first = NULL;
    for (size_t i = 0; i < f.count; i++) {
        const mm_finding *x = &f.items[i];
        if (x->level == MM_FINDING_ERROR)
            first = first ? first : x;
        else if (x->level == MM_FINDING_WARNING)
            mm_sink_message(job->sink, MM_SINK_WARNING, NULL, "%s", x->text);
    }
    int rc = 0;
    if (first)
        rc = f.errors > 1 ? mm_error_set(err, first->code, "%s (and %zu more problem(s) of this kind)", first->text,
                                         f.errors - 1)
                          : mm_error_set(err, first->code, "%s", first->text);
    mm_findings_free(&f);
    return rc;
}
