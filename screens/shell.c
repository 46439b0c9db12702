#include "shell.h"

#include "base/strbuf.h"
#include "tui/loop.h"
#include "tui/script.h"
#include "tui/term.h"
#include "tui/theme.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MIN_COLS = 60, MIN_LINES = 16 };
enum { DIALOG_QUIT = 1, DIALOG_QUIT_JOB = 2 };

void mm_app_message(mm_app *app, mm_role role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = mm_vasprintf(fmt, ap);
    va_end(ap);
    free(app->message);
    app->message = text;
    app->message_role = role;
}

bool mm_app_dirty(const mm_app *app)
{
    return !mm_config_equal(&app->cfg, &app->saved);
}

void mm_app_mark_saved(mm_app *app)
{
    mm_error err;
    mm_config fresh;
    mm_config_init_defaults(&fresh);
    if (mm_config_copy(&fresh, &app->cfg, &err) == 0) {
        mm_config_free(&app->saved);
        app->saved = fresh;
    } else {
        mm_config_free(&fresh);
    }
}

int mm_app_open_config(mm_app *app, const char *path, mm_role role, mm_error *err)
{
    mm_config fresh;
    mm_config_init_defaults(&fresh);
    mm_config_warnings warn = {0};
    if (mm_config_load_file(path, &fresh, &warn, err) != 0) {
        mm_config_free(&fresh);
        mm_config_warnings_free(&warn);
        return -1;
    }
    mm_config_free(&app->cfg);
    app->cfg = fresh;
    mm_app_mark_saved(app);
    if (app->config_path != path) {
        free(app->config_path);
        app->config_path = mm_strdup(path);
    }
    if (warn.count)
        mm_app_message(app, MM_ROLE_WARNING, "Loaded %s with %zu warning(s): %s", path, warn.count, warn.items[0]);
    else
        mm_app_message(app, role, "Loaded %s", path);
    mm_config_warnings_free(&warn);
    return 0;
}

void mm_app_update_filter(mm_app *app)
{
    free(app->col_filter);
    app->col_filter = NULL;
    if (!app->have_inventory)
        return;
    bool all = true;
    for (size_t i = 0; i < app->inv.n_collections; i++)
        all = all && app->selected[i];
    if (all)
        return;
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (size_t i = 0; i < app->inv.n_collections; i++)
        if (app->selected[i]) {
            if (sb.len)
                mm_strbuf_append(&sb, ",");
            mm_strbuf_append(&sb, app->inv.collections[i].name);
        }
    app->col_filter = sb.data ? mm_strbuf_take(&sb) : mm_strdup("");
}

static void free_source(mm_app *app)
{
    if (!app->have_inventory)
        return;
    mm_inventory_free(&app->inv);
    mm_source_probe_free(app->source);
    free(app->source);
    app->source = NULL;
}

void mm_app_set_inventory(mm_app *app, mm_source_probe *probe)
{
    free_source(app);
    app->source = probe;
    app->inv = probe->inv;
    mm_inventory_init(&probe->inv);
    const mm_inventory *inv = &app->inv;
    app->have_inventory = true;
    free(app->selected);
    app->selected = calloc(inv->n_collections ? inv->n_collections : 1, sizeof *app->selected);
    if (!app->selected)
        abort();
    for (size_t i = 0; i < inv->n_collections; i++)
        app->selected[i] = true;
    app->inventory_generation++;
    mm_app_update_filter(app);
}

void mm_app_set_source_alert(mm_app *app, mm_role role, const char *text)
{
    free(app->source_alert);
    app->source_alert = mm_strdup(text);
    app->source_alert_role = role;
}

void mm_app_set_report(mm_app *app, mm_verify_report *report, const char *state_dir)
{
    if (app->report) {
        mm_verify_report_free(app->report);
        free(app->report);
    }
    free(app->report_state_dir);
    app->report = report;
    app->report_state_dir = report ? mm_strdup(state_dir) : NULL;
    app->report_generation++;
}

bool mm_app_job_running(mm_app *app)
{
    for (size_t i = 0; i < app->n_screens; i++)
        if (app->screens[i]->running && app->screens[i]->running(app, app->states[i]))
            return true;
    return false;
}

