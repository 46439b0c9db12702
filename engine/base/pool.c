#include "pool.h"

#include <pthread.h>

typedef struct pool {
    const mm_pool_options *opt;
    pthread_mutex_t lock;
    size_t next;
    bool failed;
    mm_error err;       /* the first failure */
} pool;

static void fail(pool *p, const mm_error *err)
{
    pthread_mutex_lock(&p->lock);
    if (!p->failed) {
        p->failed = true;
        p->err = *err;
    }
    pthread_mutex_unlock(&p->lock);
}

/* The next item, or opt->items when the hand-out is over. */
static size_t take(pool *p)
{
    const mm_pool_options *o = p->opt;
    /* Asked outside the pool's lock: stopped() takes the caller's own. */
    bool stopped = o->stopped && o->stopped(o->ctx);
    pthread_mutex_lock(&p->lock);
    size_t i = !stopped && !p->failed && p->next < o->items ? p->next++ : o->items;
    pthread_mutex_unlock(&p->lock);
    return i;
}

static void *work(void *arg)
{
    pool *p = arg;
    const mm_pool_options *o = p->opt;
    void *local = NULL;
    mm_error err;
    mm_error_clear(&err);
    if (o->thread_start && o->thread_start(o->ctx, &local, &err) != 0) {
        fail(p, &err);
    } else {
        for (size_t i; (i = take(p)) < o->items;) {
            mm_error_clear(&err);
            if (o->run(o->ctx, local, i, &err) != 0)
                fail(p, &err);
        }
    }
    if (o->thread_end)
        o->thread_end(o->ctx, local);
    return NULL;
}

int mm_pool_run(const mm_pool_options *opt, mm_error *err)
{
    pool p = {.opt = opt};
    pthread_mutex_init(&p.lock, NULL);
    size_t want = opt->threads > 0 ? (size_t)opt->threads : 1;
    if (want > opt->items)
        want = opt->items ? opt->items : 1;
    if (want > MM_POOL_MAX_THREADS)
        want = MM_POOL_MAX_THREADS;
    pthread_t threads[MM_POOL_MAX_THREADS];
    size_t started = 0;
    for (; started < want; started++)
        if (pthread_create(&threads[started], NULL, work, &p) != 0)
            break;
    if (started == 0)
        work(&p);
    for (size_t t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    pthread_mutex_destroy(&p.lock);
    if (!p.failed)
        return 0;
    if (err)
        *err = p.err;
    return -1;
}
