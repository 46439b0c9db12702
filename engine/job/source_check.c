#include "job/source_check.h"

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "job/job.h"
#include "path_safety.h"
#include "plan.h"
#include "source/discover.h"
#include "source/inventory_render.h"
#include "source/meta_json.h"
#include "source/scan.h"
#include "source/target_names.h"

#include <cjson/cJSON.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- shared steps ------------------------------------------------------------- */

/* Reads the meta and applies the live-set rules and the collection filter. */
static int load_inventory(const mm_source_spec *spec, const char *collections, mm_source *src, mm_inventory *inv,
                          mm_error *err)
{
    if (mm_source_open(spec, src, err) != 0)
        return -1;
    if (mm_inventory_build(&src->rows, inv, err) != 0) {
        mm_source_free(src);
        return -1;
    }
    if (mm_inventory_filter(inv, collections, err) != 0) {
        mm_inventory_free(inv);
        mm_source_free(src);
        return -1;
    }
    return 0;
}

static mm_live_probe live_probe_of(const mm_source *src)
{
    return (mm_live_probe){
        .storage_roots = (const char *const *)src->wal.roots, .n_storage_roots = src->wal.n_roots,
        .wal_dir = src->wal.dir, .sqlite_path = src->rows.kind == MM_META_KIND_SQLITE ? src->rows.origin : NULL,
    };
}

/* A 1.x server still using the installation: inspect and export only
 * read it, so they say so and go on (dump refuses). */
static void warn_in_use(const mm_source *src, const mm_sink *sink)
{
    mm_live_probe probe = live_probe_of(src);
    mm_live_server live;
    if (mm_live_server_probe(&probe, &live, NULL) != 0)
        return;
    if (live.n_evidence) {
        mm_strbuf sb;
        mm_strbuf_init(&sb);
        mm_strbuf_append(&sb, "a Milvus 1.x server (or another program) is still using the 1.x installation, so "
                              "what is shown may already be out of date (dump refuses to start until it is stopped):");
        for (size_t i = 0; i < live.n_evidence; i++)
            mm_strbuf_appendf(&sb, "\n  %s", live.evidence[i]);
        mm_sink_message(sink, MM_SINK_WARNING, NULL, "%s", sb.data ? sb.data : "");
        mm_strbuf_free(&sb);
    }
    mm_live_server_free(&live);
}

static void scan_progress(void *ctx, size_t done, size_t total)
{
    const mm_sink *sink = ctx;
    sink->ops->scan_progress(sink->ctx, done, total);
}

static bool scan_progress_go_on(void *ctx, size_t done, size_t total)
{
    scan_progress(ctx, done, total);
    return !mm_sink_cancelled(ctx);
}

static bool has_scan_progress(const mm_sink *sink)
{
    return sink && sink->ops && sink->ops->scan_progress;
}

/* ---- finding the source -------------------------------------------------------------- */

static int set_key(mm_config *cfg, const char *name, const char *value, mm_error *err)
{
    return mm_config_set_string(cfg, mm_config_find_key(name), value, err);
}

