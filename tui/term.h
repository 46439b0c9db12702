/* The one module that sets the terminal up and puts it back. Every exit
 * path goes through mm_term_stop: the normal return, errors, atexit, and
 * SIGINT/SIGTERM/SIGHUP (the handler only records the signal and wakes the
 * loop, which quits; a second signal restores the terminal at once and
 * re-raises). Fatal signals restore the terminal and re-raise.
 *
 * Headless mode (scripted sessions) runs curses on /dev/null for input and
 * output at a fixed size, so no tty is needed. */
#ifndef MM_TUI_TERM_H
#define MM_TUI_TERM_H

#include "base/error.h"

#include <stdbool.h>

typedef struct mm_term_options {
    bool headless;
    int cols, lines;       /* headless size */
    /* Colours wanted (false for NO_COLOR): without them curses never starts
     * its colour support, so not one colour escape reaches the terminal. */
    bool colors;
    bool mouse;            /* report mouse clicks (mm_term_set_mouse changes it later) */
} mm_term_options;

/* A terminal that cannot move its cursor (TERM=dumb, or a type whose
 * terminfo has no cursor addressing) is refused with MM_ERR_ARGUMENT
 * rather than drawn blank. */
int mm_term_start(const mm_term_options *opt, mm_error *err);
/* Idempotent. Replays what was written to stderr while curses was up. */
void mm_term_stop(void);
bool mm_term_active(void);
bool mm_term_headless(void);
bool mm_term_has_colors(void);
/* Headless: sets the size (the scripted `resize`); a terminal resizes itself. */
void mm_term_resize(int cols, int lines);
/* SIGINT/SIGTERM/SIGHUP received since start, or 0. */
int mm_term_caught_signal(void);
/* The caller handled the caught signal (Ctrl-C opened a question): the
 * next one is caught again instead of ending the program at once. */
void mm_term_clear_signal(void);
/* Mouse clicks on or off; returns whether they are on now. */
bool mm_term_set_mouse(bool on);
bool mm_term_mouse(void);
/* Where the signal handler writes one byte to wake the event loop. */
void mm_term_set_wake_fd(int fd);
/* After mm_term_stop: re-raises a caught signal with its default action so
 * the exit status tells the caller what happened. Returns if none. */
void mm_term_reraise(void);

#endif
