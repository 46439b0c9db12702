/* What the user does to the wizard as a whole: keys (to the overlay, the
 * dialog, the text field or the screen first, then the global ones),
 * Ctrl-C and the other quit signals, mouse clicks, going from screen to
 * screen and back, and quitting. */
#include "shell_internal.h"

#include "base/strbuf.h"
#include "job/job_status.h"
#include "tui/term.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

enum { DIALOG_QUIT = 1, DIALOG_QUIT_JOB = 2, DIALOG_REOPEN = 3, HISTORY_MAX_FACTOR = 4, WHEEL_ROWS = 3 };

/* ---- navigation ------------------------------------------------------------------ */

static unsigned show(mm_app *app, size_t index)
{
    const mm_screen *from = mm_shell_screen(app);
    if (from->leave)
        from->leave(app, mm_shell_state(app));
    app->current = index;
    const mm_screen *to = mm_shell_screen(app);
    if (to->enter)
        to->enter(app, mm_shell_state(app));
    return MM_TUI_SWITCH | MM_TUI_REDRAW;
}

/* Goes to a screen, remembering where the user came from. */
static unsigned switch_to(mm_app *app, size_t index)
{
    if (index >= app->n_screens || index == app->current)
        return MM_TUI_NONE;
    size_t cap = app->n_screens * HISTORY_MAX_FACTOR;
    if (app->n_history == cap) { /* forget the oldest */
        memmove(app->history, app->history + 1, (cap - 1) * sizeof *app->history);
        app->n_history--;
    }
    app->history[app->n_history++] = app->current;
    return show(app, index);
}

static unsigned go_back(mm_app *app)
{
    if (!app->n_history) {
        mm_app_message(app, MM_ROLE_STATUS, "Nothing to go back to: this is the first screen shown");
        return MM_TUI_REDRAW;
    }
    return show(app, app->history[--app->n_history]);
}

static unsigned dialog_key(mm_app *app, int key);

/* ---- quitting ---------------------------------------------------------------------- */

static unsigned ask_quit_config(mm_app *app)
{
    if (!mm_app_dirty(app))
        return MM_TUI_QUIT;
    static const mm_dialog_button buttons[] = {
        {"Save and quit", 's'}, {"Discard and quit", 'd'}, {"Cancel", 'n'}, {NULL, 0}};
    char *msg = mm_asprintf("The configuration has unsaved changes. Save them to %s before quitting?",
                            app->config_path);
    mm_dialog_open(&app->dialog, DIALOG_QUIT, MM_ROLE_WARNING, "Quit", msg ? msg : "", buttons, 0);
    app->dialog_owner = -1;
    free(msg);
    return MM_TUI_REDRAW;
}

/* A running job is cancelled (and joined) by its screen's fini once the
 * loop has ended; completed batches stay in the journal. */
static unsigned ask_quit(mm_app *app)
{
    if (!mm_app_job_running(app))
        return ask_quit_config(app);
    static const mm_dialog_button buttons[] = {{"Stop the job and quit", 'y'}, {"Keep running", 'n'}, {NULL, 0}};
    mm_dialog_open(&app->dialog, DIALOG_QUIT_JOB, MM_ROLE_WARNING, "Quit",
                   "A job is running. Quitting stops it after the batches in progress; completed batches are "
                   "recorded in the journal and running it again resumes from there.", buttons, 1);
    app->dialog_owner = -1;
    return MM_TUI_REDRAW;
}

/* ---- reopening a migration already begun ------------------------------------------ */

void mm_shell_ask_reopen(mm_app *app)
{
    mm_job_status status;
    mm_error err;
    mm_error_clear(&err);
    if (app->restart || mm_job_status_read(&app->cfg, &status, &err) != 0)
        return;
    if (status.begun) {
        char *where = mm_job_status_text(&status);
        char *msg = mm_asprintf("This migration has begun (journal %s): %s.\n\nContinue from where it stands, or "
                                "start over? Starting over discards the journal on the next run, which names what "
                                "that loses and asks again first.",
                                status.journal_path ? status.journal_path : "?", where ? where : "");
        static const mm_dialog_button buttons[] = {{"Start over", 'r'}, {"Continue", 'c'}, {NULL, 0}};
        mm_dialog_open(&app->dialog, DIALOG_REOPEN, MM_ROLE_STATUS, "Migration in progress", msg ? msg : "",
                       buttons, 1);
        app->dialog_owner = -1;
        free(msg);
        free(where);
    }
    mm_job_status_free(&status);
}

