#include "run_job.h"

#include "cli/cli_job.h"
#include "tui/loop.h"
#include "run_job_internal.h"
#include "base/strbuf.h"
#include "base/timeutil.h"

#include <stdlib.h>
#include <string.h>

enum { WAKE_MIN_MS = 50 };

/* ---- publishing (any thread) ---------------------------------------------------- */

/* Call with the lock held after changing published state. */
void mm_runjob_touch(mm_runjob *j)
{
    j->version++;
}

/* Call without the lock: wakes the UI unless it was woken very recently. */
void mm_runjob_wake(mm_runjob *j, bool always)
{
    int64_t now = (int64_t)(mm_monotonic_seconds() * 1000);
    int64_t last = atomic_load(&j->last_wake_ms);
    if (always || now - last >= WAKE_MIN_MS) {
        atomic_store(&j->last_wake_ms, now);
        mm_tui_wake();
    }
}

void mm_runjob_log(mm_runjob *j, mm_role role, const char *text)
{
    pthread_mutex_lock(&j->lock);
    if (j->n_lines == j->cap_lines) {
        size_t cap = j->cap_lines ? j->cap_lines * 2 : 32;
        mm_runjob_line *grown = realloc(j->lines, cap * sizeof *grown);
        if (grown) {
            j->lines = grown;
            j->cap_lines = cap;
        }
    }
    char *copy = mm_strdup(text);
    if (copy && j->n_lines < j->cap_lines)
        j->lines[j->n_lines++] = (mm_runjob_line){copy, role};
    else
        free(copy);
    mm_runjob_touch(j);
    pthread_mutex_unlock(&j->lock);
    mm_runjob_wake(j, false);
}

static void set_phase(mm_runjob *j, mm_runjob_phase phase)
{
    pthread_mutex_lock(&j->lock);
    j->phase = phase;
    double now = mm_monotonic_seconds();
    if (phase == MM_RUNJOB_DUMPING)
        j->dump_t0 = now;
    if (phase == MM_RUNJOB_LOADING)
        j->load_t0 = now;
    mm_runjob_touch(j);
    pthread_mutex_unlock(&j->lock);
    mm_runjob_wake(j, true);
}

static void end_step(mm_runjob *j, double *t1)
{
    pthread_mutex_lock(&j->lock);
    *t1 = mm_monotonic_seconds();
    mm_runjob_touch(j);
    pthread_mutex_unlock(&j->lock);
}

static void on_dump(void *ctx, const mm_dump_progress *p)
{
    mm_runjob *j = ctx;
    pthread_mutex_lock(&j->lock);
    /* Workers report concurrently: keep the furthest snapshot. */
    if (p->rows_done >= j->dump.rows_done || p->segments_done >= j->dump.segments_done)
        j->dump = *p;
    mm_runjob_touch(j);
    pthread_mutex_unlock(&j->lock);
    mm_runjob_wake(j, false);
}

static void on_load(void *ctx, const mm_load_progress *p)
{
    mm_runjob *j = ctx;
    pthread_mutex_lock(&j->lock);
    j->load = *p;
    j->have_load = true;
    mm_runjob_touch(j);
    pthread_mutex_unlock(&j->lock);
    mm_runjob_wake(j, false);
}

static void on_event(void *ctx, const char *line)
{
    bool warning = strncmp(line, "warning:", 8) == 0;
    mm_runjob_log(ctx, warning ? MM_ROLE_WARNING : MM_ROLE_NORMAL, line);
}

/* ---- the job thread ----------------------------------------------------------------- */

/* The 2.x names chosen on the Preview screen, which are not part of
 * migration.yaml, applied to the job's own inventory. */
static void apply_names(const mm_runjob *j, mm_inventory *inv)
{
    for (size_t i = 0; i < inv->n_collections; i++) {
        mm_collection_info *c = &inv->collections[i];
        const mm_runjob_names *n = NULL;
        for (size_t k = 0; k < j->n_names && !n; k++)
            if (strcmp(j->names[k].collection, c->name) == 0)
                n = &j->names[k];
        if (!n)
            continue;
        free(c->target_name);
        c->target_name = mm_strdup(n->target);
        for (size_t p = 0; p < c->n_partitions; p++)
            for (size_t k = 0; k < n->n_partitions; k++)
                if (strcmp(n->tags[k], c->partitions[p].tag) == 0) {
                    free(c->partitions[p].target_name);
                    c->partitions[p].target_name = mm_strdup(n->partition_targets[k]);
                }
    }
}

