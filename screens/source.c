/* Screen 1, Source: where the Milvus 1.x installation is. The user gives a
 * data directory (discovered by the job layer, which fills the rest), a
 * meta.sqlite, a MySQL DSN or a meta.json, plus the tables and WAL
 * directories; every field is a migration.yaml key (meta.*,
 * source.local.*). f (or Space on Data directory) looks for installations
 * in the usual places and offers what it finds. "Test connection" opens
 * the source, builds the inventory and scans the segments on a task of its
 * own, then shows the counts or the exact error; a configuration that
 * names a source is tested as soon as the wizard opens. */
#include "screens.h"

#include "base/strbuf.h"
#include "base/task.h"
#include "job/source_check.h"
#include "source_find.h"
#include "tui/lineedit.h"
#include "tui/loop.h"
#include "tui/path_complete.h"
#include "tui/widget_progress.h"
#include "tui/widget_table.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef enum { ROW_DATA_DIR, ROW_SQLITE, ROW_MYSQL, ROW_META_JSON, ROW_TABLES, ROW_WAL, ROW_TEST, ROW_COUNT } row_id;

static const struct row_def {
    const char *label;
    const char *key;        /* migration.yaml key edited by the row, NULL for none */
    const char *meta_mode;  /* meta.mode the row selects, NULL for none */
    bool path;              /* holds a file or directory name: Tab completes it */
    const char *help;
} rows[ROW_COUNT] = {
    [ROW_DATA_DIR] = {"Data directory", NULL, NULL, true,
                      "The 1.x storage.path, its db/ directory or its server_config.yaml: the meta and "
                      "tables directories are found from it. Space or f looks in the usual places."},
    [ROW_SQLITE] = {"meta.sqlite", "meta.sqliteFile", "sqlite", true,
                    "The 1.x meta.sqlite; keep meta.sqlite-wal and -shm beside it. Opened read-only."},
    [ROW_MYSQL] = {"MySQL DSN", "meta.mysqlUrl", "mysql", false,
                   "user:pass@tcp(host:port)/db or mysql://user:pass@host:port/db; the password is "
                   "never shown."},
    [ROW_META_JSON] = {"meta.json", "meta.localFile", "local", true,
                       "A meta.json written by `milvus-migrate export` or the reference tool."},
    [ROW_TABLES] = {"Tables directory", "source.local.tablesDir", NULL, true,
                    "The 1.x db/tables directory (empty: next to the meta)."},
    [ROW_WAL] = {"WAL directory", "source.local.walDir", NULL, true,
                 "The 1.x WAL directory, checked for unflushed data (empty: discovered)."},
    [ROW_TEST] = {"Test connection", NULL, NULL, false,
                  "Opens the source read-only, applies the live-set rules and reads every segment."},
};

/* What discovery fills: cleared when the data directory they came from
 * gives way to one where nothing is found. */
static const char *const discovered_keys[] = {"meta.mode", "meta.sqliteFile", "meta.mysqlUrl", "source.local.tablesDir",
                                              "source.local.secondaryTablesDirs", "source.local.walDir", NULL};

/* A test connection on a task of its own, with a copy of the
 * configuration; the task publishes its scan progress in done/total. */
typedef struct source_test {
    mm_config cfg;
    mm_source_probe probe;      /* once the task is done */
    atomic_size_t done, total;
    mm_sink sink;
} source_test;

typedef struct source_state {
    int row;
    bool editing;
    mm_lineedit edit;
    char *data_dir;
    char *discovered_from;  /* the data directory the discovered keys came from */
    char *note;             /* what discovery or completion found, or why it failed */
    mm_role note_role;
    char *result;           /* outcome of the last test */
    mm_role result_role;
    char *result_settings;  /* the source settings it tested */
    source_test *test;
    mm_task *task;
    mm_source_find find;    /* the installations found in the usual places */
} source_state;

static const mm_config_key *row_key(row_id r)
{
    return rows[r].key ? mm_config_find_key(rows[r].key) : NULL;
}

static void set_text(char **slot, const char *text)
{
    free(*slot);
    *slot = text ? mm_strdup(text) : NULL;
}

static void set_note(source_state *st, mm_role role, const char *text)
{
    set_text(&st->note, text);
    st->note_role = role;
}

static void set_result(source_state *st, mm_role role, const char *text)
{
    set_text(&st->result, text);
    st->result_role = role;
}

