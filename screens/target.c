/* Screen 4, Target: where the NumPy files are staged (target.mode: a local
 * directory or a bucket, target.local.* / target.remote.*) and the Milvus
 * 2.x that imports them (target.milvus2x.*: endpoint, login, TLS,
 * database). The fields edit the same configuration as the Config screen.
 * t tests both on a worker thread and shows the exact error of each. */
#include "screens.h"

#include "base/strbuf.h"
#include "target_check.h"
#include "tui/widget_form.h"

#include <stdlib.h>
#include <string.h>

enum { RESULT_LINES = 5 };

static const mm_form_entry fields[] = {
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

typedef struct target_state {
    mm_form form;
    mm_target_check *check;
    char *staging, *milvus;     /* the last results */
    mm_role staging_role, milvus_role;
} target_state;

static void target_init(mm_app *app, void *state)
{
    target_state *st = state;
    mm_form_init(&st->form);
    mm_form_use_spec(&st->form, fields, sizeof fields / sizeof fields[0]);
    st->form.help_lines = 2;
}

static void target_enter(mm_app *app, void *state)
{
    target_state *st = state;
    mm_form_build(&st->form, &app->cfg);
}

static void target_fini(mm_app *app, void *state)
{
    target_state *st = state;
    mm_target_check_free(st->check);
    mm_form_fini(&st->form);
    free(st->staging);
    free(st->milvus);
}

static bool target_capturing(mm_app *app, void *state)
{
    return mm_form_editing(&((target_state *)state)->form);
}

static bool target_busy(mm_app *app, void *state)
{
    return ((target_state *)state)->check != NULL;
}

static void start_check(mm_app *app, target_state *st)
{
    if (st->check)
        return;
    st->check = mm_target_check_start(&app->cfg, app->config_path);
    if (!st->check) {
        mm_app_message(app, MM_ROLE_ERROR, "Test: could not start a thread");
        return;
    }
    free(st->staging);
    free(st->milvus);
    st->staging = mm_strdup("Staging: checking...");
    st->milvus = mm_strdup("Milvus 2.x: connecting...");
    st->staging_role = st->milvus_role = MM_ROLE_STATUS;
}

static unsigned target_tick(mm_app *app, void *state)
{
    target_state *st = state;
    if (!st->check || !mm_target_check_finished(st->check))
        return st->check ? MM_TUI_REDRAW : MM_TUI_NONE;
    free(st->staging);
    free(st->milvus);
    st->staging = st->check->staging;
    st->milvus = st->check->milvus;
    st->check->staging = st->check->milvus = NULL;
    st->staging_role = st->check->staging_role;
    st->milvus_role = st->check->milvus_role;
    bool ok = st->staging_role == MM_ROLE_OK && st->milvus_role == MM_ROLE_OK;
    mm_target_check_free(st->check);
    st->check = NULL;
    if (ok)
        mm_app_message(app, MM_ROLE_OK, "Target test passed: Tab shows the Plan");
    else
        mm_app_message(app, MM_ROLE_ERROR, "Target test failed: the message above says why");
    return MM_TUI_REDRAW;
}

static unsigned target_action(mm_app *app, void *state, mm_action action, int key)
{
    target_state *st = state;
    if (!mm_form_editing(&st->form) && action == MM_ACT_TEST_SOURCE) {
        start_check(app, st);
        return MM_TUI_REDRAW;
    }
    int r = mm_form_on_key(&st->form, &app->cfg, key, action);
    return r == MM_FORM_IGNORED ? MM_TUI_NONE : MM_TUI_REDRAW;
}

static void target_draw(mm_app *app, void *state, const mm_rect *a)
{
    target_state *st = state;
    int x = a->x + 1, w = a->w - 2;
    mm_draw_text(a->y, x, w, "Where do the NumPy files go, and which Milvus 2.x imports them?",
                 mm_theme_attr(MM_ROLE_SECTION), true);
    int result_y = a->y + a->h - RESULT_LINES;
    mm_rect form = {a->y + 2, x, result_y - 1 - (a->y + 2), w};
    mm_form_draw(&st->form, &app->cfg, &form);
    if (!st->staging) {
        mm_draw_wrapped(result_y, x, w, RESULT_LINES, "Press t to test: the staging directory or bucket, then the "
                        "Milvus 2.x connection, login and server version.", mm_theme_attr(MM_ROLE_DIM));
        return;
    }
    int used = mm_draw_wrapped(result_y, x, w, RESULT_LINES - 1, st->staging, mm_theme_attr(st->staging_role));
    mm_draw_wrapped(result_y + used, x, w, RESULT_LINES - used, st->milvus, mm_theme_attr(st->milvus_role));
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
};