static int open_job(mm_runjob *j, mm_cli_job *cj, mm_error *err)
{
    mm_config_warnings warn = {0};
    unsigned phases = j->steps & (MM_RUNJOB_LOAD | MM_RUNJOB_VERIFY) ? MM_CONFIG_PHASE_MILVUS : 0;
    int rc = mm_cli_job_open_config(cj, "wizard", j->config_path, &j->cfg, &warn, j->filter, false, phases,
                                    (j->steps & MM_RUNJOB_DUMP) != 0, err);
    for (size_t i = 0; i < warn.count; i++) {
        char *line = mm_asprintf("warning: %s", warn.items[i]);
        mm_runjob_log(j, MM_ROLE_WARNING, line ? line : "");
        free(line);
    }
    mm_config_warnings_free(&warn);
    if (rc != 0)
        return rc;
    apply_names(j, &cj->inv);
    mm_plan plan;
    if (mm_plan_build(&plan, &cj->inv, NULL, cj->cfg.dumper.max_file_size, err) != 0)
        return -1;
    mm_runjob_batch *batches = calloc(plan.n_batches ? plan.n_batches : 1, sizeof *batches);
    mm_runjob_collection *cols = calloc(plan.n_collections ? plan.n_collections : 1, sizeof *cols);
    if (!batches || !cols) {
        free(batches);
        free(cols);
        mm_plan_free(&plan);
        return mm_error_set(err, MM_ERR_NOMEM, "wizard: out of memory");
    }
    for (size_t i = 0; i < plan.n_batches; i++)
        batches[i].import_state = -1;
    pthread_mutex_lock(&j->lock);
    j->plan = plan;
    j->plan_ready = true;
    j->batches_version++;
    j->batches = batches;
    j->collections = cols;
    j->journal_path = mm_strdup(mm_journal_path(cj->journal));
    j->state_dir = mm_strdup(cj->state_dir);
    mm_runjob_touch(j);
    pthread_mutex_unlock(&j->lock);
    return 0;
}

static int connect_milvus(mm_runjob *j, mm_cli_job *cj, mm_milvus **milvus, mm_error *err)
{
    set_phase(j, MM_RUNJOB_CONNECTING);
    /* Connected before dumping: a wrong endpoint or password should not
     * cost the hours of a dump. The load step logs the connection. */
    return mm_cli_milvus_connect(&cj->cfg, milvus, err);
}

static int verify(mm_runjob *j, mm_cli_job *cj, mm_milvus *milvus, mm_error *err)
{
    set_phase(j, MM_RUNJOB_VERIFYING);
    mm_verify_report *r = calloc(1, sizeof *r);
    if (!r)
        return mm_error_set(err, MM_ERR_NOMEM, "wizard: out of memory");
    if (mm_cli_verify_run(cj, milvus, &j->cancel, r, err) != 0) {
        mm_verify_report_free(r);
        free(r);
        return -1;
    }
    char *line = r->all_match ? mm_strdup("verified: all counts match")
                              : mm_asprintf("verified: %zu mismatch(es); the Verify screen shows them", r->mismatches);
    mm_runjob_log(j, r->all_match ? MM_ROLE_OK : MM_ROLE_MISMATCH, line ? line : "");
    free(line);
    bool delete_staged = r->all_match && cj->cfg.loader.delete_staged_files && (j->steps & MM_RUNJOB_LOAD);
    pthread_mutex_lock(&j->lock);
    j->report = r;
    j->all_match = r->all_match;
    j->mismatches = r->mismatches;
    mm_runjob_touch(j);
    pthread_mutex_unlock(&j->lock);
    if (!delete_staged)
        return 0;
    set_phase(j, MM_RUNJOB_CLEANING);
    size_t deleted = 0;
    if (mm_cli_delete_staged(cj, &deleted, err) != 0)
        return -1;
    line = mm_asprintf("deleted %zu staged file(s) (loader.deleteStagedFiles: true)", deleted);
    mm_runjob_log(j, MM_ROLE_NORMAL, line ? line : "");
    free(line);
    return 0;
}

static void finish(mm_runjob *j, int rc, const mm_error *err)
{
    pthread_mutex_lock(&j->lock);
    j->phase = MM_RUNJOB_DONE;
    if (rc != 0) {
        j->outcome = err->code == MM_ERR_CANCELLED || atomic_load(&j->cancel) ? MM_RUNJOB_CANCELLED
                                                                              : MM_RUNJOB_FAILED;
        j->error = mm_strdup(err->message);
    } else {
        j->outcome = j->report && !j->report->all_match ? MM_RUNJOB_MISMATCH : MM_RUNJOB_OK;
    }
    mm_runjob_touch(j);
    pthread_mutex_unlock(&j->lock);
}

/* A cancel that arrives between two steps stops before the next one
 * changes anything (the load would create collections first). */