static unsigned on_reopen_dialog(mm_app *app, int button)
{
    app->restart = button == 0;
    if (app->restart)
        mm_app_message(app, MM_ROLE_WARNING, "Starting over: the next run (F6, Enter) discards the journal after "
                       "asking");
    else
        mm_app_message(app, MM_ROLE_STATUS, "Continuing: the next run (F6, Enter) resumes from the journal");
    return MM_TUI_REDRAW;
}

static unsigned on_quit_dialog(mm_app *app, int id, int button)
{
    if (id == DIALOG_REOPEN)
        return on_reopen_dialog(app, button);
    /* Not quitting: what the question said (a Ctrl-C's "quit?") is over. */
    if (id == DIALOG_QUIT_JOB && button != 0) {
        mm_app_message(app, MM_ROLE_STATUS, "The job keeps running");
        return MM_TUI_REDRAW;
    }
    if (id == DIALOG_QUIT_JOB)
        return ask_quit_config(app) | MM_TUI_REDRAW;
    if (button == 1)
        return MM_TUI_QUIT;
    if (button != 0) {
        mm_app_clear_message(app);
        return MM_TUI_REDRAW;
    }
    mm_error err;
    mm_error_clear(&err);
    if (mm_config_save_file(&app->cfg, app->config_path, &err) != 0) {
        mm_app_message(app, MM_ROLE_ERROR, "%s", err.message);
        return MM_TUI_REDRAW;
    }
    return MM_TUI_QUIT;
}

/* Ctrl-C is q: it asks when there is something to lose, and a second one
 * while the question is open quits (stopping a job the way q does).
 * SIGTERM and SIGHUP quit at once; the job is stopped the same way. */
unsigned mm_shell_on_signal(void *ctx, int sig)
{
    mm_app *app = ctx;
    if (sig != SIGINT)
        return MM_TUI_QUIT;
    if (app->dialog.open && app->dialog_owner < 0)
        return MM_TUI_QUIT;
    mm_pager_close(&app->pager);
    if (app->dialog.open) /* a screen's question: Ctrl-C answers it with its harmless button, as Esc would */
        dialog_key(app, MM_KEY_ESC);
    unsigned flags = ask_quit(app);
    if (!(flags & MM_TUI_QUIT))
        mm_app_message(app, MM_ROLE_WARNING, "Ctrl-C: quit? A second Ctrl-C quits at once");
    return flags;
}

/* The quit question about a running job outlives the job: it goes. */
unsigned mm_shell_tick_dialogs(mm_app *app)
{
    if (app->dialog.open && app->dialog_owner < 0 && app->dialog.id == DIALOG_QUIT_JOB && !mm_app_job_running(app)) {
        mm_dialog_close(&app->dialog);
        mm_app_message(app, MM_ROLE_STATUS, "The job ended while you were asked; q quits");
        return MM_TUI_REDRAW;
    }
    return MM_TUI_NONE;
}

/* ---- keys ---------------------------------------------------------------------------- */

static unsigned global_action(mm_app *app, mm_action action)
{
    switch (action) {
    case MM_ACT_NEXT_SCREEN: return switch_to(app, (app->current + 1) % app->n_screens);
    case MM_ACT_PREV_SCREEN: return switch_to(app, (app->current + app->n_screens - 1) % app->n_screens);
    case MM_ACT_SCREEN_1: case MM_ACT_SCREEN_2: case MM_ACT_SCREEN_3: case MM_ACT_SCREEN_4:
    case MM_ACT_SCREEN_5: case MM_ACT_SCREEN_6: case MM_ACT_SCREEN_7:
        return switch_to(app, (size_t)(action - MM_ACT_SCREEN_1));
    case MM_ACT_BACK: return go_back(app);
    case MM_ACT_HELP: {
        const mm_screen *s = mm_shell_screen(app);
        const char *const *all = mm_keymap_contexts();
        size_t n = 0;
        while (all[n])
            n++;
        const char **contexts = calloc(n + 2, sizeof *contexts);
        if (!contexts)
            return MM_TUI_NONE;
        contexts[0] = s->name;
        memcpy(contexts + 1, all, n * sizeof *contexts);
        char *keys = mm_keymap_help_text(contexts);
        free(contexts);
        char *title = mm_asprintf("Keys: the %s screen's first, then every other", s->title);
        char *text = app->banner ? mm_asprintf("%s\n\n%s", app->banner, keys ? keys : "") : NULL;
        mm_pager_open(&app->pager, title ? title : "Keys", text ? text : keys ? keys : "");
        free(text);
        free(title);
        free(keys);
        return MM_TUI_REDRAW;
    }
    case MM_ACT_QUIT: return ask_quit(app);
    case MM_ACT_REDRAW: return MM_TUI_RELAYOUT;
    case MM_ACT_MOUSE:
        mm_app_message(app, MM_ROLE_STATUS, "%s", mm_term_set_mouse(!mm_term_mouse())
                                                      ? "Mouse clicks on: click a tab or a row (M turns them off)"
                                                      : "Mouse clicks off: the terminal selects text again");
        return MM_TUI_REDRAW;
    default: return MM_TUI_NONE;
    }
}

