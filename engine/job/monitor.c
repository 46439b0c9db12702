/* The journal monitor of a wizard job: the engine reports totals, the
 * journal knows each batch, so a small thread reads it a few times a second
 * (the journal serialises its readers and writers) and, while loading, asks
 * Milvus how far its running import tasks are. */
#include "run_job_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { POLL_MS = 250, TASK_QUERIES_MAX = 16 };

void mm_runjob_monitor_init(mm_runjob *j)
{
    pthread_mutex_init(&j->monitor_lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&j->monitor_cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&j->poll_lock, NULL);
}

void mm_runjob_monitor_fini(mm_runjob *j)
{
    pthread_cond_destroy(&j->monitor_cond);
    pthread_mutex_destroy(&j->monitor_lock);
    pthread_mutex_destroy(&j->poll_lock);
}

typedef struct poll_ctx {
    const mm_plan *plan;
    mm_runjob_batch *batches;   /* the monitor's own copy */
    bool new_task;              /* a task id appeared: ask Milvus about it now */
} poll_ctx;

static int read_batch(void *ctx, const mm_journal_batch *b)
{
    poll_ctx *pc = ctx;
    long i = mm_plan_find_batch(pc->plan, b->collection, b->segment, b->batch);
    if (i < 0)
        return 0;
    mm_runjob_batch *v = &pc->batches[i];
    int64_t task = b->task_ids && b->task_ids[0] ? strtoll(b->task_ids, NULL, 10) : 0;
    if (task != v->task || b->state != MM_BATCH_SUBMITTED)
        v->import_state = -1; /* a new task, or no running one */
    if (task && task != v->task && b->state == MM_BATCH_SUBMITTED)
        pc->new_task = true;
    v->state = b->state;
    v->task = task;
    v->imported_rows = b->imported_rows;
    return 0;
}

/* Asks Milvus about the tasks still running; the loader itself waits for
 * them, this is only to show their state. */
static void read_tasks(mm_milvus *milvus, mm_runjob_batch *batches, size_t n)
{
    int asked = 0;
    for (size_t i = 0; i < n && asked < TASK_QUERIES_MAX; i++) {
        if (batches[i].state != MM_BATCH_SUBMITTED || !batches[i].task)
            continue;
        mm_milvus_import_state st;
        mm_error err;
        mm_error_clear(&err);
        asked++;
        if (mm_milvus_get_import_state(milvus, batches[i].task, &st, &err) != 0)
            continue;
        batches[i].import_state = st.missing ? -1 : st.state;
        batches[i].import_progress = st.progress;
        mm_milvus_import_state_free(&st);
    }
}

/* mine: a scratch copy of the batches, as published last. */
static void poll_once(mm_runjob *j, mm_runjob_batch *mine, bool ask_milvus)
{
    const mm_plan *plan = &j->plan; /* immutable once the monitor runs */
    poll_ctx pc = {plan, mine, false};
    mm_error err;
    mm_error_clear(&err);
    pthread_mutex_lock(&j->lock);
    memcpy(mine, j->batches, plan->n_batches * sizeof *mine);
    pthread_mutex_unlock(&j->lock);
    if (mm_journal_each(j->journal, read_batch, &pc, &err) != 0)
        return; /* shown as it was; the job itself reports journal failures */
    pthread_mutex_lock(&j->lock);
    bool loading = j->phase == MM_RUNJOB_LOADING;
    pthread_mutex_unlock(&j->lock);
    if ((ask_milvus || pc.new_task) && loading && j->milvus)
        read_tasks(j->milvus, mine, plan->n_batches);
    pthread_mutex_lock(&j->lock);
    bool changed = memcmp(j->batches, mine, plan->n_batches * sizeof *mine) != 0;
    if (changed) {
        memcpy(j->batches, mine, plan->n_batches * sizeof *mine);
        memset(j->collections, 0, plan->n_collections * sizeof *j->collections);
        for (size_t i = 0; i < plan->n_batches; i++) {
            mm_runjob_collection *c = &j->collections[plan->batches[i].collection];
            if (mine[i].state >= MM_BATCH_DUMPED)
                c->dumped += plan->batches[i].rows;
            if (mine[i].state == MM_BATCH_IMPORTED)
                c->imported += mine[i].imported_rows;
        }
        j->batches_version++;
        mm_runjob_touch(j);
    }
    pthread_mutex_unlock(&j->lock);
    if (changed)
        mm_runjob_wake(j, false);
}

static void poll_ask(mm_runjob *j, bool ask_milvus)
{
    mm_runjob_batch *mine = calloc(j->plan.n_batches ? j->plan.n_batches : 1, sizeof *mine);
    if (!mine)
        return;
    pthread_mutex_lock(&j->poll_lock);
    poll_once(j, mine, ask_milvus);
    pthread_mutex_unlock(&j->poll_lock);
    free(mine);
}

void mm_runjob_monitor_poll(mm_runjob *j)
{
    if (j->monitor_running)
        poll_ask(j, false);
}

static void *monitor_thread(void *arg)
{
    mm_runjob *j = arg;
    int round = 0;
    for (;;) {
        pthread_mutex_lock(&j->monitor_lock);
        bool stop = j->monitor_stop;
        pthread_mutex_unlock(&j->monitor_lock);
        if (stop)
            break;
        poll_ask(j, round++ % 4 == 0); /* import states about once a second */
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += POLL_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_mutex_lock(&j->monitor_lock);
        while (!j->monitor_stop && pthread_cond_timedwait(&j->monitor_cond, &j->monitor_lock, &until) != ETIMEDOUT)
            ;
        pthread_mutex_unlock(&j->monitor_lock);
    }
    /* The final state, as the steps left the journal. */
    poll_ask(j, false);
    return NULL;
}

void mm_runjob_monitor_start(mm_runjob *j, mm_journal *journal, mm_milvus *milvus)
{
    j->journal = journal;
    j->milvus = milvus;
    j->monitor_stop = false;
    j->monitor_running = pthread_create(&j->monitor, NULL, monitor_thread, j) == 0;
}

void mm_runjob_monitor_stop(mm_runjob *j)
{
    if (!j->monitor_running)
        return;
    pthread_mutex_lock(&j->monitor_lock);
    j->monitor_stop = true;
    pthread_cond_signal(&j->monitor_cond);
    pthread_mutex_unlock(&j->monitor_lock);
    pthread_join(j->monitor, NULL);
    j->monitor_running = false;
    j->journal = NULL;
    j->milvus = NULL;
}
