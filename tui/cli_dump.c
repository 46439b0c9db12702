/* `dump`: migration.yaml -> NumPy files on the staging target, resumable. */
#include "cli.h"

#include "config.h"
#include "dump.h"
#include "journal.h"
#include "source/inventory.h"
#include "source/inventory_render.h"
#include "source/scan.h"
#include "source/source.h"
#include "source/wal_check.h"
#include "storage/s3.h"
#include "strbuf.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_bool interrupted;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&interrupted, true);
}

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

static int refuse_unflushed(const mm_source *src, const mm_config *cfg, mm_error *err)
{
    mm_wal_report wal;
    memset(&wal, 0, sizeof wal);
    if (mm_wal_check(src->wal_dir, &src->rows, &wal, err) != 0)
        return -1;
    int rc = 0;
    if (mm_wal_report_unflushed(&wal)) {
        char *explain = mm_wal_report_explain(&wal);
        if (cfg->source.allow_unflushed)
            fprintf(stderr, "warning: continuing without unflushed data (source.allowUnflushed: true)\n%s", explain ? explain : "");
        else
            rc = mm_error_set(err, MM_ERR_UNFLUSHED, "the 1.x installation has data that was never flushed to "
                              "segments:\n%s", explain ? explain : "");
        free(explain);
    }
    mm_wal_report_free(&wal);
    return rc;
}

/* target.remote.* as an S3 client, with the bucket checked up front so a
 * wrong key or bucket fails before any work is done. */
