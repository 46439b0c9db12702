#include "dump/dump_upload.h"

#include "base/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct item {
    struct item *next;
    bool is_segment;
    mm_journal_batch b;         /* strings owned */
    uint64_t progress_bytes;
    char *dir, *data_path, *id_path;        /* a written batch */
    bool streamed;
    mm_dump_stream_file src[2];             /* a streamed one: fds and paths owned */
    mm_part_digest *data_digest, *id_digest;
    mm_journal_segment seg;     /* strings owned (cast) */
} item;

struct mm_dump_uploader {
    mm_dump_uploader_options opt;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    item *head, *tail;
    int batches;                /* written batches queued or being uploaded */
    bool stop, failed;
};

static void free_item(item *it)
{
    free(it->b.collection);
    free(it->b.partition);
    free(it->b.segment);
    free(it->b.id_key);
    free(it->b.data_key);
    free(it->b.task_ids);
    free(it->b.id_etag);
    free(it->b.data_etag);
    free(it->b.members);
    free(it->dir);
    free(it->data_path);
    free(it->id_path);
    for (int i = 0; i < 2; i++) {
        if (it->streamed && it->src[i].fd >= 0)
            close(it->src[i].fd);
        free((char *)it->src[i].path);
    }
    mm_part_digest_free(it->data_digest);
    mm_part_digest_free(it->id_digest);
    free((char *)it->seg.collection);
    free((char *)it->seg.segment);
    free(it);
}

/* The local copy only fed the upload; whether or not it was recorded, it goes. */
static void remove_local(const item *it)
{
    if (it->streamed)
        return;
    unlink(it->data_path);
    unlink(it->id_path);
    rmdir(it->dir);
}

static bool failed(mm_dump_uploader *up)
{
    pthread_mutex_lock(&up->lock);
    bool f = up->failed;
    pthread_mutex_unlock(&up->lock);
    return f;
}

/* Only the uploader thread calls this. The cause is reported before the
 * failure is published: a worker refused by a failed uploader fails with
 * "cancelled", and must find the real cause already recorded. */
static void fail(mm_dump_uploader *up, const mm_error *err)
{
    if (!failed(up) && up->opt.failed)
        up->opt.failed(up->opt.ctx, err);
    pthread_mutex_lock(&up->lock);
    up->failed = true;
    pthread_cond_broadcast(&up->changed);
    pthread_mutex_unlock(&up->lock);
}


/* Both objects complete before the batch is recorded: a crash in between
 * leaves an unrecorded batch, which the next run writes again. */
static void upload_batch(mm_dump_uploader *up, item *it)
{
    mm_error err;
    mm_error_clear(&err);
    int rc = 0;
    if (up->opt.cancel && atomic_load(up->opt.cancel))
        rc = mm_error_set(&err, MM_ERR_CANCELLED, "dump cancelled");
    const char *keys[2] = {it->b.data_key, it->b.id_key};
    const char *paths[2] = {it->data_path, it->id_path};
    mm_part_digest *digests[2] = {it->data_digest, it->id_digest};
    for (int i = 0; i < 2 && rc == 0; i++) {
        const mm_dump_stream_file *f = &it->src[i];
        mm_storage_source src = {.head = f->head, .head_len = f->head_len, .fd = f->fd, .offset = f->offset,
                                 .length = f->length, .path = f->path};
        rc = it->streamed ? mm_storage_put_source(up->opt.storage, keys[i], &src, digests[i], &err)
                          : mm_storage_put_file_digested(up->opt.storage, keys[i], paths[i], digests[i], &err);
    }
    /* What the bucket now holds is what the journal records: each object's
     * size and ETag, which load compares before importing it. */
    const uint64_t sizes[2] = {it->b.data_bytes, it->b.id_bytes};
    char **etags[2] = {&it->b.data_etag, &it->b.id_etag};
    for (int i = 0; i < 2 && rc == 0; i++) {
        mm_storage_object o;
        rc = mm_storage_stat(up->opt.storage, keys[i], &o, &err);
        if (rc == 0 && (o.size < 0 || (uint64_t)o.size != sizes[i]))
            rc = mm_error_set(&err, MM_ERR_IO, "%s reports %lld bytes for object %s right after its upload of %llu "
                              "bytes (written by someone else at the same time?)",
                              mm_storage_describe(up->opt.storage), (long long)o.size, keys[i],
                              (unsigned long long)sizes[i]);
        if (rc == 0 && !(*etags[i] = mm_strdup(o.etag)))
            rc = mm_error_set(&err, MM_ERR_NOMEM, "dump: out of memory");
    }
    if (rc == 0)
        rc = mm_journal_put(up->opt.journal, &it->b, &err);
    remove_local(it);
    if (rc != 0) {
        mm_error_wrap(&err, "dump collection '%s' segment %s", it->b.collection, it->b.segment);
        fail(up, &err);
    }
    else if (up->opt.recorded)
        up->opt.recorded(up->opt.ctx, &it->b, it->streamed, it->progress_bytes);
}

