#include "run_job.h"
#include "run_progress.h"

#include "base/strbuf.h"
#include "base/task.h"
#include "base/timeutil.h"
#include "job/job.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WAKE_MIN_MS = 50 };

typedef struct mm_runjob_names {
    char *collection, *target;
    char **tags, **partition_targets;
    size_t n_partitions;
} mm_runjob_names;

typedef struct mm_runjob_line {
    char *text;
    mm_role role;
} mm_runjob_line;

struct mm_runjob {
    /* Set before the task starts, then read-only. */
    unsigned steps;
    mm_config cfg;
    char *config_path;
    char *filter;               /* --col list, NULL = all */
    mm_runjob_names *names;
    size_t n_names;
    mm_task *task;              /* the UI thread's handle */
    mm_task *self;              /* the same, as the task itself knows it */
    bool restart;               /* discard the journal first (asked) */
    bool restarted;             /* it was discarded (under lock) */
    bool declined;              /* the losses were not confirmed (under lock) */
    mm_sink sink;               /* the job's: into the fields below */
    atomic_int_fast64_t last_wake_ms;

    pthread_mutex_t lock;       /* guards what follows */
    uint64_t version;
    mm_runjob_phase phase;
    mm_runjob_outcome outcome;
    mm_dump_progress dump;
    mm_load_progress load;
    bool have_load;
    double dump_t0, dump_t1, load_t0, load_t1;
    bool plan_ready;
    mm_plan plan;               /* immutable once plan_ready */
    mm_inventory inv;           /* what the plan points into, once the task ended */
    mm_monitor *monitor;        /* the journal's batches, once Milvus is connected */
    char *journal_path, *state_dir, *error;
    mm_verify_report *report;
    bool all_match;
    size_t mismatches;
    bool sampling;
    mm_verify_progress sample;   /* names not kept: see sample_where */
    char sample_where[256];
    mm_runjob_line *lines;
    size_t n_lines, cap_lines;
    /* What the run would lose, waiting for the user's answer (the job
     * thread waits on `answered` until answer is 0 or 1, or a cancel). */
    pthread_cond_t answered;
    char *question;
    uint64_t question_id;
    int answer;
};

/* ---- publishing (any thread) ---------------------------------------------------- */

/* Call with the lock held after changing published state. */
static void touch(mm_runjob *j)
{
    j->version++;
}

/* Call without the lock: wakes the UI unless it was woken very recently. */
static void wake(mm_runjob *j, bool always)
{
    int64_t now = (int64_t)(mm_monotonic_seconds() * 1000);
    int64_t last = atomic_load(&j->last_wake_ms);
    if (always || now - last >= WAKE_MIN_MS) {
        atomic_store(&j->last_wake_ms, now);
        mm_tui_wake();
    }
}

static void log_line(mm_runjob *j, mm_role role, const char *text)
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
    touch(j);
    pthread_mutex_unlock(&j->lock);
    wake(j, false);
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
    touch(j);
    pthread_mutex_unlock(&j->lock);
    wake(j, true);
}

static void end_step(mm_runjob *j, double *t1)
{
    pthread_mutex_lock(&j->lock);
    *t1 = mm_monotonic_seconds();
    touch(j);
    pthread_mutex_unlock(&j->lock);
}

/* ---- the job's sink: the log pane and the progress bars ------------------------ */

static void on_message(void *ctx, mm_sink_level level, const char *step, const char *text)
{
    (void)step;
    mm_runjob *j = ctx;
    if (level != MM_SINK_WARNING) {
        log_line(j, MM_ROLE_NORMAL, text);
        return;
    }
    char *line = mm_asprintf("warning: %s", text);
    log_line(j, MM_ROLE_WARNING, line ? line : text);
    free(line);
}

static void on_dump(void *ctx, const mm_dump_progress *p)
{
    mm_runjob *j = ctx;
    pthread_mutex_lock(&j->lock);
    /* Workers report concurrently: keep the furthest snapshot. */
    if (p->rows_done >= j->dump.rows_done || p->segments_done >= j->dump.segments_done)
        j->dump = *p;
    touch(j);
    pthread_mutex_unlock(&j->lock);
    wake(j, false);
}

static void on_load(void *ctx, const mm_load_progress *p)
{
    mm_runjob *j = ctx;
    pthread_mutex_lock(&j->lock);
    j->load = *p;
    j->have_load = true;
    touch(j);
    pthread_mutex_unlock(&j->lock);
    wake(j, false);
}