void mm_app_ask(mm_app *app, int id, mm_role role, const char *title, const char *message,
                const char *const *buttons, int default_button)
{
    mm_dialog_open(&app->dialog, id, role, title, message, buttons, default_button);
    app->dialog_owner = (int)app->current;
}

/* ---- navigation ----------------------------------------------------------- */

static const mm_screen *current_screen(const mm_app *app)
{
    return app->screens[app->current];
}

static void *current_state(const mm_app *app)
{
    return app->states[app->current];
}

static unsigned switch_to(mm_app *app, size_t index)
{
    if (index >= app->n_screens || index == app->current)
        return MM_TUI_NONE;
    const mm_screen *from = current_screen(app);
    if (from->leave)
        from->leave(app, current_state(app));
    app->current = index;
    const mm_screen *to = current_screen(app);
    if (to->enter)
        to->enter(app, current_state(app));
    return MM_TUI_SWITCH | MM_TUI_REDRAW;
}

static bool capturing(mm_app *app)
{
    const mm_screen *s = current_screen(app);
    return s->capturing && s->capturing(app, current_state(app));
}

static unsigned ask_quit_config(mm_app *app)
{
    if (!mm_app_dirty(app))
        return MM_TUI_QUIT;
    static const char *const buttons[] = {"Save and quit", "Quit without saving", "Cancel", NULL};
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
    static const char *const buttons[] = {"Stop the job and quit", "Keep running", NULL};
    mm_dialog_open(&app->dialog, DIALOG_QUIT_JOB, MM_ROLE_WARNING, "Quit",
                   "A job is running. Quitting stops it after the batches in progress; completed batches are "
                   "recorded in the journal and running it again resumes from there.", buttons, 1);
    app->dialog_owner = -1;
    return MM_TUI_REDRAW;
}

static unsigned on_quit_dialog(mm_app *app, int id, int button)
{
    if (id == DIALOG_QUIT_JOB)
        return button == 0 ? ask_quit_config(app) | MM_TUI_REDRAW : MM_TUI_REDRAW;
    if (button == 1)
        return MM_TUI_QUIT;
    if (button != 0)
        return MM_TUI_REDRAW;
    mm_error err;
    mm_error_clear(&err);
    if (mm_config_save_file(&app->cfg, app->config_path, &err) != 0) {
        mm_app_message(app, MM_ROLE_ERROR, "%s", err.message);
        return MM_TUI_REDRAW;
    }
    return MM_TUI_QUIT;
}

static unsigned global_action(mm_app *app, mm_action action)
{
    switch (action) {
    case MM_ACT_NEXT_SCREEN: return switch_to(app, (app->current + 1) % app->n_screens);
    case MM_ACT_PREV_SCREEN: return switch_to(app, (app->current + app->n_screens - 1) % app->n_screens);
    case MM_ACT_SCREEN_1: case MM_ACT_SCREEN_2: case MM_ACT_SCREEN_3: case MM_ACT_SCREEN_4:
    case MM_ACT_SCREEN_5: case MM_ACT_SCREEN_6: case MM_ACT_SCREEN_7:
        return switch_to(app, (size_t)(action - MM_ACT_SCREEN_1));
    case MM_ACT_HELP:
        app->help_open = true;
        app->help_scroll = 0;
        return MM_TUI_REDRAW;
    case MM_ACT_QUIT: return ask_quit(app);
    case MM_ACT_REDRAW: return MM_TUI_RELAYOUT;
    default: return MM_TUI_NONE;
    }
}