static int set_key(mm_app *app, const char *name, const char *value, mm_error *err)
{
    return mm_config_set_string(&app->cfg, mm_config_find_key(name), value, err);
}

static bool source_configured(const mm_app *app)
{
    return app->cfg.meta.mode != MM_META_UNSET;
}

/* ---- the test ------------------------------------------------------------------ */

static void scan_progress(void *ctx, size_t done, size_t total)
{
    source_test *t = ctx;
    atomic_store(&t->total, total);
    atomic_store(&t->done, done);
    mm_tui_wake();
}

static const mm_sink_ops test_sink = {.scan_progress = scan_progress};

static void run_test(mm_task *task, void *arg)
{
    source_test *t = arg;
    t->sink = (mm_sink){.ops = &test_sink, .ctx = t, .cancel = mm_task_cancel_flag(task)};
    mm_source_probe_run(&t->cfg, &t->sink, &t->probe);
}

static void free_test(source_test *t)
{
    if (!t)
        return;
    mm_source_probe_free(&t->probe);
    mm_config_free(&t->cfg);
    free(t);
}

static void start_test(mm_app *app, source_state *st)
{
    if (st->task)
        return;
    source_test *t = calloc(1, sizeof *t);
    if (!t)
        abort();
    mm_config_init_defaults(&t->cfg);
    atomic_init(&t->done, 0);
    atomic_init(&t->total, 0);
    mm_error err;
    mm_error_clear(&err);
    if (mm_config_copy(&t->cfg, &app->cfg, &err) != 0) {
        set_result(st, MM_ROLE_ERROR, err.message);
        free_test(t);
        return;
    }
    st->task = mm_task_start(run_test, t, mm_tui_wake, &err);
    if (!st->task) {
        set_result(st, MM_ROLE_ERROR, "test connection: could not start a thread");
        free_test(t);
        return;
    }
    st->test = t;
    free(st->result_settings);
    st->result_settings = mm_app_source_settings(app);
    set_result(st, MM_ROLE_STATUS, "Testing the connection (read-only)...");
    mm_app_message(app, MM_ROLE_STATUS, "Testing the 1.x source, read-only...");
}

static mm_role role_of(mm_probe_severity severity)
{
    static const mm_role roles[] = {[MM_PROBE_OK] = MM_ROLE_OK, [MM_PROBE_WARNING] = MM_ROLE_WARNING,
                                    [MM_PROBE_ERROR] = MM_ROLE_ERROR};
    return roles[severity];
}

/* Takes the outcome of a finished test. */
static void finish_test(mm_app *app, source_state *st)
{
    mm_task_join(st->task);
    st->task = NULL;
    source_test *t = st->test;
    st->test = NULL;
    mm_probe_severity severity;
    char *result = mm_source_probe_result(&t->probe, &severity);
    set_result(st, role_of(severity), result ? result : "");
    free(result);
    if (t->probe.rc != 0) {
        /* What was read before describes no source these settings name. */
        mm_app_clear_inventory(app);
        mm_app_message(app, MM_ROLE_ERROR, "Test connection failed: %s", t->probe.err.message);
        free_test(t);
        return;
    }
    char *alert = mm_source_probe_alert(&t->probe, true, &severity);
    mm_app_set_source_alert(app, role_of(severity), alert);
    free(alert);
    /* The probe goes to the app, which keeps the source and its inventory. */
    mm_source_probe *kept = malloc(sizeof *kept);
    if (!kept)
        abort();
    *kept = t->probe;
    memset(&t->probe, 0, sizeof t->probe);
    t->probe.rc = -1; /* nothing left to free here */
    mm_app_set_inventory(app, kept);
    free(app->inventory_settings); /* what was tested, even if edited meanwhile */
    app->inventory_settings = st->result_settings ? mm_strdup(st->result_settings) : NULL;
    mm_app_message(app, MM_ROLE_OK, "Source connected: Tab shows the Preview");
    free_test(t);
}

/* ---- editing ------------------------------------------------------------------ */

static char *row_value(const mm_app *app, const source_state *st, row_id r)
{
    if (r == ROW_DATA_DIR)
        return mm_strdup(st->data_dir ? st->data_dir : "");
    const mm_config_key *key = row_key(r);
    if (!key)
        return mm_strdup("");
    int len = mm_config_get_string(&app->cfg, key, NULL, 0);
    char *text = malloc((size_t)len + 1);
    if (text)
        mm_config_get_string(&app->cfg, key, text, (size_t)len + 1);
    return text;
}

