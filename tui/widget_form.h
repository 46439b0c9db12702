/* A form generated from the migration.yaml key table: one row per key that
 * matters under the current modes (mm_config_key_shown), grouped under a
 * heading per section. Field kinds follow the key type: text (string, path,
 * list), number (integer, size), boolean toggle, choice cycle, secret
 * (masked with '*', never drawn in clear). Values are committed through
 * mm_config_set_string, whose error message is shown under the form. */
#ifndef MM_TUI_WIDGET_FORM_H
#define MM_TUI_WIDGET_FORM_H

#include "config/config.h"
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

typedef struct mm_form_row {
    mm_field_kind kind;
    const mm_config_key *key;   /* NULL for a heading */
    char section[96];           /* a heading's text */
    size_t label_offset;        /* the label is key->name + label_offset */
} mm_form_row;

/* A form of chosen keys (mm_form_use_spec): entries are headings
 * (heading set, key NULL) or key names; a heading is shown when a key under
 * it is. Labels are the key names without their first component. */
typedef struct mm_form_entry {
    const char *heading;
    const char *key;
} mm_form_entry;

typedef struct mm_form {
    mm_form_row *rows;
    size_t n_rows, cap;
    size_t selected, top;
    int page;
    bool editing;
    mm_lineedit edit;
    char *error;                /* last validation message for the selected key */
    const mm_form_entry *spec;  /* NULL: every key, grouped by section */
    size_t n_spec;
    int help_lines;             /* lines of help under the rows (0: 3) */
} mm_form;

/* What a key did to the form (bit set). */
enum { MM_FORM_IGNORED = 0, MM_FORM_HANDLED = 1, MM_FORM_CHANGED = 2 };

mm_field_kind mm_field_kind_of(const mm_config_key *key);

void mm_form_init(mm_form *f);
void mm_form_fini(mm_form *f);
/* Limits the form to the keys of spec (kept by reference, usually static). */
void mm_form_use_spec(mm_form *f, const mm_form_entry *spec, size_t n);
/* (Re)builds the rows from cfg, keeping the highlight on the same key. */
void mm_form_build(mm_form *f, const mm_config *cfg);
/* A text field is being edited: every key goes to the form. */
bool mm_form_editing(const mm_form *f);
const mm_config_key *mm_form_current_key(const mm_form *f);
/* action is the key's binding in the form's contexts ("edit" while
 * editing). Returns MM_FORM_* bits; CHANGED means cfg was modified (the
 * rows are rebuilt already). */
int mm_form_on_key(mm_form *f, mm_config *cfg, int key, mm_action action);
/* Highlights the next key (after the current one, wrapping) whose name
 * contains text, case-insensitively. Returns false when none does. */
bool mm_form_find(mm_form *f, const char *text);
void mm_form_draw(mm_form *f, const mm_config *cfg, const mm_rect *r);

#endif