static unsigned on_key(void *ctx, int key)
{
    mm_app *app = ctx;
    if (key == MM_KEY_FN(KEY_RESIZE))
        return MM_TUI_RELAYOUT;
    if (app->dialog.open) {
        static const char *const ctx_dialog[] = {"dialog", NULL};
        int id = app->dialog.id, owner = app->dialog_owner;
        int button = mm_dialog_on_action(&app->dialog, mm_keymap_lookup(key, ctx_dialog));
        if (button < 0)
            return MM_TUI_REDRAW;
        if (owner < 0)
            return on_quit_dialog(app, id, button);
        const mm_screen *s = app->screens[owner];
        unsigned flags = s->on_dialog ? s->on_dialog(app, app->states[owner], id, button) : 0;
        return flags | MM_TUI_REDRAW;
    }
    if (app->help_open) {
        static const char *const ctx_help[] = {"help", "list", NULL};
        mm_action a = mm_keymap_lookup(key, ctx_help);
        if (a == MM_ACT_CANCEL)
            app->help_open = false;
        else if (a == MM_ACT_UP && app->help_scroll > 0)
            app->help_scroll--;
        else if (a == MM_ACT_DOWN)
            app->help_scroll++;
        else if (a == MM_ACT_PAGE_DOWN)
            app->help_scroll += LINES / 2;
        else if (a == MM_ACT_PAGE_UP)
            app->help_scroll = app->help_scroll > LINES / 2 ? app->help_scroll - LINES / 2 : 0;
        return MM_TUI_REDRAW;
    }
    const mm_screen *s = current_screen(app);
    if (capturing(app)) {
        static const char *const ctx_edit[] = {"edit", NULL};
        return s->on_action(app, current_state(app), mm_keymap_lookup(key, ctx_edit), key) | MM_TUI_REDRAW;
    }
    const char *const contexts[] = {s->name, "list", "global", NULL};
    mm_action action = mm_keymap_lookup(key, contexts);
    unsigned flags = s->on_action(app, current_state(app), action, key);
    if (flags == MM_TUI_NONE)
        flags = global_action(app, action);
    return flags;
}

static unsigned on_tick(void *ctx)
{
    mm_app *app = ctx;
    unsigned flags = 0;
    for (size_t i = 0; i < app->n_screens; i++)
        if (app->screens[i]->on_tick)
            flags |= app->screens[i]->on_tick(app, app->states[i]);
    return flags;
}

static bool busy(void *ctx)
{
    mm_app *app = ctx;
    for (size_t i = 0; i < app->n_screens; i++)
        if (app->screens[i]->busy && app->screens[i]->busy(app, app->states[i]))
            return true;
    return false;
}

static bool running(void *ctx)
{
    return mm_app_job_running(ctx);
}

/* ---- drawing ---------------------------------------------------------------- */

/* The tab bar drops what does not fit, least useful first: the program
 * name, the file name (the Config screen shows it), the theme, then the
 * titles of the other tabs. "[modified]" stays. */
enum { TABS_TITLE = 1, TABS_FILE = 2, TABS_THEME = 4, TABS_NAMES = 8 };

static char *tab_label(const mm_app *app, size_t i, unsigned parts)
{
    bool cur = i == app->current;
    if (!cur && !(parts & TABS_NAMES))
        return mm_asprintf(" %zu ", i + 1);
    return mm_asprintf(cur ? "[%zu %s]" : " %zu %s ", i + 1, app->screens[i]->title);
}

static char *tabs_right(const mm_app *app, unsigned parts)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    if (parts & TABS_FILE)
        mm_strbuf_appendf(&sb, " %s", app->config_path);
    if (mm_app_dirty(app))
        mm_strbuf_append(&sb, " [modified]");
    if (parts & TABS_THEME)
        mm_strbuf_appendf(&sb, "%s theme %s", sb.len ? " " : "", mm_theme_name());
    if (sb.len)
        mm_strbuf_append(&sb, " ");
    return mm_strbuf_take(&sb);
}

static int tabs_width(const mm_app *app, unsigned parts)
{
    int w = parts & TABS_TITLE ? 16 : 0;
    for (size_t i = 0; i < app->n_screens; i++) {
        char *label = tab_label(app, i, parts);
        w += mm_text_width(label ? label : "");
        free(label);
    }
    char *right = tabs_right(app, parts);
    w += mm_text_width(right ? right : "");
    free(right);
    return w;
}

static void draw_tabs(mm_app *app)
{
    static const unsigned variants[] = {
        TABS_TITLE | TABS_FILE | TABS_THEME | TABS_NAMES, TABS_FILE | TABS_THEME | TABS_NAMES,
        TABS_THEME | TABS_NAMES, TABS_NAMES, 0,
    };
    unsigned parts = 0;
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++)
        if (tabs_width(app, variants[v]) <= COLS) {
            parts = variants[v];
            break;
        }
    attr_t bar = mm_theme_attr(MM_ROLE_TITLE);
    mm_draw_text(0, 0, COLS, parts & TABS_TITLE ? " milvus-migrate " : "", bar, true);
    int x = parts & TABS_TITLE ? 16 : 0;
    for (size_t i = 0; i < app->n_screens; i++) {
        char *label = tab_label(app, i, parts);
        x += mm_draw_text(0, x, COLS - x, label ? label : "",
                          mm_theme_attr(i == app->current ? MM_ROLE_TAB_ACTIVE : MM_ROLE_TAB), false);
        free(label);
    }
    char *right = tabs_right(app, parts);
    int rw = right ? mm_text_width(right) : 0;
    if (rw && x + rw <= COLS)
        mm_draw_text(0, COLS - rw, rw, right, bar, false);
    free(right);
}