int mm_job_configure_source(mm_config *cfg, const char *path, char **note, mm_error *err)
{
    *note = NULL;
    mm_install inst;
    if (mm_discover(path, &inst, err) != 0)
        return -1;
    int rc = 0;
    struct stat st;
    if (inst.sqlite_path && (stat(inst.sqlite_path, &st) != 0 || !S_ISREG(st.st_mode))) {
        rc = mm_error_set(err, MM_ERR_NOT_FOUND, "%s looks like a Milvus 1.x installation (%s), but its meta.sqlite "
                          "%s does not exist: copy meta.sqlite (with -wal and -shm) there, or give the meta.sqlite "
                          "or a MySQL DSN", path, inst.config_file ? inst.config_file : "a tables directory",
                          inst.sqlite_path);
        mm_install_free(&inst);
        return rc;
    }
    if (inst.sqlite_path) {
        rc |= set_key(cfg, "meta.mode", "sqlite", err);
        rc |= set_key(cfg, "meta.sqliteFile", inst.sqlite_path, err);
    } else if (inst.mysql_uri) {
        rc |= set_key(cfg, "meta.mode", "mysql", err);
        rc |= set_key(cfg, "meta.mysqlUrl", inst.mysql_uri, err);
    }
    rc |= set_key(cfg, "source.mode", "local", err);
    rc |= set_key(cfg, "source.local.tablesDir", inst.n_tables_dirs ? inst.tables_dirs[0] : "", err);
    mm_strbuf secondary;
    mm_strbuf_init(&secondary);
    for (size_t i = 1; i < inst.n_tables_dirs; i++) {
        if (secondary.len)
            mm_strbuf_append(&secondary, ";");
        mm_strbuf_append(&secondary, inst.tables_dirs[i]);
    }
    rc |= set_key(cfg, "source.local.secondaryTablesDirs", secondary.data ? secondary.data : "", err);
    rc |= set_key(cfg, "source.local.walDir", inst.wal_dir ? inst.wal_dir : "", err);
    mm_strbuf_free(&secondary);
    if (rc == 0) {
        char *masked = inst.mysql_uri ? mm_config_mask_dsn(inst.mysql_uri) : NULL;
        *note = mm_asprintf("Found Milvus %s: meta %s, %zu tables director%s, %s.",
                            inst.version_hint ? inst.version_hint : "1.x",
                            inst.sqlite_path ? inst.sqlite_path : masked ? masked : "?", inst.n_tables_dirs,
                            inst.n_tables_dirs == 1 ? "y" : "ies", inst.wal_dir ? "a WAL directory" : "no WAL directory");
        free(masked);
    }
    mm_install_free(&inst);
    return rc != 0 ? -1 : 0;
}

/* Where 1.x installations usually are: the packages' and the docker
 * images' data directories, docker volumes, and where the user is. */
static const char *const usual_places[] = {"/var/lib/milvus", "/milvus", "/var/lib/docker/volumes/*/_data", ".",
                                           NULL};

static int add_found(mm_found_install **list, size_t *n, const char *path, const mm_install *inst, mm_error *err)
{
    mm_found_install *grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown)
        return mm_error_set(err, MM_ERR_NOMEM, "find installations: out of memory");
    *list = grown;
    char *masked = inst->mysql_uri ? mm_config_mask_dsn(inst->mysql_uri) : NULL;
    mm_found_install *f = &grown[*n];
    f->path = mm_strdup(path);
    f->summary = mm_asprintf("Milvus %s: meta %s%s%s", inst->version_hint ? inst->version_hint : "1.x",
                             inst->sqlite_path ? inst->sqlite_path : masked ? masked : "?",
                             inst->config_file ? ", config " : "", inst->config_file ? inst->config_file : "");
    free(masked);
    if (!f->path || !f->summary) {
        free(f->path);
        free(f->summary);
        return mm_error_set(err, MM_ERR_NOMEM, "find installations: out of memory");
    }
    (*n)++;
    return 0;
}

/* One place: itself, its milvus/ and its conf/server_config.yaml. */
static int try_place(const char *dir, mm_found_install **list, size_t *n, mm_error *err)
{
    char *candidates[] = {mm_strdup(dir), mm_asprintf("%s/milvus", dir), NULL};
    int rc = 0;
    for (size_t i = 0; rc == 0 && candidates[i]; i++) {
        mm_install inst;
        struct stat st;
        if (stat(candidates[i], &st) != 0 || !S_ISDIR(st.st_mode) || mm_discover(candidates[i], &inst, NULL) != 0)
            continue;
        bool usable = inst.mysql_uri || (inst.sqlite_path && stat(inst.sqlite_path, &st) == 0 && S_ISREG(st.st_mode));
        if (usable) {
            /* Reached twice (a place and its milvus/): keep the first. */
            bool seen = false;
            for (size_t k = 0; k < *n; k++)
                seen = seen || (inst.sqlite_path && strstr((*list)[k].summary, inst.sqlite_path));
            if (!seen)
                rc = add_found(list, n, candidates[i], &inst, err);
        }
        mm_install_free(&inst);
    }
    free(candidates[0]);
    free(candidates[1]);
    return rc;
}

