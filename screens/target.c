/* Screen 4, Target: where the NumPy files are staged (target.mode: a local
 * directory or a bucket, target.local.* / target.remote.*) and the Milvus
 * 2.x that imports them (target.milvus2x.*: endpoint, login, TLS,
 * database). The fields edit the same configuration as the Config screen.
 * t tests both on a worker thread and shows the exact error of each, then
 * what the pre-flight with the server found (the staging probe: does
 * Milvus read what is staged there). */
#include "screens.h"

#include "base/strbuf.h"
#include "base/task.h"
#include "config_form.h"
#include "job/target_check.h"

#include <stdlib.h>
#include <string.h>

enum { RESULT_LINES = 5 };

static const mm_config_form_entry fields[] = {
    {"Staging: where the dump writes the .npy files that Milvus imports", NULL},
    {NULL, "target.mode"},
    {NULL, "target.local.outputDir"},
    {NULL, "target.remote.cloud"},
    {NULL, "target.remote.endpoint"},
    {NULL, "target.remote.region"},
    {NULL, "target.remote.bucket"},
    {NULL, "target.remote.ak"},
    {NULL, "target.remote.sk"},
    {NULL, "target.remote.useSSL"},
    {NULL, "target.remote.useIAM"},
    {NULL, "target.remote.outputDir"},
    {"Milvus 2.x", NULL},
    {NULL, "target.milvus2x.endpoint"},
    {NULL, "target.milvus2x.username"},
    {NULL, "target.milvus2x.password"},
    {NULL, "target.milvus2x.database"},
    {NULL, "target.milvus2x.tls.enabled"},
    {NULL, "target.milvus2x.tls.caFile"},
    {NULL, "target.milvus2x.tls.certFile"},
    {NULL, "target.milvus2x.tls.keyFile"},
    {NULL, "target.milvus2x.tls.serverName"},
};

/* A test on a task of its own, on a copy of the configuration: the UI
 * goes on editing its own. */
typedef struct target_test {
    mm_config cfg;
    char *config_path;
    mm_target_report report;    /* once the task is done */
} target_test;

typedef struct target_state {
    mm_config_form form;
    target_test *test;
    mm_task *task;
    char *staging, *milvus;     /* the last results */
    char *findings;             /* the pre-flight's, or NULL */
    mm_role staging_role, milvus_role, findings_role;
    char *tested;               /* the settings they are about (settings_text) */
} target_state;

/* The fields' values as one string: results of a test belong to them. */
static char *settings_text(const mm_app *app)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const mm_config_key *key = fields[i].key ? mm_config_find_key(fields[i].key) : NULL;
        if (!key)
            continue;
        int len = mm_config_get_string(&app->cfg, key, NULL, 0);
        char *value = malloc((size_t)len + 1);
        if (value)
            mm_config_get_string(&app->cfg, key, value, (size_t)len + 1);
        mm_strbuf_appendf(&sb, "%s=%s\n", fields[i].key, value ? value : "");
        if (value)
            memset(value, 0, strlen(value)); /* may be a password */
        free(value);
    }
    return sb.data ? mm_strbuf_take(&sb) : mm_strdup("");
}

static bool results_stale(const mm_app *app, const target_state *st)
{
    if (!st->tested || st->task)
        return false;
    char *now = settings_text(app);
    bool stale = !now || strcmp(now, st->tested) != 0;
    if (now)
        memset(now, 0, strlen(now));
    free(now);
    return stale;
}

static void forget_tested(target_state *st)
{
    if (st->tested)
        memset(st->tested, 0, strlen(st->tested));
    free(st->tested);
    st->tested = NULL;
}

static void target_init(mm_app *app, void *state)
{
    target_state *st = state;
    mm_config_form_init(&st->form, &app->cfg, fields, sizeof fields / sizeof fields[0]);
    st->form.form.help_lines = 2;
}

