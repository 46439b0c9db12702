/* One segment of the dump: opened (fetched first from a source bucket),
 * cut into batches by the planner's rules, each resumed or written, and
 * recorded as done. Float vectors are checked for NaN/Inf as they are
 * copied; only a segment split into several batches (nothing of it may be
 * staged when one of its rows fails), or one found to hold such rows that
 * dumper.nanPolicy skip leaves out, is scanned before. */
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

static int dump_batches(mm_dump_state *sh, const mm_dump_job *jb, mm_segment_reader *r, mm_dump_files *f,
                        const int64_t *dropped, size_t n_dropped, bool check_floats, mm_dump_uploader *up,
                        int *batches_out, mm_error *err)
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
                .id_key = id_key, .data_key = data_key, .members = "",
            };
            mm_part_digest *digests[2];
            if (stream) {
                /* No local copy: the uploader sends the ranges and records
                 * the batch once both objects are complete, while this
                 * worker hashes the next batch. */
                mm_dump_stream_file src[2];
                rc = mm_dump_hash_batch(sh, jb, f, &data_runs, rows, check_floats, &b, src, digests, err);
                if (rc == 0)
                    rc = mm_dump_uploader_stream(up, &b, (uint64_t)rows * (f->bpv + 8), src, digests, err);
            } else {
                mm_dump_writer w;
                rc = mm_dump_writer_open(sh, jb->c, rows, dir, f->gather, check_floats, &w, err);
                if (rc == 0)
                    rc = mm_dump_writer_feed(sh, &w, f, &data_runs, rows, offload, err);
                rc = mm_dump_writer_close(sh, &w, rc, &b, digests, err);
                /* Staged in a bucket: the uploader sends both files, records
                 * the batch once both objects are complete and drops the
                 * local copy, while this worker writes the next batch. */
                if (rc == 0 && up)
                    rc = mm_dump_uploader_batch(up, &b, (uint64_t)rows * (f->bpv + 8), dir, data_path, id_path,
                                                digests, err);
                else if (rc == 0)
                    rc = mm_dump_commit_batch(sh->committer, &b, dir, data_path, id_path, NULL, 0, err);
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

int mm_dump_segment_open(mm_dump_state *sh, const mm_dump_job *jb, const mm_segment_info *s, mm_segment_reader **r,
                         mm_dump_files *f, mm_error *err)
{
    const mm_dump_options *opt = sh->opt;
    char *buf = f->buf, *gather = f->gather;
    *f = (mm_dump_files){.rv = -1, .uid = -1, .buf = buf, .gather = gather, .bad_row = -1};
    *r = NULL;
    if (opt->remote_source && mm_remote_source_fetch_segment(opt->remote_source, s, err) != 0)
        return mm_error_wrap(err, "dump collection '%s' segment %s", jb->c->name, s->segment_id);
    mm_segment_source src = {
        .tables_dirs = opt->tables_dirs, .n_tables_dirs = opt->n_tables_dirs,
        .table_id = s->table_id, .segment_id = s->segment_id, .file_id = s->file_id,
        .dim = jb->c->dim, .binary = jb->c->binary, .missing_deleted_docs_ok = opt->missing_deleted_docs_ok,
    };
    if (mm_segment_open(&src, r, err) != 0) {
        if (opt->remote_source) {
            mm_remote_source_name_objects(opt->remote_source, err);
            mm_remote_source_release_segment(opt->remote_source, s);
        }
        return -1;
    }
    f->rv_path = mm_segment_rv_path(*r);
    f->uid_path = mm_segment_uid_path(*r);
    f->bpv = mm_segment_vector_bytes(*r);
    f->rv = f->uid = -1;
    /* Never blocks on what replaced a file since the scan (a FIFO). */
    if (mm_open_regular(f->rv_path, NULL, &f->rv, err) != 0 || mm_open_regular(f->uid_path, NULL, &f->uid, err) != 0) {
        if (opt->remote_source)
            mm_remote_source_name_objects(opt->remote_source, err);
        mm_error_wrap(err, "dump collection '%s' segment %s", jb->c->name, s->segment_id);
        mm_dump_segment_close(sh, s, *r, f);
        *r = NULL;
        return -1;
    }
    /* Read front to back: the kernel reads further ahead, as for cp. */
    (void)posix_fadvise(f->rv, 0, 0, POSIX_FADV_SEQUENTIAL);
    (void)posix_fadvise(f->uid, 0, 0, POSIX_FADV_SEQUENTIAL);
    return 0;
}

void mm_dump_segment_close(mm_dump_state *sh, const mm_segment_info *s, mm_segment_reader *r, mm_dump_files *f)
{
    if (f->rv >= 0)
        close(f->rv);
    if (f->uid >= 0)
        close(f->uid);
    f->rv = f->uid = -1;
    mm_segment_close(r);
    if (sh->opt->remote_source)
        mm_remote_source_release_segment(sh->opt->remote_source, s);
}

int mm_dump_segment(mm_dump_state *sh, const mm_dump_job *jb, char *buf, char *gather, mm_dump_uploader *up,
                    mm_error *err)
{
    const mm_dump_options *opt = sh->opt;
    if (opt->remote_source && remote_segment_reused(sh, jb)) {
        if (up) /* no segment goes through the uploader to count it */
            mm_dump_report(sh, 0, 0, 1, 0);
        return 0;
    }
    mm_segment_reader *r = NULL;
    mm_dump_files f = {.buf = buf, .gather = gather};
    if (mm_dump_segment_open(sh, jb, jb->s, &r, &f, err) != 0)
        return -1;
    int rc = 0;
    int64_t *dropped = NULL;
    size_t n_dropped = 0;
    int64_t per_batch = mm_plan_rows_per_batch(opt->max_file_size, jb->c);
    bool split = per_batch > 0 && mm_plan_batch_count(mm_segment_live(r), per_batch) > 1;
    /* A segment an earlier run found rows to leave out in is scanned
     * first too: its batch is judged by the rows it holds without them. */
    mm_journal_segment rec;
    bool recorded = false;
    bool left_out = !jb->c->binary && !split &&
                    mm_journal_segment_get(opt->journal, jb->c->name, jb->s->segment_id, &rec, &recorded, NULL) == 0 &&
                    recorded && rec.nan_skipped > 0;
    bool scanned = jb->c->binary || split || left_out;
    if (rc == 0 && (split || left_out) && mm_segment_live(r) > 0)
        rc = mm_dump_scan_nan(sh, jb, &f, r, &dropped, &n_dropped, err);
    int n_batches = 0;
    if (rc == 0 && mm_segment_live(r) > (int64_t)n_dropped)
        rc = dump_batches(sh, jb, r, &f, dropped, n_dropped, !scanned, up, &n_batches, err);
    if (rc != 0 && f.bad_row >= 0 && opt->nan_policy == MM_DUMP_NAN_FAIL) {
        rc = mm_dump_nan_error(&f, f.bad_row, f.bad_dim, err);
    } else if (rc != 0 && f.bad_row >= 0) {
        /* Rows to leave out: now they are looked for, and the batch written
         * without them. */
        mm_error_clear(err);
        rc = mm_dump_scan_nan(sh, jb, &f, r, &dropped, &n_dropped, err);
        if (rc == 0 && mm_segment_live(r) > (int64_t)n_dropped)
            rc = dump_batches(sh, jb, r, &f, dropped, n_dropped, false, up, &n_batches, err);
    }
    if (rc == 0 && n_dropped) {
        pthread_mutex_lock(&sh->lock);
        sh->result.nan_rows_skipped += (int64_t)n_dropped;
        pthread_mutex_unlock(&sh->lock);
        mm_dump_report(sh, (int64_t)n_dropped, 0, 0, 0);
    }
    if (rc == 0) {
        mm_journal_segment done = {
            .collection = jb->c->name, .segment = jb->s->segment_id, .batches = n_batches,
            .rows = mm_segment_live(r) - (int64_t)n_dropped, .nan_skipped = (int64_t)n_dropped,
        };
        /* Recorded after the segment's last batch. */
        rc = up ? mm_dump_uploader_segment(up, &done, err) : mm_dump_commit_segment(sh->committer, &done, err);
    }
    if (rc != 0 && opt->remote_source)
        mm_remote_source_name_objects(opt->remote_source, err);
    if (rc != 0)
        mm_error_wrap(err, "dump collection '%s' segment %s", jb->c->name, jb->s->segment_id);
    free(dropped);
    mm_dump_segment_close(sh, jb->s, r, &f);
    return rc;
}
