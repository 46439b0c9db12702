/* Screen 1, Source: where the Milvus 1.x installation is. The user gives a
 * data directory (discovered with mm_discover, which fills the rest), a
 * meta.sqlite, a MySQL DSN or a meta.json, plus the tables and WAL
 * directories; every field is a migration.yaml key (meta.*,
 * source.local.*). "Test connection" opens the source, builds the
 * inventory and scans the segments on a worker thread, then shows the
 * counts or the exact error. */
#include "screens.h"

#include "cli/cli.h"
#include "tui/lineedit.h"
#include "tui/loop.h"
#include "source/discover.h"
#include "source/inventory_render.h"
#include "source/live_server.h"
#include "source/scan.h"
#include "source/target_names.h"
#include "source/wal_guard.h"
#include "base/strbuf.h"
#include "tui/widget_progress.h"
#include "tui/widget_table.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef enum { ROW_DATA_DIR, ROW_SQLITE, ROW_MYSQL, ROW_META_JSON, ROW_TABLES, ROW_WAL, ROW_TEST, ROW_COUNT } row_id;

static const struct row_def {
    const char *label;
    const char *key;        /* migration.yaml key edited by the row, NULL for none */
    const char *meta_mode;  /* meta.mode the row selects, NULL for none */
    const char *help;
} rows[ROW_COUNT] = {
    [ROW_DATA_DIR] = {"Data directory", NULL, NULL,
                      "The 1.x storage.path, its db/ directory or its server_config.yaml: the meta and "
                      "tables directories are found from it."},
    [ROW_SQLITE] = {"meta.sqlite", "meta.sqliteFile", "sqlite",
                    "The 1.x meta.sqlite; keep meta.sqlite-wal and -shm beside it. Opened read-only."},
    [ROW_MYSQL] = {"MySQL DSN", "meta.mysqlUrl", "mysql",
                   "user:pass@tcp(host:port)/db or mysql://user:pass@host:port/db; the password is "
                   "never shown."},
    [ROW_META_JSON] = {"meta.json", "meta.localFile", "local",
                       "A meta.json written by `milvus-migrate export` or the reference tool."},
    [ROW_TABLES] = {"Tables directory", "source.local.tablesDir", NULL,
                    "The 1.x db/tables directory (empty: next to the meta)."},
    [ROW_WAL] = {"WAL directory", "source.local.walDir", NULL,
                 "The 1.x WAL directory, checked for unflushed data (empty: discovered)."},
    [ROW_TEST] = {"Test connection", NULL, NULL,
                  "Opens the source read-only, applies the live-set rules and reads every segment."},
};

/* A test connection running on its own thread. The UI thread reads
 * `finished` (release/acquire) before touching anything else. */
typedef struct source_job {
    mm_config cfg;
    mm_source src;
    mm_inventory inv;
    mm_error err, scan_err, wal_err;
    int rc, scan_rc, wal_rc;
    mm_wal_guard wal;           /* when wal_rc is 0 */
    mm_live_server live;        /* a 1.x server still on the source */
    atomic_size_t done, total;
    atomic_bool finished, cancel;
    pthread_t thread;
} source_job;

typedef struct source_state {
    int row;
    bool editing;
    mm_lineedit edit;
    char *data_dir;
    char *note;             /* what discovery found, or why it failed */
    mm_role note_role;
    char *result;           /* outcome of the last test */
    mm_role result_role;
    source_job *job;
} source_state;

static const mm_config_key *row_key(row_id r)
{
    return rows[r].key ? mm_config_find_key(rows[r].key) : NULL;
}

