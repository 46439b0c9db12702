/* A form: rows of fields under headings, the highlighted field's help
 * under them. The form knows fields only by their descriptions (label,
 * kind, mask, help) and reaches their values through the owner's
 * operations (get, display, set with validation, reset, next choice); it
 * knows nothing of what the values mean. Field kinds: text, number,
 * boolean toggle, choice cycle, secret (masked with '*', never drawn in
 * clear). A value the owner refuses is shown with the owner's message. */
#ifndef MM_TUI_WIDGET_FORM_H
#define MM_TUI_WIDGET_FORM_H

#include "draw.h"
#include "keymap.h"
#include "lineedit.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    MM_FIELD_HEADING = 0,
    MM_FIELD_TEXT,
    MM_FIELD_NUMBER,
    MM_FIELD_TOGGLE,
    MM_FIELD_CHOICE,
    MM_FIELD_SECRET
} mm_field_kind;

typedef struct mm_form mm_form;

/* How the owner's values are read and written; id is the field's, as the
 * owner gave it. Strings returned are malloc'd. */
typedef struct mm_form_ops {
    char *(*get)(void *ctx, const void *id);       /* the value in clear, for editing */
    char *(*display)(void *ctx, const void *id);   /* the value as shown (secrets masked) */
    /* Checks and stores text; -1 with *problem (malloc'd) when refused. A
     * value stored with a remark (0 and *problem set) shows the remark. */
    int (*set)(void *ctx, const void *id, const char *text, char **problem);
    void (*reset)(void *ctx, const void *id);      /* back to the default */
    /* CHOICE: the value after the current one, or NULL. */
    const char *(*next_choice)(void *ctx, const void *id);
    /* Lists the fields that apply now (mm_form_add_*); called by mm_form_build. */
    void (*list)(void *ctx, mm_form *form);
} mm_form_ops;

/* One row: a heading (id NULL) or a field. */
typedef struct mm_form_field {
    mm_field_kind kind;
    const void *id;
    char *name;                 /* what find matches (a key's full name) */
    char *label;                /* the row's label; a heading's text */
    char *title, *help;         /* under the form when highlighted: "<name>: <doc>" and a paragraph */
    mm_mask mask;               /* while edited */
    mm_masker masker;           /* MM_MASK_SHAPE */
    bool path;                  /* holds a file or directory name: Tab completes it while edited */
} mm_form_field;

struct mm_form {
    const mm_form_ops *ops;
    void *ctx;
    mm_form_field *rows;
    size_t n_rows, cap;
    size_t selected, top;
    int page;
    bool editing;
    mm_lineedit edit;
    char *error;                /* the owner's last refusal for the selected field */
    char *note;                 /* a remark on the selected field: a stored value, completion choices */
    int help_lines;             /* at least this many lines of help under the rows (0: 3); more
                                 * when the help needs them and the rows leave room */
};

/* What a key did to the form (bit set). */
enum { MM_FORM_IGNORED = 0, MM_FORM_HANDLED = 1, MM_FORM_CHANGED = 2 };

void mm_form_init(mm_form *f, const mm_form_ops *ops, void *ctx);
void mm_form_fini(mm_form *f);
/* For ops->list: a heading, and a field (strings copied). */
void mm_form_add_heading(mm_form *f, const char *text);
void mm_form_add_field(mm_form *f, const mm_form_field *field);
/* (Re)lists the rows, keeping the highlight on the same field id. */
void mm_form_build(mm_form *f);
/* A text field is being edited: every key goes to the form. */
bool mm_form_editing(const mm_form *f);
/* The id of the highlighted field, or NULL. */
const void *mm_form_current(const mm_form *f);
/* action is the key's binding in the form's contexts ("edit" while
 * editing). Returns MM_FORM_* bits; CHANGED means a value was stored (the
 * rows are rebuilt already). */
int mm_form_on_key(mm_form *f, int key, mm_action action);
/* Highlights the next field (after the current one, wrapping) whose name
 * contains text, case-insensitively. Returns false when none does. */
bool mm_form_find(mm_form *f, const char *text);
void mm_form_draw(mm_form *f, const mm_rect *r);

#endif
