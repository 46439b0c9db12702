/* The wizard's frame around the current screen: the tab bar, the message
 * line (up to three rows when it needs them), the key hints (only keys that
 * do something now), the notice for a terminal that is too small, and the
 * overlays (the help or the warnings, a dialog). */
#include "shell_internal.h"

#include "base/strbuf.h"
#include "tui/theme.h"

#include <stdlib.h>
#include <string.h>

enum { MESSAGE_ROWS_MAX = 3 };

bool mm_shell_too_small(void)
{
    return COLS < MM_SHELL_MIN_COLS || LINES < MM_SHELL_MIN_LINES;
}

/* ---- the tab bar ------------------------------------------------------------------ */

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
    return sb.data ? mm_strbuf_take(&sb) : mm_strdup("");
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

static unsigned tab_parts(const mm_app *app)
{
    static const unsigned variants[] = {
        TABS_TITLE | TABS_FILE | TABS_THEME | TABS_NAMES, TABS_FILE | TABS_THEME | TABS_NAMES,
        TABS_THEME | TABS_NAMES, TABS_NAMES, 0,
    };
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++)
        if (tabs_width(app, variants[v]) <= COLS)
            return variants[v];
    return 0;
}

int mm_shell_tab_at(const mm_app *app, int x)
{
    unsigned parts = tab_parts(app);
    int at = parts & TABS_TITLE ? 16 : 0;
    for (size_t i = 0; i < app->n_screens; i++) {
        char *label = tab_label(app, i, parts);
        int w = label ? mm_text_width(label) : 0;
        free(label);
        if (x >= at && x < at + w)
            return (int)i;
        at += w;
    }
    return -1;
}

static void draw_tabs(mm_app *app)
{
    unsigned parts = tab_parts(app);
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

/* ---- the message line and the key hints ------------------------------------------- */

int mm_shell_message_rows(const mm_app *app)
{
    if (!app->message || !*app->message)
        return 1;
    int rows = mm_wrapped_lines(COLS, app->message);
    return rows < 1 ? 1 : rows > MESSAGE_ROWS_MAX ? MESSAGE_ROWS_MAX : rows;
}

static bool offers(void *ctx, const char *context, mm_action action)
{
    mm_app *app = ctx;
    const mm_screen *s = mm_shell_screen(app);
    if (strcmp(context, "global") == 0 || strcmp(context, "list") == 0 || !s->offers)
        return true;
    return s->offers(app, mm_shell_state(app), action);
}

static char *hints(mm_app *app)
{
    if (app->dialog.open)
        return mm_dialog_hints(&app->dialog);
    if (app->pager.open)
        return mm_strdup("Up/Down, PgUp/PgDn, Home/End scroll  Esc close");
    const mm_screen *s = mm_shell_screen(app);
    static const char *const ctx_edit[] = {"edit", NULL};
    const char *const ctx_screen[] = {s->name, "global", NULL};
    return mm_keymap_hints(mm_shell_capturing(app) ? ctx_edit : ctx_screen, offers, app);
}

/* ---- the frame ------------------------------------------------------------------------ */

static void draw_too_small(mm_app *app)
{
    char *msg = mm_asprintf("The terminal is %dx%d; the wizard needs at least %dx%d. Make the window larger, or "
                            "press q to quit.%s", COLS, LINES, MM_SHELL_MIN_COLS, MM_SHELL_MIN_LINES,
                            mm_app_job_running(app) ? " A job is running and goes on; its progress shows again "
                                                      "once the window is large enough." : "");
    mm_draw_wrapped(0, 0, COLS, LINES, msg ? msg : "", mm_theme_attr(MM_ROLE_ERROR));
    free(msg);
}

void mm_shell_draw(void *ctx)
{
    mm_app *app = ctx;
    if (mm_shell_too_small()) {
        draw_too_small(app);
        mm_dialog_draw(&app->dialog);
        return;
    }
    draw_tabs(app);
    int msg_rows = mm_shell_message_rows(app);
    mm_rect area = {1, 0, LINES - 2 - msg_rows, COLS};
    mm_draw_fill(&area, mm_theme_attr(MM_ROLE_NORMAL));
    mm_shell_screen(app)->draw(app, mm_shell_state(app), &area);
    mm_rect msg = {LINES - 1 - msg_rows, 0, msg_rows, COLS};
    mm_draw_fill(&msg, mm_theme_attr(app->message_role));
    mm_draw_wrapped(msg.y, 0, COLS, msg_rows, app->message ? app->message : "",
                    mm_theme_attr(app->message_role));
    char *keys = hints(app);
    char *line = mm_asprintf(" %s", keys ? keys : "");
    mm_draw_text_cut(LINES - 1, 0, COLS, line ? line : "", mm_theme_attr(MM_ROLE_KEY_HINT), true);
    free(line);
    free(keys);
    if (app->pager.open) {
        mm_draw_cursor_reset();
        mm_pager_draw(&app->pager);
    }
    if (app->dialog.open) {
        mm_draw_cursor_reset();
        mm_dialog_draw(&app->dialog);
    }
}
