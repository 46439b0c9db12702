/* The wizard's shell: application state shared by the screens, the screen
 * contract, the chrome (tab bar, message line, key hints, help overlay,
 * dialogs) and global navigation, run on the terminal toolkit's loop.
 *
 * A screen is a table of callbacks (mm_screen); the caller hands the shell
 * its list of screens (wizard.c, from screens.h). The shell allocates each screen's private state
 * (state_size bytes, zeroed), calls init once, enter/leave when it becomes
 * current or stops being current, draw for every frame, and on_action for
 * each key: action is the key's binding in the screen's context (its name),
 * then "list", then "global" — or in "edit" while capturing() says a text
 * field is open, in which case every key reaches the screen. A screen
 * returns MM_TUI_* flags; MM_TUI_NONE means "not mine" and the wizard then
 * applies the global binding (Tab, F-keys, ?, q, Esc). Screens never
 * refresh. offers() says which actions apply now, so the key hints never
 * offer one that would do nothing; on_click is a mouse click in the
 * screen's area.
 *
 * Background work comes in two kinds: busy() is short work a scripted
 * session waits for before each step (a connection test); running() is a
 * job (dump, load, verify) that goes on while the user, or a script, does
 * other things; quitting during a job asks first, and fini cancels and
 * joins it. on_tick is called for every screen, current or not. */
#ifndef MM_SCREENS_SHELL_H
#define MM_SCREENS_SHELL_H

#include "config/config.h"
#include "job/source_check.h"
#include "source/inventory.h"
#include "tui/draw.h"
#include "tui/keymap.h"
#include "tui/loop.h"
#include "tui/widget_dialog.h"
#include "tui/widget_pager.h"
#include "verify.h"
#include "wizard.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mm_app mm_app;

typedef struct mm_screen {
    const char *name;      /* keymap context; lower case ("source") */
    const char *title;     /* tab label ("Source") */
    size_t state_size;
    void (*init)(mm_app *app, void *state);        /* may be NULL */
    void (*fini)(mm_app *app, void *state);        /* may be NULL; joins its workers */
    void (*enter)(mm_app *app, void *state);       /* may be NULL */
    void (*leave)(mm_app *app, void *state);       /* may be NULL */
    void (*draw)(mm_app *app, void *state, const mm_rect *area);
    unsigned (*on_action)(mm_app *app, void *state, mm_action action, int key);
    bool (*capturing)(mm_app *app, void *state);   /* may be NULL: a text field is open */
    unsigned (*on_tick)(mm_app *app, void *state); /* may be NULL: poll its workers */
    bool (*busy)(mm_app *app, void *state);        /* may be NULL: work is running */
    /* A dialog the screen opened with mm_app_ask closed with `button`. */
    unsigned (*on_dialog)(mm_app *app, void *state, int id, int button);
    bool (*running)(mm_app *app, void *state);     /* may be NULL: a job is running */
    bool (*offers)(mm_app *app, void *state, mm_action action); /* may be NULL: every action applies */
    unsigned (*on_click)(mm_app *app, void *state, int y, int x); /* may be NULL */
} mm_screen;

struct mm_app {
    mm_config cfg;              /* the configuration being edited */
    mm_config saved;            /* as last loaded or saved; dirty = differs from cfg */
    char *config_path;          /* where `save` writes (default migration.yaml) */

    /* The 1.x source after a successful "Test connection". */
    bool have_inventory;
    char *inventory_settings;   /* the source settings it was read with (mm_app_source_settings) */
    bool want_source_test;      /* a screen asks the Source screen to test (read-only) */
    mm_source_probe *source;    /* what the test found; its inventory moved to inv */
    mm_inventory inv;
    uint64_t inventory_generation; /* bumped for each new inventory */
    bool *selected;             /* per inv.collections[i]: migrate it */
    char *col_filter;           /* "a,b" when not all are selected, else NULL */
    /* What the source checks of that test found that the user must see
     * before a run (no WAL checked, unflushed data, a 1.x server still
     * running), or NULL; shown by the Source and Plan screens. */
    char *source_alert;
    mm_role source_alert_role;

