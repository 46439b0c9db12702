/* One piece of background work for a front end that must not block: the
 * function runs on a thread of its own while the caller (the wizard's UI
 * thread) goes on, polls mm_task_done on its ticks and collects the result
 * with mm_task_join. The function publishes its results in its own
 * argument before it returns; mm_task_done's acquire pairs with the
 * release at its end, so they are visible once it says done. notify (may
 * be NULL) is called on the task's thread when the function has returned:
 * the wizard passes the function that wakes its event loop. */
#ifndef MM_BASE_TASK_H
#define MM_BASE_TASK_H

#include "error.h"

#include <stdatomic.h>
#include <stdbool.h>

typedef struct mm_task mm_task;

typedef void (*mm_task_fn)(mm_task *task, void *arg);

/* Starts fn(task, arg) on a new thread; NULL with err set when no thread
 * could be started. */
mm_task *mm_task_start(mm_task_fn fn, void *arg, void (*notify)(void), mm_error *err);
/* Asks the function to stop early; it decides when (mm_task_cancelled). */
void mm_task_cancel(mm_task *task);
bool mm_task_cancelled(const mm_task *task);
/* The flag mm_task_cancel sets, for engine calls that take one. */
atomic_bool *mm_task_cancel_flag(mm_task *task);
/* The function has returned. */
bool mm_task_done(const mm_task *task);
/* Waits for the function to return and frees the task; NULL is ignored. */
void mm_task_join(mm_task *task);

#endif
