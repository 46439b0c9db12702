/* Screen 3, Config: every migration.yaml key that matters under the chosen
 * modes, as a form generated from the key table (mm_config_keys), grouped
 * by section. Enter edits (toggles a boolean, cycles a choice), secrets
 * are masked, invalid values are refused with the engine's message; s
 * saves atomically with mode 0600, o opens another file. */
#include "screens.h"

#include "base/strbuf.h"
#include "config_form.h"
#include "tui/lineedit.h"
#include "tui/path_complete.h"

#include <stdlib.h>
#include <string.h>

typedef struct config_state {
    mm_config_form form;
    bool opening;            /* the "open file" prompt is shown */
    bool finding;            /* the "find key" prompt is shown */
    mm_lineedit edit;
    char *open_error;
} config_state;

static void close_open_prompt(config_state *st)
{
    if (st->opening || st->finding)
        mm_lineedit_fini(&st->edit);
    st->opening = st->finding = false;
    free(st->open_error);
    st->open_error = NULL;
}

static void config_init(mm_app *app, void *state)
{
    config_state *st = state;
    mm_config_form_init(&st->form, &app->cfg, NULL, 0);
}

static void config_enter(mm_app *app, void *state)
{
    config_state *st = state;
    mm_form_build(&st->form.form);
}

static void config_fini(mm_app *app, void *state)
{
    config_state *st = state;
    mm_config_form_fini(&st->form);
    close_open_prompt(st);
}

static bool config_capturing(mm_app *app, void *state)
{
    config_state *st = state;
    return st->opening || st->finding || mm_form_editing(&st->form.form);
}

static void save(mm_app *app)
{
    mm_error err;
    mm_error_clear(&err);
    if (mm_config_save_file(&app->cfg, app->config_path, &err) != 0) {
        mm_app_message(app, MM_ROLE_ERROR, "%s", err.message);
        return;
    }
    mm_app_mark_saved(app);
    mm_app_message(app, MM_ROLE_OK, "Saved %s (mode 0600)", app->config_path);
}

static void open_file(mm_app *app, config_state *st)
{
    char *path = mm_lineedit_text(&st->edit);
    mm_error err;
    mm_error_clear(&err);
    if (!*path || mm_app_open_config(app, path, MM_ROLE_OK, &err) != 0) {
        free(st->open_error);
        st->open_error = mm_strdup(*path ? err.message : "give the path of a migration.yaml");
        free(path);
        return;
    }
    free(path);
    close_open_prompt(st);
    mm_form_build(&st->form.form);
}

static unsigned config_action(mm_app *app, void *state, mm_action action, int key)
{
    config_state *st = state;
    if (st->finding) {
        if (action == MM_ACT_ACTIVATE) {
            char *text = mm_lineedit_text(&st->edit);
            if (*text && !mm_form_find(&st->form.form, text))
                mm_app_message(app, MM_ROLE_WARNING, "No key name contains '%s'", text);
            free(text);
            close_open_prompt(st);
        } else if (action == MM_ACT_CANCEL) {
            close_open_prompt(st);
        } else {
            mm_lineedit_key(&st->edit, key, action);
        }
        return MM_TUI_REDRAW;
    }
    if (st->opening) {
        if (action == MM_ACT_CANCEL) {
            close_open_prompt(st);
        } else if (action == MM_ACT_ACTIVATE) {
            open_file(app, st);
        } else if (action == MM_ACT_COMPLETE) {
            char *text = mm_lineedit_text(&st->edit), *choices = NULL;
            char *done = mm_path_complete(text, &choices);
            mm_lineedit_set_text(&st->edit, done);
            free(st->open_error);
            st->open_error = choices;
            free(done);
            free(text);
        } else {
            mm_lineedit_key(&st->edit, key, action);
        }
        return MM_TUI_REDRAW;
    }
    bool edits = action == MM_ACT_ACTIVATE || action == MM_ACT_TOGGLE || action == MM_ACT_RESET ||
                 action == MM_ACT_OPEN;
    if (edits && mm_app_read_only(app, "the configuration"))
        return MM_TUI_REDRAW;
    int r = mm_form_on_key(&st->form.form, key, action);
    if (r != MM_FORM_IGNORED)
        return MM_TUI_REDRAW;
    switch (action) {
    case MM_ACT_SAVE: save(app); return MM_TUI_REDRAW;
    case MM_ACT_FILTER:
        mm_lineedit_init(&st->edit, "", MM_MASK_NONE, NULL);
        st->finding = true;
        return MM_TUI_REDRAW;
    case MM_ACT_OPEN:
        mm_lineedit_init(&st->edit, app->config_path, MM_MASK_NONE, NULL);
        st->opening = true;
        if (mm_app_dirty(app))
            mm_app_message(app, MM_ROLE_WARNING, "Opening another file discards the unsaved changes");
        return MM_TUI_REDRAW;
    default: return MM_TUI_NONE;
    }
}

static void config_draw(mm_app *app, void *state, const mm_rect *a)
{
    config_state *st = state;
    int x = a->x + 1, w = a->w - 2;
    bool running = mm_app_job_running(app);
    char *head = mm_asprintf("%s%s%s", app->config_path, mm_app_dirty(app) ? " (unsaved changes)" : "",
                             running ? "; read-only while the job runs (it uses its own copy)" : "");
    mm_draw_text_cut(a->y, x, w, head ? head : "", mm_theme_attr(running ? MM_ROLE_WARNING : MM_ROLE_SECTION), true);
    free(head);
    mm_rect form = {a->y + 2, x, a->h - 2, w};
    if (st->opening || st->finding) {
        int lw = mm_draw_text(a->y + 1, x, w, st->opening ? "Open: " : "Find key: ", mm_theme_attr(MM_ROLE_SECTION), false);
        mm_lineedit_draw(&st->edit, a->y + 1, x + lw, w - lw, mm_theme_attr(MM_ROLE_FIELD_EDIT));
        if (st->open_error) {
            int n = mm_draw_wrapped(a->y + 2, x, w, 3, st->open_error, mm_theme_attr(MM_ROLE_ERROR));
            form.y += n;
            form.h -= n;
        }
        int cy, cx;
        bool want = mm_draw_cursor_wanted(&cy, &cx);
        mm_form_draw(&st->form.form, &form);
        if (want)
            mm_draw_cursor_at(cy, cx);
        return;
    }
    mm_form_draw(&st->form.form, &form);
}

static bool config_offers(mm_app *app, void *state, mm_action action)
{
    config_state *st = state;
    if (action == MM_ACT_COMPLETE && st->opening)
        return true;
    if (action == MM_ACT_COMPLETE) {
        const mm_config_key *key = mm_form_current(&st->form.form);
        return mm_form_editing(&st->form.form) && key && key->type == MM_CFG_PATH;
    }
    if (action == MM_ACT_ACTIVATE || action == MM_ACT_TOGGLE || action == MM_ACT_RESET || action == MM_ACT_OPEN)
        return !mm_app_job_running(app) || mm_form_editing(&st->form.form);
    return true;
}

const mm_screen mm_screen_config = {
    .name = "config",
    .title = "Config",
    .state_size = sizeof(config_state),
    .init = config_init,
    .fini = config_fini,
    .enter = config_enter,
    .draw = config_draw,
    .on_action = config_action,
    .capturing = config_capturing,
    .offers = config_offers,
};