static void *run(void *arg)
{
    mm_dump_uploader *up = arg;
    for (;;) {
        pthread_mutex_lock(&up->lock);
        while (!up->head && !up->stop)
            pthread_cond_wait(&up->changed, &up->lock);
        item *it = up->head;
        if (it) {
            up->head = it->next;
            if (!up->head)
                up->tail = NULL;
        }
        bool skip = up->failed;
        pthread_mutex_unlock(&up->lock);
        if (!it)
            return NULL;
        mm_error err;
        mm_error_clear(&err);
        /* After a failure nothing more is recorded, above all no segment
         * whose batch was not. */
        if (it->is_segment && !skip && mm_journal_segment_done(up->opt.journal, &it->seg, &err) != 0) {
            mm_error_wrap(&err, "dump collection '%s' segment %s", it->seg.collection, it->seg.segment);
            fail(up, &err);
        }
        else if (it->is_segment && !skip && up->opt.segment_recorded)
            up->opt.segment_recorded(up->opt.ctx);
        else if (!it->is_segment && skip)
            remove_local(it);
        else if (!it->is_segment)
            upload_batch(up, it);
        pthread_mutex_lock(&up->lock);
        if (!it->is_segment)
            up->batches--;
        pthread_cond_broadcast(&up->changed);
        pthread_mutex_unlock(&up->lock);
        free_item(it);
    }
}

int mm_dump_uploader_start(const mm_dump_uploader_options *opt, mm_dump_uploader **out, mm_error *err)
{
    *out = NULL;
    mm_dump_uploader *up = calloc(1, sizeof *up);
    if (!up)
        return mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    up->opt = *opt;
    pthread_mutex_init(&up->lock, NULL);
    pthread_cond_init(&up->changed, NULL);
    if (pthread_create(&up->thread, NULL, run, up) != 0) {
        pthread_cond_destroy(&up->changed);
        pthread_mutex_destroy(&up->lock);
        free(up);
        return mm_error_set(err, MM_ERR_NOMEM, "dump: cannot start an upload thread");
    }
    *out = up;
    return 0;
}

static void enqueue(mm_dump_uploader *up, item *it)
{
    if (up->tail)
        up->tail->next = it;
    else
        up->head = it;
    up->tail = it;
    pthread_cond_broadcast(&up->changed);
}

static int queue_batch(mm_dump_uploader *up, item *it, mm_error *err);

static bool copy_batch(item *it, const mm_journal_batch *b)
{
    it->b = *b;
    it->b.collection = mm_strdup(b->collection);
    it->b.partition = mm_strdup(b->partition);
    it->b.segment = mm_strdup(b->segment);
    it->b.id_key = mm_strdup(b->id_key);
    it->b.data_key = mm_strdup(b->data_key);
    it->b.task_ids = mm_strdup(b->task_ids ? b->task_ids : "");
    it->b.id_etag = NULL;
    it->b.data_etag = NULL;
    it->b.members = mm_strdup(b->members ? b->members : "");
    return it->b.collection && it->b.partition && it->b.segment && it->b.id_key && it->b.data_key && it->b.task_ids &&
           it->b.members;
}