static void use_kind(mm_app *app, source_state *st, row_id r)
{
    mm_error err;
    mm_error_clear(&err);
    if (!rows[r].meta_mode)
        return;
    if (set_key(app, "meta.mode", rows[r].meta_mode, &err) != 0)
        set_note(st, MM_ROLE_ERROR, err.message);
    if (app->cfg.source.mode == MM_LOCATION_UNSET)
        set_key(app, "source.mode", "local", &err);
}

/* Fills meta.* and source.local.* from a data directory. */
static void discover(mm_app *app, source_state *st, const char *path)
{
    mm_error err;
    mm_error_clear(&err);
    char *note = NULL;
    if (mm_job_configure_source(&app->cfg, path, &note, &err) != 0) {
        if (st->discovered_from) {
            /* The paths shown came from another directory: they go, and the
             * note says where they came from. */
            for (const char *const *k = discovered_keys; *k; k++)
                mm_config_reset_key(&app->cfg, mm_config_find_key(*k));
            char *text = mm_asprintf("%s\nThe paths found earlier in %s were cleared.", err.message,
                                     st->discovered_from);
            set_note(st, MM_ROLE_ERROR, text ? text : err.message);
            free(text);
            set_text(&st->discovered_from, NULL);
        } else {
            set_note(st, MM_ROLE_ERROR, err.message);
        }
    } else {
        set_note(st, MM_ROLE_OK, note);
        set_text(&st->discovered_from, path);
    }
    free(note);
}

static void start_edit(mm_app *app, source_state *st)
{
    char *value = row_value(app, st, (row_id)st->row);
    mm_lineedit_init(&st->edit, value, st->row == ROW_MYSQL ? MM_MASK_SHAPE : MM_MASK_NONE,
                     st->row == ROW_MYSQL ? mm_config_mask_dsn : NULL);
    if (value)
        memset(value, 0, strlen(value));
    free(value);
    st->editing = true;
    set_note(st, MM_ROLE_STATUS, NULL);
}

static void commit_edit(mm_app *app, source_state *st)
{
    char *text = mm_lineedit_text(&st->edit);
    row_id r = (row_id)st->row;
    mm_error err;
    mm_error_clear(&err);
    if (r == ROW_DATA_DIR) {
        set_text(&st->data_dir, text);
        if (*text)
            discover(app, st, text);
        else
            set_note(st, MM_ROLE_STATUS, NULL);
    } else if (mm_config_set_string(&app->cfg, row_key(r), text, &err) != 0) {
        set_note(st, MM_ROLE_ERROR, err.message);
        memset(text, 0, strlen(text));
        free(text);
        return; /* stay in the field so the value can be fixed */
    } else {
        set_note(st, MM_ROLE_STATUS, NULL);
        if (*text)
            use_kind(app, st, r);
    }
    memset(text, 0, strlen(text));
    free(text);
    mm_lineedit_fini(&st->edit);
    st->editing = false;
}

static void complete(source_state *st)
{
    if (!rows[st->row].path)
        return;
    char *text = mm_lineedit_text(&st->edit);
    char *choices = NULL;
    char *done = mm_path_complete(text, &choices);
    mm_lineedit_set_text(&st->edit, done);
    set_note(st, MM_ROLE_STATUS, choices);
    free(choices);
    free(done);
    free(text);
}

/* ---- callbacks ------------------------------------------------------------------ */

static void source_init(mm_app *app, void *state)
{
    source_state *st = state;
    mm_source_find_init(&st->find);
    /* A configuration that names a source: read it at once (read-only), so
     * that Preview and Plan are filled without a visit here. */
    if (source_configured(app))
        start_test(app, st);
    else
        mm_source_find_start(&st->find);
}

static void source_fini(mm_app *app, void *state)
{
    source_state *st = state;
    if (st->task) {
        mm_task_cancel(st->task);
        mm_task_join(st->task);
        free_test(st->test);
        st->task = NULL;
        st->test = NULL;
    }
    mm_source_find_fini(&st->find);
    if (st->editing)
        mm_lineedit_fini(&st->edit);
    free(st->data_dir);
    free(st->discovered_from);
    free(st->note);
    free(st->result);
    free(st->result_settings);
}

static bool source_capturing(mm_app *app, void *state)
{
    source_state *st = state;
    return st->editing || mm_source_find_picking(&st->find);
}

static bool source_busy(mm_app *app, void *state)
{
    source_state *st = state;
    return st->task != NULL || mm_source_find_busy(&st->find);
}

