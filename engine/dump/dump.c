/* The dump (dump.h): the planner's batches, a few workers (base/pool.h)
 * over the segments and packed batches, each with its own buffers and,
 * when staging in a bucket, its own uploader (a local dump's batches are
 * recorded in groups instead, dump_commit.c); then the stale batches of
 * earlier runs retired, every batch checked where it was staged, and
 * meta.json and batches.json written. The work itself is layered below
 * (dump_internal.h). */
#include "dump/dump_internal.h"

#include "base/fsutil.h"
#include "base/pool.h"
#include "base/strbuf.h"
#include "dump/dump_reconcile.h"
#include "plan.h"
#include "source/meta_json.h"
#include "source/names.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static void on_recorded(void *ctx, const mm_journal_batch *b, bool streamed, uint64_t progress_bytes)
{
    mm_dump_state *sh = ctx;
    mm_dump_count_recorded(sh, b);
    mm_dump_report(sh, b->rows, progress_bytes, 0, 0);
    if (streamed) {
        pthread_mutex_lock(&sh->lock);
        sh->result.batches_streamed++;
        pthread_mutex_unlock(&sh->lock);
    }
}

static void on_segment_recorded(void *ctx)
{
    mm_dump_report(ctx, 0, 0, 1, 0);
}

static void on_failed(void *ctx, const mm_error *err)
{
    mm_dump_fail(ctx, err);
}

/* What one worker owns: its buffers (one to read, MM_DUMP_GATHER_BYTES to
 * write) and its uploader. */
typedef struct worker {
    char *buf;
    mm_dump_uploader *up;
} worker;

static int worker_start(void *ctx, void **local, mm_error *err)
{
    mm_dump_state *sh = ctx;
    worker *w = calloc(1, sizeof *w);
    if (w)
        w->buf = malloc(MM_DUMP_IO_BLOCK + MM_DUMP_GATHER_BYTES);
    *local = w;
    if (!w || !w->buf) {
        mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
        mm_dump_fail(sh, err);
        return -1;
    }
    if (!sh->opt->storage)
        return 0;
    mm_dump_uploader_options uo = {
        .storage = sh->opt->storage, .journal = sh->opt->journal, .cancel = sh->opt->cancel,
        .recorded = on_recorded, .segment_recorded = on_segment_recorded, .failed = on_failed, .ctx = sh,
    };
    if (mm_dump_uploader_start(&uo, &w->up, err) != 0) {
        mm_dump_fail(sh, err);
        return -1;
    }
    return 0;
}

static void worker_end(void *ctx, void *local)
{
    (void)ctx;
    worker *w = local;
    if (!w)
        return;
    mm_dump_uploader_finish(w->up); /* a failure reaches on_failed */
    free(w->buf);
    free(w);
}

static int dump_one(void *ctx, void *local, size_t item, mm_error *err)
{
    mm_dump_state *sh = ctx;
    worker *w = local;
    const mm_dump_job *jb = &sh->jobs[item];
    char *gather = w->buf + MM_DUMP_IO_BLOCK;
    int rc = jb->pack ? mm_dump_pack(sh, jb, w->buf, gather, w->up, err)
                      : mm_dump_segment(sh, jb, w->buf, gather, w->up, err);
    if (rc == 0 && sh->opt->source_check && sh->opt->settle_before_check)
        mm_dump_committer_settle(sh->committer);
    if (rc == 0 && sh->opt->source_check)
        rc = sh->opt->source_check(sh->opt->source_check_ctx, false, err);
    if (rc == 0 && mm_dump_cancelled(sh) && !sh->failed)
        rc = mm_error_set(err, MM_ERR_CANCELLED, "dump cancelled");
    if (rc != 0)
        mm_dump_fail(sh, err);
    else if (!w->up) /* with an uploader, the segment counts once recorded */
        mm_dump_report(sh, 0, 0, jb->pack ? jb->pack->n_members : 1, 0);
    return rc;
}