static int open_target_bucket(const mm_config *cfg, const char *config_path, mm_s3 **s3, char **remote_root,
                              mm_error *err)
{
    const mm_config_remote *t = &cfg->target.remote;
    if (t->cloud == MM_CLOUD_AZURE)
        return mm_error_set(err, MM_ERR_CONFIG, "%s: target.remote.cloud azure is not supported by this version; "
                            "stage on an S3-compatible bucket or locally", config_path);
    mm_s3_options o = {
        .endpoint = t->endpoint, .use_ssl = t->use_ssl, .region = t->region, .bucket = t->bucket,
        .access_key = t->ak, .secret_key = t->sk, .part_size = cfg->dumper.part_size, .max_retries = 5,
        .retry_base_ms = 200,
    };
    if (t->cloud == MM_CLOUD_GCP && !t->endpoint[0])
        o.endpoint = "storage.googleapis.com", o.use_ssl = true;
    if (mm_s3_open(&o, s3, err) != 0 || mm_s3_check_bucket(*s3, err) != 0)
        return -1;
    size_t len = strlen(t->prefix);
    while (len && t->prefix[len - 1] == '/')
        len--;
    *remote_root = len ? mm_asprintf("%.*s/migration", (int)len, t->prefix) : mm_strdup("migration");
    return *remote_root ? 0 : mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
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
    mm_config cfg;
    mm_source src;
    mm_inventory inv;
    mm_source_spec spec;
    memset(&src, 0, sizeof src);
    mm_inventory_init(&inv);
    mm_journal *journal = NULL;
    char *root = NULL, *state_dir = NULL, *fingerprint = NULL;
    mm_config_init_defaults(&cfg);
    int rc = mm_cli_load_config(config_path, &cfg, MM_CONFIG_PHASE_SOURCE | MM_CONFIG_PHASE_STAGE, &err);
    mm_s3 *s3 = NULL;
    char *remote_root = NULL;
    if (rc == 0 && cfg.target.mode == MM_LOCATION_REMOTE)
        rc = open_target_bucket(&cfg, config_path, &s3, &remote_root, &err);
    if (rc == 0)
        rc = mm_cli_source_spec_from_config(&cfg, &spec, &err);
    if (rc == 0)
        rc = mm_source_open(&spec, &src, &err);
    if (rc == 0)
        rc = mm_inventory_build(&src.rows, &inv, &err);
    if (rc == 0)
        rc = mm_inventory_filter(&inv, collections, &err);
    if (rc == 0)
        rc = refuse_unflushed(&src, &cfg, &err);
    if (rc == 0) {
        mm_scan_options scan = {
            .tables_dirs = (const char *const *)src.tables_dirs, .n_tables_dirs = src.n_tables_dirs,
            .missing_deleted_docs_ok = cfg.source.missing_deleted_docs_ok,
        };
        rc = mm_inventory_scan(&inv, &scan, &err);
        if (rc != 0)
            mm_error_wrap(&err, "read the 1.x segments (run `milvus-migrate inspect` for every problem)");
    }
    if (rc == 0) {
        state_dir = mm_config_state_dir(&cfg);
        if (s3)
            root = state_dir ? mm_asprintf("%s/staging/migration", state_dir) : NULL;
        else
            root = mm_asprintf("%s/migration", cfg.target.local.output_dir[0] ? cfg.target.local.output_dir : ".");
        fingerprint = mm_asprintf("source=%s output=%s%s%s maxFileSize=%llu nanPolicy=%s", inv.origin,
                                  s3 ? mm_s3_describe(s3) : root, s3 ? " prefix=" : "", s3 ? remote_root : "",
                                  (unsigned long long)cfg.dumper.max_file_size,
                                  cfg.dumper.nan_policy == MM_NAN_SKIP ? "skip" : "fail");
        if (!root || !state_dir || !fingerprint)
            rc = mm_error_set(&err, MM_ERR_NOMEM, "dump: out of memory");
    }
    if (rc == 0)
        rc = mm_journal_open(state_dir, fingerprint, restart, &journal, &err);
    mm_dump_result result;
    memset(&result, 0, sizeof result);
    if (rc == 0) {
        struct sigaction sa = {.sa_handler = on_signal};
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        progress_printer pp = {.lock = PTHREAD_MUTEX_INITIALIZER};
        clock_gettime(CLOCK_MONOTONIC, &pp.started);
        pp.last = pp.started;
        mm_dump_options dopt = {
            .inv = &inv, .tables_dirs = (const char *const *)src.tables_dirs, .n_tables_dirs = src.n_tables_dirs,
            .missing_deleted_docs_ok = cfg.source.missing_deleted_docs_ok, .output_root = root,
            .s3 = s3, .remote_root = remote_root,
            .workers = cfg.dumper.worker.limit, .max_file_size = cfg.dumper.max_file_size,
            .nan_policy = cfg.dumper.nan_policy == MM_NAN_SKIP ? MM_DUMP_NAN_SKIP : MM_DUMP_NAN_FAIL,
            .disable_copy_offload = getenv("MM_DUMP_NO_OFFLOAD") != NULL,
            .journal = journal, .progress = print_progress, .progress_ctx = &pp, .cancel = &interrupted,
        };
        rc = mm_dump_run(&dopt, &result, &err);
        if (rc != 0 && err.code == MM_ERR_CANCELLED)
            mm_error_wrap(&err, "interrupted; completed batches are recorded in %s and a re-run continues from there",
                          mm_journal_path(journal));
    }
    int status = 0;
    if (rc != 0) {
        status = mm_cli_fail("dump", &err);
    } else {
        char bytes[32];
        mm_format_bytes(result.bytes_written, bytes, sizeof bytes);
        char *where = s3 ? mm_asprintf("%s/%s", mm_s3_describe(s3), remote_root) : mm_strdup(root);
        printf("dumped %lld rows in %zu new batch(es) (%s) to %s; %zu batch(es) were already complete",
               (long long)result.rows_written, result.batches_written, bytes, where ? where : root,
               result.batches_reused);
        free(where);
        if (result.nan_rows_skipped)
            printf("; %lld row(s) with NaN/Inf left out (dumper.nanPolicy: skip)", (long long)result.nan_rows_skipped);
        printf("\n");
    }
    mm_journal_close(journal);
    mm_s3_close(s3);
    free(remote_root);
    free(root);
    free(state_dir);
    free(fingerprint);
    mm_inventory_free(&inv);
    mm_source_free(&src);
    mm_config_free(&cfg);
    return status;
}