static unsigned source_tick(mm_app *app, void *state)
{
    source_state *st = state;
    unsigned flags = mm_source_find_tick(&st->find) ? MM_TUI_REDRAW : MM_TUI_NONE;
    if (app->want_source_test && !st->task) {
        app->want_source_test = false;
        start_test(app, st);
        return MM_TUI_REDRAW;
    }
    if (!st->task)
        return flags;
    if (mm_task_done(st->task))
        finish_test(app, st);
    return MM_TUI_REDRAW;
}

/* The picked installation becomes the data directory. */
static void use_found(mm_app *app, source_state *st, const char *path)
{
    set_text(&st->data_dir, path);
    st->row = ROW_DATA_DIR;
    discover(app, st, path);
}

static unsigned source_action(mm_app *app, void *state, mm_action action, int key)
{
    source_state *st = state;
    if (mm_source_find_picking(&st->find)) {
        const char *picked = NULL;
        if (mm_source_find_on_action(&st->find, action, &picked) && picked) {
            char *path = mm_strdup(picked);
            mm_source_find_close(&st->find);
            use_found(app, st, path);
            free(path);
        }
        return MM_TUI_REDRAW;
    }
    if (st->editing) {
        if (action == MM_ACT_ACTIVATE) {
            commit_edit(app, st);
        } else if (action == MM_ACT_CANCEL) {
            mm_lineedit_fini(&st->edit);
            st->editing = false;
            set_note(st, MM_ROLE_STATUS, NULL);
        } else if (action == MM_ACT_COMPLETE) {
            complete(st);
        } else {
            mm_lineedit_key(&st->edit, key, action);
        }
        return MM_TUI_REDRAW;
    }
    long to = mm_list_move((size_t)st->row, ROW_COUNT, ROW_COUNT, action);
    if (to >= 0) {
        st->row = (int)to;
        return MM_TUI_REDRAW;
    }
    bool edits = action == MM_ACT_ACTIVATE || action == MM_ACT_TOGGLE || action == MM_ACT_FIND_INSTALLS;
    if (edits && !(action == MM_ACT_ACTIVATE && st->row == ROW_TEST) && mm_app_read_only(app, "the source"))
        return MM_TUI_REDRAW;
    switch (action) {
    case MM_ACT_ACTIVATE:
        if (st->row == ROW_TEST)
            start_test(app, st);
        else
            start_edit(app, st);
        return MM_TUI_REDRAW;
    case MM_ACT_TOGGLE:
        if (st->row == ROW_DATA_DIR)
            mm_source_find_start(&st->find);
        else
            use_kind(app, st, (row_id)st->row);
        return MM_TUI_REDRAW;
    case MM_ACT_FIND_INSTALLS:
        mm_source_find_start(&st->find);
        return MM_TUI_REDRAW;
    case MM_ACT_TEST_SOURCE:
        start_test(app, st);
        return MM_TUI_REDRAW;
    default: return MM_TUI_NONE;
    }
}

static bool source_offers(mm_app *app, void *state, mm_action action)
{
    source_state *st = state;
    if (action == MM_ACT_COMPLETE)
        return st->editing && rows[st->row].path;
    if (action == MM_ACT_TOGGLE)
        return rows[st->row].meta_mode != NULL;
    if (action == MM_ACT_ACTIVATE || action == MM_ACT_FIND_INSTALLS)
        return !mm_app_job_running(app) || (action == MM_ACT_ACTIVATE && st->row == ROW_TEST);
    return true;
}

static unsigned source_click(mm_app *app, void *state, int y, int x)
{
    (void)x;
    source_state *st = state;
    int first = 1 + 3; /* the area's top, the title, a blank line */
    int r = y - first;
    if (r >= ROW_TEST) /* the button stands one row apart */
        r--;
    if (r < 0 || r >= ROW_COUNT || st->editing)
        return MM_TUI_NONE;
    st->row = r;
    return MM_TUI_REDRAW;
}