static void on_verify(void *ctx, const mm_verify_progress *p)
{
    mm_runjob *j = ctx;
    pthread_mutex_lock(&j->lock);
    j->sampling = true;
    j->sample = *p;
    j->sample.collection = j->sample.partition = NULL;
    snprintf(j->sample_where, sizeof j->sample_where, "%s.%s", p->collection ? p->collection : "",
             p->partition ? p->partition : "");
    touch(j);
    pthread_mutex_unlock(&j->lock);
    wake(j, false);
}

static const mm_sink_ops wizard_sink = {
    .message = on_message, .dump_progress = on_dump, .load_progress = on_load, .verify_progress = on_verify,
};

/* ---- the journal monitor's callbacks --------------------------------------------- */

static bool monitor_loading(void *ctx)
{
    mm_runjob *j = ctx;
    pthread_mutex_lock(&j->lock);
    bool loading = j->phase == MM_RUNJOB_LOADING;
    pthread_mutex_unlock(&j->lock);
    return loading;
}

static void monitor_changed(void *ctx)
{
    mm_runjob *j = ctx;
    pthread_mutex_lock(&j->lock);
    touch(j);
    pthread_mutex_unlock(&j->lock);
    wake(j, false);
}

/* ---- the task ------------------------------------------------------------------------ */

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

/* The job's confirm (job.h), on the job thread: publishes the losses as a
 * question the Run screen asks in a dialog (default no), and waits for the
 * answer or a cancel. */
static int confirm_losses(void *ctx, const mm_findings *found, mm_error *err)
{
    mm_runjob *j = ctx;
    char *list = mm_findings_text(found, MM_FINDING_LOSS);
    if (!list)
        return mm_error_set(err, MM_ERR_NOMEM, "wizard: out of memory");
    for (size_t i = 0; i < found->n; i++)
        if (found->items[i].kind == MM_FINDING_LOSS) {
            char *logged = mm_asprintf("asking first, as the run would lose this: %s", found->items[i].text);
            log_line(j, MM_ROLE_WARNING, logged ? logged : found->items[i].text);
            free(logged);
        }
    pthread_mutex_lock(&j->lock);
    free(j->question);
    j->question = list;
    j->question_id++;
    j->answer = -1;
    touch(j);
    pthread_mutex_unlock(&j->lock);
    wake(j, true);
    pthread_mutex_lock(&j->lock);
    while (j->answer < 0 && !mm_task_cancelled(j->self))
        pthread_cond_wait(&j->answered, &j->lock);
    int answer = j->answer;
    j->declined = answer != 1;
    free(j->question);
    j->question = NULL;
    touch(j);
    pthread_mutex_unlock(&j->lock);
    if (answer == 1) {
        log_line(j, MM_ROLE_WARNING, "confirmed: the run goes on and loses what was listed");
        return 0;
    }
    return mm_error_set(err, MM_ERR_CANCELLED, "the run would lose what the log lists, and it was not confirmed");
}

static int open_job(mm_runjob *j, mm_job *job, mm_error *err)
{
    mm_job_options o = {
        .command = "wizard", .config_path = j->config_path, .cfg = &j->cfg, .collections = j->filter,
        .phases = j->steps & (MM_RUNJOB_LOAD | MM_RUNJOB_VERIFY) ? MM_CONFIG_PHASE_MILVUS : 0,
        .dumps = (j->steps & MM_RUNJOB_DUMP) != 0, .restart = j->restart,
        .confirm = confirm_losses, .confirm_ctx = j,
    };
    if (mm_job_open(job, &o, &j->sink, err) != 0)
        return -1;
    apply_names(j, &job->inv);
    mm_plan plan;
    mm_plan_limits limits = mm_plan_limits_of(&job->cfg);
    if (mm_plan_build(&plan, &job->inv, NULL, &limits, err) != 0)
        return -1;
    pthread_mutex_lock(&j->lock);
    j->plan = plan;
    j->plan_ready = true;
    j->journal_path = mm_strdup(mm_journal_path(job->journal));
    j->state_dir = mm_strdup(job->state_dir);
    touch(j);
    pthread_mutex_unlock(&j->lock);
    return 0;
}

static int connect_milvus(mm_runjob *j, mm_job *job, mm_milvus **milvus, mm_error *err)
{
    set_phase(j, MM_RUNJOB_CONNECTING);
    /* Connected before dumping: a wrong endpoint or password should not
     * cost the hours of a dump. The load step logs the connection. */
    return mm_job_milvus_connect(&job->cfg, milvus, err);
}

