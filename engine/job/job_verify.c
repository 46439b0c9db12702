/* Verification, its report, and the removal of staged files after a
 * verification that matched (loader.deleteStagedFiles). */
#include "job/job.h"

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "source/row_counts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void content_note(void *ctx, const char *line)
{
    const mm_job *job = ctx;
    mm_sink_event(job->sink, "verify", line);
}

static void content_progress(void *ctx, const mm_verify_progress *p)
{
    const mm_job *job = ctx;
    if (job->sink && job->sink->ops && job->sink->ops->verify_progress)
        job->sink->ops->verify_progress(job->sink->ctx, p);
}

/* The counts, then the content sample read back over them. */
int mm_job_verify(mm_job *job, mm_milvus *milvus, mm_verify_report *report, mm_error *err)
{
    mm_sink_step_started(job->sink, "verify");
    const mm_config *cfg = &job->cfg;
    atomic_bool *cancel = job->sink ? job->sink->cancel : NULL;
    mm_verify_options o = {
        .inv = &job->inv, .journal = job->journal, .milvus = milvus,
        .stats_timeout_s = cfg->verify.stats_timeout_seconds, .poll_interval_ms = 1000, .cancel = cancel,
    };
    if (mm_verify_run(&o, report, err) != 0)
        return -1;
    mm_verify_content_options c = {
        .inv = &job->inv, .milvus = milvus, .tables_dirs = (const char *const *)job->src.tables_dirs,
        .n_tables_dirs = job->src.n_tables_dirs, .missing_deleted_docs_ok = cfg->source.missing_deleted_docs_ok,
        .remote = job->remote_source, .nan_skip = cfg->dumper.nan_policy == MM_NAN_SKIP,
        .id_field = cfg->target.milvus2x.fields.id, .vector_field = cfg->target.milvus2x.fields.vector,
        .sample = cfg->verify.sample, .seed = cfg->verify.sample_seed, .load_for_sample = cfg->verify.load_for_sample,
        .timeout_s = cfg->verify.stats_timeout_seconds,
        .max_recv_bytes = cfg->target.milvus2x.grpc.max_call_recv_msg_size, .cancel = cancel,
        .note = content_note, .progress = content_progress, .ctx = job,
    };
    return mm_verify_content_run(&c, report, err);
}

static int write_report(const char *path, char *text, mm_error *err)
{
    int rc = text ? mm_write_file_atomic(path, text, strlen(text), 0644, err)
                  : mm_error_set(err, MM_ERR_NOMEM, "verify: out of memory");
    free(text);
    return rc;
}

int mm_job_write_report(const mm_job *job, const mm_verify_report *report, const char *base, char **json_path,
                        char **md_path, mm_error *err)
{
    char *b = base ? mm_strdup(base) : mm_asprintf("%s/report", job->state_dir);
    char *json = b ? mm_asprintf("%s.json", b) : NULL;
    char *md = b ? mm_asprintf("%s.md", b) : NULL;
    int rc = json && md ? 0 : mm_error_set(err, MM_ERR_NOMEM, "verify: out of memory");
    const mm_wal_guard *checks = job && job->wal.summary ? &job->wal : NULL;
    char *json_text = mm_wal_guard_add_to_report_json(mm_verify_render_json(report), checks);
    char *md_text = mm_wal_guard_add_to_report_markdown(mm_verify_render_markdown(report), checks);
    /* Why a 1.x number differs from the counts above. */
    if (job) {
        json_text = mm_row_counts_add_to_report_json(json_text, &job->inv);
        md_text = mm_row_counts_add_to_report_markdown(md_text, &job->inv);
    }
    if (rc == 0)
        rc = write_report(json, json_text, err);
    else
        free(json_text);
    if (rc == 0)
        rc = write_report(md, md_text, err);
    else
        free(md_text);
    if (rc == 0 && json_path) {
        *json_path = json;
        json = NULL;
    }
    if (rc == 0 && md_path) {
        *md_path = md;
        md = NULL;
    }
    free(b);
    free(json);
    free(md);
    return rc;
}

int mm_job_write_report_in(const char *state_dir, const mm_verify_report *report, char **json_path, char **md_path,
                           mm_error *err)
{
    char *base = mm_asprintf("%s/report", state_dir);
    /* The state directory belongs to one run at a time (job_lock.h). */
    mm_job_lock *lock = NULL;
    int rc = base ? mm_job_lock_acquire(state_dir, &lock, NULL, err)
                  : mm_error_set(err, MM_ERR_NOMEM, "write report: out of memory");
    if (rc == 0)
        rc = mm_job_write_report(NULL, report, base, json_path, md_path, err);
    mm_job_lock_release(lock);
    free(base);
    return rc;
}

typedef struct deleter {
    mm_job *job;
    size_t deleted, gone;
    mm_error *err;
} deleter;

static int delete_batch_files(void *ctx, const mm_journal_batch *b)
{
    deleter *d = ctx;
    if (b->state != MM_BATCH_IMPORTED)
        return 0;
    const char *keys[] = {b->id_key, b->data_key};
    for (size_t i = 0; i < 2; i++) {
        /* Only files that were there count: a second run after the files
         * went says it deleted nothing. */
        bool existed = true;
        if (d->job->storage) {
            int64_t size = -1;
            if (mm_storage_head(d->job->storage, keys[i], &size, d->err) != 0)
                return -1;
            existed = size >= 0;
            if (existed && mm_storage_remove(d->job->storage, keys[i], d->err) != 0)
                return -1;
        } else {
            char *path = mm_asprintf("%s/%s", d->job->root, keys[i]);
            if (!path)
                return mm_error_set(d->err, MM_ERR_NOMEM, "out of memory");
            if (unlink(path) != 0) {
                if (errno != ENOENT) {
                    mm_error_errno(d->err, errno, "delete staged file", path);
                    free(path);
                    return -1;
                }
                existed = false;
            }
            char *slash = strrchr(path, '/');
            *slash = '\0';
            rmdir(path); /* the batch directory, once empty */
            free(path);
        }
        d->deleted += existed;
        d->gone += !existed;
    }
    return 0;
}

/* loader.deleteStagedFiles: only ever after a verification that matched,
 * and only the files of batches Milvus has imported. */
int mm_job_delete_staged(mm_job *job, mm_error *err)
{
    deleter d = {job, 0, 0, err};
    if (mm_job_open_target_bucket(job, err) != 0)
        return -1;
    if (mm_journal_each(job->journal, delete_batch_files, &d, err) != 0)
        return -1;
    if (d.gone)
        mm_sink_message(job->sink, MM_SINK_SUMMARY, NULL, "deleted %zu staged file(s) (loader.deleteStagedFiles: "
                        "true); %zu were already gone", d.deleted, d.gone);
    else
        mm_sink_message(job->sink, MM_SINK_SUMMARY, NULL, "deleted %zu staged file(s) (loader.deleteStagedFiles: "
                        "true)", d.deleted);
    return 0;
}