static void set_text(char **slot, const char *text)
{
    free(*slot);
    *slot = mm_strdup(text);
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

/* ---- the worker ------------------------------------------------------------- */

static bool scan_progress(void *ctx, size_t done, size_t total)
{
    source_job *job = ctx;
    atomic_store(&job->total, total);
    atomic_store(&job->done, done);
    mm_tui_wake();
    return !atomic_load(&job->cancel);
}

static void *run_job(void *arg)
{
    source_job *job = arg;
    mm_source_spec spec;
    job->rc = -1;
    if (job->cfg.meta.mode == MM_META_UNSET) {
        mm_error_set(&job->err, MM_ERR_CONFIG, "test connection: no source chosen; give a data directory, a "
                     "meta.sqlite, a MySQL DSN or a meta.json first");
    } else if (mm_cli_source_spec_from_config(&job->cfg, &spec, &job->err) == 0 &&
               mm_source_open(&spec, &job->src, &job->err) == 0) {
        if (mm_inventory_build(&job->src.rows, &job->inv, &job->err) != 0 ||
            mm_target_names_apply(&job->inv, &job->cfg.target.milvus2x.names, "target.milvus2x.names",
                                  &job->err) != 0) {
            mm_inventory_free(&job->inv);
            mm_source_free(&job->src);
        } else {
            mm_scan_options opt = {
                .tables_dirs = (const char *const *)job->src.tables_dirs,
                .n_tables_dirs = job->src.n_tables_dirs,
                .missing_deleted_docs_ok = job->cfg.source.missing_deleted_docs_ok,
                .check_duplicate_ids = false,
                .progress = scan_progress,
                .progress_ctx = job,
            };
            job->scan_rc = mm_inventory_scan(&job->inv, &opt, &job->scan_err);
            job->wal_rc = mm_wal_guard_check(&job->src, &job->wal, &job->wal_err);
            mm_live_probe probe = {
                .storage_roots = (const char *const *)job->src.wal.roots, .n_storage_roots = job->src.wal.n_roots,
                .wal_dir = job->src.wal.dir,
                .sqlite_path = job->src.rows.kind == MM_META_KIND_SQLITE ? job->src.rows.origin : NULL,
            };
            if (mm_live_server_probe(&probe, &job->live, NULL) != 0)
                memset(&job->live, 0, sizeof job->live);
            job->rc = 0;
        }
    }
    atomic_store_explicit(&job->finished, true, memory_order_release);
    mm_tui_wake();
    return NULL;
}

static void start_test(mm_app *app, source_state *st)
{
    if (st->job)
        return;
    source_job *job = calloc(1, sizeof *job);
    if (!job)
        abort();
    mm_config_init_defaults(&job->cfg);
    mm_inventory_init(&job->inv);
    if (mm_config_copy(&job->cfg, &app->cfg, &job->err) != 0) {
        set_result(st, MM_ROLE_ERROR, job->err.message);
        mm_config_free(&job->cfg);
        free(job);
        return;
    }
    /* The Source screen only offers local segment files. */
    if (job->cfg.source.mode == MM_LOCATION_UNSET)
        job->cfg.source.mode = MM_LOCATION_LOCAL;
    atomic_init(&job->finished, false);
    atomic_init(&job->cancel, false);
    if (pthread_create(&job->thread, NULL, run_job, job) != 0) {
        set_result(st, MM_ROLE_ERROR, "test connection: could not start a thread");
        mm_config_free(&job->cfg);
        free(job);
        return;
    }
    st->job = job;
    set_result(st, MM_ROLE_STATUS, "Testing the connection...");
}

/* What the Plan screen must repeat before a run: a 1.x server still
 * running, data only in the WAL, or a WAL nobody could check. */
static char *source_alert(const source_job *job, bool brief, mm_role *role)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    *role = MM_ROLE_WARNING;
    if (job->wal_rc != 0) {
        mm_strbuf_appendf(&sb, "The WAL could not be checked: %s", job->wal_err.message);
        *role = MM_ROLE_ERROR;
    } else if (job->wal.status == MM_WAL_STATUS_UNFLUSHED) {
        mm_strbuf_appendf(&sb, "Unflushed data %s; the run stops unless source.allowUnflushed is set:",
                          job->wal.summary);
        for (size_t i = 0; i < job->wal.n_details; i++)
            mm_strbuf_appendf(&sb, "\n  %s", job->wal.details[i]);
        *role = MM_ROLE_ERROR;
    } else if (job->wal.warning && brief) {
        /* The Source screen said where it looked. */
        mm_strbuf_append(&sb, job->wal.status == MM_WAL_STATUS_NEVER_CHECKED
                                  ? "Warning: the 1.x WAL was never checked"
                                  : "Warning: no 1.x WAL was checked (none found, see the Source screen)");
        mm_strbuf_append(&sb, ": rows that exist only in the WAL, never flushed, would be missing in Milvus 2.x "
                              "without a word. Set source.local.walDir to the 1.x wal.path to have them checked.");
    } else if (job->wal.warning) {
        mm_strbuf_appendf(&sb, "Warning: %s.", job->wal.warning);
    }
    for (size_t i = 0; i < job->live.n_evidence; i++) {
        if (i == 0)
            mm_strbuf_appendf(&sb, "%sA Milvus 1.x server (or another program) still uses the installation; the "
                              "run refuses to start until it is stopped (or source.allowRunningServer is set):",
                              sb.len ? "\n" : "");
        mm_strbuf_appendf(&sb, "\n  %s", job->live.evidence[i]);
        *role = MM_ROLE_ERROR;
    }
    return sb.len ? mm_strbuf_take(&sb) : (mm_strbuf_free(&sb), NULL);
}

static void free_checks(source_job *job)
{
    if (job->wal_rc == 0)
        mm_wal_guard_free(&job->wal);
    mm_live_server_free(&job->live);
}