/* A failure the state knows of (an uploader's too) ends the hand-out. */
static bool failed(void *ctx)
{
    mm_dump_state *sh = ctx;
    pthread_mutex_lock(&sh->lock);
    bool f = sh->failed;
    pthread_mutex_unlock(&sh->lock);
    return f;
}

typedef struct index_ctx {
    cJSON *batches;
    mm_batch_plan *plan;
} index_ctx;

static int add_batch_json(void *ctx, const mm_journal_batch *b)
{
    index_ctx *ic = ctx;
    /* A stale batch kept because it was imported is not part of this plan. */
    if (mm_batch_plan_classify(ic->plan, b, NULL) == MM_BATCH_STALE)
        return 0;
    cJSON *o = cJSON_CreateObject();
    char *collection = mm_name_escape(b->collection), *partition = mm_name_escape(b->partition);
    cJSON_AddStringToObject(o, "collection", collection ? collection : "");
    cJSON_AddStringToObject(o, "partition", partition ? partition : "");
    free(collection);
    free(partition);
    cJSON_AddStringToObject(o, "segment", b->segment);
    cJSON_AddNumberToObject(o, "batch", b->batch);
    cJSON_AddNumberToObject(o, "rows", (double)b->rows);
    cJSON *files = cJSON_AddArrayToObject(o, "files");
    cJSON_AddItemToArray(files, cJSON_CreateString(b->id_key));
    cJSON_AddItemToArray(files, cJSON_CreateString(b->data_key));
    cJSON_AddNumberToObject(o, "idBytes", (double)b->id_bytes);
    cJSON_AddNumberToObject(o, "dataBytes", (double)b->data_bytes);
    cJSON_AddNumberToObject(o, "idCrc32", b->id_crc32);
    cJSON_AddNumberToObject(o, "dataCrc32", b->data_crc32);
    cJSON_AddItemToArray(ic->batches, o);
    return 0;
}

static int write_indexes(const mm_dump_options *opt, mm_batch_plan *plan, mm_error *err)
{
    char *meta = mm_meta_json_render(opt->inv, err);
    if (!meta)
        return -1;
    char *meta_path = mm_asprintf("%s/meta.json", opt->output_root);
    /* A dump killed while writing them leaves a temporary file; the dump
     * that completes leaves none. */
    if (meta_path)
        mm_remove_atomic_leftovers(meta_path);
    int rc = meta_path ? mm_write_file_atomic(meta_path, meta, strlen(meta), 0644, err)
                       : mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    if (rc == 0 && opt->storage) {
        char *key = mm_asprintf("%s/meta.json", opt->remote_root);
        rc = key ? mm_storage_put_file(opt->storage, key, meta_path, err)
                 : mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
        free(key);
    }
    free(meta);
    free(meta_path);
    if (rc != 0)
        return rc;
    cJSON *batches = cJSON_CreateArray();
    index_ctx ic = {batches, plan};
    rc = mm_journal_each(opt->journal, add_batch_json, &ic, err);
    char *text = rc == 0 ? cJSON_Print(batches) : NULL;
    cJSON_Delete(batches);
    if (rc == 0 && !text)
        rc = mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    char *path = mm_asprintf("%s/batches.json", opt->output_root);
    if (rc == 0 && !path)
        rc = mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    if (rc == 0)
        mm_remove_atomic_leftovers(path);
    if (rc == 0)
        rc = mm_write_file_atomic(path, text, strlen(text), 0644, err);
    if (rc == 0 && opt->storage) {
        char *key = mm_asprintf("%s/batches.json", opt->remote_root);
        rc = key ? mm_storage_put_file(opt->storage, key, path, err)
                 : mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
        free(key);
    }
    free(path);
    free(text);
    return rc;
}

/* The jobs: each segment that is not packed (its batches, or none), and
 * each packed batch, in the plan's order. */