static void start_monitor(mm_runjob *j, mm_job *job, mm_milvus *milvus)
{
    mm_monitor_options o = {.plan = &j->plan, .journal = job->journal, .milvus = milvus,
                            .loading = monitor_loading, .changed = monitor_changed, .ctx = j};
    mm_monitor *m = mm_monitor_start(&o);
    pthread_mutex_lock(&j->lock);
    j->monitor = m;
    touch(j);
    pthread_mutex_unlock(&j->lock);
}

static int verify(mm_runjob *j, mm_job *job, mm_milvus *milvus, mm_error *err)
{
    set_phase(j, MM_RUNJOB_VERIFYING);
    mm_verify_report *r = calloc(1, sizeof *r);
    if (!r)
        return mm_error_set(err, MM_ERR_NOMEM, "wizard: out of memory");
    if (mm_job_verify(job, milvus, r, err) != 0) {
        mm_verify_report_free(r);
        free(r);
        return -1;
    }
    char *line = r->all_match ? mm_strdup("verified: all counts match")
                              : mm_asprintf("verified: %zu mismatch(es); the Verify screen shows them", r->mismatches);
    log_line(j, r->all_match ? MM_ROLE_OK : MM_ROLE_MISMATCH, line ? line : "");
    free(line);
    bool delete_staged = r->all_match && job->cfg.loader.delete_staged_files && (j->steps & MM_RUNJOB_LOAD);
    pthread_mutex_lock(&j->lock);
    j->report = r;
    j->all_match = r->all_match;
    j->mismatches = r->mismatches;
    touch(j);
    pthread_mutex_unlock(&j->lock);
    if (!delete_staged)
        return 0;
    set_phase(j, MM_RUNJOB_CLEANING);
    return mm_job_delete_staged(job, err);
}

static void finish(mm_runjob *j, int rc, const mm_error *err)
{
    pthread_mutex_lock(&j->lock);
    j->phase = MM_RUNJOB_DONE;
    if (rc != 0) {
        j->outcome = j->declined                                               ? MM_RUNJOB_DECLINED
                     : err->code == MM_ERR_CANCELLED || mm_task_cancelled(j->self) ? MM_RUNJOB_CANCELLED
                                                                                     : MM_RUNJOB_FAILED;
        j->error = mm_strdup(err->message);
    } else {
        j->outcome = j->report && !j->report->all_match ? MM_RUNJOB_MISMATCH : MM_RUNJOB_OK;
    }
    touch(j);
    pthread_mutex_unlock(&j->lock);
}

/* A cancel that arrives between two steps stops before the next one
 * changes anything (the load would create collections first). */
static int check_cancel(mm_runjob *j, const char *next, mm_error *err)
{
    if (!mm_task_cancelled(j->self))
        return 0;
    return mm_error_set(err, MM_ERR_CANCELLED, "cancelled before the %s started", next);
}

static void run(mm_task *task, void *arg)
{
    mm_runjob *j = arg;
    j->self = task;
    j->sink.cancel = mm_task_cancel_flag(task);
    mm_error err;
    mm_error_clear(&err);
    mm_job job;
    mm_milvus *milvus = NULL;
    int rc = open_job(j, &job, &err);
    if (rc == 0 && (j->steps & (MM_RUNJOB_LOAD | MM_RUNJOB_VERIFY)))
        rc = connect_milvus(j, &job, &milvus, &err);
    /* What exists in 2.x and what the run would lose, before any work
     * (a verification alone changes nothing). */
    if (rc == 0 && (j->steps & (MM_RUNJOB_DUMP | MM_RUNJOB_LOAD)))
        rc = mm_job_preflight(&job, milvus, NULL, &err);
    if (rc == 0 && j->restart) {
        pthread_mutex_lock(&j->lock);
        j->restarted = true;
        pthread_mutex_unlock(&j->lock);
    }
    if (rc == 0)
        start_monitor(j, &job, milvus);
    if (rc == 0 && (j->steps & MM_RUNJOB_DUMP)) {
        set_phase(j, MM_RUNJOB_DUMPING);
        rc = mm_job_dump(&job, &err);
        end_step(j, &j->dump_t1);
        mm_monitor_poll(j->monitor);
    }
    if (rc == 0 && (j->steps & MM_RUNJOB_LOAD))
        rc = check_cancel(j, "load", &err);
    if (rc == 0 && (j->steps & MM_RUNJOB_LOAD)) {
        set_phase(j, MM_RUNJOB_LOADING);
        rc = mm_job_load(&job, milvus, &err);
        end_step(j, &j->load_t1);
        mm_monitor_poll(j->monitor);
    }
    if (rc == 0 && (j->steps & MM_RUNJOB_VERIFY))
        rc = check_cancel(j, "verification", &err);
    if (rc == 0 && (j->steps & MM_RUNJOB_VERIFY))
        rc = verify(j, &job, milvus, &err);
    mm_monitor_stop(j->monitor);
    finish(j, rc, &err);
    mm_milvus_close(milvus);
    /* The plan points into the inventory: keep it until the job is freed. */
    pthread_mutex_lock(&j->lock);
    j->inv = job.inv;
    mm_inventory_init(&job.inv);
    pthread_mutex_unlock(&j->lock);
    mm_job_close(&job);
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
    mm_monitor_free(j->monitor);
    mm_plan_free(&j->plan);
    mm_inventory_free(&j->inv);
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
    free(j->question);
    pthread_cond_destroy(&j->answered);
    pthread_mutex_destroy(&j->lock);
    free(j);
}

