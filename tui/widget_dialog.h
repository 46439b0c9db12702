/* A modal message box with buttons, drawn centred over the screen. The
 * caller opens it with an id, feeds it keys while it is open, and gets the
 * chosen button index once it closes. A button may have a letter that
 * presses it (shown as "(y)"); Esc presses the last button, so put the
 * harmless one last, and the default button is highlighted at first. */
#ifndef MM_TUI_WIDGET_DIALOG_H
#define MM_TUI_WIDGET_DIALOG_H

#include "draw.h"
#include "keymap.h"

#include <stdbool.h>

#define MM_DIALOG_MAX_BUTTONS 4

typedef struct mm_dialog_button {
    const char *label;      /* a string literal (not copied) */
    char key;               /* the letter that presses it, or 0 */
} mm_dialog_button;

typedef struct mm_dialog {
    bool open;
    int id;                 /* the caller's: what the dialog is asking */
    mm_role role;           /* colour of the message */
    char *title, *message;
    mm_dialog_button buttons[MM_DIALOG_MAX_BUTTONS];
    int n_buttons, selected;
    int scroll;             /* message lines scrolled past (a long list of what is lost) */
} mm_dialog;

/* buttons ends with an entry whose label is NULL. */
void mm_dialog_open(mm_dialog *d, int id, mm_role role, const char *title, const char *message,
                    const mm_dialog_button *buttons, int default_button);
void mm_dialog_close(mm_dialog *d);
/* A key while open (action: its binding in the "dialog" context). -1 while
 * still open, else the chosen button (the dialog is closed). */
int mm_dialog_on_key(mm_dialog *d, int key, mm_action action);
void mm_dialog_draw(mm_dialog *d);
/* "Enter Drop and run  y Drop and run  n Keep it  Esc Keep it": what the
 * keys do in this dialog, for the key hints line. malloc'd. */
char *mm_dialog_hints(const mm_dialog *d);

#endif
