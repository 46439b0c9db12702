#include "job/monitor.h"

#include "base/task.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { POLL_MS = 250, TASK_QUERIES_MAX = 16 };

struct mm_monitor {
    mm_monitor_options opt;
    mm_task *task;              /* the polling thread, NULL once stopped */
    pthread_mutex_t wait_lock;  /* with cond: the thread's sleep, cut short by stop */
    pthread_cond_t cond;
    pthread_mutex_t poll_lock;  /* one journal read at a time (monitor thread or caller) */
    pthread_mutex_t lock;       /* guards what follows */
    uint64_t version;
    mm_monitor_batch *batches;
    mm_monitor_collection *collections;
};

typedef struct poll_ctx {
    const mm_plan *plan;
    mm_monitor_batch *batches;  /* the poller's own copy */
    bool new_task;              /* a task id appeared: ask Milvus about it now */
} poll_ctx;

static int read_batch(void *ctx, const mm_journal_batch *b)
{
    poll_ctx *pc = ctx;
    long i = mm_plan_find_batch(pc->plan, b->collection, b->segment, b->batch);
    if (i < 0)
        return 0;
    mm_monitor_batch *v = &pc->batches[i];
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
static void read_tasks(mm_milvus *milvus, mm_monitor_batch *batches, size_t n)
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
static void poll_once(mm_monitor *m, mm_monitor_batch *mine, bool ask_milvus)
{
    const mm_plan *plan = m->opt.plan;
    poll_ctx pc = {plan, mine, false};
    mm_error err;
    mm_error_clear(&err);
    pthread_mutex_lock(&m->lock);
    memcpy(mine, m->batches, plan->n_batches * sizeof *mine);
    pthread_mutex_unlock(&m->lock);
    if (mm_journal_each(m->opt.journal, read_batch, &pc, &err) != 0)
        return; /* shown as it was; the job itself reports journal failures */
    bool loading = m->opt.loading && m->opt.loading(m->opt.ctx);
    if ((ask_milvus || pc.new_task) && loading && m->opt.milvus)
        read_tasks(m->opt.milvus, mine, plan->n_batches);
    pthread_mutex_lock(&m->lock);
    bool changed = memcmp(m->batches, mine, plan->n_batches * sizeof *mine) != 0;
    if (changed) {
        memcpy(m->batches, mine, plan->n_batches * sizeof *mine);
        memset(m->collections, 0, plan->n_collections * sizeof *m->collections);
        for (size_t i = 0; i < plan->n_batches; i++) {
            mm_monitor_collection *c = &m->collections[plan->batches[i].collection];
            if (mine[i].state >= MM_BATCH_DUMPED)
                c->dumped += plan->batches[i].rows;
            if (mine[i].state == MM_BATCH_IMPORTED)
                c->imported += mine[i].imported_rows;
        }
        m->version++;
    }
    pthread_mutex_unlock(&m->lock);
    if (changed && m->opt.changed)
        m->opt.changed(m->opt.ctx);
}

static void poll_ask(mm_monitor *m, bool ask_milvus)
{
    mm_monitor_batch *mine = calloc(m->opt.plan->n_batches ? m->opt.plan->n_batches : 1, sizeof *mine);
    if (!mine)
        return;
    pthread_mutex_lock(&m->poll_lock);
    poll_once(m, mine, ask_milvus);
    pthread_mutex_unlock(&m->poll_lock);
    free(mine);
}

static void monitor_thread(mm_task *task, void *arg)
{
    mm_monitor *m = arg;
    for (int round = 0;; round++) {
        if (mm_task_cancelled(task))
            break;
        poll_ask(m, round % 4 == 0); /* import states about once a second */
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += POLL_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_mutex_lock(&m->wait_lock);
        while (!mm_task_cancelled(task) && pthread_cond_timedwait(&m->cond, &m->wait_lock, &until) != ETIMEDOUT)
            ;
        pthread_mutex_unlock(&m->wait_lock);
    }
    /* The final state, as the steps left the journal. */
    poll_ask(m, false);
}

mm_monitor *mm_monitor_start(const mm_monitor_options *opt)
{
    mm_monitor *m = calloc(1, sizeof *m);
    size_t nb = opt->plan->n_batches ? opt->plan->n_batches : 1;
    size_t nc = opt->plan->n_collections ? opt->plan->n_collections : 1;
    if (m) {
        m->batches = calloc(nb, sizeof *m->batches);
        m->collections = calloc(nc, sizeof *m->collections);
    }
    if (!m || !m->batches || !m->collections) {
        if (m) {
            free(m->batches);
            free(m->collections);
        }
        free(m);
        return NULL;
    }
    m->opt = *opt;
    m->version = 1; /* differs from a fresh copy's 0: the first copy is taken */
    for (size_t i = 0; i < opt->plan->n_batches; i++)
        m->batches[i].import_state = -1;
    pthread_mutex_init(&m->wait_lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&m->cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&m->poll_lock, NULL);
    pthread_mutex_init(&m->lock, NULL);
    m->task = mm_task_start(monitor_thread, m, NULL, NULL);
    return m;
}

void mm_monitor_poll(mm_monitor *m)
{
    if (m && m->task)
        poll_ask(m, false);
}

void mm_monitor_stop(mm_monitor *m)
{
    if (!m || !m->task)
        return;
    /* Under the sleep's lock, so the thread cannot miss the signal. */
    pthread_mutex_lock(&m->wait_lock);
    mm_task_cancel(m->task);
    pthread_cond_signal(&m->cond);
    pthread_mutex_unlock(&m->wait_lock);
    mm_task_join(m->task);
    m->task = NULL;
    m->opt.journal = NULL;
    m->opt.milvus = NULL;
}

bool mm_monitor_copy(mm_monitor *m, uint64_t *version, mm_monitor_batch *batches,
                     mm_monitor_collection *collections)
{
    pthread_mutex_lock(&m->lock);
    bool changed = *version != m->version;
    if (changed) {
        memcpy(batches, m->batches, m->opt.plan->n_batches * sizeof *batches);
        memcpy(collections, m->collections, m->opt.plan->n_collections * sizeof *collections);
        *version = m->version;
    }
    pthread_mutex_unlock(&m->lock);
    return changed;
}

void mm_monitor_free(mm_monitor *m)
{
    if (!m)
        return;
    mm_monitor_stop(m);
    pthread_cond_destroy(&m->cond);
    pthread_mutex_destroy(&m->wait_lock);
    pthread_mutex_destroy(&m->poll_lock);
    pthread_mutex_destroy(&m->lock);
    free(m->batches);
    free(m->collections);
    free(m);
}

const char *mm_monitor_import_state_name(int state)
{
    return mm_milvus_import_state_name(state);
}
