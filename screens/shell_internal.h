/* Shared by the shell's files: app.c (the application state), shell.c
 * (running it), shell_input.c (keys, signals, clicks, navigation, the wizard's
 * own dialogs) and chrome.c (the tab bar, message line, key hints, the
 * too-small screen, the overlays). */
#ifndef MM_SCREENS_SHELL_INTERNAL_H
#define MM_SCREENS_SHELL_INTERNAL_H

#include "shell.h"

/* The smallest terminal the wizard draws on; below it a notice says so. */
enum { MM_SHELL_MIN_COLS = 80, MM_SHELL_MIN_LINES = 24 };

/* Frees what the app holds (the screens' states after their fini). */
void mm_app_fini(mm_app *app);
const mm_screen *mm_shell_screen(const mm_app *app);
void *mm_shell_state(const mm_app *app);
/* A text field of the current screen is open: keys go to it. */
bool mm_shell_capturing(mm_app *app);
bool mm_shell_too_small(void);

/* The loop's callbacks (loop.h). */
unsigned mm_shell_on_key(void *ctx, int key);
unsigned mm_shell_on_signal(void *ctx, int sig);
unsigned mm_shell_on_click(void *ctx, int y, int x, int button);
void mm_shell_draw(void *ctx);
/* Opened on a migration already begun (its journal records batches): asks
 * whether to continue or start over (app->restart). */
void mm_shell_ask_reopen(mm_app *app);
/* Closes the wizard's own questions about what is gone (a job that ended). */
unsigned mm_shell_tick_dialogs(mm_app *app);

/* The screen whose tab is drawn at column x of the tab bar, or -1. */
int mm_shell_tab_at(const mm_app *app, int x);
/* Rows the message line takes at the current width (1 to 3). */
int mm_shell_message_rows(const mm_app *app);

#endif
