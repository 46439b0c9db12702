/* A text box over the screen that scrolls (the key help, the list of
 * warnings): lines are wrapped to the box, never cut; a line holding a tab
 * wraps under the text after the tab (a key and its description), a line
 * that does not start with a space is a heading. Up/Down, PgUp/PgDn and
 * Home/End (g/G) move; Esc, q or ? closes. */
#ifndef MM_TUI_WIDGET_PAGER_H
#define MM_TUI_WIDGET_PAGER_H

#include "draw.h"
#include "keymap.h"

#include <stdbool.h>

typedef struct mm_pager {
    bool open;
    char *title, *text;
    int scroll;
    int page;       /* lines visible at the last draw */
    int total;      /* wrapped lines at the last draw */
} mm_pager;

/* Opens with copies of title and text. */
void mm_pager_open(mm_pager *p, const char *title, const char *text);
void mm_pager_close(mm_pager *p);
/* An action of the "help" and "list" contexts; returns whether it changed
 * anything (CANCEL closes). */
bool mm_pager_on_action(mm_pager *p, mm_action action);
void mm_pager_draw(mm_pager *p);

#endif
