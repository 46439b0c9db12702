/* Group commit of a dump to a local directory (dump_internal.h): workers
 * hand over batches whose files are complete as .partial and go on with
 * the next; one thread makes whatever has arrived durable with a single
 * syncfs of the output's file system, puts the files under their final
 * names, makes the names durable (one fsync per batch directory) and
 * records all of it in one journal transaction, then takes what arrived
 * meanwhile. Each batch used to cost two file fsyncs, a directory fsync
 * and two journal commits, in the worker; a group of any size now costs
 * one syncfs, a directory fsync per batch and one commit, and the workers
 * never wait for the disk's flush.
 *
 * A crash loses at most the group not yet recorded: its files are
 * .partial (or, killed between naming and recording, final-named but
 * unrecorded), so the next run writes them again before anything could
 * import them. A final name is only ever given to synced, complete bytes. */
#include "dump/dump_internal.h"

#include "base/fsutil.h"
#include "base/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct item {
    struct item *next;
    bool is_batch;
    mm_journal_batch b;         /* strings owned */
    char *data_path, *id_path, *dir;
    mm_journal_segment seg;     /* collection and segment owned */
} item;

struct mm_dump_committer {
    mm_dump_state *st;
    int root_fd;                /* the output directory: its file system is synced */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    item *head, *tail;
    bool stop;
    /* Batches handed over and not yet taken into a group, and how many may
     * be: a worker waits for room, so that files get their names and
     * records at the pace they are written, a group or two behind, not all
     * at the end of a fast dump (a kill then loses little, and progress is
     * steady). Room is made when a group is taken, not when it is recorded:
     * counting the group being synced held the workers back for the whole
     * syncfs, and the disk then waited for them (0.91x cp on 64 MiB
     * segments, 0.98x once they wrote on during the sync). */
    size_t pending, max_pending;
    pthread_cond_t room;
    bool committing;            /* a group taken and not yet recorded */
};

static void free_item(item *it)
{
    mm_journal_batch_free(&it->b);
    free(it->data_path);
    free(it->id_path);
    free(it->dir);
    free((char *)it->seg.collection);
    free((char *)it->seg.segment);
    free(it);
}

/* Not recorded means not complete: no file of a batch stays under its
 * final name when its group could not be recorded. */
static void unlink_with_partial(const char *path)
{
    unlink(path);
    char *partial = mm_asprintf("%s.partial", path);
    if (partial)
        unlink(partial);
    free(partial);
}

static void remove_files(const item *it)
{
    if (!it->is_batch)
        return;
    unlink_with_partial(it->data_path);
    unlink_with_partial(it->id_path);
    rmdir(it->dir);
}

/* id.npy first: a final data.npy never stands without its id.npy. */
static int name_files(const item *it, mm_error *err)
{
    const char *paths[2] = {it->id_path, it->data_path};
    for (int i = 0; i < 2; i++) {
        char *partial = mm_asprintf("%s.partial", paths[i]);
        int rc = !partial ? mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory")
                 : rename(partial, paths[i]) != 0 ? mm_error_errno(err, errno, "rename into place", paths[i])
                                                  : 0;
        free(partial);
        if (rc != 0)
            return rc;
    }
    return mm_fsync_dir(it->dir) == 0 ? 0 : mm_error_errno(err, errno, "sync the directory", it->dir);
}

static int commit_group(mm_dump_committer *c, item *group, mm_error *err)
{
    size_t nb = 0, ns = 0;
    for (item *it = group; it; it = it->next)
        it->is_batch ? nb++ : ns++;
    mm_journal_batch *batches = calloc(nb ? nb : 1, sizeof *batches);
    mm_journal_segment *segments = calloc(ns ? ns : 1, sizeof *segments);
    int rc = batches && segments ? 0 : mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    nb = ns = 0;
    for (item *it = group; rc == 0 && it; it = it->next) {
        if (it->is_batch)
            batches[nb++] = it->b;
        else
            segments[ns++] = it->seg;
    }
    /* The bytes first, then their names, then the records that vouch for
     * them. */
    if (rc == 0 && nb && syncfs(c->root_fd) != 0)
        rc = mm_error_errno(err, errno, "sync the file system of", c->st->opt->output_root);
    for (item *it = group; rc == 0 && it; it = it->next)
        if (it->is_batch)
            rc = name_files(it, err);
    if (rc == 0)
        rc = mm_journal_record_group(c->st->opt->journal, batches, nb, segments, ns, err);
    free(batches);
    free(segments);
    return rc;
}

static void *run(void *arg)
{
    mm_dump_committer *c = arg;
    bool failed = false;
    for (;;) {
        pthread_mutex_lock(&c->lock);
        while (!c->head && !c->stop)
            pthread_cond_wait(&c->changed, &c->lock);
        item *group = c->head;
        c->head = c->tail = NULL;
        /* Taken: the workers may fill the queue again while this group is
         * synced, so that the disk never waits for them. */
        size_t taken = 0;
        for (item *it = group; it; it = it->next)
            taken += it->is_batch;
        c->pending -= taken;
        c->committing = group != NULL;
        pthread_cond_broadcast(&c->room);
        pthread_mutex_unlock(&c->lock);
        if (!group)
            return NULL;
        mm_error err;
        mm_error_clear(&err);
        if (!failed && commit_group(c, group, &err) != 0) {
            mm_dump_fail(c->st, &err);
            failed = true;
        }
        for (item *it = group, *next; it; it = next) {
            next = it->next;
            if (failed)
                remove_files(it);
            else if (it->is_batch)
                mm_dump_count_recorded(c->st, &it->b);
            free_item(it);
        }
        pthread_mutex_lock(&c->lock);
        c->committing = false;
        pthread_cond_broadcast(&c->room);
        pthread_mutex_unlock(&c->lock);
    }
}

