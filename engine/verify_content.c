/* The content sample over the verification report (verify_content.h). */
#include "verify_content.h"

#include "base/strbuf.h"
#include "milvus2/loading.h"

#include <stdlib.h>
#include <string.h>

/* Loading a large collection takes long; its progress is said every few
 * seconds and the user can cancel. */
enum { LOAD_TIMEOUT_S = 3600 };

typedef struct sampler {
    const mm_verify_content_options *o;
    mm_verify_progress progress;
    int64_t partition_base;     /* rows_done before the partition being read */
} sampler;

static void tell_progress(sampler *s)
{
    if (s->o->progress)
        s->o->progress(s->o->ctx, &s->progress);
}

static void rows_read_back(void *ctx, int64_t rows_done)
{
    sampler *s = ctx;
    s->progress.rows_done = s->partition_base + rows_done;
    tell_progress(s);
}

static mm_verify_row *report_row(mm_verify_report *r, const char *collection, const char *tag)
{
    for (size_t i = 0; i < r->n_rows; i++)
        if (strcmp(r->rows[i].collection, collection) == 0 && strcmp(r->rows[i].partition, tag) == 0)
            return &r->rows[i];
    return NULL;
}

static mm_verify_collection *report_collection(mm_verify_report *r, const char *collection)
{
    for (size_t i = 0; i < r->n_collections; i++)
        if (strcmp(r->collections[i].collection, collection) == 0)
            return &r->collections[i];
    return NULL;
}

/* Rows the sample reads from a partition: all of them up to the sample size. */
static int64_t planned_rows(const mm_partition_info *p, int sample)
{
    int64_t live = 0;
    for (size_t s = 0; s < p->n_segments; s++)
        live += p->segments[s].live;
    return live < sample ? live : sample;
}

static void mark_rows(mm_verify_report *r, const mm_collection_info *c, mm_content_state state, const char *note)
{
    for (size_t p = 0; p < c->n_partitions; p++) {
        mm_verify_row *row = report_row(r, c->name, c->partitions[p].tag);
        if (!row)
            continue;
        mm_content_result_free(&row->content);
        row->content.state = state;
        row->content.note = note ? mm_strdup(note) : NULL;
    }
}

static int sample_partitions(sampler *s, const mm_collection_info *c, mm_verify_report *r, mm_error *err)
{
    const mm_verify_content_options *o = s->o;
    mm_content_source src = {
        .tables_dirs = o->tables_dirs, .n_tables_dirs = o->n_tables_dirs,
        .missing_deleted_docs_ok = o->missing_deleted_docs_ok, .remote = o->remote, .nan_skip = o->nan_skip,
    };
    for (size_t p = 0; p < c->n_partitions; p++) {
        mm_verify_row *row = report_row(r, c->name, c->partitions[p].tag);
        if (!row)
            continue;
        s->progress.collection = row->target_collection;
        s->progress.partition = row->target_partition;
        s->partition_base = s->progress.rows_done;
        tell_progress(s);
        mm_content_check chk = {
            .milvus = o->milvus, .collection = row->target_collection, .partition = row->target_partition,
            .id_field = o->id_field, .vector_field = o->vector_field, .src = &src, .c = c, .p = &c->partitions[p],
            .sample = o->sample, .seed = (uint64_t)o->seed,
            .max_answer_bytes = o->max_recv_bytes ? o->max_recv_bytes / 2 : 0, .cancel = o->cancel,
            .progress = rows_read_back, .ctx = s,
        };
        mm_content_result_free(&row->content);
        if (mm_content_check_partition(&chk, &row->content, err) != 0)
            return mm_error_wrap(err, "content sample of %s.%s", row->target_collection, row->target_partition);
        s->progress.rows_done = s->partition_base + planned_rows(&c->partitions[p], o->sample);
        s->progress.partitions_done++;
        tell_progress(s);
    }
    return 0;
}

/* One collection: made readable if it can be, sampled, left as it was. */
static int sample_collection(sampler *s, const mm_collection_info *c, mm_verify_collection *vc, mm_verify_report *r,
                             mm_error *err)
{
    const mm_verify_content_options *o = s->o;
    int64_t planned = 0;
    for (size_t p = 0; p < c->n_partitions; p++)
        planned += planned_rows(&c->partitions[p], o->sample);
    mm_content_load load = {
        .milvus = o->milvus, .collection = c->target_name, .vector_field = o->vector_field, .binary = c->binary,
        .metric = mm_metric_name(c->metric_type), .rows = vc->milvus >= 0 ? vc->milvus : vc->expected,
        .vector_bytes = mm_collection_vector_bytes(c), .consent = o->load_for_sample, .timeout_s = o->timeout_s,
        .load_timeout_s = LOAD_TIMEOUT_S,
        .cancel = o->cancel, .note = o->note, .ctx = o->ctx,
    };
    mm_content_target t;
    int rc = mm_content_target_prepare(&load, &t, err);
    vc->load_state = t.load_state;
    vc->load_memory_bytes = t.memory_bytes;
    vc->loaded_for_sample = t.loaded_for_sample;
    vc->index_created = t.index_created;
    if (rc == 0 && t.load_state == MM_LOAD_STATE_NOT_EXIST) {
        char *note = mm_asprintf("Milvus has no collection %s", c->target_name);
        mark_rows(r, c, MM_CONTENT_NOT_CHECKED, note);
        free(note);
    } else if (rc == 0 && !t.ready) {
        mark_rows(r, c, MM_CONTENT_NOT_LOADED, NULL);
    } else if (rc == 0) {
        rc = sample_partitions(s, c, r, err);
    }
    if (rc == 0 && !t.ready) {
        /* What is not read back leaves the totals. */
        s->progress.rows_total -= planned;
        s->progress.partitions_total -= c->n_partitions;
        tell_progress(s);
    }
    /* Undone also after a failure; the first error is the one reported. */
    mm_error restore_err;
    mm_error_clear(&restore_err);
    if (mm_content_target_restore(&load, &t, rc == 0 ? err : &restore_err) != 0 && rc == 0)
        rc = -1;
    else if (restore_err.message[0] && o->note)
        mm_emit_line(o->note, o->ctx, "warning: %s", restore_err.message);
    return rc;
}

int mm_verify_content_run(const mm_verify_content_options *o, mm_verify_report *r, mm_error *err)
{
    r->sample_size = o->sample;
    r->sample_seed = o->seed;
    r->load_for_sample = o->load_for_sample;
    sampler s = {.o = o};
    for (size_t i = 0; i < o->inv->n_collections; i++) {
        const mm_collection_info *c = &o->inv->collections[i];
        mm_verify_collection *vc = report_collection(r, c->name);
        if (o->sample <= 0 || !vc || vc->skipped) {
            mark_rows(r, c, o->sample <= 0 ? MM_CONTENT_OFF : MM_CONTENT_SKIPPED, NULL);
            continue;
        }
        s.progress.partitions_total += c->n_partitions;
        for (size_t p = 0; p < c->n_partitions; p++)
            s.progress.rows_total += planned_rows(&c->partitions[p], o->sample);
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && o->sample > 0 && i < o->inv->n_collections; i++) {
        const mm_collection_info *c = &o->inv->collections[i];
        mm_verify_collection *vc = report_collection(r, c->name);
        if (vc && !vc->skipped)
            rc = sample_collection(&s, c, vc, r, err);
    }
    mm_verify_judge(r);
    return rc;
}