static int make_jobs(mm_dump_state *sh, mm_error *err)
{
    const mm_dump_options *opt = sh->opt;
    mm_plan_limits limits = {.max_file_size = opt->max_file_size, .batch_size = opt->batch_size};
    if (mm_plan_build(&sh->plan, opt->inv, NULL, &limits, err) != 0)
        return -1;
    size_t segments = 0;
    for (size_t i = 0; i < opt->inv->n_collections; i++)
        for (size_t j = 0; j < opt->inv->collections[i].n_partitions; j++)
            segments += opt->inv->collections[i].partitions[j].n_segments;
    sh->jobs = calloc(segments ? segments : 1, sizeof *sh->jobs);
    if (!sh->jobs)
        return mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    size_t next_batch = 0;
    for (size_t i = 0; i < opt->inv->n_collections; i++) {
        mm_collection_info *c = &opt->inv->collections[i];
        for (size_t j = 0; j < c->n_partitions; j++)
            for (size_t k = 0; k < c->partitions[j].n_segments; k++) {
                mm_segment_info *s = &c->partitions[j].segments[k];
                sh->progress.rows_total += s->live;
                sh->progress.bytes_total += (uint64_t)s->live * (uint64_t)(mm_collection_vector_bytes(c) + 8);
                /* The plan lists batches in inventory order: a segment is
                 * either the next batch's segment, a later member of the
                 * pack before it, or without a batch (no live rows). */
                const mm_plan_batch *b = next_batch < sh->plan.n_batches ? &sh->plan.batches[next_batch] : NULL;
                if (b && b->segment == s) {
                    sh->jobs[sh->n_jobs++] = (mm_dump_job){c, &c->partitions[j], s, b->n_members > 1 ? b : NULL};
                    next_batch++;
                    while (next_batch < sh->plan.n_batches && sh->plan.batches[next_batch].segment == s)
                        next_batch++; /* the other parts of a split segment */
                } else if (s->live <= 0) {
                    sh->jobs[sh->n_jobs++] = (mm_dump_job){c, &c->partitions[j], s, NULL};
                }
            }
    }
    sh->progress.segments_total = segments;
    if (next_batch != sh->plan.n_batches)
        return mm_error_set(err, MM_ERR_INTERNAL, "dump: the plan's batches do not follow the inventory");
    return 0;
}

int mm_dump_run(const mm_dump_options *opt, mm_dump_result *res, mm_error *err)
{
    memset(res, 0, sizeof *res);
    mm_dump_state sh = {.opt = opt};
    pthread_mutex_init(&sh.lock, NULL);
    int rc = make_jobs(&sh, err);
    if (rc == 0)
        rc = mm_mkdir_p(opt->output_root, err);
    /* Before anything is written: the staging area must be this job's. */
    mm_staging_area area = mm_dump_staging_area(opt);
    if (rc == 0)
        rc = mm_staging_claim(&area, opt->journal, err);
    if (rc == 0 && !opt->storage)
        rc = mm_dump_committer_start(&sh, &sh.committer, err);
    if (rc == 0) {
        mm_pool_options pool = {
            .items = sh.n_jobs, .threads = opt->workers, .thread_start = worker_start, .thread_end = worker_end,
            .run = dump_one, .stopped = failed, .ctx = &sh,
        };
        mm_error ignored; /* the state keeps the first failure, the uploaders' and the journal's included */
        mm_pool_run(&pool, &ignored);
        mm_dump_committer_finish(sh.committer);
        if (sh.failed) {
            *err = sh.err;
            rc = -1;
        }
    }
    if (rc == 0 && opt->source_check)
        rc = opt->source_check(opt->source_check_ctx, true, err);
    mm_batch_plan *plan = NULL;
    if (rc == 0)
        rc = mm_batch_plan_build(opt->inv, opt->journal, &plan, err);
    if (rc == 0)
        rc = mm_dump_retire_stale(opt, plan, &sh.result, err);
    if (rc == 0)
        rc = mm_dump_check_staged(opt, plan, err);
    if (rc == 0)
        rc = write_indexes(opt, plan, err);
    mm_batch_plan_free(plan);
    *res = sh.result;
    free(sh.jobs);
    mm_plan_free(&sh.plan);
    pthread_mutex_destroy(&sh.lock);
    return rc;
}
