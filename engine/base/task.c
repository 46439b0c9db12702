#include "task.h"

#include <pthread.h>
#include <stdlib.h>

struct mm_task {
    mm_task_fn fn;
    void *arg;
    void (*notify)(void);
    pthread_t thread;
    atomic_bool cancel, done;
};

static void *run(void *p)
{
    mm_task *t = p;
    t->fn(t, t->arg);
    atomic_store_explicit(&t->done, true, memory_order_release);
    if (t->notify)
        t->notify();
    return NULL;
}

mm_task *mm_task_start(mm_task_fn fn, void *arg, void (*notify)(void), mm_error *err)
{
    mm_task *t = calloc(1, sizeof *t);
    if (!t) {
        mm_error_set(err, MM_ERR_NOMEM, "start background work: out of memory");
        return NULL;
    }
    t->fn = fn;
    t->arg = arg;
    t->notify = notify;
    atomic_init(&t->cancel, false);
    atomic_init(&t->done, false);
    if (pthread_create(&t->thread, NULL, run, t) != 0) {
        free(t);
        mm_error_set(err, MM_ERR_INTERNAL, "could not start a thread");
        return NULL;
    }
    return t;
}

void mm_task_cancel(mm_task *task)
{
    atomic_store(&task->cancel, true);
}

bool mm_task_cancelled(const mm_task *task)
{
    return atomic_load(&task->cancel);
}

atomic_bool *mm_task_cancel_flag(mm_task *task)
{
    return &task->cancel;
}

bool mm_task_done(const mm_task *task)
{
    return atomic_load_explicit(&task->done, memory_order_acquire);
}

void mm_task_join(mm_task *task)
{
    if (!task)
        return;
    pthread_join(task->thread, NULL);
    free(task);
}
