/* `load`, `verify` and `run` (dump + load + verify). */
#include "cli.h"
#include "cli_job.h"

#include "base/fsutil.h"
#include "load/load.h"
#include "base/strbuf.h"
#include "verify.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct load_printer {
    pthread_mutex_t lock;
    struct timespec last;
} load_printer;

static void print_load_progress(void *ctx, const mm_load_progress *p)
{
    load_printer *lp = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&lp->lock);
    double since = (double)(now.tv_sec - lp->last.tv_sec) + (double)(now.tv_nsec - lp->last.tv_nsec) / 1e9;
    bool finished = p->batches_done == p->batches_total && p->batches_running == 0;
    if (finished || since >= 1.0) {
        lp->last = now;
        fprintf(stderr, "load: %zu/%zu batches imported, %zu running, %lld/%lld rows\n", p->batches_done,
                p->batches_total, p->batches_running, (long long)p->rows_done, (long long)p->rows_total);
    }
    pthread_mutex_unlock(&lp->lock);
}

static void print_load_event(void *ctx, const char *line)
{
    load_printer *lp = ctx;
    pthread_mutex_lock(&lp->lock);
    fprintf(stderr, "load: %s\n", line);
    pthread_mutex_unlock(&lp->lock);
}

int mm_cli_load_job(mm_cli_job *job, mm_milvus *milvus, const mm_job_sink *sink, mm_error *err)
{
    const mm_config *cfg = &job->cfg;
    char local_root[PATH_MAX];
    if (!job->storage && !realpath(job->root, local_root))
        return mm_error_set(err, MM_ERR_CONFIG, "staging directory %s does not exist; run `milvus-migrate dump` "
                            "first", job->root);
    char *connected = mm_asprintf("connected to %s (Milvus %s)", mm_milvus_endpoint(milvus), mm_milvus_version(milvus));
    if (sink)
        sink->event(sink->ctx, connected ? connected : "");
    else
        fprintf(stderr, "load: %s\n", connected ? connected : "");
    free(connected);
    load_printer lp = {.lock = PTHREAD_MUTEX_INITIALIZER};
    clock_gettime(CLOCK_MONOTONIC, &lp.last);
    mm_load_options o = {
        .inv = &job->inv, .journal = job->journal, .milvus = milvus,
        .id_field = cfg->target.milvus2x.fields.id, .vector_field = cfg->target.milvus2x.fields.vector,
        .existing = cfg->target.milvus2x.existing_collection, .create_index = cfg->target.milvus2x.create_index,
        .local_root = job->storage ? NULL : local_root, .storage = job->storage, .remote_root = job->remote_root,
        .scratch_dir = job->root, .workers = cfg->loader.worker.limit,
        .poll_interval_ms = cfg->loader.poll_interval_seconds * 1000,
        .import_timeout_s = cfg->loader.import_timeout_minutes * 60,
        .progress = print_load_progress, .log = print_load_event, .ctx = &lp, .cancel = &mm_cli_interrupted,
    };
    if (sink) {
        o.progress = sink->load_progress;
        o.log = sink->event;
        o.ctx = sink->ctx;
        o.cancel = sink->cancel;
    }
    mm_load_result r;
    if (mm_load_run(&o, &r, err) != 0)
        return -1;
    mm_strbuf line;
    mm_strbuf_init(&line);
    mm_strbuf_appendf(&line, "loaded %lld rows in %zu batch(es) into %s; %zu batch(es) were imported before; "
                      "collections: %zu created, %zu appended to, %zu skipped, %zu resumed; %zu partition(s) created",
                      (long long)r.rows_imported, r.batches_imported, mm_milvus_endpoint(milvus), r.batches_reused,
                      r.collections_created, r.collections_appended, r.collections_skipped, r.collections_resumed,
                      r.partitions_created);
    if (cfg->target.milvus2x.create_index)
        mm_strbuf_appendf(&line, "; %zu index(es) requested, %zu without a 2.x equivalent", r.indexes_created,
                          r.indexes_skipped);
    if (r.batches_stale)
        mm_strbuf_appendf(&line, "; %zu stale batch(es) of segments no longer live not imported", r.batches_stale);
    mm_cli_report_line(sink, line.data ? line.data : "");
    mm_strbuf_free(&line);
    return 0;
}

