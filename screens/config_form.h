/* migration.yaml keys as form fields (tui/widget_form.h): the form is
 * generated from the key table, one field per key that matters under the
 * current modes (mm_config_key_shown), grouped under a heading per section
 * or as a chosen list of keys with headings of their own. Values are
 * committed through mm_config_set_string, whose message is shown when it
 * refuses one. */
#ifndef MM_SCREENS_CONFIG_FORM_H
#define MM_SCREENS_CONFIG_FORM_H

#include "config/config.h"
#include "tui/widget_form.h"

#include <stddef.h>

/* A form of chosen keys: entries are headings (heading set, key NULL) or
 * key names; a heading is shown when a key under it is. Labels are the key
 * names without their first component. */
typedef struct mm_config_form_entry {
    const char *heading;
    const char *key;
} mm_config_form_entry;

typedef struct mm_config_form {
    mm_form form;
    mm_config *cfg;                        /* the configuration edited (the app's) */
    const mm_config_form_entry *spec;      /* NULL: every key, grouped by section */
    size_t n_spec;
} mm_config_form;

/* spec may be NULL (every key); it is kept by reference (usually static). */
void mm_config_form_init(mm_config_form *cf, mm_config *cfg, const mm_config_form_entry *spec, size_t n_spec);
void mm_config_form_fini(mm_config_form *cf);

#endif
