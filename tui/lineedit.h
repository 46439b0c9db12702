/* A one-line text editor as a state machine (buffer, cursor, horizontal
 * scroll), separate from drawing. Text is kept as wide characters so the
 * cursor moves by character; mm_lineedit_text gives UTF-8. A masked editor
 * draws one '*' per character and never the text itself. */
#ifndef MM_TUI_LINEEDIT_H
#define MM_TUI_LINEEDIT_H

#include "keymap.h"

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

typedef enum { MM_MASK_NONE = 0, MM_MASK_ALL, MM_MASK_DSN } mm_mask;

typedef struct mm_lineedit {
    wchar_t *buf;
    size_t len, cap, cursor, scroll;
    mm_mask mask;
} mm_lineedit;

void mm_lineedit_init(mm_lineedit *e, const char *utf8, mm_mask mask);
void mm_lineedit_fini(mm_lineedit *e);
/* Handles one key (action = its "edit" binding). Returns true when the
 * text or cursor changed; Enter and Esc are the caller's business. */
bool mm_lineedit_key(mm_lineedit *e, int key, mm_action action);
/* The text as UTF-8, malloc'd. */
char *mm_lineedit_text(const mm_lineedit *e);
/* Draws the field in w columns at (y, x) and places the cursor. MM_MASK_DSN
 * draws the text with the password of a connection string masked. */
void mm_lineedit_draw(mm_lineedit *e, int y, int x, int w, attr_t attr);

#endif
