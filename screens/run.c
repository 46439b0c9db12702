/* Screen 6, Run: dump, load and verify on worker threads (run_job.h), with
 * progress bars overall and per collection, the state of every import
 * batch, and a log pane. c cancels (after asking); a run that failed or
 * was cancelled shows why, and Enter resumes it from the journal. */
#include "screens.h"

#include "run_job.h"
#include "run_view.h"
#include "base/strbuf.h"
#include "tui/widget_log.h"
#include "tui/widget_table.h"

#include <stdlib.h>
#include <string.h>

enum { DIALOG_CANCEL = 1, DIALOG_LOSS = 2, LOG_CAPACITY = 500 };

typedef struct run_state {
    mm_runjob *job;
    mm_runjob_view view;
    mm_log log;
    mm_table batches;
    bool collected;          /* the finished job's report went to the app */
    uint64_t filled;         /* batches_version of the table rows */
    mm_runjob_phase filled_phase;
    int runs;
    uint64_t asked;          /* the job's question the dialog shows */
    bool log_focus;          /* list keys scroll the log */
    int log_rows;            /* the log pane's height as last drawn */
} run_state;

static void run_init(mm_app *app, void *state)
{
    run_state *st = state;
    mm_log_init(&st->log, LOG_CAPACITY);
    mm_run_view_table_init(&st->batches);
}

static void run_fini(mm_app *app, void *state)
{
    run_state *st = state;
    mm_runjob_free(st->job); /* cancels and joins a running job */
    mm_runjob_view_fini(&st->view);
    mm_log_fini(&st->log);
    mm_table_fini(&st->batches);
}

static bool run_running(mm_app *app, void *state)
{
    run_state *st = state;
    return st->job && !mm_runjob_finished(st->job);
}

static void start(mm_app *app, run_state *st)
{
    if (mm_app_job_running(app)) {
        mm_app_message(app, MM_ROLE_WARNING, "A job is already running; wait for it or cancel it (c)");
        return;
    }
    mm_error err;
    mm_error_clear(&err);
    mm_runjob *job = mm_runjob_start(app, MM_RUNJOB_DUMP | MM_RUNJOB_LOAD | MM_RUNJOB_VERIFY, &err);
    if (!job) {
        mm_app_message(app, MM_ROLE_ERROR, "%s", err.message);
        return;
    }
    mm_runjob_free(st->job);
    mm_runjob_view_fini(&st->view);
    mm_table_clear(&st->batches);
    st->batches.selected = st->batches.top = 0;
    st->filled = 0;
    st->job = job;
    st->collected = false;
    st->asked = 0;
    st->runs++;
    mm_log_add(&st->log, MM_ROLE_SECTION, "run %d: dump, load and verify with %s", st->runs, app->config_path);
    mm_app_message(app, MM_ROLE_STATUS, "Running: c cancels; the other screens stay usable");
}

/* Takes a finished job's verification into the app and says how it went. */
static void collect(mm_app *app, run_state *st)
{
    st->collected = true;
    /* What the open dialogs ask about is gone with the job. */
    int self = mm_app_screen_index(app, &mm_screen_run);
    mm_app_close_dialog(app, self, DIALOG_CANCEL);
    mm_app_close_dialog(app, self, DIALOG_LOSS);
    if (mm_runjob_restarted(st->job))
        app->restart = false;
    mm_verify_report *report = mm_runjob_take_report(st->job);
    if (report)
        mm_app_set_report(app, report, mm_runjob_state_dir(st->job));
    static const struct {
        mm_runjob_outcome outcome;
        mm_role role;
        const char *text;
    } outcomes[] = {
        {MM_RUNJOB_OK, MM_ROLE_OK, "Migrated and verified: all counts match (F7 shows the table)"},
        {MM_RUNJOB_MISMATCH, MM_ROLE_ERROR, "Migrated, but counts do not match: see the Verify screen (F7)"},
        {MM_RUNJOB_FAILED, MM_ROLE_ERROR, "The run failed: the cause is above; Enter resumes from the journal"},
        {MM_RUNJOB_CANCELLED, MM_ROLE_WARNING, "Cancelled: Enter resumes from the journal"},
        {MM_RUNJOB_DECLINED, MM_ROLE_STATUS, "Not confirmed: nothing was changed"},
    };
    bool begun = st->view.dump_started || st->view.load_started;
    for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
        if (outcomes[i].outcome == st->view.outcome)
            mm_app_message(app, outcomes[i].role, "%s",
                           outcomes[i].outcome == MM_RUNJOB_FAILED && !begun
                               ? "The run stopped before dumping anything: the cause is above; Enter runs it again"
                               : outcomes[i].text);
}