static void draw_help(mm_app *app)
{
    const mm_screen *s = current_screen(app);
    const char *const contexts[] = {s->name, "list", "global", NULL};
    char *text = mm_keymap_help_text(contexts);
    if (!text)
        return;
    int w = COLS - 8 < 86 ? COLS - 8 : 86, h = LINES - 4;
    mm_rect box = {2, (COLS - w) / 2, h, w};
    mm_draw_fill(&box, mm_theme_attr(MM_ROLE_DIALOG));
    mm_draw_box(&box, mm_theme_attr(MM_ROLE_BORDER));
    char *title = mm_asprintf(" Keys: %s screen ", s->title);
    mm_draw_text(box.y, box.x + 2, w - 4, title, mm_theme_attr(MM_ROLE_SECTION), false);
    free(title);
    int lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    int visible = h - 2;
    if (app->help_scroll > lines - visible)
        app->help_scroll = lines - visible > 0 ? lines - visible : 0;
    const char *p = text;
    for (int skip = app->help_scroll; skip > 0 && *p; p++)
        if (*p == '\n')
            skip--;
    for (int i = 0; i < visible && *p; i++) {
        size_t len = strcspn(p, "\n");
        char *line = strndup(p, len);
        bool heading = line && line[0] != ' ';
        if (line)
            mm_draw_text(box.y + 1 + i, box.x + 2, w - 4, line,
                         mm_theme_attr(heading ? MM_ROLE_SECTION : MM_ROLE_DIALOG), true);
        free(line);
        p += len + (p[len] == '\n');
    }
    if (lines > visible)
        mm_draw_text(box.y + h - 1, box.x + w - 12, 10, " more: j/k ", mm_theme_attr(MM_ROLE_BORDER), false);
    free(text);
}

static void draw(void *ctx)
{
    mm_app *app = ctx;
    if (COLS < MIN_COLS || LINES < MIN_LINES) {
        char *msg = mm_asprintf("Terminal too small: %dx%d, the wizard needs at least %dx%d.", COLS, LINES,
                                MIN_COLS, MIN_LINES);
        mm_draw_wrapped(0, 0, COLS, LINES, msg ? msg : "", mm_theme_attr(MM_ROLE_ERROR));
        free(msg);
        return;
    }
    draw_tabs(app);
    mm_rect area = {1, 0, LINES - 3, COLS};
    mm_draw_fill(&area, mm_theme_attr(MM_ROLE_NORMAL));
    current_screen(app)->draw(app, current_state(app), &area);
    mm_draw_text(LINES - 2, 0, COLS, app->message ? app->message : "", mm_theme_attr(app->message_role), true);
    const mm_screen *s = current_screen(app);
    const char *const ctx_screen[] = {s->name, "global", NULL};
    static const char *const ctx_edit[] = {"edit", NULL}, *const ctx_dialog[] = {"dialog", NULL},
                             *const ctx_help[] = {"help", NULL};
    const char *const *contexts = app->dialog.open ? ctx_dialog
                                  : app->help_open ? ctx_help
                                  : capturing(app) ? ctx_edit
                                                   : ctx_screen;
    char *hints = mm_keymap_hints(contexts);
    char *line = mm_asprintf(" %s", hints ? hints : "");
    mm_draw_text(LINES - 1, 0, COLS, line ? line : "", mm_theme_attr(MM_ROLE_KEY_HINT), true);
    free(line);
    free(hints);
    if (app->help_open) {
        mm_draw_cursor_reset();
        draw_help(app);
    }
    if (app->dialog.open) {
        mm_draw_cursor_reset();
        mm_dialog_draw(&app->dialog);
    }
}

/* ---- running ---------------------------------------------------------------- */

