/* A few threads working through numbered items, for every place where work
 * fans out: the segments of a dump, the import batches of a load, the
 * parts of an upload. Each thread takes the next item until none is left,
 * an item has failed, or the caller's stopped() says so (a cancel, or a
 * failure the caller tracks itself, such as an uploader's). The first
 * failure is the one reported. When no thread can be started the calling
 * thread does the work, so a process at its thread limit still finishes. */
#ifndef MM_BASE_POOL_H
#define MM_BASE_POOL_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>

enum { MM_POOL_MAX_THREADS = 64 };

typedef struct mm_pool_options {
    size_t items;
    int threads;        /* at most this many (<= 0: 1), never more than items or MM_POOL_MAX_THREADS */
    /* Once per thread before its first item: *local receives the thread's
     * own state (left NULL if not set). A failure fails the pool and the
     * thread takes no item; thread_end still runs. May be NULL. */
    int (*thread_start)(void *ctx, void **local, mm_error *err);
    /* Once per thread after its last item, with what thread_start gave. May be NULL. */
    void (*thread_end)(void *ctx, void *local);
    /* One item, on any of the threads, concurrently with others; non-zero
     * with err set fails the pool. */
    int (*run)(void *ctx, void *local, size_t item, mm_error *err);
    /* Checked before each item is handed out; true stops the hand-out.
     * May be NULL. */
    bool (*stopped)(void *ctx);
    void *ctx;
} mm_pool_options;

/* Runs the items and joins the threads. Returns 0 when no item failed
 * (stopped() may have ended the hand-out early: the caller knows why), or
 * -1 with the first failure in err. */
int mm_pool_run(const mm_pool_options *opt, mm_error *err);

#endif