int mm_dump_uploader_stream(mm_dump_uploader *up, const mm_journal_batch *b, uint64_t progress_bytes,
                            const mm_dump_stream_file src[2], mm_part_digest *digests[2], mm_error *err)
{
    item *it = calloc(1, sizeof *it);
    if (!it) {
        mm_part_digest_free(digests[0]);
        mm_part_digest_free(digests[1]);
        return mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    }
    it->streamed = true;
    it->progress_bytes = progress_bytes;
    it->src[0].fd = it->src[1].fd = -1;
    it->data_digest = digests[0];
    it->id_digest = digests[1];
    bool ok = copy_batch(it, b);
    for (int i = 0; i < 2; i++) {
        it->src[i] = src[i];
        it->src[i].path = mm_strdup(src[i].path);
        it->src[i].fd = fcntl(src[i].fd, F_DUPFD_CLOEXEC, 3);
        ok = ok && it->src[i].path && it->src[i].fd >= 0;
    }
    if (!ok) {
        int e = errno;
        free_item(it);
        return e == EMFILE || e == ENFILE ? mm_error_errno(err, e, "keep open for the upload", src[0].path)
                                          : mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    }
    return queue_batch(up, it, err);
}

int mm_dump_uploader_batch(mm_dump_uploader *up, const mm_journal_batch *b, uint64_t progress_bytes, const char *dir,
                           const char *data_path, const char *id_path, mm_part_digest *digests[2], mm_error *err)
{
    item *it = calloc(1, sizeof *it);
    if (!it) {
        mm_part_digest_free(digests[0]);
        mm_part_digest_free(digests[1]);
    }
    bool ok = false;
    if (it) {
        it->data_digest = digests[0];
        it->id_digest = digests[1];
        it->progress_bytes = progress_bytes;
        ok = copy_batch(it, b);
        it->dir = mm_strdup(dir);
        it->data_path = mm_strdup(data_path);
        it->id_path = mm_strdup(id_path);
    }
    if (!it || !ok || !it->dir || !it->data_path || !it->id_path) {
        if (it)
            free_item(it);
        unlink(data_path);
        unlink(id_path);
        rmdir(dir);
        return mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    }
    return queue_batch(up, it, err);
}

static int queue_batch(mm_dump_uploader *up, item *it, mm_error *err)
{
    pthread_mutex_lock(&up->lock);
    /* The previous batch must be on its way before this one is queued: one
     * uploading while the worker prepares the next. */
    while (up->batches > 0 && !up->failed)
        pthread_cond_wait(&up->changed, &up->lock);
    bool refused = up->failed;
    if (!refused) {
        up->batches++;
        enqueue(up, it);
    }
    pthread_mutex_unlock(&up->lock);
    if (refused) {
        remove_local(it);
        free_item(it);
        return mm_error_set(err, MM_ERR_CANCELLED, "dump cancelled after an upload failed");
    }
    return 0;
}

int mm_dump_uploader_segment(mm_dump_uploader *up, const mm_journal_segment *s, mm_error *err)
{
    item *it = calloc(1, sizeof *it);
    if (it) {
        it->is_segment = true;
        it->seg = *s;
        it->seg.collection = mm_strdup(s->collection);
        it->seg.segment = mm_strdup(s->segment);
    }
    if (!it || !it->seg.collection || !it->seg.segment) {
        if (it)
            free_item(it);
        return mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    }
    pthread_mutex_lock(&up->lock);
    enqueue(up, it);
    pthread_mutex_unlock(&up->lock);
    return 0;
}

int mm_dump_uploader_finish(mm_dump_uploader *up)
{
    if (!up)
        return 0;
    pthread_mutex_lock(&up->lock);
    up->stop = true;
    pthread_cond_broadcast(&up->changed);
    pthread_mutex_unlock(&up->lock);
    pthread_join(up->thread, NULL);
    int rc = failed(up) ? -1 : 0;
    pthread_cond_destroy(&up->changed);
    pthread_mutex_destroy(&up->lock);
    free(up);
    return rc;
}
