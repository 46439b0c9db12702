/* The dump step of a job: migration.yaml's choices into dump options, the
 * source watched while it runs, and the summary line. */
#include "job/job.h"

#include "base/strbuf.h"
#include "dump/dump.h"
#include "dump/dump_guard.h"
#include "plan.h"
#include "source/inventory_render.h"
#include "source/row_counts.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* The source check between segments. Tests set MM_TEST_STOP_AT_SOURCE_CHECK=N
 * to have the process stop itself (SIGSTOP) just before the Nth check, the
 * batches written so far all recorded, so they can change the source at a
 * known point of a dump (or hold its lock, or kill it) and let it go on
 * with SIGCONT. */
static int check_source(void *ctx, bool final, mm_error *err)
{
    static atomic_long checks;
    const char *stop_at = getenv("MM_TEST_STOP_AT_SOURCE_CHECK");
    if (stop_at && atomic_fetch_add(&checks, 1) + 1 == strtol(stop_at, NULL, 10))
        raise(SIGSTOP);
    return mm_dump_guard_check(ctx, final, err);
}

/* What the source holds that is not migrated, or not as it is (renames),
 * said before the dump starts: a user must be able to tell skipped from
 * lost without running inspect. */
static void report_source_warnings(const mm_job *job)
{
    for (size_t i = 0; i < job->inv.n_warnings; i++)
        mm_sink_message(job->sink, MM_SINK_WARNING, "dump", "%s", job->inv.warnings[i]);
}

static void dump_event(void *ctx, const char *line)
{
    mm_sink_event(ctx, "dump", line);
}

int mm_job_dump(mm_job *job, mm_error *err)
{
    const mm_config *cfg = &job->cfg;
    const mm_sink *sink = job->sink;
    if (!job->preflight_done)
        return mm_error_set(err, MM_ERR_INTERNAL, "%s: dump before the target check (mm_job_preflight)", job->command);
    mm_sink_step_started(sink, "dump");
    char workers_why[96];
    mm_dump_options dopt = {
        .inv = &job->inv, .tables_dirs = (const char *const *)job->src.tables_dirs,
        .n_tables_dirs = job->src.n_tables_dirs, .missing_deleted_docs_ok = cfg->source.missing_deleted_docs_ok,
        .remote_source = job->remote_source,
        .output_root = job->root, .storage = job->storage, .remote_root = job->remote_root,
        .workers = mm_plan_workers(cfg, workers_why, sizeof workers_why), .max_file_size = cfg->dumper.max_file_size,
        .batch_size = cfg->dumper.batch_size,
        .nan_policy = cfg->dumper.nan_policy == MM_NAN_SKIP ? MM_DUMP_NAN_SKIP : MM_DUMP_NAN_FAIL,
        .id_field = cfg->target.milvus2x.fields.id, .vector_field = cfg->target.milvus2x.fields.vector,
        .disable_copy_offload = getenv("MM_DUMP_NO_OFFLOAD") != NULL,
        .stage_uploads = getenv("MM_DUMP_STAGE_UPLOADS") != NULL,
        .journal = job->journal,
        .progress = sink && sink->ops ? sink->ops->dump_progress : NULL, .progress_ctx = sink ? sink->ctx : NULL,
        .cancel = sink ? sink->cancel : NULL,
        .source_check = job->watch ? check_source : NULL, .source_check_ctx = job->watch,
        .settle_before_check = getenv("MM_TEST_STOP_AT_SOURCE_CHECK") != NULL,
        .log = dump_event, .log_ctx = (void *)sink,
    };
    report_source_warnings(job);
    mm_dump_result result;
    int rc = mm_dump_run(&dopt, &result, err);
    if (rc != 0 && err->code == MM_ERR_SOURCE_LIVE && job->watch) {
        mm_dump_guard_target t = {.journal = job->journal, .storage = job->storage,
                                  .local_root = job->storage ? NULL : job->root};
        return mm_dump_guard_take_back(job->watch, &t, err);
    }
    if (rc != 0) {
        /* Interrupted in a request's retries, the request's error stands
         * for the cancel: said as an interruption all the same. */
        if (err->code == MM_ERR_CANCELLED || mm_sink_cancelled(sink))
            mm_error_wrap(err, "interrupted; completed batches are recorded in %s and a re-run continues from there",
                          mm_journal_path(job->journal));
        return rc;
    }
    char bytes[32];
    mm_format_bytes(result.bytes_written, bytes, sizeof bytes);
    char *where = job->storage ? mm_asprintf("%s/%s", mm_storage_describe(job->storage), job->remote_root)
                               : mm_strdup(job->root);
    mm_strbuf line;
    mm_strbuf_init(&line);
    mm_strbuf_appendf(&line, "dumped %lld rows in %zu new batch(es) (%s", (long long)result.rows_written,
                      result.batches_written, bytes);
    if (result.batches_streamed)
        mm_strbuf_appendf(&line, "; %zu sent straight from the segment files", result.batches_streamed);
    mm_strbuf_appendf(&line, ") to %s; %zu batch(es) were already complete", where ? where : job->root,
                      result.batches_reused);
    free(where);
    if (result.nan_rows_skipped)
        mm_strbuf_appendf(&line, "; %lld row(s) with NaN/Inf left out (dumper.nanPolicy: skip)",
                          (long long)result.nan_rows_skipped);
    if (result.batches_retired)
        mm_strbuf_appendf(&line, "; %zu stale batch(es) of segments no longer live retired (%lld row(s))",
                          result.batches_retired, (long long)result.rows_retired);
    if (result.batches_stale_kept)
        mm_strbuf_appendf(&line, "; %zu stale batch(es) already imported kept", result.batches_stale_kept);
    if (job->inv.n_skipped)
        mm_strbuf_appendf(&line, "; %lld row(s) of %zu segment row(s) in the 1.x meta not migrated",
                          (long long)job->inv.skipped_rows, job->inv.n_skipped);
    if (job->inv.n_warnings)
        mm_strbuf_appendf(&line, "; %zu warning(s) about the source (above)", job->inv.n_warnings);
    mm_sink_message(sink, MM_SINK_SUMMARY, NULL, "%s", line.data ? line.data : "");
    mm_strbuf_free(&line);
    mm_job_report_row_counts(&job->inv, "are migrated", sink);
    return 0;
}

void mm_job_report_row_counts(const mm_inventory *inv, const char *what, const mm_sink *sink)
{
    mm_row_count *counts = NULL;
    size_t n = 0;
    if (mm_row_counts(inv, what, &counts, &n) != 0)
        return;   /* out of memory: the dump's counts stand without the explanation */
    for (size_t i = 0; i < n; i++)
        mm_sink_message(sink, MM_SINK_SUMMARY, NULL, "row count: %s", counts[i].text);
    mm_row_counts_free(counts, n);
}
