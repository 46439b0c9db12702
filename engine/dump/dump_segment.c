/* One segment of the dump: opened (fetched first from a source bucket),
 * scanned for NaN/Inf, cut into batches by the planner's rules, each
 * resumed or written, and recorded as done. */
#include "dump/dump_internal.h"

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "plan.h"
#include "source/remote_fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int dump_batches(mm_dump_state *sh, const mm_dump_job *jb, mm_segment_reader *r, mm_dump_files *f, const int64_t *dropped,
                        size_t n_dropped, mm_dump_uploader *up, int *batches_out, mm_error *err)
{
    const mm_dump_options *opt = sh->opt;
    int64_t live = mm_segment_live(r) - (int64_t)n_dropped;
    int64_t per_batch = mm_plan_rows_per_batch(opt->max_file_size, jb->c);
    if (per_batch <= 0)
        return mm_error_set(err, MM_ERR_CONFIG, "dumper.maxFileSize %llu bytes cannot hold even one row of "
                            "collection '%s'", (unsigned long long)opt->max_file_size, jb->c->name);
    int n_batches = mm_plan_batch_count(live, per_batch);
    *batches_out = n_batches;
    bool offload = !opt->disable_copy_offload && n_dropped == 0;
    /* Every row live: each batch is one range of the segment files, which
     * the uploader sends as it is, behind the .npy header. */
    bool stream = up && !opt->stage_uploads && mm_storage_can_put_source(opt->storage) && n_dropped == 0 &&
                  mm_segment_live(r) == mm_segment_rows(r);
    mm_dump_rows data_runs;
    mm_dump_rows_init(&data_runs, r, dropped, n_dropped);
    int rc = 0;
    for (int k = 0; k < n_batches && rc == 0; k++) {
        int64_t rows = k + 1 < n_batches ? per_batch : live - per_batch * (int64_t)k;
        char *key = mm_dump_batch_key(jb, k, n_batches);
        char *dir = key ? mm_asprintf("%s/%s", opt->output_root, key) : NULL;
        char *id_path = dir ? mm_asprintf("%s/%s.npy", dir, mm_dump_id_field(opt)) : NULL;
        char *data_path = dir ? mm_asprintf("%s/%s.npy", dir, mm_dump_vector_field(opt)) : NULL;
        char *id_key = NULL, *data_key = NULL;
        if (key)
            mm_dump_batch_keys(opt, key, &id_key, &data_key);
        mm_batch_verdict verdict = MM_BATCH_WRITE;
        if (!id_path || !data_path || !id_key || !data_key)
            rc = mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
        else
            rc = mm_dump_judge_batch(sh, jb, k, id_key, data_key, rows, &verdict, err);
        if (rc == 0 && verdict == MM_BATCH_REUSE) {
            /* Advance the cursor past this batch without writing. */
            int64_t left = rows, s, c;
            while (left > 0 && mm_dump_rows_next(&data_runs, left, &s, &c))
                left -= c;
            pthread_mutex_lock(&sh->lock);
            sh->result.batches_reused++;
            pthread_mutex_unlock(&sh->lock);
            mm_dump_report_reused(sh, rows, (uint64_t)rows * (f->bpv + 8));
        } else if (rc == 0 && (rc = stream ? 0 : mm_mkdir_p(dir, err)) == 0) {
            mm_journal_batch b = {
                .collection = jb->c->name, .partition = jb->p->tag, .segment = jb->s->segment_id,
                .batch = k, .state = MM_BATCH_DUMPED, .rows = rows, .task_ids = "",
                .id_key = id_key, .data_key = data_key,
            };
            mm_part_digest *digests[2];
            if (stream) {
                /* No local copy: the uploader sends the ranges and records
                 * the batch once both objects are complete, while this
                 * worker hashes the next batch. */
                mm_dump_stream_file src[2];
                rc = mm_dump_hash_batch(sh, jb, f, &data_runs, rows, &b, src, digests, err);
                if (rc == 0)
                    rc = mm_dump_uploader_stream(up, &b, (uint64_t)rows * (f->bpv + 8), src, digests, err);
            } else if ((rc = mm_dump_write_batch(sh, jb, f, &data_runs, rows, dir, offload, &b, digests, err)) == 0 && up) {
                /* Staged in a bucket: the uploader sends both files, records
                 * the batch once both objects are complete and drops the
                 * local copy, while this worker writes the next batch. */
                rc = mm_dump_uploader_batch(up, &b, (uint64_t)rows * (f->bpv + 8), dir, data_path, id_path, digests,
                                            err);
            } else if (rc == 0) {
                if (mm_fsync_dir(dir) != 0)
                    rc = mm_error_errno(err, errno, "fsync directory", dir);
                if (rc == 0)
                    rc = mm_journal_put(opt->journal, &b, err);
                /* Not recorded means not complete: no file of it stays under
                 * its final name. */
                if (rc != 0) {
                    unlink(data_path);
                    unlink(id_path);
                } else {
                    mm_dump_count_recorded(sh, &b);
                }
            }
        }
        free(id_key);
        free(data_key);
        free(key);
        free(dir);
        free(id_path);
        free(data_path);
    }
    return rc;
}

/* A segment read from a bucket whose batches are all complete (the test
 * dump_batches makes, from the journal's record of the segment) is not
 * downloaded again only to be skipped. */