static unsigned dialog_key(mm_app *app, int key)
{
    static const char *const ctx_dialog[] = {"dialog", NULL};
    int id = app->dialog.id, owner = app->dialog_owner;
    int button = mm_dialog_on_key(&app->dialog, key, mm_keymap_lookup(key, ctx_dialog));
    if (button < 0)
        return MM_TUI_REDRAW;
    if (owner < 0)
        return on_quit_dialog(app, id, button);
    const mm_screen *s = app->screens[owner];
    unsigned flags = s->on_dialog ? s->on_dialog(app, app->states[owner], id, button) : 0;
    return flags | MM_TUI_REDRAW;
}

unsigned mm_shell_on_key(void *ctx, int key)
{
    mm_app *app = ctx;
    if (key == MM_KEY_FN(KEY_RESIZE))
        return MM_TUI_RELAYOUT;
    if (app->dialog.open)
        return dialog_key(app, key);
    static const char *const ctx_global[] = {"global", NULL};
    if (mm_shell_too_small()) {
        /* Nothing can be seen: only quitting and redrawing work. */
        mm_action a = mm_keymap_lookup(key, ctx_global);
        return a == MM_ACT_QUIT || a == MM_ACT_REDRAW ? global_action(app, a) : MM_TUI_NONE;
    }
    if (app->pager.open) {
        static const char *const ctx_help[] = {"help", "list", NULL};
        mm_pager_on_action(&app->pager, mm_keymap_lookup(key, ctx_help));
        return MM_TUI_REDRAW;
    }
    const mm_screen *s = mm_shell_screen(app);
    if (mm_shell_capturing(app)) {
        static const char *const ctx_edit[] = {"edit", NULL};
        return s->on_action(app, mm_shell_state(app), mm_keymap_lookup(key, ctx_edit), key) | MM_TUI_REDRAW;
    }
    const char *const contexts[] = {s->name, "list", "global", NULL};
    mm_action action = mm_keymap_lookup(key, contexts);
    unsigned flags = s->on_action(app, mm_shell_state(app), action, key);
    /* Not the screen's: the key's meaning everywhere (Esc clears a filter
     * on Preview, else it goes back). */
    if (flags == MM_TUI_NONE)
        flags = global_action(app, mm_keymap_lookup(key, ctx_global));
    return flags;
}

/* ---- the mouse --------------------------------------------------------------------- */

unsigned mm_shell_on_click(void *ctx, int y, int x, int button)
{
    mm_app *app = ctx;
    if (app->dialog.open || mm_shell_too_small())
        return MM_TUI_NONE;
    mm_action wheel = button == 4 ? MM_ACT_UP : button == 5 ? MM_ACT_DOWN : MM_ACT_NONE;
    if (app->pager.open) {
        for (int i = 0; wheel != MM_ACT_NONE && i < WHEEL_ROWS; i++)
            mm_pager_on_action(&app->pager, wheel);
        return MM_TUI_REDRAW;
    }
    const mm_screen *s = mm_shell_screen(app);
    if (mm_shell_capturing(app))
        return MM_TUI_NONE;
    if (wheel != MM_ACT_NONE) {
        unsigned flags = 0;
        for (int i = 0; i < WHEEL_ROWS; i++)
            flags |= s->on_action(app, mm_shell_state(app), wheel, 0);
        return flags;
    }
    if (y == 0) {
        int tab = mm_shell_tab_at(app, x);
        return tab >= 0 ? switch_to(app, (size_t)tab) : MM_TUI_NONE;
    }
    return s->on_click ? s->on_click(app, mm_shell_state(app), y, x) : MM_TUI_NONE;
}