int mm_dump_committer_start(mm_dump_state *st, mm_dump_committer **out, mm_error *err)
{
    *out = NULL;
    mm_dump_committer *c = calloc(1, sizeof *c);
    if (!c)
        return mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    c->st = st;
    c->root_fd = open(st->opt->output_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (c->root_fd < 0) {
        int e = errno;
        free(c);
        return mm_error_errno(err, e, "open", st->opt->output_root);
    }
    c->max_pending = 2 * (size_t)(st->opt->workers > 0 ? st->opt->workers : 1);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->changed, NULL);
    pthread_cond_init(&c->room, NULL);
    if (pthread_create(&c->thread, NULL, run, c) != 0) {
        pthread_cond_destroy(&c->room);
        pthread_cond_destroy(&c->changed);
        pthread_mutex_destroy(&c->lock);
        close(c->root_fd);
        free(c);
        return mm_error_set(err, MM_ERR_NOMEM, "dump: cannot start the journal's thread");
    }
    *out = c;
    return 0;
}

static void enqueue(mm_dump_committer *c, item *it)
{
    pthread_mutex_lock(&c->lock);
    if (c->tail)
        c->tail->next = it;
    else
        c->head = it;
    c->tail = it;
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
}

static item *segment_item(const mm_journal_segment *s)
{
    item *it = calloc(1, sizeof *it);
    if (!it)
        return NULL;
    it->seg = *s;
    it->seg.collection = mm_strdup(s->collection);
    it->seg.segment = mm_strdup(s->segment);
    if (!it->seg.collection || !it->seg.segment) {
        free_item(it);
        return NULL;
    }
    return it;
}

int mm_dump_commit_batch(mm_dump_committer *c, const mm_journal_batch *b, const char *dir, const char *data_path,
                         const char *id_path, const mm_journal_segment *segments, size_t n_segments, mm_error *err)
{
    item *it = calloc(1, sizeof *it);
    bool ok = it != NULL;
    if (ok) {
        it->is_batch = true;
        it->b = *b;
        it->b.collection = mm_strdup(b->collection);
        it->b.partition = mm_strdup(b->partition);
        it->b.segment = mm_strdup(b->segment);
        it->b.id_key = mm_strdup(b->id_key);
        it->b.data_key = mm_strdup(b->data_key);
        it->b.task_ids = mm_strdup(b->task_ids ? b->task_ids : "");
        it->b.id_etag = mm_strdup(b->id_etag ? b->id_etag : "");
        it->b.data_etag = mm_strdup(b->data_etag ? b->data_etag : "");
        it->b.members = mm_strdup(b->members ? b->members : "");
        it->dir = mm_strdup(dir);
        it->data_path = mm_strdup(data_path);
        it->id_path = mm_strdup(id_path);
        ok = it->b.collection && it->b.partition && it->b.segment && it->b.id_key && it->b.data_key &&
             it->b.task_ids && it->b.id_etag && it->b.data_etag && it->b.members && it->dir && it->data_path &&
             it->id_path;
    }
    /* The segments whose rows the batch holds are linked behind it, so that
     * they land in the same group, never in one before it. */
    item *last = it;
    for (size_t i = 0; ok && i < n_segments; i++) {
        item *s = segment_item(&segments[i]);
        ok = s != NULL;
        if (ok)
            last = last->next = s;
    }
    if (!ok) {
        while (it) {
            item *next = it->next;
            free_item(it);
            it = next;
        }
        item gone = {.is_batch = true, .data_path = (char *)data_path, .id_path = (char *)id_path,
                     .dir = (char *)dir};
        remove_files(&gone);
        return mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    }
    pthread_mutex_lock(&c->lock);
    while (c->pending >= c->max_pending)
        pthread_cond_wait(&c->room, &c->lock);
    c->pending++;
    if (c->tail)
        c->tail->next = it;
    else
        c->head = it;
    c->tail = last;
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
    return 0;
}

int mm_dump_commit_segment(mm_dump_committer *c, const mm_journal_segment *s, mm_error *err)
{
    item *it = segment_item(s);
    if (!it)
        return mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    enqueue(c, it);
    return 0;
}

void mm_dump_committer_settle(mm_dump_committer *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    while (c->head || c->committing)
        pthread_cond_wait(&c->room, &c->lock);
    pthread_mutex_unlock(&c->lock);
}

void mm_dump_committer_finish(mm_dump_committer *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->stop = true;
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    pthread_cond_destroy(&c->room);
    pthread_cond_destroy(&c->changed);
    pthread_mutex_destroy(&c->lock);
    close(c->root_fd);
    free(c);
}
