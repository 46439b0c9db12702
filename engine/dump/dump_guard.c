#include "dump/dump_guard.h"

#include "base/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int mm_dump_guard_check(void *ctx, bool final, mm_error *err)
{
    return mm_source_watch_check(ctx, final, err);
}

typedef struct take_back {
    const mm_dump_guard_target *t;
    const char *const *names;
    size_t n_names;
    bool all;
    size_t forgotten, files, kept;   /* kept: already submitted or imported */
    char **collections;              /* with something to take back */
    size_t n_collections;
    mm_error *err;
} take_back;

static bool concerned(const take_back *tb, const char *collection)
{
    if (tb->all)
        return true;
    for (size_t i = 0; i < tb->n_names; i++)
        if (strcmp(tb->names[i], collection) == 0)
            return true;
    return false;
}

static void note_collection(take_back *tb, const char *collection)
{
    for (size_t i = 0; i < tb->n_collections; i++)
        if (strcmp(tb->collections[i], collection) == 0)
            return;
    char **grown = realloc(tb->collections, (tb->n_collections + 1) * sizeof *grown);
    if (grown && (grown[tb->n_collections] = mm_strdup(collection)))
        tb->n_collections++;
    if (grown)
        tb->collections = grown;
}

static int remove_staged(take_back *tb, const char *key, mm_error *err)
{
    if (tb->t->storage)
        return mm_storage_remove(tb->t->storage, key, err);
    char *path = mm_asprintf("%s/%s", tb->t->local_root, key);
    if (!path)
        return mm_error_set(err, MM_ERR_NOMEM, "out of memory");
    int rc = unlink(path) != 0 && errno != ENOENT ? mm_error_errno(err, errno, "remove staged file", path) : 0;
    char *slash = strrchr(path, '/');
    if (slash) {
        *slash = '\0';
        rmdir(path); /* the batch directory, once empty */
    }
    free(path);
    return rc;
}

static int visit(void *ctx, const mm_journal_batch *b)
{
    take_back *tb = ctx;
    if (!concerned(tb, b->collection))
        return 0;
    if (b->state != MM_BATCH_DUMPED) {
        tb->kept += b->state >= MM_BATCH_SUBMITTED;
        return 0;
    }
    note_collection(tb, b->collection);
    tb->forgotten++;
    const char *keys[] = {b->id_key, b->data_key};
    for (size_t i = 0; i < 2; i++) {
        if (!keys[i] || !keys[i][0])
            continue;
        if (remove_staged(tb, keys[i], tb->err) != 0)
            return -1;
        tb->files++;
    }
    return 0;
}

int mm_dump_guard_take_back(const mm_source_watch *w, const mm_dump_guard_target *t, mm_error *err)
{
    take_back tb = {.t = t};
    tb.names = mm_source_watch_changed(w, &tb.n_names, &tb.all);
    mm_error step;
    mm_error_clear(&step);
    tb.err = &step;
    int rc = mm_journal_each(t->journal, visit, &tb, &step);
    for (size_t i = 0; rc == 0 && i < tb.n_names; i++)
        rc = mm_journal_forget_dumped(t->journal, tb.names[i], &step);
    for (size_t i = 0; rc == 0 && tb.all && i < tb.n_collections; i++)
        rc = mm_journal_forget_dumped(t->journal, tb.collections[i], &step);
    char *tail;
    if (rc != 0)
        tail = mm_asprintf("\nTaking back the batches of the changed collections failed (%s): run dump again once "
                           "the 1.x server is stopped; it checks every staged file", step.message);
    else
        tail = mm_asprintf("\nNothing of %s is recorded as done: %zu dumped batch(es) forgotten and %zu staged "
                           "file(s) removed%s. Stop the 1.x server (flush every collection first, then SIGINT), "
                           "then run dump again",
                           tb.all ? "any collection" : "these collections", tb.forgotten, tb.files,
                           tb.kept ? "; batches already sent to Milvus 2.x stay as they are (verify shows whether "
                                     "their counts still agree)" : "");
    size_t n = strlen(err->message);
    snprintf(err->message + n, sizeof err->message - n, "%s", tail ? tail : "");
    free(tail);
    for (size_t i = 0; i < tb.n_collections; i++)
        free(tb.collections[i]);
    free(tb.collections);
    return -1;
}