static int load_config(mm_app *app, const mm_wizard_options *opt, mm_error *err)
{
    mm_config_init_defaults(&app->cfg);
    mm_config_init_defaults(&app->saved);
    const char *path = opt->config_path ? opt->config_path : "migration.yaml";
    app->config_path = mm_strdup(path);
    struct stat st;
    if (stat(path, &st) != 0) {
        if (opt->config_path)
            mm_app_message(app, MM_ROLE_STATUS, "%s does not exist yet; s on the Config screen creates it", path);
        else
            mm_app_message(app, MM_ROLE_STATUS, "No migration.yaml here; starting from the defaults");
        return 0;
    }
    return mm_app_open_config(app, app->config_path, MM_ROLE_STATUS, err);
}

static void app_fini(mm_app *app)
{
    for (size_t i = 0; i < app->n_screens && app->states; i++) {
        if (app->screens[i]->fini)
            app->screens[i]->fini(app, app->states[i]);
        free(app->states[i]);
    }
    free(app->states);
    free_source(app);
    mm_app_set_report(app, NULL, NULL);
    free(app->selected);
    free(app->col_filter);
    free(app->source_alert);
    free(app->message);
    free(app->config_path);
    mm_dialog_close(&app->dialog);
    mm_config_free(&app->cfg);
    mm_config_free(&app->saved);
}

static int start_terminal(const mm_wizard_options *opt, mm_error *err)
{
    mm_term_options topt = {.headless = opt->script_path != NULL,
                            .cols = opt->cols ? opt->cols : 100,
                            .lines = opt->lines ? opt->lines : 30};
    if (mm_term_start(&topt, err) != 0)
        return -1;
    const char *no_color = getenv("NO_COLOR");
    bool colors = mm_term_has_colors() && !(no_color && *no_color);
    const char *theme = colors ? (opt->theme ? opt->theme : "default") : "mono";
    if (mm_theme_load(theme, colors, err) != 0) {
        /* Missing data files must not stop a migration: fall back to the
         * built-in monochrome attributes, but a wrong --theme is an error. */
        if (opt->theme && colors)
            return -1;
        mm_error_clear(err);
    }
    return 0;
}

int mm_shell_run(const mm_wizard_options *opt, const mm_screen *const *screens, size_t n_screens, mm_error *err)
{
    mm_error_clear(err);
    mm_script script;
    memset(&script, 0, sizeof script);
    if (opt->script_path && mm_script_load(&script, opt->script_path, opt->snapshot_dir, err) != 0) {
        err->code = MM_ERR_ARGUMENT; /* the --script given cannot be used */
        return -1;
    }
    mm_app app;
    memset(&app, 0, sizeof app);
    app.dialog_owner = -1;
    app.deterministic = opt->script_path != NULL;
    if (load_config(&app, opt, err) != 0) {
        app_fini(&app);
        mm_script_free(&script);
        return -1;
    }
    app.screens = screens;
    app.n_screens = n_screens;
    app.states = calloc(app.n_screens, sizeof *app.states);
    for (size_t i = 0; app.states && i < app.n_screens; i++) {
        app.states[i] = calloc(1, app.screens[i]->state_size ? app.screens[i]->state_size : 1);
        if (!app.states[i])
            abort();
    }
    if (!app.states)
        abort();
    int rc = 0;
    if (mm_loop_init(err) != 0 || start_terminal(opt, err) != 0) {
        mm_term_stop();
        rc = -1;
    } else {
        for (size_t i = 0; i < app.n_screens; i++)
            if (app.screens[i]->init)
                app.screens[i]->init(&app, app.states[i]);
        if (app.screens[0]->enter)
            app.screens[0]->enter(&app, app.states[0]);
        mm_loop_client client = {&app, on_key, on_tick, busy, draw, running};
        rc = mm_loop_run(&client, opt->script_path ? &script : NULL, err) != 0 ? MM_WIZARD_SCRIPT_FAILED : 0;
        mm_term_stop();
        if (!opt->script_path && mm_app_job_running(&app))
            fprintf(stderr, "milvus-migrate wizard: stopping the running job after the batches in progress; "
                            "completed batches are recorded in the journal and the next run resumes from there\n");
    }
    app_fini(&app);
    mm_loop_fini();
    mm_script_free(&script);
    mm_term_reraise();
    return rc;
}
