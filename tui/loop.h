/* The one event loop. It waits in poll() on the terminal and a wake pipe
 * (worker threads call mm_tui_wake after publishing progress), hands keys
 * to the client, asks it to tick while work runs, and repaints at most
 * 10 times a second. Clients never refresh the screen themselves: they
 * return what changed and the loop repaints.
 *
 * In a scripted session (script != NULL) keys come from the script instead
 * of the terminal, and each step waits until the client is idle. */
#ifndef MM_TUI_LOOP_H
#define MM_TUI_LOOP_H

#include "base/error.h"
#include "script.h"

#include <stdbool.h>

/* What a key or tick changed (bit set). */
enum {
    MM_TUI_NONE = 0,
    MM_TUI_REDRAW = 1u << 0,   /* repaint */
    MM_TUI_RELAYOUT = 1u << 1, /* size changed: clear and repaint everything */
    MM_TUI_SWITCH = 1u << 2,   /* the current screen changed (implies repaint) */
    MM_TUI_QUIT = 1u << 3,
};

typedef struct mm_loop_client {
    void *ctx;
    unsigned (*on_key)(void *ctx, int key);  /* key as in keymap.h; KEY_RESIZE comes as MM_KEY_FN */
    unsigned (*on_tick)(void *ctx);          /* poll background work */
    bool (*busy)(void *ctx);                 /* short background work: script steps wait for it */
    void (*draw)(void *ctx);                 /* the whole frame into stdscr */
    bool (*running)(void *ctx);              /* a long job: ticks go on, script steps do not wait
                                              * (wait-job does); may be NULL */
    /* SIGINT/SIGTERM/SIGHUP arrived: MM_TUI_QUIT ends the loop, anything
     * else means the client handled it (Ctrl-C asked a question) and the
     * next signal is caught again. NULL: every signal quits. */
    unsigned (*on_signal)(void *ctx, int sig);
    /* A mouse click (or wheel: button 4 up, 5 down) at screen row y,
     * column x; may be NULL. */
    unsigned (*on_click)(void *ctx, int y, int x, int button);
} mm_loop_client;

/* Creates the wake pipe; call before starting workers. */
int mm_loop_init(mm_error *err);
void mm_loop_fini(void);
/* Wakes the loop from any thread (async-signal-safe, never blocks). */
void mm_tui_wake(void);
/* Runs until the client quits, a signal arrives or the script ends.
 * Returns 0, or -1 with err set (a script step failed). */
int mm_loop_run(const mm_loop_client *client, mm_script *script, mm_error *err);

#endif