static int write_report(const char *path, char *text, mm_error *err)
{
    int rc = text ? mm_write_file_atomic(path, text, strlen(text), 0644, err)
                  : mm_error_set(err, MM_ERR_NOMEM, "verify: out of memory");
    free(text);
    return rc;
}

int mm_cli_verify_run(mm_cli_job *job, mm_milvus *milvus, atomic_bool *cancel, mm_verify_report *report,
                      mm_error *err)
{
    mm_verify_options o = {
        .inv = &job->inv, .journal = job->journal, .milvus = milvus,
        .stats_timeout_s = job->cfg.verify.stats_timeout_seconds, .poll_interval_ms = 1000,
        .cancel = cancel,
    };
    return mm_verify_run(&o, report, err);
}

int mm_cli_write_report(const mm_cli_job *job, const mm_verify_report *report, const char *base, char **json_path,
                        char **md_path, mm_error *err)
{
    char *b = base ? mm_strdup(base) : mm_asprintf("%s/report", job->state_dir);
    char *json = b ? mm_asprintf("%s.json", b) : NULL;
    char *md = b ? mm_asprintf("%s.md", b) : NULL;
    int rc = json && md ? 0 : mm_error_set(err, MM_ERR_NOMEM, "verify: out of memory");
    const mm_wal_guard *checks = job && job->wal.summary ? &job->wal : NULL;
    if (rc == 0)
        rc = write_report(json, mm_wal_guard_add_to_report_json(mm_verify_render_json(report), checks), err);
    if (rc == 0)
        rc = write_report(md, mm_wal_guard_add_to_report_markdown(mm_verify_render_markdown(report), checks), err);
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

int mm_cli_verify_job(mm_cli_job *job, mm_milvus *milvus, const char *report_base, mm_error *err)
{
    mm_verify_report r;
    int rc = mm_cli_verify_run(job, milvus, &mm_cli_interrupted, &r, err);
    char *json_path = NULL, *md_path = NULL;
    if (rc == 0) {
        char *text = mm_verify_render_text(&r);
        fputs(text ? text : "", stdout);
        free(text);
        rc = mm_cli_write_report(job, &r, report_base, &json_path, &md_path, err);
        if (rc == 0)
            printf("report: %s, %s\n", json_path, md_path);
        if (rc == 0 && !r.all_match)
            rc = 3;
    }
    fflush(stdout);
    free(json_path);
    free(md_path);
    mm_verify_report_free(&r);
    return rc;
}

typedef struct deleter {
    mm_cli_job *job;
    size_t deleted;
    mm_error *err;
} deleter;

static int delete_batch_files(void *ctx, const mm_journal_batch *b)
{
    deleter *d = ctx;
    if (b->state != MM_BATCH_IMPORTED)
        return 0;
    const char *keys[] = {b->id_key, b->data_key};
    for (size_t i = 0; i < 2; i++) {
        if (d->job->storage) {
            if (mm_storage_remove(d->job->storage, keys[i], d->err) != 0)
                return -1;
        } else {
            char *path = mm_asprintf("%s/%s", d->job->root, keys[i]);
            if (!path)
                return mm_error_set(d->err, MM_ERR_NOMEM, "out of memory");
            if (unlink(path) != 0 && errno != ENOENT) {
                mm_error_errno(d->err, errno, "delete staged file", path);
                free(path);
                return -1;
            }
            char *slash = strrchr(path, '/');
            *slash = '\0';
            rmdir(path); /* the batch directory, once empty */
            free(path);
        }
        d->deleted++;
    }
    return 0;
}

/* loader.deleteStagedFiles: only ever after a verification that matched,
 * and only the files of batches Milvus has imported. */
int mm_cli_delete_staged(mm_cli_job *job, size_t *deleted, mm_error *err)
{
    deleter d = {job, 0, err};
    int rc = mm_journal_each(job->journal, delete_batch_files, &d, err);
    *deleted = d.deleted;
    return rc != 0 ? -1 : 0;
}

static int delete_staged(mm_cli_job *job, mm_error *err)
{
    size_t deleted = 0;
    if (mm_cli_delete_staged(job, &deleted, err) != 0)
        return -1;
    printf("deleted %zu staged file(s) (loader.deleteStagedFiles: true)\n", deleted);
    return 0;
}

enum { OPT_COL = 256, OPT_RESTART, OPT_REPORT };

static const struct option step_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"col", required_argument, NULL, OPT_COL},
    {"restart", no_argument, NULL, OPT_RESTART},
    {"report", required_argument, NULL, OPT_REPORT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct step_args {
    const char *config_path, *collections, *report;
    bool restart;
} step_args;

/* Parses the options shared by load, verify and run; which ones a command
 * accepts is part of its usage text and checked here. */
static int parse_step_args(const char *command, int argc, char **argv, bool allow_restart, bool allow_report,
                           step_args *a, bool *done)
{
    memset(a, 0, sizeof *a);
    *done = false;
    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, ":c:h", step_options, NULL)) != -1) {
        switch (opt) {
        case 'c': a->config_path = optarg; break;
        case OPT_COL: a->collections = optarg; break;
        case OPT_RESTART:
            if (!allow_restart)
                return mm_cli_usage_error(command, "unknown option '--restart'");
            a->restart = true;
            break;
        case OPT_REPORT:
            if (!allow_report)
                return mm_cli_usage_error(command, "unknown option '--report'");
            a->report = optarg;
            break;
        case 'h':
            fputs(mm_cli_find(command)->usage, stdout);
            *done = true;
            return 0;
        case ':': return mm_cli_usage_error(command, "option '%s' needs a value", argv[optind - 1]);
        default: return mm_cli_usage_error(command, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return mm_cli_usage_error(command, "unexpected argument '%s'", argv[optind]);
    if (!a->config_path)
        a->config_path = "migration.yaml";
    if (a->report) {
        /* Checked now, not after an hour of migration. */
        const char *slash = strrchr(a->report, '/');
        char *dir = slash ? strndup(a->report, (size_t)(slash - a->report)) : strdup(".");
        struct stat st;
        bool ok = dir && (!dir[0] || (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && access(dir, W_OK) == 0));
        int rc = ok ? 0 : mm_cli_usage_error(command, "--report %s: directory %s does not exist or is not "
                                             "writable; create it first", a->report, dir ? dir : "?");
        free(dir);
        return rc;
    }
    return 0;
}

enum { STEP_DUMP = 1, STEP_LOAD = 2, STEP_VERIFY = 4 };

static int run_steps(const char *command, int argc, char **argv, unsigned steps)
{
    step_args a;
    bool done;
    int status = parse_step_args(command, argc, argv, steps & STEP_DUMP, steps & STEP_VERIFY, &a, &done);
    if (status != 0 || done)
        return status;
    mm_error err;
    mm_error_clear(&err);
    mm_cli_job job;
    mm_milvus *milvus = NULL;
    int rc = mm_cli_job_open(&job, command, a.config_path, a.collections, a.restart, MM_CONFIG_PHASE_MILVUS,
                             steps & STEP_DUMP, &err);
    if (rc == 0 && a.report)
        rc = mm_cli_check_report_path(&job, a.report, &err);
    if (rc == 0) {
        mm_cli_catch_signals();
        /* Connect before dumping: a wrong endpoint or password should not
         * cost the hours of a dump. */
        rc = mm_cli_milvus_connect(&job.cfg, &milvus, &err);
    }
    if (rc == 0 && (steps & STEP_DUMP))
        rc = mm_cli_dump_job(&job, NULL, &err);
    if (rc == 0 && (steps & STEP_LOAD))
        rc = mm_cli_load_job(&job, milvus, NULL, &err);
    if (rc == 0 && (steps & STEP_VERIFY))
        rc = mm_cli_verify_job(&job, milvus, a.report, &err);
    if (rc == 0 && (steps & STEP_VERIFY) && job.cfg.loader.delete_staged_files)
        rc = delete_staged(&job, &err);
    if (rc == 3)
        fprintf(stderr, "milvus-migrate %s: verification found mismatches (see the table above)\n", command);
    status = rc == 3 ? 3 : rc == 0 ? 0 : mm_cli_fail(command, &err);
    mm_milvus_close(milvus);
    mm_cli_job_close(&job);
    return status;
}

int mm_cli_load(int argc, char **argv) { return run_steps("load", argc, argv, STEP_LOAD); }
int mm_cli_verify(int argc, char **argv) { return run_steps("verify", argc, argv, STEP_VERIFY); }
int mm_cli_run(int argc, char **argv) { return run_steps("run", argc, argv, STEP_DUMP | STEP_LOAD | STEP_VERIFY); }