static int check_cancel(mm_runjob *j, const char *next, mm_error *err)
{
    if (!atomic_load(&j->cancel))
        return 0;
    return mm_error_set(err, MM_ERR_CANCELLED, "cancelled before the %s started", next);
}

static void *job_thread(void *arg)
{
    mm_runjob *j = arg;
    mm_error err;
    mm_error_clear(&err);
    mm_cli_job cj;
    mm_milvus *milvus = NULL;
    int rc = open_job(j, &cj, &err);
    if (rc == 0 && (j->steps & (MM_RUNJOB_LOAD | MM_RUNJOB_VERIFY)))
        rc = connect_milvus(j, &cj, &milvus, &err);
    if (rc == 0)
        mm_runjob_monitor_start(j, cj.journal, milvus);
    mm_job_sink sink = {j, on_dump, on_load, on_event, &j->cancel};
    if (rc == 0 && (j->steps & MM_RUNJOB_DUMP)) {
        set_phase(j, MM_RUNJOB_DUMPING);
        rc = mm_cli_dump_job(&cj, &sink, &err);
        end_step(j, &j->dump_t1);
        mm_runjob_monitor_poll(j);
    }
    if (rc == 0 && (j->steps & MM_RUNJOB_LOAD))
        rc = check_cancel(j, "load", &err);
    if (rc == 0 && (j->steps & MM_RUNJOB_LOAD)) {
        set_phase(j, MM_RUNJOB_LOADING);
        rc = mm_cli_load_job(&cj, milvus, &sink, &err);
        end_step(j, &j->load_t1);
        mm_runjob_monitor_poll(j);
    }
    if (rc == 0 && (j->steps & MM_RUNJOB_VERIFY))
        rc = check_cancel(j, "verification", &err);
    if (rc == 0 && (j->steps & MM_RUNJOB_VERIFY))
        rc = verify(j, &cj, milvus, &err);
    mm_runjob_monitor_stop(j);
    finish(j, rc, &err);
    mm_milvus_close(milvus);
    /* The plan points into the inventory: keep it until the job is freed. */
    pthread_mutex_lock(&j->lock);
    j->inv = cj.inv;
    mm_inventory_init(&cj.inv);
    pthread_mutex_unlock(&j->lock);
    mm_cli_job_close(&cj);
    atomic_store_explicit(&j->finished, true, memory_order_release);
    mm_runjob_wake(j, true);
    return NULL;
}

/* ---- the UI side -------------------------------------------------------------------- */

static int copy_names(mm_runjob *j, const mm_app *app)
{
    if (!app->have_inventory)
        return 0;
    j->names = calloc(app->inv.n_collections ? app->inv.n_collections : 1, sizeof *j->names);
    if (!j->names)
        return -1;
    for (size_t i = 0; i < app->inv.n_collections; i++) {
        const mm_collection_info *c = &app->inv.collections[i];
        mm_runjob_names *n = &j->names[j->n_names++];
        n->collection = mm_strdup(c->name);
        n->target = mm_strdup(c->target_name);
        n->tags = calloc(c->n_partitions ? c->n_partitions : 1, sizeof *n->tags);
        n->partition_targets = calloc(c->n_partitions ? c->n_partitions : 1, sizeof *n->partition_targets);
        if (!n->collection || !n->target || !n->tags || !n->partition_targets)
            return -1;
        for (size_t p = 0; p < c->n_partitions; p++) {
            n->tags[n->n_partitions] = mm_strdup(c->partitions[p].tag);
            n->partition_targets[n->n_partitions++] = mm_strdup(c->partitions[p].target_name);
        }
    }
    return 0;
}

static void free_job(mm_runjob *j)
{
    for (size_t i = 0; i < j->n_names; i++) {
        mm_runjob_names *n = &j->names[i];
        for (size_t p = 0; p < n->n_partitions; p++) {
            free(n->tags[p]);
            free(n->partition_targets[p]);
        }
        free(n->tags);
        free(n->partition_targets);
        free(n->collection);
        free(n->target);
    }
    free(j->names);
    for (size_t i = 0; i < j->n_lines; i++)
        free(j->lines[i].text);
    free(j->lines);
    mm_plan_free(&j->plan);
    mm_inventory_free(&j->inv);
    free(j->batches);
    free(j->collections);
    free(j->journal_path);
    free(j->state_dir);
    free(j->error);
    if (j->report) {
        mm_verify_report_free(j->report);
        free(j->report);
    }
    mm_config_free(&j->cfg);
    free(j->config_path);
    free(j->filter);
    pthread_mutex_destroy(&j->lock);
    mm_runjob_monitor_fini(j);
    free(j);
}