int mm_job_find_installs(mm_found_install **out, size_t *n, mm_error *err)
{
    *out = NULL;
    *n = 0;
    const char *env = getenv("MM_INSTALL_SEARCH_PATH");
    char *own = env && *env ? mm_strdup(env) : NULL;
    const char **places = NULL;
    size_t n_places = 0;
    if (own) {
        places = calloc(strlen(own) + 2, sizeof *places);
        char *save = NULL;
        for (char *p = places ? strtok_r(own, ":", &save) : NULL; p; p = strtok_r(NULL, ":", &save))
            places[n_places++] = p;
    } else {
        places = calloc(sizeof usual_places / sizeof usual_places[0], sizeof *places);
        for (size_t i = 0; places && usual_places[i]; i++)
            places[n_places++] = usual_places[i];
    }
    int rc = places ? 0 : mm_error_set(err, MM_ERR_NOMEM, "find installations: out of memory");
    for (size_t i = 0; rc == 0 && i < n_places; i++) {
        glob_t g;
        if (glob(places[i], GLOB_NOSORT, NULL, &g) != 0)
            continue;
        for (size_t k = 0; rc == 0 && k < g.gl_pathc; k++)
            rc = try_place(g.gl_pathv[k], out, n, err);
        globfree(&g);
    }
    free(places);
    free(own);
    if (rc != 0) {
        mm_found_installs_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

void mm_found_installs_free(mm_found_install *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(list[i].path);
        free(list[i].summary);
    }
    free(list);
}

/* ---- the wizard's test ---------------------------------------------------------- */

void mm_source_probe_run(const mm_config *cfg, const mm_sink *sink, mm_source_probe *out)
{
    memset(out, 0, sizeof *out);
    mm_inventory_init(&out->inv);
    out->rc = -1;
    mm_config local;
    mm_config_init_defaults(&local);
    mm_source_spec spec;
    out->allow_unflushed = cfg->source.allow_unflushed;
    out->allow_running_server = cfg->source.allow_running_server;
    if (mm_config_copy(&local, cfg, &out->err) != 0) {
        mm_config_free(&local);
        return;
    }
    /* The test only offers local segment files. */
    if (local.source.mode == MM_LOCATION_UNSET)
        local.source.mode = MM_LOCATION_LOCAL;
    if (local.meta.mode == MM_META_UNSET) {
        mm_error_set(&out->err, MM_ERR_CONFIG, "test connection: no source chosen; give a data directory, a "
                     "meta.sqlite, a MySQL DSN or a meta.json first");
    } else if (mm_job_source_spec(&local, &spec, &out->err) == 0 && mm_source_open(&spec, &out->src, &out->err) == 0) {
        if (mm_inventory_build(&out->src.rows, &out->inv, &out->err) != 0 ||
            mm_target_names_apply(&out->inv, &local.target.milvus2x.names, "target.milvus2x.names", &out->err) != 0) {
            mm_inventory_free(&out->inv);
            mm_source_free(&out->src);
        } else {
            mm_scan_options opt = {
                .tables_dirs = (const char *const *)out->src.tables_dirs, .n_tables_dirs = out->src.n_tables_dirs,
                .missing_deleted_docs_ok = local.source.missing_deleted_docs_ok, .check_duplicate_ids = true,
                .missing_hint = out->src.missing_hint,
                .progress = has_scan_progress(sink) ? scan_progress_go_on : NULL, .progress_ctx = (void *)sink,
            };
            out->scan_rc = mm_inventory_scan(&out->inv, &opt, &out->scan_err);
            out->wal_rc = mm_wal_guard_check(&out->src, &out->wal, &out->wal_err);
            mm_live_probe probe = live_probe_of(&out->src);
            if (mm_live_server_probe(&probe, &out->live, NULL) != 0)
                memset(&out->live, 0, sizeof out->live);
            out->rc = 0;
        }
    }
    mm_config_free(&local);
}

char *mm_source_probe_alert(const mm_source_probe *p, bool brief, mm_probe_severity *severity)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    *severity = MM_PROBE_WARNING;
    if (p->wal_rc != 0) {
        mm_strbuf_appendf(&sb, "The WAL could not be checked: %s", p->wal_err.message);
        *severity = MM_PROBE_ERROR;
    } else if (p->wal.status == MM_WAL_STATUS_UNFLUSHED) {
        if (p->allow_unflushed)
            mm_strbuf_appendf(&sb, "Warning: unflushed data %s; the run goes on without it "
                              "(source.allowUnflushed: true), so these rows are not migrated:", p->wal.summary);
        else
            mm_strbuf_appendf(&sb, "Unflushed data %s; the run stops unless source.allowUnflushed is set:",
                              p->wal.summary);
        for (size_t i = 0; i < p->wal.n_details; i++)
            mm_strbuf_appendf(&sb, "\n  %s", p->wal.details[i]);
        if (!p->allow_unflushed)
            *severity = MM_PROBE_ERROR;
    } else if (p->wal.warning && brief) {
        /* The Source screen said where it looked. */
        mm_strbuf_append(&sb, p->wal.status == MM_WAL_STATUS_NEVER_CHECKED
                                  ? "Warning: the 1.x WAL was never checked"
                                  : "Warning: no 1.x WAL was checked (none found, see the Source screen)");
        mm_strbuf_append(&sb, ": rows that exist only in the WAL, never flushed, would be missing in Milvus 2.x "
                              "without a word. Set source.local.walDir to the 1.x wal.path to have them checked.");
    } else if (p->wal.warning) {
        mm_strbuf_appendf(&sb, "Warning: %s.", p->wal.warning);
    }
    for (size_t i = 0; i < p->live.n_evidence; i++) {
        if (i == 0 && p->allow_running_server)
            mm_strbuf_appendf(&sb, "%sWarning: a Milvus 1.x server (or another program) still uses the installation; "
                              "the run goes on (source.allowRunningServer: true) and stops if the source changes:",
                              sb.len ? "\n" : "");
        else if (i == 0)
            mm_strbuf_appendf(&sb, "%sA Milvus 1.x server (or another program) still uses the installation; the "
                              "run refuses to start until it is stopped (or source.allowRunningServer is set):",
                              sb.len ? "\n" : "");
        mm_strbuf_appendf(&sb, "\n  %s", p->live.evidence[i]);
        if (!p->allow_running_server)
            *severity = MM_PROBE_ERROR;
    }
    return sb.len ? mm_strbuf_take(&sb) : (mm_strbuf_free(&sb), NULL);
}

