/* A log pane: the last lines of messages (each with a role), newest at the
 * bottom, kept in a bounded ring. A message wider than the pane wraps, so
 * nothing is cut; the pane scrolls back by messages. UI thread only:
 * workers hand their lines to the UI through their own queue. */
#ifndef MM_TUI_WIDGET_LOG_H
#define MM_TUI_WIDGET_LOG_H

#include "draw.h"
#include "keymap.h"

#include <stdbool.h>

#include <stddef.h>

typedef struct mm_log_line {
    char *text;
    mm_role role;
} mm_log_line;

typedef struct mm_log {
    mm_log_line *lines;
    size_t cap, count, start;   /* ring of cap lines starting at start */
    size_t scroll;              /* lines scrolled back from the newest */
} mm_log;

void mm_log_init(mm_log *log, size_t capacity);
void mm_log_fini(mm_log *log);
void mm_log_add(mm_log *log, mm_role role, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Scrolls back (positive) or forward (negative) by messages. */
void mm_log_scroll(mm_log *log, long lines);
/* Moves for a list action (Up scrolls back, End returns to the newest);
 * page: the pane's height. Returns whether the action was movement. */
bool mm_log_on_action(mm_log *log, mm_action action, int page);
/* Draws the newest messages that fit (from the scrolled-back one). */
void mm_log_draw(const mm_log *log, const mm_rect *r);
/* Rows the messages take at width w (wrapped), for a layout. */
int mm_log_height(const mm_log *log, int w);

#endif