static void target_enter(mm_app *app, void *state)
{
    target_state *st = state;
    mm_form_build(&st->form.form);
}

static void free_test(target_test *t)
{
    if (!t)
        return;
    mm_target_report_free(&t->report);
    mm_config_free(&t->cfg);
    free(t->config_path);
    free(t);
}

static void target_fini(mm_app *app, void *state)
{
    target_state *st = state;
    mm_task_join(st->task);
    free_test(st->test);
    mm_config_form_fini(&st->form);
    free(st->staging);
    free(st->milvus);
    free(st->findings);
    forget_tested(st);
}

static bool target_capturing(mm_app *app, void *state)
{
    return mm_form_editing(&((target_state *)state)->form.form);
}

static bool target_busy(mm_app *app, void *state)
{
    return ((target_state *)state)->task != NULL;
}

static void run_test(mm_task *task, void *arg)
{
    (void)task;
    target_test *t = arg;
    mm_target_check(&t->cfg, t->config_path, &t->report);
}

static void start_check(mm_app *app, target_state *st)
{
    if (st->task)
        return;
    mm_error err;
    mm_error_clear(&err);
    target_test *t = calloc(1, sizeof *t);
    if (t) {
        mm_config_init_defaults(&t->cfg);
        t->config_path = mm_strdup(app->config_path);
    }
    if (!t || mm_config_copy(&t->cfg, &app->cfg, &err) != 0 ||
        !(st->task = mm_task_start(run_test, t, mm_tui_wake, &err))) {
        free_test(t);
        mm_app_message(app, MM_ROLE_ERROR, "Test: could not start a thread");
        return;
    }
    st->test = t;
    free(st->staging);
    free(st->milvus);
    free(st->findings);
    st->findings = NULL;
    st->staging = mm_strdup("Staging: checking...");
    st->milvus = mm_strdup("Milvus 2.x: connecting...");
    st->staging_role = st->milvus_role = MM_ROLE_STATUS;
    forget_tested(st);
    st->tested = settings_text(app);
    mm_app_message(app, MM_ROLE_STATUS, "Testing the staging target and Milvus 2.x...");
}

/* The first item of a findings text ("- item\n- item"), without its dash. */
static const char *first_item(const char *findings)
{
    if (!findings)
        return "";
    return strncmp(findings, "- ", 2) == 0 ? findings + 2 : findings;
}

static unsigned target_tick(mm_app *app, void *state)
{
    target_state *st = state;
    if (!st->task || !mm_task_done(st->task))
        return st->task ? MM_TUI_REDRAW : MM_TUI_NONE;
    mm_task_join(st->task);
    st->task = NULL;
    mm_target_report *r = &st->test->report;
    free(st->staging);
    free(st->milvus);
    st->staging = r->staging;
    st->milvus = r->milvus;
    st->findings = r->findings;
    r->staging = r->milvus = r->findings = NULL;
    st->staging_role = r->staging_ok ? MM_ROLE_OK : MM_ROLE_ERROR;
    st->milvus_role = r->milvus_ok ? MM_ROLE_OK : MM_ROLE_ERROR;
    st->findings_role = r->findings_ok ? MM_ROLE_OK : MM_ROLE_ERROR;
    bool ok = r->staging_ok && r->milvus_ok && r->findings_ok;
    free_test(st->test);
    st->test = NULL;
    if (ok)
        mm_app_message(app, MM_ROLE_OK, "Target test passed: Tab shows the Plan");
    else if (st->staging_role == MM_ROLE_ERROR || st->milvus_role == MM_ROLE_ERROR)
        /* said in full, since the message stays when the screen changes */
        mm_app_message(app, MM_ROLE_ERROR, "Target test failed: %s",
                       st->staging_role == MM_ROLE_ERROR ? st->staging : st->milvus);
    else /* both reached: what the checks before a run found is the reason, its first item here */
        mm_app_message(app, MM_ROLE_ERROR, "Target test failed: the run would stop before anything is dumped: %.*s",
                       (int)strcspn(first_item(st->findings), "\n"), first_item(st->findings));
    return MM_TUI_REDRAW;
}