char *mm_source_probe_result(const mm_source_probe *p, mm_probe_severity *severity)
{
    if (p->rc != 0) {
        *severity = MM_PROBE_ERROR;
        return mm_strdup(p->err.message);
    }
    mm_inventory_totals t;
    mm_inventory_totals_of(&p->inv, &t);
    char size[32];
    mm_format_bytes(t.bytes, size, sizeof size);
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_appendf(&sb, "Connected to %s (%s).\n%zu collection(s), %zu partition(s) besides _default, "
                      "%zu segment(s).\n%lld live row(s), %lld deleted, %s of vectors and ids.",
                      p->inv.origin ? p->inv.origin : "the source", p->inv.ddl_era ? p->inv.ddl_era : "?",
                      t.collections, t.partitions, t.segments, (long long)t.live, (long long)t.deleted, size);
    if (p->inv.n_warnings)
        mm_strbuf_appendf(&sb, "\n%zu warning(s): see the Preview screen.", p->inv.n_warnings);
    if (p->scan_rc != 0)
        mm_strbuf_appendf(&sb, "\nNot every segment could be read; first failure: %s", p->scan_err.message);
    if (p->wal_rc == 0 && p->wal.status != MM_WAL_STATUS_UNFLUSHED)
        mm_strbuf_appendf(&sb, "\nUnflushed data: %s.", p->wal.summary);
    mm_probe_severity alert_severity;
    char *alert = mm_source_probe_alert(p, false, &alert_severity);
    if (alert)
        mm_strbuf_appendf(&sb, "\n%s", alert);
    *severity = p->scan_rc != 0 || alert ? alert_severity : MM_PROBE_OK;
    free(alert);
    return mm_strbuf_take(&sb);
}

