#include "dump/dump_reconcile.h"

#include "source/names.h"
#include "base/remedy.h"
#include "base/strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

mm_staged_place mm_dump_staged_place(const mm_dump_options *opt)
{
    return (mm_staged_place){.local_root = opt->output_root, .storage = opt->storage};
}

mm_staging_area mm_dump_staging_area(const mm_dump_options *opt)
{
    return (mm_staging_area){.local_root = opt->output_root, .storage = opt->storage,
                             .remote_root = opt->remote_root, .scratch_dir = opt->output_root};
}

int mm_dump_remove_staged(const mm_dump_options *opt, const mm_journal_batch *b, mm_error *err)
{
    const char *keys[] = {b->id_key, b->data_key};
    for (size_t i = 0; i < 2; i++) {
        if (!keys[i] || !keys[i][0])
            continue;
        if (opt->storage) {
            if (mm_storage_remove(opt->storage, keys[i], err) != 0)
                return -1;
            continue;
        }
        char *path = mm_asprintf("%s/%s", opt->output_root, keys[i]);
        if (!path)
            return mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
        int rc = unlink(path) != 0 && errno != ENOENT ? mm_error_errno(err, errno, "remove stale staged file", path)
                                                      : 0;
        char *slash = strrchr(path, '/');
        *slash = '\0';
        rmdir(path); /* the batch directory, once empty */
        free(path);
        if (rc != 0)
            return -1;
    }
    return 0;
}


typedef struct retire_ctx {
    const mm_dump_options *opt;
    mm_batch_plan *plan;
    mm_dump_result *res;
    mm_error *err;
} retire_ctx;

static int retire_batch(void *ctx, const mm_journal_batch *b)
{
    retire_ctx *rc = ctx;
    const char *why = NULL;
    if (mm_batch_plan_classify(rc->plan, b, &why) != MM_BATCH_STALE)
        return 0;
    char *label = mm_staged_batch_label(b);
    if (!label)
        return mm_error_set(rc->err, MM_ERR_NOMEM, "dump: out of memory");
    int status = 0;
    if (b->state >= MM_BATCH_SUBMITTED) {
        rc->res->batches_stale_kept++;
        mm_emit_line(rc->opt->log, rc->opt->log_ctx, "warning: %s is stale (%s) but was already submitted for import: its %lld row(s) stay in "
                 "Milvus and verify counts them as a mismatch; drop the 2.x collection and start over %s "
                 "to remove them", label, why, (long long)b->rows, mm_remedy_how(MM_REMEDY_START_OVER));
    } else {
        status = mm_dump_remove_staged(rc->opt, b, rc->err);
        if (status == 0)
            status = mm_journal_forget_batch(rc->opt->journal, b->collection, b->segment, b->batch, rc->err);
        if (status == 0) {
            rc->res->batches_retired++;
            rc->res->rows_retired += b->rows;
            mm_emit_line(rc->opt->log, rc->opt->log_ctx, "retired %s: %s; its %lld row(s) are not migrated and its staged files were removed",
                     label, why, (long long)b->rows);
        }
    }
    free(label);
    return status;
}

static int forget_segment(void *ctx, const mm_journal_segment *s)
{
    retire_ctx *rc = ctx;
    if (mm_batch_plan_segment_live(rc->plan, s->collection, s->segment))
        return 0;
    return mm_journal_forget_segment(rc->opt->journal, s->collection, s->segment, rc->err);
}

int mm_dump_retire_stale(const mm_dump_options *opt, mm_batch_plan *plan, mm_dump_result *res, mm_error *err)
{
    retire_ctx rc = {opt, plan, res, err};
    if (mm_journal_each(opt->journal, retire_batch, &rc, err) != 0)
        return -1;
    return mm_journal_each_segment(opt->journal, forget_segment, &rc, err);
}

typedef struct check_ctx {
    const mm_dump_options *opt;
    mm_batch_plan *plan;
    mm_staged_place place;
    size_t in_plan, missing;
    mm_error first;
} check_ctx;

static int check_batch(void *ctx, const mm_journal_batch *b)
{
    check_ctx *cc = ctx;
    if (mm_batch_plan_classify(cc->plan, b, NULL) != MM_BATCH_IN_PLAN)
        return 0;
    cc->in_plan++;
    /* Submitted batches may have had their files deleted on purpose
     * (loader.deleteStagedFiles); a pending one is not complete. */
    if (b->state != MM_BATCH_DUMPED && b->state < MM_BATCH_SUBMITTED) {
        cc->missing++;
        return 0;
    }
    if (b->state != MM_BATCH_DUMPED)
        return 0;
    mm_error e;
    mm_error_clear(&e);
    if (mm_staged_check_batch(&cc->place, b, MM_STAGED_PRESENT, NULL, &e) != 0) {
        if (e.code == MM_ERR_NOMEM)
            return -1;
        if (cc->missing++ == 0)
            cc->first = e;
    }
    return 0;
}

int mm_dump_check_staged(const mm_dump_options *opt, mm_batch_plan *plan, mm_error *err)
{
    check_ctx cc = {.opt = opt, .plan = plan, .place = mm_dump_staged_place(opt)};
    mm_error_clear(&cc.first);
    if (mm_journal_each(opt->journal, check_batch, &cc, err) != 0)
        return -1;
    const char *undumped = NULL;
    size_t expected = mm_batch_plan_batches(plan, &undumped);
    if (cc.missing)
        return mm_error_set(err, MM_ERR_IO, "%zu batch(es) the dump wrote or found complete are not where they were "
                            "staged; the first: %s. The staging area changed while the dump ran (removed, or written by "
                            "another run at the same time); run dump again: it writes what is missing",
                            cc.missing, cc.first.code != MM_OK ? cc.first.message : "a batch left pending");
    if (undumped)
        return mm_error_set(err, MM_ERR_INTERNAL, "the dump finished without recording %s; run dump again",
                            undumped);
    if (cc.in_plan != expected)
        return mm_error_set(err, MM_ERR_INTERNAL, "the journal lists %zu batch(es) of the live segments but their "
                            "segment records add up to %zu; run dump again", cc.in_plan, expected);
    mm_staging_area area = mm_dump_staging_area(opt);
    if (mm_staging_check(&area, opt->journal, err) != 0)
        return mm_error_wrap(err, "after the dump");
    return 0;
}