static void draw_rows(mm_app *app, source_state *st, const mm_rect *a, int y)
{
    attr_t normal = mm_theme_attr(MM_ROLE_NORMAL);
    int label_x = a->x + 2 + 6, value_x = label_x + 18, value_w = a->x + a->w - value_x - 1;
    for (int r = 0; r < ROW_COUNT; r++, y++) {
        bool cur = r == st->row;
        attr_t attr = cur && !st->editing ? mm_theme_attr(MM_ROLE_SELECTED) : normal;
        if (r == ROW_TEST)
            y++; /* the button stands apart from the fields */
        mm_draw_text(y, a->x + 1, 1, cur ? ">" : "", attr, true);
        if (r == ROW_TEST) {
            mm_draw_text(y, label_x, 22, "[ Test connection ]", attr, false);
            continue;
        }
        const char *radio = "";
        if (rows[r].meta_mode) {
            char mode[16];
            mm_config_get_string(&app->cfg, mm_config_find_key("meta.mode"), mode, sizeof mode);
            radio = strcmp(mode, rows[r].meta_mode) == 0 ? "(*)" : "( )";
        }
        mm_draw_text(y, a->x + 3, 4, radio, attr, true);
        mm_draw_text(y, label_x, 18, rows[r].label, attr, true);
        if (cur && st->editing) {
            mm_lineedit_draw(&st->edit, y, value_x, value_w, mm_theme_attr(MM_ROLE_FIELD_EDIT));
            continue;
        }
        char *value = NULL;
        if (r == ROW_DATA_DIR)
            value = mm_strdup(st->data_dir ? st->data_dir : "");
        else if (mm_config_get_string(&app->cfg, row_key((row_id)r), NULL, 0) > 0)
            value = mm_config_get_display(&app->cfg, row_key((row_id)r)); /* DSN password masked */
        mm_draw_text_cut(y, value_x, value_w, value ? value : "", cur ? attr : mm_theme_attr(MM_ROLE_FIELD), true);
        free(value);
    }
}

static void source_draw(mm_app *app, void *state, const mm_rect *a)
{
    source_state *st = state;
    int x = a->x + 2, w = a->w - 4, bottom = a->y + a->h;
    mm_draw_text(a->y + 1, a->x + 1, a->w - 1, "Where is the Milvus 1.x installation? (read-only: nothing is written there)",
                 mm_theme_attr(MM_ROLE_SECTION), true);
    draw_rows(app, st, a, a->y + 3);
    int y = a->y + 3 + ROW_COUNT + 2;
    /* The help of the row, at the bottom; the demo's banner above it. */
    int help_lines = mm_wrapped_lines(w, rows[st->row].help);
    int help_y = bottom - help_lines;
    int banner_lines = app->banner ? mm_wrapped_lines(w, app->banner) : 0;
    int banner_y = help_y - (banner_lines ? banner_lines + 1 : 0);
    if (mm_source_find_picking(&st->find)) {
        mm_rect list = {y, a->x + 1, banner_y - y - 1, a->w - 2};
        mm_source_find_draw(&st->find, &list);
    } else {
        if (st->note && *st->note)
            y += mm_draw_wrapped(y, x, w, banner_y - y - 1, st->note, mm_theme_attr(st->note_role)) + 1;
        if (st->test) {
            size_t done = atomic_load(&st->test->done), total = atomic_load(&st->test->total);
            mm_progress_draw(y, x, w < 70 ? w : 70, done, total, "reading segments");
            y += 2;
        }
        char *now = st->result && !st->test ? mm_app_source_settings(app) : NULL;
        bool changed = now && st->result_settings && strcmp(now, st->result_settings) != 0;
        free(now);
        if (changed)
            y += mm_draw_wrapped(y, x, w, 2, "The source settings changed since this test: t tests them again.",
                                 mm_theme_attr(MM_ROLE_WARNING));
        if (st->result && y < banner_y - 1)
            mm_draw_wrapped(y, x, w, banner_y - 1 - y, st->result,
                            mm_theme_attr(changed ? MM_ROLE_DIM : st->result_role));
        if (!st->result && !st->test && !(st->note && *st->note))
            mm_source_find_draw_summary(&st->find, y, x, w);
    }
    if (banner_lines)
        mm_draw_wrapped(banner_y, x, w, banner_lines, app->banner, mm_theme_attr(MM_ROLE_SECTION));
    mm_draw_wrapped(help_y, x, w, help_lines, rows[st->row].help, mm_theme_attr(MM_ROLE_DIM));
}

const mm_screen mm_screen_source = {
    .name = "source",
    .title = "Source",
    .state_size = sizeof(source_state),
    .init = source_init,
    .fini = source_fini,
    .draw = source_draw,
    .on_action = source_action,
    .capturing = source_capturing,
    .on_tick = source_tick,
    .busy = source_busy,
    .offers = source_offers,
    .on_click = source_click,
};