mm_runjob *mm_runjob_start(const mm_app *app, unsigned steps, mm_error *err)
{
    if (app->have_inventory && app->col_filter && !*app->col_filter) {
        mm_error_set(err, MM_ERR_USAGE, "no collection is selected: select at least one on the Preview screen (F2)");
        return NULL;
    }
    mm_runjob *j = calloc(1, sizeof *j);
    if (!j) {
        mm_error_set(err, MM_ERR_NOMEM, "wizard: out of memory");
        return NULL;
    }
    pthread_mutex_init(&j->lock, NULL);
    mm_runjob_monitor_init(j);
    mm_inventory_init(&j->inv);
    mm_config_init_defaults(&j->cfg);
    j->steps = steps;
    atomic_init(&j->cancel, false);
    atomic_init(&j->finished, false);
    atomic_init(&j->last_wake_ms, 0);
    j->config_path = mm_strdup(app->config_path);
    j->filter = app->col_filter ? mm_strdup(app->col_filter) : NULL;
    if (mm_config_copy(&j->cfg, &app->cfg, err) != 0 || !j->config_path || (app->col_filter && !j->filter) ||
        copy_names(j, app) != 0) {
        if (!err->message[0])
            mm_error_set(err, MM_ERR_NOMEM, "wizard: out of memory");
        free_job(j);
        return NULL;
    }
    if (pthread_create(&j->thread, NULL, job_thread, j) != 0) {
        mm_error_set(err, MM_ERR_INTERNAL, "wizard: could not start the job thread");
        free_job(j);
        return NULL;
    }
    return j;
}

void mm_runjob_cancel(mm_runjob *j)
{
    atomic_store(&j->cancel, true);
}

bool mm_runjob_cancelled(mm_runjob *j)
{
    return atomic_load(&j->cancel);
}

bool mm_runjob_finished(mm_runjob *j)
{
    return atomic_load_explicit(&j->finished, memory_order_acquire);
}

static double step_seconds(double t0, double t1)
{
    if (t0 <= 0)
        return 0;
    return (t1 > 0 ? t1 : mm_monotonic_seconds()) - t0;
}

bool mm_runjob_update(mm_runjob *j, mm_runjob_view *v, mm_log *log)
{
    pthread_mutex_lock(&j->lock);
    v->dump_seconds = step_seconds(j->dump_t0, j->dump_t1);
    v->load_seconds = step_seconds(j->load_t0, j->load_t1);
    if (v->version == j->version) {
        pthread_mutex_unlock(&j->lock);
        return false;
    }
    v->version = j->version;
    v->steps = j->steps;
    v->phase = j->phase;
    v->outcome = j->outcome;
    v->dump = j->dump;
    v->load = j->load;
    v->dump_started = j->dump_t0 > 0;
    v->load_started = j->have_load;
    if (j->plan_ready && !v->plan) {
        v->plan = &j->plan;
        v->batches = calloc(j->plan.n_batches ? j->plan.n_batches : 1, sizeof *v->batches);
        v->collections = calloc(j->plan.n_collections ? j->plan.n_collections : 1, sizeof *v->collections);
        if (!v->batches || !v->collections)
            abort();
        free(v->journal_path);
        v->journal_path = mm_strdup(j->journal_path);
    }
    if (v->plan && v->batches_version != j->batches_version) {
        memcpy(v->batches, j->batches, j->plan.n_batches * sizeof *v->batches);
        memcpy(v->collections, j->collections, j->plan.n_collections * sizeof *v->collections);
        v->batches_version = j->batches_version;
    }
    if (j->error && !v->error)
        v->error = mm_strdup(j->error);
    v->all_match = j->all_match;
    v->mismatches = j->mismatches;
    for (size_t i = 0; i < j->n_lines; i++) {
        mm_log_add(log, j->lines[i].role, "%s", j->lines[i].text);
        free(j->lines[i].text);
    }
    j->n_lines = 0;
    pthread_mutex_unlock(&j->lock);
    return true;
}

void mm_runjob_view_fini(mm_runjob_view *v)
{
    free(v->batches);
    free(v->collections);
    free(v->error);
    free(v->journal_path);
    memset(v, 0, sizeof *v);
}

mm_verify_report *mm_runjob_take_report(mm_runjob *j)
{
    if (!mm_runjob_finished(j))
        return NULL;
    pthread_mutex_lock(&j->lock);
    mm_verify_report *r = j->report;
    j->report = NULL;
    pthread_mutex_unlock(&j->lock);
    return r;
}

const char *mm_runjob_state_dir(mm_runjob *j)
{
    pthread_mutex_lock(&j->lock);
    const char *dir = j->state_dir;
    pthread_mutex_unlock(&j->lock);
    return dir;
}

void mm_runjob_free(mm_runjob *j)
{
    if (!j)
        return;
    mm_runjob_cancel(j);
    pthread_join(j->thread, NULL);
    free_job(j);
}
