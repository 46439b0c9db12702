/* The wizard's application state shared by the screens: the message line,
 * the configuration being edited, the source and its inventory, dialogs
 * (shell_internal.h says where the rest is). */
#include "shell_internal.h"

#include "base/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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

void mm_app_clear_message(mm_app *app)
{
    free(app->message);
    app->message = NULL;
    app->message_role = MM_ROLE_STATUS;
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

/* The keys that say where the 1.x source is and how it is read. */
static const char *const source_keys[] = {
    "meta.mode", "meta.sqliteFile", "meta.mysqlUrl", "meta.localFile", "source.mode", "source.local.tablesDir",
    "source.local.secondaryTablesDirs", "source.local.walDir", "source.allowUnflushed",
    "source.allowRunningServer", "source.missingDeletedDocsOk", "target.milvus2x.names", NULL,
};

char *mm_app_source_settings(const mm_app *app)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (const char *const *k = source_keys; *k; k++) {
        const mm_config_key *key = mm_config_find_key(*k);
        if (!key)
            continue;
        int len = mm_config_get_string(&app->cfg, key, NULL, 0);
        char *value = malloc((size_t)len + 1);
        if (value)
            mm_config_get_string(&app->cfg, key, value, (size_t)len + 1);
        mm_strbuf_appendf(&sb, "%s=%s\n", *k, value ? value : "");
        free(value);
    }
    return sb.data ? mm_strbuf_take(&sb) : mm_strdup("");
}

bool mm_app_source_stale(const mm_app *app)
{
    if (!app->have_inventory || !app->inventory_settings)
        return false;
    char *now = mm_app_source_settings(app);
    bool stale = !now || strcmp(now, app->inventory_settings) != 0;
    free(now);
    return stale;
}

bool mm_app_read_only(mm_app *app, const char *what)
{
    if (!mm_app_job_running(app))
        return false;
    mm_app_message(app, MM_ROLE_WARNING, "A job is running: %s stays as the job read it until the job ends "
                   "(c on the Run screen cancels it)", what);
    return true;
}

char *mm_app_warnings_text(const mm_app *app)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    if (app->source_alert && app->have_inventory)
        mm_strbuf_appendf(&sb, "Source checks\n  %s\n", app->source_alert);
    if (app->have_inventory && app->inv.n_warnings) {
        mm_strbuf_appendf(&sb, "%sThe 1.x inventory: %zu warning(s)\n", sb.len ? "\n" : "", app->inv.n_warnings);
        for (size_t i = 0; i < app->inv.n_warnings; i++)
            mm_strbuf_appendf(&sb, "  -\t%s\n", app->inv.warnings[i]);
    }
    return sb.len ? mm_strbuf_take(&sb) : (mm_strbuf_free(&sb), NULL);
}

void mm_app_show_warnings(mm_app *app)
{
    char *text = mm_app_warnings_text(app);
    if (!text) {
        mm_app_message(app, MM_ROLE_STATUS, app->have_inventory ? "No warning about the source"
                                                                : "No source connected yet: nothing to warn about");
        return;
    }
    mm_pager_open(&app->pager, "Every warning about the 1.x source", text);
    free(text);
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
    free(app->inventory_settings);
    app->inventory_settings = mm_app_source_settings(app);
    free(app->selected);
    app->selected = calloc(inv->n_collections ? inv->n_collections : 1, sizeof *app->selected);
    if (!app->selected)
        abort();
    for (size_t i = 0; i < inv->n_collections; i++)
        app->selected[i] = true;
    app->inventory_generation++;
    mm_app_update_filter(app);
}

void mm_app_clear_inventory(mm_app *app)
{
    free_source(app);
    app->have_inventory = false;
    free(app->inventory_settings);
    app->inventory_settings = NULL;
    free(app->selected);
    app->selected = NULL;
    free(app->col_filter);
    app->col_filter = NULL;
    mm_app_set_source_alert(app, MM_ROLE_STATUS, NULL);
    app->inventory_generation++;
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
                const mm_dialog_button *buttons, int default_button)
{
    mm_dialog_open(&app->dialog, id, role, title, message, buttons, default_button);
    app->dialog_owner = (int)app->current;
}

bool mm_app_close_dialog(mm_app *app, int owner, int id)
{
    if (!app->dialog.open || app->dialog_owner != owner || app->dialog.id != id)
        return false;
    mm_dialog_close(&app->dialog);
    return true;
}

int mm_app_screen_index(const mm_app *app, const mm_screen *screen)
{
    for (size_t i = 0; i < app->n_screens; i++)
        if (app->screens[i] == screen)
            return (int)i;
    return -1;
}

/* ---- the loop's view of the wizard ------------------------------------------------ */

const mm_screen *mm_shell_screen(const mm_app *app)
{
    return app->screens[app->current];
}

void *mm_shell_state(const mm_app *app)
{
    return app->states[app->current];
}

bool mm_shell_capturing(mm_app *app)
{
    const mm_screen *s = mm_shell_screen(app);
    return s->capturing && s->capturing(app, mm_shell_state(app));
}

void mm_app_fini(mm_app *app)
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
    free(app->inventory_settings);
    free(app->message);
    free(app->config_path);
    free(app->banner);
    free(app->history);
    mm_pager_close(&app->pager);
    mm_dialog_close(&app->dialog);
    mm_config_free(&app->cfg);
    mm_config_free(&app->saved);
}