static unsigned run_tick(mm_app *app, void *state)
{
    run_state *st = state;
    if (!st->job)
        return MM_TUI_NONE;
    unsigned flags = MM_TUI_NONE;
    bool finished = mm_runjob_finished(st->job);
    if (mm_runjob_update(st->job, &st->view, &st->log))
        flags = MM_TUI_REDRAW;
    /* Refilling the rows allocates per batch: only when a row changed. */
    if (st->view.batches_version != st->filled || st->view.phase != st->filled_phase) {
        mm_run_view_table_fill(&st->batches, &st->view);
        st->filled = st->view.batches_version;
        st->filled_phase = st->view.phase;
    }
    uint64_t id = 0;
    char *question = finished ? NULL : mm_runjob_question(st->job, &id);
    if (question && id != st->asked) {
        st->asked = id;
        char *text = mm_asprintf("This run would lose what follows; nothing has been changed yet.\n%s\n"
                                 "Go on? (the default is No: the run stops here)", question);
        static const mm_dialog_button buttons[] = {{"Yes, lose it", 'y'}, {"No, stop", 'n'}, {NULL, 0}};
        mm_app_ask(app, DIALOG_LOSS, MM_ROLE_ERROR, "Confirm data loss", text ? text : question, buttons, 1);
        free(text);
        flags = MM_TUI_REDRAW;
    }
    free(question);
    if (finished && !st->collected) {
        collect(app, st);
        return MM_TUI_REDRAW;
    }
    /* Elapsed time and ETA move on their own while the job runs. */
    if (!finished && !app->deterministic)
        flags = MM_TUI_REDRAW;
    return flags;
}

static unsigned run_action(mm_app *app, void *state, mm_action action, int key)
{
    run_state *st = state;
    switch (action) {
    case MM_ACT_START:
        start(app, st);
        return MM_TUI_REDRAW;
    case MM_ACT_CANCEL:
        if (!run_running(app, st))
            return MM_TUI_NONE;
        if (mm_runjob_cancelled(st->job)) {
            mm_app_message(app, MM_ROLE_WARNING, "Already cancelling: waiting for the batches in progress");
            return MM_TUI_REDRAW;
        }
        static const mm_dialog_button buttons[] = {{"Cancel the job", 'y'}, {"Keep running", 'n'}, {NULL, 0}};
        mm_app_ask(app, DIALOG_CANCEL, MM_ROLE_WARNING, "Cancel",
                   "Stop the job? Batches in progress are finished or abandoned safely; every completed batch "
                   "is recorded in the journal, and Enter resumes from there without importing anything twice.",
                   buttons, 1);
        return MM_TUI_REDRAW;
    case MM_ACT_LOG_FOCUS:
        st->log_focus = !st->log_focus;
        return MM_TUI_REDRAW;
    default:
        if (st->log_focus ? mm_log_on_action(&st->log, action, st->log_rows)
                          : mm_table_on_action(&st->batches, action))
            return MM_TUI_REDRAW;
        return MM_TUI_NONE;
    }
}

/* The key hints offer what applies now: c only while a job runs, Enter
 * only when none does. */
static bool run_offers(mm_app *app, void *state, mm_action action)
{
    run_state *st = state;
    switch (action) {
    case MM_ACT_CANCEL: return run_running(app, st);
    case MM_ACT_START: return !run_running(app, st);
    case MM_ACT_LOG_FOCUS: return st->log.count > 0;
    default: return true;
    }
}

static unsigned run_dialog(mm_app *app, void *state, int id, int button)
{
    run_state *st = state;
    if (id == DIALOG_LOSS && run_running(app, st)) {
        mm_runjob_answer(st->job, st->asked, button == 0);
        mm_app_message(app, button == 0 ? MM_ROLE_WARNING : MM_ROLE_STATUS, "%s",
                       button == 0 ? "Confirmed: the run goes on" : "Not confirmed: the run stops; nothing was changed");
        return MM_TUI_REDRAW;
    }
    if (id == DIALOG_CANCEL && button == 0 && run_running(app, st)) {
        mm_runjob_cancel(st->job);
        mm_log_add(&st->log, MM_ROLE_WARNING, "cancelling: waiting for the batches in progress");
        mm_app_message(app, MM_ROLE_WARNING, "Cancelling...");
    }
    return MM_TUI_REDRAW;
}

static void run_draw(mm_app *app, void *state, const mm_rect *a)
{
    run_state *st = state;
    st->log_rows = mm_run_view_draw(app, &st->view, st->job != NULL, st->job && mm_runjob_cancelled(st->job),
                                    &st->batches, &st->log, st->log_focus, a);
}

const mm_screen mm_screen_run = {
    .name = "run",
    .title = "Run",
    .state_size = sizeof(run_state),
    .init = run_init,
    .fini = run_fini,
    .draw = run_draw,
    .on_action = run_action,
    .on_tick = run_tick,
    .on_dialog = run_dialog,
    .running = run_running,
    .offers = run_offers,
};
