/* Opening and closing a job: configuration, source, inventory, staging
 * target, lock and journal. */
#include "job/job.h"
#include "job/preflight.h"

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "path_safety.h"
#include "source/live_server.h"
#include "source/scan.h"
#include "source/target_names.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void job_warn(const mm_job *job, const char *text)
{
    mm_sink_message(job->sink, MM_SINK_WARNING, NULL, "%s", text);
}

/* Nothing the job writes may land in the 1.x installation. */
static int check_paths(const mm_config *cfg, bool dumps, mm_error *err)
{
    mm_path_set *set = mm_path_set_new();
    int rc = set ? mm_path_set_add_config(set, cfg, err) : mm_error_set(err, MM_ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = mm_path_set_check(set, err);
    mm_path_set_free(set);
    /* Where we write: a file on the way or a read-only file system is said
     * before the source is read. Load and verify only read the staged
     * files, which may well sit on a read-only mount. */
    if (rc == 0 && dumps && cfg->target.mode == MM_LOCATION_LOCAL && cfg->target.local.output_dir[0])
        rc = mm_dir_check_writable(cfg->target.local.output_dir, "target.local.outputDir", err);
    char *state = rc == 0 ? mm_config_state_dir(cfg) : NULL;
    if (rc == 0 && state)
        rc = mm_dir_check_writable(state, "state.dir", err);
    free(state);
    return rc;
}

/* The fingerprint of the source, taken before its meta is read, for a job
 * that dumps: it must not move until the dump is done. */
static int watch_source(mm_job *job, mm_error *err)
{
    const mm_config *cfg = &job->cfg;
    mm_wal_location wal;
    if (mm_wal_locate_config(cfg, &wal, err) != 0)
        return -1;
    mm_source_watch_spec spec = {
        .sqlite_path = cfg->meta.mode == MM_META_SQLITE ? cfg->meta.sqlite_file : NULL,
        .mysql_dsn = cfg->meta.mode == MM_META_MYSQL ? cfg->meta.mysql_url : NULL,
        .wal_dir = wal.dir,
    };
    int rc = mm_source_watch_begin(&spec, &job->watch, err);
    mm_wal_location_free(&wal);
    return rc;
}

/* Before anything is dumped: no 1.x server on the source, and no data
 * that only its WAL holds. */
static int check_source(mm_job *job, bool dumps, mm_error *err)
{
    const mm_source *src = &job->src;
    if (!dumps) {
        /* Only for the report: a WAL that cannot be read does not stop a
         * load or a verification, it is just not reported. */
        mm_error ignored;
        if (mm_wal_guard_check(src, &job->wal, &ignored) != 0)
            memset(&job->wal, 0, sizeof job->wal);
        return 0;
    }
    int rc = mm_wal_guard_check(src, &job->wal, err);
    if (rc != 0)
        return rc;
    mm_live_probe probe = {
        .storage_roots = (const char *const *)src->wal.roots, .n_storage_roots = src->wal.n_roots,
        .wal_dir = src->wal.dir,
        .sqlite_path = src->rows.kind == MM_META_KIND_SQLITE ? src->rows.origin : NULL,
    };
    mm_live_server live;
    char *note = NULL;
    rc = mm_live_server_probe(&probe, &live, err);
    if (rc == 0) {
        rc = mm_live_server_refuse(&live, job->cfg.source.allow_running_server, &note, err);
        mm_live_server_free(&live);
    }
    if (note)
        job_warn(job, note);
    free(note);
    if (rc == 0)
        rc = mm_wal_guard_refuse(&job->wal, job->cfg.source.allow_unflushed, NULL, &note, err);
    if (note)
        job_warn(job, note);
    free(note);
    if (rc == 0 && job->wal.warning)
        job_warn(job, job->wal.warning);
    /* A meta.json brings the export's check: say that it was made. */
    if (rc == 0 && job->wal.status == MM_WAL_STATUS_EXPORT_CLEAN)
        mm_sink_message(job->sink, MM_SINK_SUMMARY, job->command, "unflushed data: %s", job->wal.summary);
    return rc;
}

/* target.remote.* opened for its cloud, with the bucket checked up front so
 * a wrong key or bucket fails before any work is done. */
static int set_remote_root(mm_job *job, mm_error *err)
{
    const mm_config_remote *t = &job->cfg.target.remote;
    size_t len = strlen(t->prefix);
    while (len && t->prefix[len - 1] == '/')
        len--;
    free(job->remote_root);
    job->remote_root = len ? mm_asprintf("%.*s/migration", (int)len, t->prefix) : mm_strdup("migration");
    return job->remote_root ? 0 : mm_error_set(err, MM_ERR_NOMEM, "out of memory");
}

static int open_target_bucket(mm_job *job, mm_error *err)
{
    const mm_config_remote *t = &job->cfg.target.remote;
    mm_storage_tuning tuning = {.part_size = job->cfg.dumper.part_size, .max_retries = 5, .retry_base_ms = 200};
    if (mm_storage_open(t, "target.remote", &tuning, &job->storage, err) != 0)
        return -1;
    free(job->storage_label);
    job->storage_label = mm_strdup(mm_storage_describe(job->storage));
    /* Which credentials useIAM found, said before they are tried. */
    if (t->use_iam && job->sink)
        mm_sink_message(job->sink, MM_SINK_NOTE, job->command, "%s", mm_storage_credentials(job->storage));
    if (mm_storage_check(job->storage, err) != 0)
        return -1;
    if (!job->storage_label)
        return mm_error_set(err, MM_ERR_NOMEM, "out of memory");
    return set_remote_root(job, err);
}

/* verify: the bucket is named (the journal is bound to it) but not opened. */
static int name_target_bucket(mm_job *job, mm_error *err)
{
    job->storage_label = mm_storage_label(&job->cfg.target.remote, "target.remote", err);
    return job->storage_label ? set_remote_root(job, err) : -1;
}

int mm_job_open_target_bucket(mm_job *job, mm_error *err)
{
    if (job->storage || job->cfg.target.mode != MM_LOCATION_REMOTE)
        return 0;
    return open_target_bucket(job, err);
}

static int scan_source(mm_job *job, mm_error *err)
{
    mm_scan_options scan = {
        .tables_dirs = (const char *const *)job->src.tables_dirs, .n_tables_dirs = job->src.n_tables_dirs,
        .missing_deleted_docs_ok = job->cfg.source.missing_deleted_docs_ok, .missing_hint = job->src.missing_hint,
    };
    if (job->remote_source) {
        if (mm_remote_source_scan(job->remote_source, &job->inv, &scan, err) != 0)
            return err->code == MM_ERR_CONFIG ? -1 : mm_error_wrap(err, "read the 1.x segments in the source bucket");
        return 0;
    }
    if (mm_inventory_scan(&job->inv, &scan, err) != 0)
        return mm_error_wrap(err, "read the 1.x segments (run `milvus-migrate inspect` for every problem)");
    return 0;
}

/* meta.* of a source whose segments are in a bucket: the meta is local
 * (SQLite, MySQL, meta.json) or itself in the bucket (meta.mode remote). */
static int open_remote_meta(mm_job *job, mm_error *err)
{
    const mm_config *cfg = &job->cfg;
    const char *tables_dir = mm_remote_source_tables_dir(job->remote_source);
    if (cfg->meta.mode == MM_META_REMOTE) {
        memset(&job->src, 0, sizeof job->src);
        if (mm_remote_source_read_meta(job->remote_source, cfg->meta.remote_meta_file, &job->src.rows, err) != 0)
            return -1;
        job->src.tables_dirs = calloc(1, sizeof *job->src.tables_dirs);
        if (job->src.tables_dirs && (job->src.tables_dirs[0] = mm_strdup(tables_dir)) != NULL)
            job->src.n_tables_dirs = 1;
        return job->src.n_tables_dirs ? 0 : mm_error_set(err, MM_ERR_NOMEM, "%s: out of memory", job->command);
    }
    mm_source_spec spec = {.tables_dir = tables_dir, .tables_fetched = true};
    if (cfg->meta.mode == MM_META_SQLITE)
        spec.sqlite_path = cfg->meta.sqlite_file;
    else if (cfg->meta.mode == MM_META_MYSQL)
        spec.mysql_dsn = cfg->meta.mysql_url;
    else
        spec.meta_json_path = mm_config_meta_json_path(cfg);
    if (cfg->meta.mode == MM_META_MOCK)
        spec.meta_key = "meta.mockFile";
    return mm_source_open(&spec, &job->src, err);
}

/* source.mode remote: the bucket is checked, its tables prefix listed,
 * and segments are fetched later, while the dump reads them. */
static int open_remote_source(mm_job *job, mm_error *err)
{
    char *state_dir = mm_config_state_dir(&job->cfg);
    mm_storage_tuning tuning = {.max_retries = 5, .retry_base_ms = 200};
    int rc = state_dir ? 0 : mm_error_set(err, MM_ERR_NOMEM, "%s: out of memory", job->command);
    /* Made here as the journal makes it: private to the user. */
    if (rc == 0 && mkdir(state_dir, 0700) != 0 && errno != EEXIST)
        rc = mm_error_set(err, MM_ERR_IO, "create the state directory %s (state.dir): %s", state_dir, strerror(errno));
    if (rc == 0)
        rc = mm_storage_open(&job->cfg.source.remote, "source.remote", &tuning, &job->source_storage, err);
    if (rc == 0 && job->cfg.source.remote.use_iam)
        mm_sink_message(job->sink, MM_SINK_NOTE, job->command, "%s", mm_storage_credentials(job->source_storage));
    if (rc == 0)
        rc = mm_storage_check(job->source_storage, err);
    mm_remote_source_options o = {
        .storage = job->source_storage, .tables_prefix = job->cfg.source.remote.prefix, .state_dir = state_dir,
    };
    if (rc == 0)
        rc = mm_remote_source_open(&o, &job->remote_source, err);
    if (rc == 0)
        rc = open_remote_meta(job, err);
    free(state_dir);
    return rc;
}

/* The journal is bound to everything that decides what the staged files
 * hold and where they are, so a changed config never trusts old batches. */
static char *job_fingerprint(const mm_job *job)
{
    const mm_config *cfg = &job->cfg;
    return mm_asprintf("source=%s output=%s%s%s maxFileSize=%llu nanPolicy=%s fields=%s,%s", job->inv.origin,
                       job->storage_label ? job->storage_label : job->root, job->storage_label ? " prefix=" : "",
                       job->storage_label ? job->remote_root : "", (unsigned long long)cfg->dumper.max_file_size,
                       cfg->dumper.nan_policy == MM_NAN_SKIP ? "skip" : "fail", cfg->target.milvus2x.fields.id,
                       cfg->target.milvus2x.fields.vector);
}

/* The wizard's configuration in memory instead of the file. */
static int use_config(mm_job *job, const mm_config *cfg, unsigned phases, mm_error *err)
{
    mm_config_warnings warn = {0};
    int rc = mm_config_copy(&job->cfg, cfg, err);
    if (rc == 0)
        rc = mm_config_validate(&job->cfg, phases, &warn, err);
    for (size_t i = 0; i < warn.count; i++)
        job_warn(job, warn.items[i]);
    mm_config_warnings_free(&warn);
    return rc;
}

/* One run per migration (job_lock.h). */
static int lock_state(mm_job *job, mm_error *err)
{
    char *takeover = NULL;
    int rc = mm_job_lock_acquire(job->state_dir, &job->lock, &takeover, err);
    if (takeover)
        mm_sink_message(job->sink, MM_SINK_WARNING, NULL, "took over the lock of milvus-migrate %s, which ended "
                        "without releasing it (killed?); its completed work is in the journal and is resumed",
                        takeover);
    free(takeover);
    return rc;
}

int mm_job_open(mm_job *job, const mm_job_options *opt, const mm_sink *sink, mm_error *err)
{
    memset(job, 0, sizeof *job);
    job->command = opt->command;
    job->config_path = opt->config_path;
    job->sink = sink;
    mm_inventory_init(&job->inv);
    mm_config_init_defaults(&job->cfg);
    mm_source_spec spec;
    unsigned phases = opt->phases | MM_CONFIG_PHASE_SOURCE | MM_CONFIG_PHASE_STAGE;
    int rc = opt->cfg ? use_config(job, opt->cfg, phases, err)
                      : mm_job_load_config(opt->config_path, &job->cfg, phases, sink, err);
    /* Checked before anything is created, the state directory included. */
    if (rc == 0)
        rc = check_paths(&job->cfg, opt->dumps, err);
    if (rc == 0) {
        job->state_dir = mm_config_state_dir(&job->cfg);
        rc = job->state_dir ? 0 : mm_error_set(err, MM_ERR_NOMEM, "%s: out of memory", job->command);
    }
    if (rc == 0 && job->cfg.target.mode == MM_LOCATION_REMOTE)
        rc = opt->bucket_on_demand ? name_target_bucket(job, err) : open_target_bucket(job, err);
    if (rc == 0 && opt->dumps)
        rc = watch_source(job, err);
    /* The source cache of a bucket source lives in state.dir: locked first. */
    if (rc == 0 && job->cfg.source.mode == MM_LOCATION_REMOTE)
        rc = lock_state(job, err);
    if (rc == 0 && job->cfg.source.mode == MM_LOCATION_REMOTE)
        rc = open_remote_source(job, err);
    else if (rc == 0 && (rc = mm_job_source_spec(&job->cfg, &spec, err)) == 0)
        rc = mm_source_open(&spec, &job->src, err);
    if (rc == 0)
        rc = mm_inventory_build(&job->src.rows, &job->inv, err);
    if (rc == 0)
        rc = mm_inventory_filter(&job->inv, opt->collections, err);
    if (rc == 0)
        rc = mm_inventory_check_schemas(&job->inv, err);
    if (rc == 0 && job->cfg.target.milvus2x.names.count) {
        char *key = mm_asprintf("%s: target.milvus2x.names", job->config_path ? job->config_path : "migration.yaml");
        rc = mm_target_names_apply(&job->inv, &job->cfg.target.milvus2x.names, key ? key : "target.milvus2x.names",
                                   err);
        free(key);
    }
    if (rc == 0)
        rc = check_source(job, opt->dumps, err);
    if (rc == 0 && job->watch)
        rc = mm_source_watch_baseline(job->watch, &job->src.rows, &job->wal.report, err);
    /* Taken once the meta proved usable, before the segments are read and
     * before anything is written into state.dir. */
    if (rc == 0 && !job->lock)
        rc = lock_state(job, err);
    if (rc == 0)
        rc = scan_source(job, err);
    if (rc == 0) {
        const char *out = job->cfg.target.local.output_dir[0] ? job->cfg.target.local.output_dir : ".";
        if (job->storage_label)
            job->root = mm_asprintf("%s/staging/migration", job->state_dir);
        else
            job->root = mm_asprintf("%s/migration", out);
        job->fingerprint = job->root ? job_fingerprint(job) : NULL;
        if (!job->root || !job->fingerprint)
            rc = mm_error_set(err, MM_ERR_NOMEM, "%s: out of memory", job->command);
    }
    job->confirm = opt->confirm;
    job->confirm_ctx = opt->confirm_ctx;
    job->restart_pending = opt->restart;
    job->dumps = opt->dumps;
    if (rc == 0 && opt->restart)
        rc = mm_journal_open_for_restart(job->state_dir, job->fingerprint, &job->journal, err);
    else if (rc == 0)
        rc = mm_journal_open(job->state_dir, job->fingerprint, false, &job->journal, err);
    return rc;
}

/* Only warnings go to the sink here: blockers end in the error, losses are
 * named by the confirmation (or by the refusal without one), and the rest
 * (what the run does with its own collections) is the Plan screen's. */
static void say_finding(const mm_job *job, const mm_finding *f)
{
    if (f->kind == MM_FINDING_WARNING)
        mm_sink_message(job->sink, MM_SINK_WARNING, "target", "%s", f->text);
}

int mm_job_preflight(mm_job *job, mm_milvus *milvus, mm_findings *out, mm_error *err)
{
    mm_findings found;
    mm_preflight_input in = {.cfg = &job->cfg, .inv = &job->inv, .milvus = milvus, .journal = job->journal,
                             .restart = job->restart_pending, .dumps = job->dumps};
    if (out)
        mm_findings_init(out);
    if (mm_target_preflight(&in, &found, err) != 0)
        return mm_error_wrap(err, "check the target before the run");
    /* The plan against Milvus's limits, then whether Milvus reads what is
     * staged, once nothing else blocks (preflight.h). */
    mm_preflight_limits(&job->cfg, &job->inv, NULL, &found);
    if (milvus && !mm_findings_count(&found, MM_FINDING_BLOCKER) &&
        mm_job_probe_staging(job, milvus, &found, err) != 0) {
        mm_findings_free(&found);
        return -1;
    }
    for (size_t i = 0; i < found.n; i++)
        say_finding(job, &found.items[i]);
    int rc = 0;
    if (mm_findings_count(&found, MM_FINDING_BLOCKER)) {
        char *list = mm_findings_text(&found, MM_FINDING_BLOCKER);
        rc = mm_error_set(err, MM_ERR_CONFIG, "the run would fail on the target, so nothing was dumped or "
                          "changed:\n%s", list ? list : "");
        free(list);
    }
    if (rc == 0 && mm_findings_count(&found, MM_FINDING_LOSS)) {
        if (!job->confirm) {
            char *list = mm_findings_text(&found, MM_FINDING_LOSS);
            rc = mm_error_set(err, MM_ERR_ARGUMENT, "the run would lose what follows, and nobody was asked; "
                              "nothing was changed:\n%s", list ? list : "");
            free(list);
        } else {
            rc = job->confirm(job->confirm_ctx, &found, err);
        }
    }
    if (rc == 0) {
        mm_findings_drops_free(job->drops_confirmed);
        job->drops_confirmed = mm_findings_drops(&found);
        if (!job->drops_confirmed)
            rc = mm_error_set(err, MM_ERR_NOMEM, "%s: out of memory", job->command);
    }
    if (rc == 0 && job->restart_pending) {
        rc = mm_journal_restart(job->journal, err);
        if (rc == 0) {
            job->restart_pending = false;
            mm_sink_message(job->sink, MM_SINK_NOTE, job->command, "discarded the journal %s: the migration starts over",
                            mm_journal_path(job->journal));
        }
    }
    job->preflight_done = rc == 0;
    if (out && rc == 0)
        *out = found;
    else
        mm_findings_free(&found);
    return rc;
}

int mm_job_check_report_path(const mm_job *job, const char *label, const char *base, mm_error *err)
{
    mm_path_set *set = mm_path_set_new();
    int rc = set ? mm_path_set_add_config(set, &job->cfg, err) : mm_error_set(err, MM_ERR_NOMEM, "out of memory");
    char *dir = mm_strdup(base);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    if (rc == 0)
        mm_path_set_add_write(set, label, base, slash ? dir : ".", false);
    if (rc == 0)
        rc = mm_path_set_check(set, err);
    free(dir);
    mm_path_set_free(set);
    return rc;
}

int mm_job_check_target_bucket(const mm_config *cfg, const char *config_path, mm_error *err)
{
    mm_job job;
    memset(&job, 0, sizeof job);
    job.command = "test";
    job.config_path = config_path;
    mm_inventory_init(&job.inv);
    mm_config_init_defaults(&job.cfg);
    int rc = mm_config_copy(&job.cfg, cfg, err);
    if (rc == 0)
        rc = open_target_bucket(&job, err);
    mm_job_close(&job);
    return rc;
}

int mm_job_open_target_storage(const mm_config *cfg, mm_storage **out, mm_error *err)
{
    mm_storage_tuning tuning = {.part_size = cfg->dumper.part_size, .max_retries = 5, .retry_base_ms = 200};
    *out = NULL;
    if (mm_storage_open(&cfg->target.remote, "target.remote", &tuning, out, err) == 0 && mm_storage_check(*out, err) == 0)
        return 0;
    mm_storage_close(*out);
    *out = NULL;
    return -1;
}

void mm_job_close(mm_job *job)
{
    mm_findings_drops_free(job->drops_confirmed);
    mm_source_watch_free(job->watch);
    mm_wal_guard_free(&job->wal);
    mm_journal_close(job->journal);
    mm_storage_close(job->storage);
    free(job->storage_label);
    free(job->remote_root);
    free(job->root);
    free(job->state_dir);
    free(job->fingerprint);
    mm_inventory_free(&job->inv);
    mm_source_free(&job->src);
    mm_remote_source_close(job->remote_source);
    mm_storage_close(job->source_storage);
    mm_config_free(&job->cfg);
    /* Last: the lock covers everything the job wrote. */
    mm_job_lock_release(job->lock);
    memset(job, 0, sizeof *job);
}

int mm_job_milvus_connect(const mm_config *cfg, mm_milvus **out, mm_error *err)
{
    const __typeof__(cfg->target.milvus2x) *t = &cfg->target.milvus2x;
    mm_milvus_options o = {
        .endpoint = t->endpoint, .username = t->username, .password = t->password, .database = t->database,
        .tls = mm_config_tls_enabled(cfg), .ca_file = t->tls.ca_file, .cert_file = t->tls.cert_file,
        .key_file = t->tls.key_file, .server_name = t->tls.server_name, .timeout_seconds = t->timeout_seconds,
        .max_retries = t->retries, .retry_base_ms = 500, .max_recv_bytes = t->grpc.max_call_recv_msg_size,
        .max_send_bytes = t->grpc.max_call_send_msg_size,
    };
    return mm_milvus_connect(&o, out, err);
}

/* Maps the meta.* and source.* keys onto a source spec. */
int mm_job_source_spec(const mm_config *cfg, mm_source_spec *spec, mm_error *err)
{
    memset(spec, 0, sizeof *spec);
    switch (cfg->meta.mode) {
    case MM_META_SQLITE: spec->sqlite_path = cfg->meta.sqlite_file; break;
    case MM_META_MYSQL: spec->mysql_dsn = cfg->meta.mysql_url; break;
    case MM_META_LOCAL:
    case MM_META_MOCK:
        spec->meta_json_path = mm_config_meta_json_path(cfg);
        spec->meta_key = cfg->meta.mode == MM_META_MOCK ? "meta.mockFile" : "meta.localFile";
        break;
    default:
        return mm_error_set(err, MM_ERR_CONFIG, "%s: meta.mode remote (meta.json in a bucket) is read by dump, "
                            "load, verify and run only; here, copy the meta.json locally and use meta.mode: local",
                            cfg->origin ? cfg->origin : "migration.yaml");
    }
    if (cfg->source.mode != MM_LOCATION_LOCAL)
        return mm_error_set(err, MM_ERR_CONFIG, "%s: source.mode remote (1.x segments in a bucket) is read by "
                            "dump, load, verify and run only; here, copy the tables directory locally and use "
                            "source.mode: local", cfg->origin ? cfg->origin : "migration.yaml");
    if (cfg->source.local.tables_dir[0])
        spec->tables_dir = cfg->source.local.tables_dir;
    spec->secondary_tables_dirs = (const char *const *)cfg->source.local.secondary_tables_dirs.items;
    spec->n_secondary_tables_dirs = cfg->source.local.secondary_tables_dirs.count;
    if (cfg->source.local.wal_dir[0])
        spec->wal_dir = cfg->source.local.wal_dir;
    return 0;
}

int mm_job_load_config(const char *path, mm_config *cfg, unsigned phases, const mm_sink *sink, mm_error *err)
{
    mm_config_warnings warn = {0};
    int rc = mm_config_load_file(path, cfg, &warn, err);
    if (rc == 0)
        rc = mm_config_validate(cfg, phases, &warn, err);
    for (size_t i = 0; i < warn.count; i++)
        mm_sink_message(sink, MM_SINK_WARNING, NULL, "%s", warn.items[i]);
    mm_config_warnings_free(&warn);
    return rc;
}
