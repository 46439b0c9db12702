/* Drawing primitives on stdscr that measure text in terminal columns
 * (wcwidth), so UTF-8 names line up and are cut, never split mid-character.
 * Invalid UTF-8 bytes are drawn as '?'. */
#ifndef MM_TUI_DRAW_H
#define MM_TUI_DRAW_H

#include "theme.h"

#include <stddef.h>

typedef struct mm_rect {
    int y, x, h, w;
} mm_rect;

/* Columns `text` occupies. */
int mm_text_width(const char *text);
/* Draws at most `w` columns of text at (y, x); with pad, fills the rest of
 * the w columns with spaces in the same attributes. Returns columns drawn. */
int mm_draw_text(int y, int x, int w, const char *text, attr_t attr, bool pad);
/* As mm_draw_text, but text wider than w ends in an ellipsis ("…", or
 * "~" where the locale has no UTF-8) so that a cut name never reads as a
 * whole one ("images_v" for "images_v2"). */
int mm_draw_text_cut(int y, int x, int w, const char *text, attr_t attr, bool pad);
/* The ellipsis mm_draw_text_cut uses (one column). */
const char *mm_ellipsis(void);
/* Right-aligned within w columns (cut on the left side kept). */
void mm_draw_text_right(int y, int x, int w, const char *text, attr_t attr);
/* Fills a rectangle with spaces. */
void mm_draw_fill(const mm_rect *r, attr_t attr);
/* Word-wraps text into at most max_lines lines of w columns starting at
 * (y, x); explicit '\n' breaks lines. Text that needs more lines ends in
 * an ellipsis on the last one, so a cut sentence shows it is cut. Returns
 * lines used. */
int mm_draw_wrapped(int y, int x, int w, int max_lines, const char *text, attr_t attr);
/* The same from the skip-th wrapped line on (a scrolled text). */
int mm_draw_wrapped_from(int y, int x, int w, int skip, int max_lines, const char *text, attr_t attr);
/* Number of lines mm_draw_wrapped would use (no limit). */
int mm_wrapped_lines(int w, const char *text);
/* A box border (ACS lines) around r. */
void mm_draw_box(const mm_rect *r, attr_t attr);

/* Where the text cursor should be shown after this frame (a field being
 * edited asks for it; reset at the start of each frame). */
void mm_draw_cursor_reset(void);
void mm_draw_cursor_at(int y, int x);
bool mm_draw_cursor_wanted(int *y, int *x);

#endif