static bool remote_segment_reused(mm_dump_state *sh, const mm_dump_job *jb)
{
    const mm_dump_options *opt = sh->opt;
    mm_journal_segment rec;
    bool found = false;
    if (mm_journal_segment_get(opt->journal, jb->c->name, jb->s->segment_id, &rec, &found, NULL) != 0 || !found ||
        rec.rows + rec.nan_skipped != jb->s->live)
        return false;
    uint64_t bpv = (uint64_t)mm_collection_vector_bytes(jb->c);
    int64_t per_batch = mm_plan_rows_per_batch(opt->max_file_size, jb->c);
    if (per_batch <= 0 || mm_plan_batch_count(rec.rows, per_batch) != rec.batches)
        return false;
    bool ok = true;
    for (int k = 0; k < rec.batches && ok; k++) {
        int64_t rows = k + 1 < rec.batches ? per_batch : rec.rows - per_batch * (int64_t)k;
        char *key = mm_dump_batch_key(jb, k, rec.batches);
        char *id_key = NULL, *data_key = NULL;
        if (key)
            mm_dump_batch_keys(opt, key, &id_key, &data_key);
        mm_batch_verdict verdict = MM_BATCH_WRITE;
        ok = id_key && data_key && mm_dump_judge_batch(sh, jb, k, id_key, data_key, rows, &verdict, NULL) == 0 &&
             verdict == MM_BATCH_REUSE;
        free(key);
        free(id_key);
        free(data_key);
    }
    if (!ok)
        return false;
    pthread_mutex_lock(&sh->lock);
    sh->result.batches_reused += (size_t)rec.batches;
    sh->result.nan_rows_skipped += rec.nan_skipped;
    pthread_mutex_unlock(&sh->lock);
    mm_dump_report_reused(sh, rec.rows + rec.nan_skipped, (uint64_t)rec.rows * (bpv + 8));
    return true;
}

int mm_dump_segment(mm_dump_state *sh, const mm_dump_job *jb, char *buf, mm_dump_uploader *up, mm_error *err)
{
    const mm_dump_options *opt = sh->opt;
    if (opt->remote_source && remote_segment_reused(sh, jb)) {
        if (up) /* no segment goes through the uploader to count it */
            mm_dump_report(sh, 0, 0, 1, 0);
        return 0;
    }
    if (opt->remote_source && mm_remote_source_fetch_segment(opt->remote_source, jb->s, err) != 0)
        return mm_error_wrap(err, "dump collection '%s' segment %s", jb->c->name, jb->s->segment_id);
    mm_segment_source src = {
        .tables_dirs = opt->tables_dirs, .n_tables_dirs = opt->n_tables_dirs,
        .table_id = jb->s->table_id, .segment_id = jb->s->segment_id, .file_id = jb->s->file_id,
        .dim = jb->c->dim, .binary = jb->c->binary, .missing_deleted_docs_ok = opt->missing_deleted_docs_ok,
    };
    mm_segment_reader *r = NULL;
    if (mm_segment_open(&src, &r, err) != 0) {
        if (opt->remote_source) {
            mm_remote_source_name_objects(opt->remote_source, err);
            mm_remote_source_release_segment(opt->remote_source, jb->s);
        }
        return -1;
    }
    mm_dump_files f = {.rv = -1, .uid = -1, .rv_path = mm_segment_rv_path(r), .uid_path = mm_segment_uid_path(r),
                       .bpv = mm_segment_vector_bytes(r), .buf = buf};
    int rc = 0;
    /* Never blocks on what replaced a file since the scan (a FIFO). */
    if (mm_open_regular(f.rv_path, NULL, &f.rv, err) != 0 || mm_open_regular(f.uid_path, NULL, &f.uid, err) != 0)
        rc = -1;
    int64_t *dropped = NULL;
    size_t n_dropped = 0;
    if (rc == 0 && mm_segment_live(r) > 0)
        rc = mm_dump_scan_nan(sh, jb, &f, r, &dropped, &n_dropped, err);
    if (rc == 0 && n_dropped) {
        pthread_mutex_lock(&sh->lock);
        sh->result.nan_rows_skipped += (int64_t)n_dropped;
        pthread_mutex_unlock(&sh->lock);
        mm_dump_report(sh, (int64_t)n_dropped, 0, 0, 0);
    }
    int n_batches = 0;
    if (rc == 0 && mm_segment_live(r) > (int64_t)n_dropped)
        rc = dump_batches(sh, jb, r, &f, dropped, n_dropped, up, &n_batches, err);
    if (rc == 0) {
        mm_journal_segment done = {
            .collection = jb->c->name, .segment = jb->s->segment_id, .batches = n_batches,
            .rows = mm_segment_live(r) - (int64_t)n_dropped, .nan_skipped = (int64_t)n_dropped,
        };
        /* With an uploader, recorded after the segment's last batch. */
        rc = up ? mm_dump_uploader_segment(up, &done, err) : mm_journal_segment_done(opt->journal, &done, err);
    }
    if (rc != 0 && opt->remote_source)
        mm_remote_source_name_objects(opt->remote_source, err);
    if (rc != 0)
        mm_error_wrap(err, "dump collection '%s' segment %s", jb->c->name, jb->s->segment_id);
    free(dropped);
    if (f.rv >= 0)
        close(f.rv);
    if (f.uid >= 0)
        close(f.uid);
    mm_segment_close(r);
    if (opt->remote_source)
        mm_remote_source_release_segment(opt->remote_source, jb->s);
    return rc;
}
