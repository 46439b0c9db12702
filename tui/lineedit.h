/* A one-line text editor as a state machine (buffer, cursor, horizontal
 * scroll), separate from drawing. Text is kept as wide characters so the
 * cursor moves by character; mm_lineedit_text gives UTF-8. A masked editor
 * draws one '*' per character and never the text itself; a shaped one
 * draws what its masker makes of the text (a connection string with the
 * password hidden). */
#ifndef MM_TUI_LINEEDIT_H
#define MM_TUI_LINEEDIT_H

#include "keymap.h"

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

typedef enum { MM_MASK_NONE = 0, MM_MASK_ALL, MM_MASK_SHAPE } mm_mask;

/* The text as it may be shown (MM_MASK_SHAPE), malloc'd; NULL shows nothing. */
typedef char *(*mm_masker)(const char *text);

typedef struct mm_lineedit {
    wchar_t *buf;
    size_t len, cap, cursor, scroll;
    mm_mask mask;
    mm_masker masker;
} mm_lineedit;

/* masker: how MM_MASK_SHAPE shows the text (NULL for the other masks). */
void mm_lineedit_init(mm_lineedit *e, const char *utf8, mm_mask mask, mm_masker masker);
void mm_lineedit_fini(mm_lineedit *e);
/* Handles one key (action = its "edit" binding). Returns true when the
 * text or cursor changed; Enter and Esc are the caller's business. */
bool mm_lineedit_key(mm_lineedit *e, int key, mm_action action);
/* Replaces the text (a completion), cursor at its end. */
void mm_lineedit_set_text(mm_lineedit *e, const char *utf8);
/* The text as UTF-8, malloc'd. */
char *mm_lineedit_text(const mm_lineedit *e);
/* Draws the field in w columns at (y, x) and places the cursor. */
void mm_lineedit_draw(mm_lineedit *e, int y, int x, int w, attr_t attr);

#endif