void mm_source_probe_free(mm_source_probe *p)
{
    if (p->rc == 0) {
        mm_inventory_free(&p->inv);
        mm_source_free(&p->src);
        if (p->wal_rc == 0)
            mm_wal_guard_free(&p->wal);
        mm_live_server_free(&p->live);
    }
    memset(p, 0, sizeof *p);
}

/* ---- inspect ---------------------------------------------------------------------- */

/* The import plan's outline, as the dump would follow it: how many batches
 * (after packing small segments), and how many workers dump them and why.
 * malloc'd; NULL when out of memory. */
static char *plan_text(const mm_inventory *inv, const mm_config *given)
{
    mm_config defaults;
    const mm_config *cfg = given;
    if (!cfg) {
        mm_config_init_defaults(&defaults);
        cfg = &defaults;
    }
    mm_plan_limits limits = mm_plan_limits_of(cfg);
    mm_plan plan;
    mm_error err;
    mm_error_clear(&err);
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    if (mm_plan_build(&plan, inv, NULL, &limits, &err) != 0) {
        mm_strbuf_appendf(&sb, "Import plan: %s\n", err.message);
    } else {
        char size[32];
        mm_format_bytes(limits.batch_size, size, sizeof size);
        mm_strbuf_appendf(&sb, "Import plan: %zu batch(es), %zu segment(s) packed with others "
                          "(dumper.batchSize %s)\n", plan.n_batches, plan.segments_packed, size);
        mm_plan_free(&plan);
    }
    char why[96];
    int workers = mm_plan_workers(cfg, why, sizeof why);
    mm_strbuf_appendf(&sb, "Dump workers: %d (%s)\n", workers, why);
    if (!given)
        mm_config_free(&defaults);
    return mm_strbuf_take(&sb);
}

int mm_job_inspect(const mm_inspect_options *opt, const mm_sink *sink, mm_inspect *out, mm_error *err)
{
    memset(out, 0, sizeof *out);
    mm_source src;
    mm_inventory inv;
    if (load_inventory(&opt->spec, opt->collections, &src, &inv, err) != 0)
        return -1;
    mm_scan_options scan = {
        .tables_dirs = (const char *const *)src.tables_dirs, .n_tables_dirs = src.n_tables_dirs,
        .missing_deleted_docs_ok = opt->missing_deleted_docs_ok, .check_duplicate_ids = opt->check_duplicate_ids,
        .missing_hint = src.missing_hint,
        .progress = has_scan_progress(sink) ? scan_progress_go_on : NULL, .progress_ctx = (void *)sink,
    };
    out->scan_rc = mm_inventory_scan(&inv, &scan, &out->scan_err);
    if (out->scan_rc != 0)
        mm_error_wrap(&out->scan_err, "not every segment could be read; first failure");
    mm_wal_guard wal;
    out->wal_rc = mm_wal_guard_check(&src, &wal, &out->wal_err);
    warn_in_use(&src, sink);
    if (out->wal_rc == 0 && wal.warning)
        mm_sink_message(sink, MM_SINK_WARNING, NULL, "%s", wal.warning);
    /* The plan needs every segment's live rows. */
    char *plan = !opt->json && out->scan_rc == 0 ? plan_text(&inv, opt->cfg) : NULL;
    out->text = opt->json ? mm_inventory_render_json(&inv, out->wal_rc == 0 ? &wal : NULL)
                          : mm_inventory_render_text(&inv, out->wal_rc == 0 ? &wal : NULL, plan);
    free(plan);
    out->schema_rc = mm_inventory_check_schemas(&inv, &out->schema_err);
    if (out->wal_rc == 0)
        mm_wal_guard_free(&wal);
    mm_inventory_free(&inv);
    mm_source_free(&src);
    return 0;
}

void mm_inspect_free(mm_inspect *r)
{
    free(r->text);
    memset(r, 0, sizeof *r);
}

/* ---- export ----------------------------------------------------------------------- */

/* export writes DIR/meta.json and, while reading the meta, a private copy
 * of meta.sqlite in TMPDIR: neither may lie inside the 1.x installation. */