    /* The last verification (Run or Verify screen), owned; NULL before one. */
    mm_verify_report *report;
    char *report_state_dir;     /* the state.dir it was made with: report.json goes there */
    uint64_t report_generation; /* bumped for each new report */
    bool deterministic;         /* scripted session: durations, rates and ETAs drawn as "--" */
    /* The next run discards the journal first (--restart; asked again by the
     * run before anything is lost). */
    bool restart;
    char *banner;               /* the demo's: where its files and emulator are, or NULL */

    /* Chrome. */
    char *message;
    mm_role message_role;
    mm_dialog dialog;
    int dialog_owner;           /* screen index, or -1 for the wizard's own dialogs */
    mm_pager pager;             /* the help or the list of warnings */
    size_t *history;            /* screens shown before the current one (Esc goes back) */
    size_t n_history;

    const mm_screen *const *screens;
    size_t n_screens, current;
    void **states;
};

/* Sets the message line (wrapped over up to three lines; a new state of
 * the same thing replaces it, mm_app_clear_message drops it). */
void mm_app_message(mm_app *app, mm_role role, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void mm_app_clear_message(mm_app *app);
bool mm_app_dirty(const mm_app *app);
/* meta.* and source.* as they are now, as one string: an inventory read
 * with other settings no longer describes the source. malloc'd. */
char *mm_app_source_settings(const mm_app *app);
/* The source settings changed since the inventory was read. */
bool mm_app_source_stale(const mm_app *app);
/* While a job runs, the settings it copied stay as they are on screen:
 * returns true (and says so, naming `what`) when an edit must wait. */
bool mm_app_read_only(mm_app *app, const char *what);
/* Opens the list of every warning about the source (the source checks'
 * alert and the inventory's warnings). */
void mm_app_show_warnings(mm_app *app);
/* Every warning about the source, one per line "- ...", or NULL. malloc'd. */
char *mm_app_warnings_text(const mm_app *app);
/* Replaces the source and its inventory with what a test found (taking
 * ownership of the probe, whose inventory moves to app->inv), selects
 * every collection and bumps inventory_generation. */
void mm_app_set_inventory(mm_app *app, mm_source_probe *probe);
/* Forgets the source (a test failed: what was read describes no source
 * the settings name any more). */
void mm_app_clear_inventory(mm_app *app);
/* Replaces source_alert (text copied; NULL clears it). */
void mm_app_set_source_alert(mm_app *app, mm_role role, const char *text);
/* Recomputes col_filter from selected[]. */
void mm_app_update_filter(mm_app *app);
/* Opens a dialog owned by the current screen; its on_dialog gets the answer. */
void mm_app_ask(mm_app *app, int id, mm_role role, const char *title, const char *message,
                const mm_dialog_button *buttons, int default_button);
/* Closes the dialog if the screen `owner` (its index in the list) opened
 * it with id: what it asks about is gone (the job ended). */
bool mm_app_close_dialog(mm_app *app, int owner, int id);
/* The index of a screen in the list, or -1. */
int mm_app_screen_index(const mm_app *app, const mm_screen *screen);
/* Marks the configuration as saved (after a save or a load). */
void mm_app_mark_saved(mm_app *app);
/* Loads path as the configuration being edited (replacing it only when
 * the file is good), remembers it as saved and as where `save` writes,
 * and says so on the message line in `role` (with the first warning, if
 * any, as a warning). */
int mm_app_open_config(mm_app *app, const char *path, mm_role role, mm_error *err);
/* Replaces the last verification report (taking ownership; NULL clears). */
void mm_app_set_report(mm_app *app, mm_verify_report *report, const char *state_dir);
/* Whether any screen's job is running. */
bool mm_app_job_running(mm_app *app);

/* Runs the shell on the given screens (the first is shown first) with the
 * wizard's options; the outcome as mm_wizard_run. */
int mm_shell_run(const mm_wizard_options *opt, const mm_screen *const *screens, size_t n_screens, mm_error *err);

#endif