mm_runjob *mm_runjob_start(const mm_app *app, unsigned steps, mm_error *err)
{
    if (app->have_inventory && app->col_filter && !*app->col_filter) {
        mm_error_set(err, MM_ERR_ARGUMENT, "no collection is selected: select at least one on the Preview screen (F2)");
        return NULL;
    }
    mm_runjob *j = calloc(1, sizeof *j);
    if (!j) {
        mm_error_set(err, MM_ERR_NOMEM, "wizard: out of memory");
        return NULL;
    }
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->answered, NULL);
    j->restart = app->restart;
    mm_inventory_init(&j->inv);
    mm_config_init_defaults(&j->cfg);
    j->steps = steps & ~MM_RUNJOB_LOAD_FOR_SAMPLE;
    j->sink = (mm_sink){.ops = &wizard_sink, .ctx = j};
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
    if (steps & MM_RUNJOB_LOAD_FOR_SAMPLE)
        j->cfg.verify.load_for_sample = true;
    /* Done wakes the UI at once: its result is ready to collect. */
    j->task = mm_task_start(run, j, mm_tui_wake, err);
    if (!j->task) {
        free_job(j);
        return NULL;
    }
    return j;
}

void mm_runjob_cancel(mm_runjob *j)
{
    mm_task_cancel(j->task);
    /* A question waiting for its answer ends with the cancel. */
    pthread_mutex_lock(&j->lock);
    pthread_cond_broadcast(&j->answered);
    pthread_mutex_unlock(&j->lock);
}

bool mm_runjob_restarted(mm_runjob *j)
{
    pthread_mutex_lock(&j->lock);
    bool r = j->restarted;
    pthread_mutex_unlock(&j->lock);
    return r;
}

char *mm_runjob_question(mm_runjob *j, uint64_t *id)
{
    pthread_mutex_lock(&j->lock);
    char *q = j->question && j->answer < 0 ? mm_strdup(j->question) : NULL;
    *id = j->question_id;
    pthread_mutex_unlock(&j->lock);
    return q;
}

void mm_runjob_answer(mm_runjob *j, uint64_t id, bool yes)
{
    pthread_mutex_lock(&j->lock);
    if (j->question && j->question_id == id && j->answer < 0) {
        j->answer = yes ? 1 : 0;
        pthread_cond_broadcast(&j->answered);
    }
    pthread_mutex_unlock(&j->lock);
}

bool mm_runjob_cancelled(mm_runjob *j)
{
    return mm_task_cancelled(j->task);
}

bool mm_runjob_finished(mm_runjob *j)
{
    return mm_task_done(j->task);
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
        v->batches_version++;
    }
    if (v->plan && j->monitor && mm_monitor_copy(j->monitor, &v->monitor_version, v->batches, v->collections))
        v->batches_version++;
    if (v->plan && j->monitor)
        mm_run_progress_agree(v);
    if (j->error && !v->error)
        v->error = mm_strdup(j->error);
    v->all_match = j->all_match;
    v->mismatches = j->mismatches;
    v->sampling = j->sampling;
    v->sample = j->sample;
    memcpy(v->sample_where, j->sample_where, sizeof v->sample_where);
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
    mm_task_join(j->task);
    free_job(j);
}
