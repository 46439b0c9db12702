/* `dump`: migration.yaml -> NumPy files on the staging target, resumable. */
#include "cli.h"
#include "cli_job.h"

#include "config/config.h"
#include "dump/dump.h"
#include "dump/dump_guard.h"
#include "journal.h"
#include "source/inventory.h"
#include "source/inventory_render.h"
#include "source/source.h"
#include "storage/storage.h"
#include "base/strbuf.h"

#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct progress_printer {
    pthread_mutex_t lock;
    struct timespec started, last;
} progress_printer;

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* One plain line per second at most: for logs and pipes, not a terminal UI. */
static void print_progress(void *ctx, const mm_dump_progress *p)
{
    progress_printer *pp = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&pp->lock);
    bool finished = p->segments_done == p->segments_total;
    if (!finished && seconds_between(&pp->last, &now) < 1.0) {
        pthread_mutex_unlock(&pp->lock);
        return;
    }
    pp->last = now;
    double elapsed = seconds_between(&pp->started, &now);
    double rate = elapsed > 0 ? (double)p->bytes_done / elapsed : 0;
    char done[32], total[32], speed[32];
    mm_format_bytes(p->bytes_done, done, sizeof done);
    mm_format_bytes(p->bytes_total, total, sizeof total);
    mm_format_bytes((uint64_t)rate, speed, sizeof speed);
    double eta = rate > 0 ? (double)(p->bytes_total - p->bytes_done) / rate : 0;
    fprintf(stderr, "dump: %zu/%zu segments, %lld/%lld rows, %s of %s, %s/s, ETA %.0fs\n", p->segments_done,
            p->segments_total, (long long)p->rows_done, (long long)p->rows_total, done, total, speed, eta);
    pthread_mutex_unlock(&pp->lock);
}

enum { OPT_COL = 256, OPT_RESTART };

static const struct option dump_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"col", required_argument, NULL, OPT_COL},
    {"restart", no_argument, NULL, OPT_RESTART},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The source check between segments. Tests set MM_TEST_STOP_AT_SOURCE_CHECK=N
 * to have the process stop itself (SIGSTOP) just before the Nth check, so
 * they can change the source at a known point of a dump (or hold its lock)
 * and let it go on with SIGCONT. */
static int check_source(void *ctx, bool final, mm_error *err)
{
    static atomic_long checks;
    const char *stop_at = getenv("MM_TEST_STOP_AT_SOURCE_CHECK");
    if (stop_at && atomic_fetch_add(&checks, 1) + 1 == strtol(stop_at, NULL, 10))
        raise(SIGSTOP);
    return mm_dump_guard_check(ctx, final, err);
}

static void print_dump_event(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "dump: %s\n", line);
}

/* What the source holds that is not migrated, or not as it is (renames),
 * said before the dump starts: a user must be able to tell skipped from
 * lost without running inspect. */
static void report_source_warnings(const mm_cli_job *job, const mm_job_sink *sink)
{
    for (size_t i = 0; i < job->inv.n_warnings; i++) {
        char *line = mm_asprintf("warning: %s", job->inv.warnings[i]);
        if (sink)
            sink->event(sink->ctx, line ? line : job->inv.warnings[i]);
        else
            print_dump_event(NULL, line ? line : job->inv.warnings[i]);
        free(line);
    }
}

/* The dump step of a job opened by the caller; reports its summary. */
int mm_cli_dump_job(mm_cli_job *job, const mm_job_sink *sink, mm_error *err)
{
    progress_printer pp = {.lock = PTHREAD_MUTEX_INITIALIZER};
    clock_gettime(CLOCK_MONOTONIC, &pp.started);
    pp.last = pp.started;
    const mm_config *cfg = &job->cfg;
    mm_dump_options dopt = {
        .inv = &job->inv, .tables_dirs = (const char *const *)job->src.tables_dirs,
        .n_tables_dirs = job->src.n_tables_dirs, .missing_deleted_docs_ok = cfg->source.missing_deleted_docs_ok,
        .remote_source = job->remote_source,
        .output_root = job->root, .storage = job->storage, .remote_root = job->remote_root,
        .workers = cfg->dumper.worker.limit, .max_file_size = cfg->dumper.max_file_size,
        .nan_policy = cfg->dumper.nan_policy == MM_NAN_SKIP ? MM_DUMP_NAN_SKIP : MM_DUMP_NAN_FAIL,
        .id_field = cfg->target.milvus2x.fields.id, .vector_field = cfg->target.milvus2x.fields.vector,
        .disable_copy_offload = getenv("MM_DUMP_NO_OFFLOAD") != NULL,
        .stage_uploads = getenv("MM_DUMP_STAGE_UPLOADS") != NULL,
        .journal = job->journal, .progress = print_progress, .progress_ctx = &pp, .cancel = &mm_cli_interrupted,
        .source_check = job->watch ? check_source : NULL, .source_check_ctx = job->watch,
        .log = print_dump_event,
    };
    if (sink) {
        dopt.progress = sink->dump_progress;
        dopt.progress_ctx = sink->ctx;
        dopt.cancel = sink->cancel;
        dopt.log = sink->event;
        dopt.log_ctx = sink->ctx;
    }
    report_source_warnings(job, sink);
    mm_dump_result result;
    int rc = mm_dump_run(&dopt, &result, err);
    if (rc != 0 && err->code == MM_ERR_SOURCE_LIVE && job->watch) {
        mm_dump_guard_target t = {.journal = job->journal, .storage = job->storage,
                                  .local_root = job->storage ? NULL : job->root};
        return mm_dump_guard_take_back(job->watch, &t, err);
    }
    if (rc != 0) {
        if (err->code == MM_ERR_CANCELLED)
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
    mm_cli_report_line(sink, line.data ? line.data : "");
    mm_strbuf_free(&line);
    return 0;
}

void mm_cli_report_line(const mm_job_sink *sink, const char *line)
{
    if (sink) {
        sink->event(sink->ctx, line);
        return;
    }
    printf("%s\n", line);
    fflush(stdout);
}

int mm_cli_dump(int argc, char **argv)
{
    const char *config_path = NULL, *collections = NULL;
    bool restart = false;
    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, ":c:h", dump_options, NULL)) != -1) {
        switch (opt) {
        case 'c': config_path = optarg; break;
        case OPT_COL: collections = optarg; break;
        case OPT_RESTART: restart = true; break;
        case 'h': fputs(mm_cli_find("dump")->usage, stdout); return 0;
        case ':': return mm_cli_usage_error("dump", "option '%s' needs a value", argv[optind - 1]);
        default: return mm_cli_usage_error("dump", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return mm_cli_usage_error("dump", "unexpected argument '%s'", argv[optind]);
    if (!config_path)
        config_path = "migration.yaml";

    mm_error err;
    mm_error_clear(&err);
    mm_cli_job job;
    int rc = mm_cli_job_open(&job, "dump", config_path, collections, restart, 0, true, &err);
    if (rc == 0) {
        mm_cli_catch_signals();
        rc = mm_cli_dump_job(&job, NULL, &err);
    }
    int status = rc == 0 ? 0 : mm_cli_fail("dump", &err);
    mm_cli_job_close(&job);
    return status;
}
