/* A modal message box with buttons, drawn centred over the screen. The
 * caller opens it with an id, feeds it actions while it is open, and gets
 * the chosen button index once it closes. */
#ifndef MM_TUI_WIDGET_DIALOG_H
#define MM_TUI_WIDGET_DIALOG_H

#include "draw.h"
#include "keymap.h"

#include <stdbool.h>

#define MM_DIALOG_MAX_BUTTONS 4

typedef struct mm_dialog {
    bool open;
    int id;                 /* the caller's: what the dialog is asking */
    mm_role role;           /* colour of the message */
    char *title, *message;
    const char *buttons[MM_DIALOG_MAX_BUTTONS];
    int n_buttons, selected;
} mm_dialog;

/* buttons is NULL-terminated (string literals, not copied); Esc chooses the
 * last button, so put the harmless one last. */
void mm_dialog_open(mm_dialog *d, int id, mm_role role, const char *title, const char *message,
                    const char *const *buttons, int default_button);
void mm_dialog_close(mm_dialog *d);
/* -1 while still open, else the chosen button (the dialog is closed). */
int mm_dialog_on_action(mm_dialog *d, mm_action action);
void mm_dialog_draw(const mm_dialog *d);

#endif