static int check_export_paths(const mm_export_options *opt, mm_error *err)
{
    mm_path_set *set = mm_path_set_new();
    if (!set)
        return mm_error_set(err, MM_ERR_NOMEM, "export: out of memory");
    char *db = NULL;
    if (opt->spec.sqlite_path) {
        db = mm_strdup(opt->spec.sqlite_path);
        char *slash = db ? strrchr(db, '/') : NULL;
        if (slash)
            slash[slash == db ? 1 : 0] = '\0';
        mm_path_set_add_source(set, "the 1.x db directory", db && slash ? db : ".");
        char *tables = mm_asprintf("%s/tables", db && slash ? db : ".");
        char *what = mm_asprintf("the 1.x tables directory (beside %s)", opt->sqlite_label);
        mm_path_set_add_source(set, what ? what : "the 1.x tables directory", tables);
        free(what);
        free(tables);
    }
    mm_wal_hints h = {.given = opt->spec.wal_dir, .given_key = opt->wal_label, .sqlite_path = opt->spec.sqlite_path};
    mm_wal_location wal;
    int rc = mm_wal_locate(&h, &wal, err);
    if (rc == 0) {
        mm_path_set_add_source(set, "the 1.x WAL directory", wal.dir);
        mm_wal_location_free(&wal);
    }
    mm_path_set_add_write(set, opt->output_label, opt->output_dir, opt->output_dir, false);
    const char *tmp = getenv("TMPDIR");
    mm_path_set_add_write(set, "TMPDIR (environment variable)", tmp && *tmp ? tmp : "/tmp", tmp && *tmp ? tmp : "/tmp",
                          false);
    if (rc == 0)
        rc = mm_path_set_check(set, err);
    mm_path_set_free(set);
    free(db);
    return rc;
}

/* meta.json with the record of the WAL check (an extension field the
 * reference tool ignores): a dump from it later tells what was checked. */
/* "storageRoots": the other storage roots of a 0.9 install, for a dump
 * from this meta.json to name when a segment is not found. */
static cJSON *storage_roots_record(const mm_source *src)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *dirs = cJSON_AddArrayToObject(o, "secondaryTablesDirs");
    cJSON_AddStringToObject(o, "serverConfig", src->roots_config ? src->roots_config : "");
    for (size_t i = 0; dirs && i < src->n_secondary_tables_dirs; i++)
        cJSON_AddItemToArray(dirs, cJSON_CreateString(src->secondary_tables_dirs[i]));
    return o;
}

static char *render_meta_json(const mm_source *src, const mm_inventory *inv, const mm_wal_guard *wal, bool allowed,
                              mm_error *err)
{
    char *text = mm_meta_json_render(inv, err);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!root) {
        mm_error_set(err, MM_ERR_NOMEM, "export: out of memory");
        return NULL;
    }
    if (src->n_secondary_tables_dirs)
        cJSON_AddItemToObject(root, "storageRoots", storage_roots_record(src));
    cJSON_AddItemToObject(root, "walCheck", mm_wal_guard_record(wal, allowed));
    text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text)
        mm_error_set(err, MM_ERR_NOMEM, "export: out of memory");
    return text;
}

/* The meta's row counts against the segment files, when they are beside
 * meta.sqlite (db/tables): read on an inventory of its own, so that what
 * the files say changes nothing in meta.json; a segment that cannot be
 * read leaves its collection out here (the dump names it). */
