/* Scripted sessions for tests (the tig model): a file of steps replaces the
 * keyboard, and `snapshot NAME` writes the screen as plain text.
 *
 * Script lines ('#' starts a comment):
 *   Down Up Enter Tab BTab Esc F2 Space Backspace PgDn q ...
 *                     one or more key names (see mm_key_parse)
 *   type TEXT         types TEXT (UTF-8) character by character
 *   snapshot NAME     writes the screen to DIR/NAME.txt
 *   resize COLSxLINES resizes the virtual terminal
 *   wait-idle         waits until no background work is running
 *   wait-job          waits until the running job (dump, load, verify) ends
 *   wait-text TEXT    waits until TEXT appears on the screen
 *   signal INT|TERM   sends the process that signal (Ctrl-C is INT)
 *   click COL LINE    a mouse click at that column and line (0-based)
 *   quit              ends the session at once
 * Every step first waits for short background work (a connection test) to
 * finish, so snapshots are deterministic. A job (dump, load, verify) keeps
 * running while the script goes on, so it can be cancelled; use wait-job
 * or wait-text before a snapshot. In a scripted session the wizard draws
 * durations, throughputs and ETAs as "--" so that job screens are the same
 * on every run. */
#ifndef MM_TUI_SCRIPT_H
#define MM_TUI_SCRIPT_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    MM_STEP_KEY,
    MM_STEP_TYPE,
    MM_STEP_SNAPSHOT,
    MM_STEP_RESIZE,
    MM_STEP_WAIT_IDLE,
    MM_STEP_WAIT_JOB,
    MM_STEP_WAIT_TEXT,
    MM_STEP_SIGNAL,
    MM_STEP_CLICK,
    MM_STEP_QUIT
} mm_step_kind;

typedef struct mm_script_step {
    mm_step_kind kind;
    int key;            /* MM_STEP_KEY */
    char *text;         /* TYPE, WAIT_TEXT: the text; SNAPSHOT: the name */
    int cols, lines;    /* RESIZE, CLICK; SIGNAL: lines is the signal */
    int lineno;
} mm_script_step;

typedef struct mm_script {
    char *path;
    char *snapshot_dir;
    mm_script_step *steps;
    size_t n_steps, cap, next;
} mm_script;

/* Reads and checks the whole script before the terminal starts, so a typo
 * is reported as "FILE:LINE: ..." without a half-run session. */
int mm_script_load(mm_script *s, const char *path, const char *snapshot_dir, mm_error *err);
void mm_script_free(mm_script *s);
/* The next step, or NULL at the end. */
const mm_script_step *mm_script_next(mm_script *s);
/* Writes stdscr as text lines (trailing spaces trimmed) to DIR/NAME.txt. */
int mm_script_snapshot(const mm_script *s, const char *name, mm_error *err);
/* Whether TEXT appears on one line of stdscr. */
bool mm_script_screen_contains(const char *text);
/* "100x30" -> cols, lines. */
int mm_parse_size(const char *text, int *cols, int *lines);

#endif