/* Takes the outcome of a finished job. */
static void finish_test(mm_app *app, source_state *st)
{
    source_job *job = st->job;
    st->job = NULL;
    pthread_join(job->thread, NULL);
    if (job->rc != 0) {
        set_result(st, MM_ROLE_ERROR, job->err.message);
        mm_app_message(app, MM_ROLE_ERROR, "Test connection failed");
        mm_config_free(&job->cfg);
        free(job);
        return;
    }
    mm_inventory_totals t;
    mm_inventory_totals_of(&job->inv, &t);
    char size[32];
    mm_format_bytes(t.bytes, size, sizeof size);
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_appendf(&sb, "Connected to %s (%s).\n%zu collection(s), %zu partition(s) besides _default, "
                      "%zu segment(s).\n%lld live row(s), %lld deleted, %s of vectors and ids.",
                      job->inv.origin ? job->inv.origin : "the source", job->inv.ddl_era ? job->inv.ddl_era : "?",
                      t.collections, t.partitions, t.segments, (long long)t.live, (long long)t.deleted, size);
    if (job->inv.n_warnings)
        mm_strbuf_appendf(&sb, "\n%zu warning(s): see the Preview screen.", job->inv.n_warnings);
    if (job->scan_rc != 0)
        mm_strbuf_appendf(&sb, "\nNot every segment could be read; first failure: %s", job->scan_err.message);
    if (job->wal_rc == 0 && job->wal.status != MM_WAL_STATUS_UNFLUSHED)
        mm_strbuf_appendf(&sb, "\nUnflushed data: %s.", job->wal.summary);
    mm_role alert_role;
    char *alert = source_alert(job, false, &alert_role);
    if (alert)
        mm_strbuf_appendf(&sb, "\n%s", alert);
    set_result(st, job->scan_rc != 0 || alert ? alert_role : MM_ROLE_OK, sb.data ? sb.data : "");
    mm_strbuf_free(&sb);
    free(alert);
    alert = source_alert(job, true, &alert_role);
    mm_app_set_source_alert(app, alert_role, alert);
    free(alert);
    free_checks(job);
    mm_app_set_inventory(app, &job->src, &job->inv);
    mm_app_message(app, MM_ROLE_OK, "Source connected: Tab shows the Preview");
    mm_config_free(&job->cfg);
    free(job);
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
    mm_install inst;
    mm_error err;
    mm_error_clear(&err);
    if (mm_discover(path, &inst, &err) != 0) {
        set_note(st, MM_ROLE_ERROR, err.message);
        return;
    }
    int rc = 0;
    if (inst.sqlite_path) {
        rc |= set_key(app, "meta.mode", "sqlite", &err);
        rc |= set_key(app, "meta.sqliteFile", inst.sqlite_path, &err);
    } else if (inst.mysql_uri) {
        rc |= set_key(app, "meta.mode", "mysql", &err);
        rc |= set_key(app, "meta.mysqlUrl", inst.mysql_uri, &err);
    }
    rc |= set_key(app, "source.mode", "local", &err);
    rc |= set_key(app, "source.local.tablesDir", inst.n_tables_dirs ? inst.tables_dirs[0] : "", &err);
    mm_strbuf secondary;
    mm_strbuf_init(&secondary);
    for (size_t i = 1; i < inst.n_tables_dirs; i++) {
        if (secondary.len)
            mm_strbuf_append(&secondary, ";");
        mm_strbuf_append(&secondary, inst.tables_dirs[i]);
    }
    rc |= set_key(app, "source.local.secondaryTablesDirs", secondary.data ? secondary.data : "", &err);
    rc |= set_key(app, "source.local.walDir", inst.wal_dir ? inst.wal_dir : "", &err);
    mm_strbuf_free(&secondary);
    if (rc != 0) {
        set_note(st, MM_ROLE_ERROR, err.message);
    } else {
        char *masked = inst.mysql_uri ? mm_config_mask_dsn(inst.mysql_uri) : NULL;
        char *note = mm_asprintf("Found Milvus %s: meta %s, %zu tables director%s, %s.",
                                 inst.version_hint ? inst.version_hint : "1.x",
                                 inst.sqlite_path ? inst.sqlite_path : masked ? masked : "?",
                                 inst.n_tables_dirs, inst.n_tables_dirs == 1 ? "y" : "ies",
                                 inst.wal_dir ? "a WAL directory" : "no WAL directory");
        set_note(st, MM_ROLE_OK, note);
        free(note);
        free(masked);
    }
    mm_install_free(&inst);
}