static void report_row_counts(const mm_export_options *opt, const mm_source *src, const mm_sink *sink)
{
    if (!opt->spec.sqlite_path)
        return;
    char *db = mm_path_dir(opt->spec.sqlite_path);
    char *tables = db ? mm_asprintf("%s/tables", db) : NULL;
    const char **dirs = calloc(1 + src->n_secondary_tables_dirs, sizeof *dirs);
    struct stat st;
    size_t n = 0;
    if (dirs && tables && stat(tables, &st) == 0 && S_ISDIR(st.st_mode)) {
        dirs[n++] = tables;
        for (size_t i = 0; i < src->n_secondary_tables_dirs; i++)
            if (stat(src->secondary_tables_dirs[i], &st) == 0 && S_ISDIR(st.st_mode))
                dirs[n++] = src->secondary_tables_dirs[i];
    }
    mm_inventory inv;
    mm_inventory_init(&inv);
    mm_error ignored;
    if (n && mm_inventory_build(&src->rows, &inv, &ignored) == 0 &&
        mm_inventory_filter(&inv, opt->collections, &ignored) == 0) {
        mm_scan_options scan = {.tables_dirs = dirs, .n_tables_dirs = n};
        mm_inventory_scan(&inv, &scan, &ignored);
        mm_job_report_row_counts(&inv, "a dump migrates", sink);
    }
    mm_inventory_free(&inv);
    free(dirs);
    free(tables);
    free(db);
}

/* The guide copies tables/ only: on a 0.9 install with more roots that
 * misses the segments kept on the others. */
static void warn_secondary_roots(const mm_source *src, const mm_sink *sink)
{
    mm_strbuf dirs;
    mm_strbuf_init(&dirs);
    for (size_t i = 0; i < src->n_secondary_tables_dirs; i++)
        mm_strbuf_appendf(&dirs, "%s%s", i ? ", " : "", src->secondary_tables_dirs[i]);
    mm_sink_message(sink, MM_SINK_WARNING, NULL, "this 0.9 installation keeps segments on more than one storage "
                    "root (storage_config.secondary_path in %s): copy the db/tables directory of each (%s) as well "
                    "as tables/, and list the copies in source.local.secondaryTablesDirs; meta.json records them",
                    src->roots_config, dirs.data ? dirs.data : "");
    mm_strbuf_free(&dirs);
}

int mm_job_export(const mm_export_options *opt, const mm_sink *sink, mm_error *err)
{
    if (check_export_paths(opt, err) != 0)
        return -1;
    mm_source src;
    mm_inventory inv;
    if (load_inventory(&opt->spec, opt->collections, &src, &inv, err) != 0)
        return -1;
    mm_wal_guard wal;
    char *note = NULL;
    int rc = mm_wal_guard_check(&src, &wal, err);
    bool have_wal = rc == 0;
    if (rc == 0) {
        warn_in_use(&src, sink);
        rc = mm_wal_guard_refuse(&wal, opt->allow_unflushed, opt->allow_hint, &note, err);
    }
    if (note)
        mm_sink_message(sink, MM_SINK_WARNING, NULL, "%s", note);
    free(note);
    if (rc == 0 && wal.warning)
        mm_sink_message(sink, MM_SINK_WARNING, NULL, "%s", wal.warning);
    char *json = rc == 0 ? render_meta_json(&src, &inv, &wal, opt->allow_unflushed, err) : NULL;
    char *path = mm_asprintf("%s/meta.json", opt->output_dir);
    if (rc == 0 && !json)
        rc = -1;
    if (rc == 0 && !path)
        rc = mm_error_set(err, MM_ERR_NOMEM, "export: out of memory");
    if (rc == 0)
        rc = mm_mkdir_p(opt->output_dir, err);
    if (rc == 0)
        rc = mm_write_file_atomic(path, json, strlen(json), 0644, err);
    if (rc == 0) {
        mm_inventory_totals t;
        mm_inventory_totals_of(&inv, &t);
        mm_sink_message(sink, MM_SINK_SUMMARY, NULL,
                        "wrote %s/meta.json: %zu collection(s), %zu partition(s), %zu segment(s); unflushed data %s",
                        opt->output_dir, t.collections, t.partitions, t.segments, wal.summary);
        for (size_t i = 0; i < inv.n_warnings; i++)
            mm_sink_message(sink, MM_SINK_WARNING, NULL, "%s", inv.warnings[i]);
        if (src.n_secondary_tables_dirs)
            warn_secondary_roots(&src, sink);
        report_row_counts(opt, &src, sink);
    }
    if (have_wal)
        mm_wal_guard_free(&wal);
    free(path);
    free(json);
    mm_inventory_free(&inv);
    mm_source_free(&src);
    return rc;
}