static unsigned target_action(mm_app *app, void *state, mm_action action, int key)
{
    target_state *st = state;
    bool editing = mm_form_editing(&st->form.form);
    if (!editing && action == MM_ACT_TEST_SOURCE) {
        start_check(app, st);
        return MM_TUI_REDRAW;
    }
    if (!editing && (action == MM_ACT_ACTIVATE || action == MM_ACT_TOGGLE || action == MM_ACT_RESET) &&
        mm_app_read_only(app, "the target"))
        return MM_TUI_REDRAW;
    int r = mm_form_on_key(&st->form.form, key, action);
    /* The test's verdict on the message line describes settings that are
     * gone: it goes with them. */
    if (r != MM_FORM_IGNORED && app->message && strncmp(app->message, "Target test ", 12) == 0 &&
        (st->staging || st->milvus) && results_stale(app, st))
        mm_app_message(app, MM_ROLE_STATUS, "The target settings changed since the last test: t tests them again");
    return r == MM_FORM_IGNORED ? MM_TUI_NONE : MM_TUI_REDRAW;
}

static bool target_offers(mm_app *app, void *state, mm_action action)
{
    target_state *st = state;
    if (action == MM_ACT_COMPLETE) {
        const mm_config_key *key = mm_form_current(&st->form.form);
        return mm_form_editing(&st->form.form) && key && key->type == MM_CFG_PATH;
    }
    if (action == MM_ACT_ACTIVATE || action == MM_ACT_TOGGLE || action == MM_ACT_RESET)
        return !mm_app_job_running(app) || mm_form_editing(&st->form.form);
    return true;
}

static void target_draw(mm_app *app, void *state, const mm_rect *a)
{
    target_state *st = state;
    int x = a->x + 1, w = a->w - 2;
    mm_draw_text(a->y, x, w, "Where do the NumPy files go, and which Milvus 2.x imports them?",
                 mm_theme_attr(MM_ROLE_SECTION), true);
    int result_y = a->y + a->h - RESULT_LINES;
    mm_rect form = {a->y + 2, x, result_y - 1 - (a->y + 2), w};
    mm_form_draw(&st->form.form, &form);
    if (!st->staging) {
        mm_draw_wrapped(result_y, x, w, RESULT_LINES, "Press t to test: the staging directory or bucket, then the "
                        "Milvus 2.x connection, login and server version.", mm_theme_attr(MM_ROLE_DIM));
        return;
    }
    bool stale = results_stale(app, st);
    int used = 0;
    if (stale)
        used = mm_draw_wrapped(result_y, x, w, 1, "The settings changed since this test: t tests them again.",
                               mm_theme_attr(MM_ROLE_WARNING));
    used += mm_draw_wrapped(result_y + used, x, w, RESULT_LINES - 1 - used, st->staging,
                            mm_theme_attr(stale ? MM_ROLE_DIM : st->staging_role));
    used += mm_draw_wrapped(result_y + used, x, w, RESULT_LINES - used, st->milvus,
                            mm_theme_attr(stale ? MM_ROLE_DIM : st->milvus_role));
    if (st->findings && used < RESULT_LINES)
        mm_draw_wrapped(result_y + used, x, w, RESULT_LINES - used, st->findings,
                        mm_theme_attr(stale ? MM_ROLE_DIM : st->findings_role));
}

const mm_screen mm_screen_target = {
    .name = "target",
    .title = "Target",
    .state_size = sizeof(target_state),
    .init = target_init,
    .fini = target_fini,
    .enter = target_enter,
    .draw = target_draw,
    .on_action = target_action,
    .capturing = target_capturing,
    .on_tick = target_tick,
    .busy = target_busy,
    .offers = target_offers,
};