static void start_edit(mm_app *app, source_state *st)
{
    char *value = row_value(app, st, (row_id)st->row);
    mm_lineedit_init(&st->edit, value, st->row == ROW_MYSQL ? MM_MASK_DSN : MM_MASK_NONE);
    if (value)
        memset(value, 0, strlen(value));
    free(value);
    st->editing = true;
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
    } else if (mm_config_set_string(&app->cfg, row_key(r), text, &err) != 0) {
        set_note(st, MM_ROLE_ERROR, err.message);
        memset(text, 0, strlen(text));
        free(text);
        return; /* stay in the field so the value can be fixed */
    } else {
        set_note(st, MM_ROLE_STATUS, "");
        if (*text)
            use_kind(app, st, r);
    }
    memset(text, 0, strlen(text));
    free(text);
    mm_lineedit_fini(&st->edit);
    st->editing = false;
}

/* ---- callbacks ------------------------------------------------------------------ */

static void source_fini(mm_app *app, void *state)
{
    source_state *st = state;
    if (st->job) {
        atomic_store(&st->job->cancel, true);
        pthread_join(st->job->thread, NULL);
        if (st->job->rc == 0) {
            mm_inventory_free(&st->job->inv);
            mm_source_free(&st->job->src);
            free_checks(st->job);
        }
        mm_config_free(&st->job->cfg);
        free(st->job);
        st->job = NULL;
    }
    if (st->editing)
        mm_lineedit_fini(&st->edit);
    free(st->data_dir);
    free(st->note);
    free(st->result);
}

static bool source_capturing(mm_app *app, void *state)
{
    return ((source_state *)state)->editing;
}

static bool source_busy(mm_app *app, void *state)
{
    return ((source_state *)state)->job != NULL;
}

static unsigned source_tick(mm_app *app, void *state)
{
    source_state *st = state;
    if (!st->job)
        return MM_TUI_NONE;
    if (atomic_load_explicit(&st->job->finished, memory_order_acquire))
        finish_test(app, st);
    return MM_TUI_REDRAW;
}

static unsigned source_action(mm_app *app, void *state, mm_action action, int key)
{
    source_state *st = state;
    if (st->editing) {
        if (action == MM_ACT_ACTIVATE)
            commit_edit(app, st);
        else if (action == MM_ACT_CANCEL) {
            mm_lineedit_fini(&st->edit);
            st->editing = false;
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
    switch (action) {
    case MM_ACT_ACTIVATE:
        if (st->row == ROW_TEST)
            start_test(app, st);
        else
            start_edit(app, st);
        return MM_TUI_REDRAW;
    case MM_ACT_TOGGLE:
        use_kind(app, st, (row_id)st->row);
        return MM_TUI_REDRAW;
    case MM_ACT_TEST_SOURCE:
        start_test(app, st);
        return MM_TUI_REDRAW;
    default: return MM_TUI_NONE;
    }
}

static void source_draw(mm_app *app, void *state, const mm_rect *a)
{
    source_state *st = state;
    attr_t normal = mm_theme_attr(MM_ROLE_NORMAL);
    int y = a->y + 1, label_x = a->x + 2 + 6, value_x = label_x + 18, value_w = a->x + a->w - value_x - 1;
    mm_draw_text(y, a->x + 1, a->w - 1, "Where is the Milvus 1.x installation? (read-only: nothing is written there)",
                 mm_theme_attr(MM_ROLE_SECTION), true);
    y += 2;
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
        mm_draw_text(y, value_x, value_w, value ? value : "", cur ? attr : mm_theme_attr(MM_ROLE_FIELD), true);
        free(value);
    }
    y++;
    if (st->note && *st->note)
        y += mm_draw_wrapped(y, a->x + 2, a->w - 4, 3, st->note, mm_theme_attr(st->note_role)) + 1;
    if (st->job) {
        size_t done = atomic_load(&st->job->done), total = atomic_load(&st->job->total);
        mm_progress_draw(y, a->x + 2, a->w - 4 < 70 ? a->w - 4 : 70, done, total, "reading segments");
        y += 2;
    }
    int bottom = a->y + a->h - 2;
    if (st->result && y < bottom)
        mm_draw_wrapped(y, a->x + 2, a->w - 4, bottom - y, st->result, mm_theme_attr(st->result_role));
    mm_draw_wrapped(a->y + a->h - 2, a->x + 2, a->w - 4, 2, rows[st->row].help, mm_theme_attr(MM_ROLE_DIM));
}

const mm_screen mm_screen_source = {
    .name = "source",
    .title = "Source",
    .state_size = sizeof(source_state),
    .fini = source_fini,
    .draw = source_draw,
    .on_action = source_action,
    .capturing = source_capturing,
    .on_tick = source_tick,
    .busy = source_busy,
};
