/* Running the shell on the toolkit's loop: the wizard's options, the
 * terminal, the screens' ticks (shell_internal.h says where the rest is). */
#include "shell_internal.h"

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

static unsigned on_tick(void *ctx)
{
    mm_app *app = ctx;
    unsigned flags = 0;
    for (size_t i = 0; i < app->n_screens; i++)
        if (app->screens[i]->on_tick)
            flags |= app->screens[i]->on_tick(app, app->states[i]);
    return flags | mm_shell_tick_dialogs(app);
}

static bool busy(void *ctx)
{
    mm_app *app = ctx;
    for (size_t i = 0; i < app->n_screens; i++)
        if (app->screens[i]->busy && app->screens[i]->busy(app, app->states[i]))
            return true;
    return app->want_source_test;
}

static bool running(void *ctx)
{
    return mm_app_job_running(ctx);
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

static int start_terminal(const mm_wizard_options *opt, mm_error *err)
{
    const char *no_color = getenv("NO_COLOR"), *no_mouse = getenv("NO_MOUSE");
    /* NO_COLOR (https://no-color.org): set and not empty means no colour at
     * all, so curses is not even asked to start its colours. */
    bool want_colors = !(no_color && *no_color);
    mm_term_options topt = {.headless = opt->script_path != NULL,
                            .cols = opt->cols ? opt->cols : 100,
                            .lines = opt->lines ? opt->lines : 30,
                            .colors = want_colors,
                            .mouse = !(no_mouse && *no_mouse)};
    if (mm_term_start(&topt, err) != 0)
        return -1;
    bool colors = mm_term_has_colors();
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
    app.restart = opt->restart;
    app.banner = opt->banner ? mm_strdup(opt->banner) : NULL;
    if (load_config(&app, opt, err) != 0) {
        mm_app_fini(&app);
        mm_script_free(&script);
        return -1;
    }
    app.screens = screens;
    app.n_screens = n_screens;
    app.states = calloc(app.n_screens, sizeof *app.states);
    app.history = calloc(app.n_screens * 4 + 1, sizeof *app.history);
    for (size_t i = 0; app.states && i < app.n_screens; i++) {
        app.states[i] = calloc(1, app.screens[i]->state_size ? app.screens[i]->state_size : 1);
        if (!app.states[i])
            abort();
    }
    if (!app.states || !app.history)
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
        mm_shell_ask_reopen(&app);
        mm_loop_client client = {&app, mm_shell_on_key, on_tick, busy, mm_shell_draw, running, mm_shell_on_signal,
                                 mm_shell_on_click};
        rc = mm_loop_run(&client, opt->script_path ? &script : NULL, err) != 0 ? MM_WIZARD_SCRIPT_FAILED : 0;
        mm_term_stop();
        if (!opt->script_path && mm_app_job_running(&app))
            fprintf(stderr, "milvus-migrate wizard: stopping the running job after the batches in progress; "
                            "completed batches are recorded in the journal and the next run resumes from there\n");
    }
    mm_app_fini(&app);
    mm_loop_fini();
    mm_script_free(&script);
    mm_term_reraise();
    return rc;
}
