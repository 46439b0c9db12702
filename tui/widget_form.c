#include "widget_form.h"

#include "base/strbuf.h"
#include "widget_table.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { HELP_LINES = 3, LABEL_MAX = 40 };

static int help_lines(const mm_form *f)
{
    return f->help_lines > 0 ? f->help_lines : HELP_LINES;
}

mm_field_kind mm_field_kind_of(const mm_config_key *key)
{
    if (key->flags & MM_CFG_F_SECRET)
        return MM_FIELD_SECRET;
    switch (key->type) {
    case MM_CFG_INT:
    case MM_CFG_SIZE: return MM_FIELD_NUMBER;
    case MM_CFG_BOOL: return MM_FIELD_TOGGLE;
    case MM_CFG_CHOICE: return MM_FIELD_CHOICE;
    case MM_CFG_SECRET: return MM_FIELD_SECRET;
    default: return MM_FIELD_TEXT;
    }
}

void mm_form_init(mm_form *f)
{
    memset(f, 0, sizeof *f);
}

static void clear_error(mm_form *f)
{
    free(f->error);
    f->error = NULL;
}

static void stop_editing(mm_form *f)
{
    if (f->editing)
        mm_lineedit_fini(&f->edit);
    f->editing = false;
}

void mm_form_fini(mm_form *f)
{
    stop_editing(f);
    clear_error(f);
    free(f->rows);
    const mm_form_entry *spec = f->spec;
    size_t n_spec = f->n_spec;
    int help_lines = f->help_lines;
    memset(f, 0, sizeof *f);
    f->spec = spec;
    f->n_spec = n_spec;
    f->help_lines = help_lines;
}

void mm_form_use_spec(mm_form *f, const mm_form_entry *spec, size_t n)
{
    f->spec = spec;
    f->n_spec = n;
}

static void add_row(mm_form *f, mm_field_kind kind, const mm_config_key *key, const char *section,
                    size_t section_len, size_t label_offset)
{
    if (f->n_rows == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        mm_form_row *nr = realloc(f->rows, cap * sizeof *nr);
        if (!nr)
            abort();
        f->rows = nr;
        f->cap = cap;
    }
    mm_form_row *row = &f->rows[f->n_rows++];
    row->kind = kind;
    row->key = key;
    snprintf(row->section, sizeof row->section, "%.*s", (int)section_len, section);
    row->label_offset = label_offset;
}

static void build_from_spec(mm_form *f, const mm_config *cfg)
{
    const char *heading = NULL;
    for (size_t i = 0; i < f->n_spec; i++) {
        const mm_form_entry *e = &f->spec[i];
        if (!e->key) {
            heading = e->heading;
            continue;
        }
        const mm_config_key *key = mm_config_find_key(e->key);
        if (!key || !mm_config_key_shown(cfg, key))
            continue;
        if (heading) {
            add_row(f, MM_FIELD_HEADING, NULL, heading, strlen(heading), 0);
            heading = NULL;
        }
        add_row(f, mm_field_kind_of(key), key, "", 0, strcspn(key->name, ".") + 1);
    }
}

static void build_sections(mm_form *f, const mm_config *cfg)
{
    size_t n;
    const mm_config_key *keys = mm_config_keys(&n);
    char last[32] = "";
    for (size_t i = 0; i < n; i++) {
        const mm_config_key *key = &keys[i];
        if (!mm_config_key_shown(cfg, key) || key->ignored)
            continue;
        size_t section_len = strcspn(key->name, ".");
        if (strlen(last) != section_len || strncmp(last, key->name, section_len) != 0) {
            add_row(f, MM_FIELD_HEADING, NULL, key->name, section_len, 0);
            snprintf(last, sizeof last, "%.*s", (int)section_len, key->name);
        }
        add_row(f, mm_field_kind_of(key), key, key->name, section_len, section_len + 1);
    }
}

void mm_form_build(mm_form *f, const mm_config *cfg)
{
    const mm_config_key *keep = mm_form_current_key(f);
    f->n_rows = 0;
    if (f->spec)
        build_from_spec(f, cfg);
    else
        build_sections(f, cfg);
    f->selected = 0;
    for (size_t i = 0; i < f->n_rows; i++)
        if (f->rows[i].key && (f->rows[i].key == keep || (!keep && !f->selected))) {
            f->selected = i;
            if (keep)
                break;
        }
}

bool mm_form_editing(const mm_form *f)
{
    return f->editing;
}

const mm_config_key *mm_form_current_key(const mm_form *f)
{
    return f->selected < f->n_rows ? f->rows[f->selected].key : NULL;
}

/* Moves like a list, stepping over headings in the direction of travel. */
static bool form_move(mm_form *f, mm_action action)
{
    long to = mm_list_move(f->selected, f->n_rows, f->page, action);
    if (to < 0)
        return false;
    int dir = (action == MM_ACT_UP || action == MM_ACT_PAGE_UP || action == MM_ACT_END) ? -1 : 1;
    long i = to;
    while (i >= 0 && i < (long)f->n_rows && !f->rows[i].key)
        i += dir;
    if (i < 0 || i >= (long)f->n_rows) /* ran off the edge: go the other way */
        for (i = to; i >= 0 && i < (long)f->n_rows && !f->rows[i].key; i -= dir)
            ;
    if (i >= 0 && i < (long)f->n_rows && (size_t)i != f->selected) {
        f->selected = (size_t)i;
        clear_error(f);
    }
    return true;
}

static int commit(mm_form *f, mm_config *cfg, const mm_config_key *key, const char *text)
{
    mm_error err;
    mm_error_clear(&err);
    if (mm_config_set_string(cfg, key, text, &err) != 0) {
        clear_error(f);
        f->error = mm_strdup(err.message);
        return MM_FORM_HANDLED;
    }
    clear_error(f);
    mm_form_build(f, cfg);
    return MM_FORM_HANDLED | MM_FORM_CHANGED;
}

/* The next choice that may be written (no aliases, nothing refused). */
static const char *next_choice(const mm_config *cfg, const mm_config_key *key)
{
    char current[128];
    mm_config_get_string(cfg, key, current, sizeof current);
    const mm_config_choice *first = NULL, *found = NULL;
    bool after = false;
    for (const mm_config_choice *c = key->choices; c && c->name; c++) {
        if (c->alias || c->value == MM_CFG_CHOICE_REJECTED)
            continue;
        if (!first)
            first = c;
        if (after && !found)
            found = c;
        if (strcasecmp(c->name, current) == 0)
            after = true;
    }
    found = found ? found : first;
    return found ? found->name : NULL;
}

static int start_edit(mm_form *f, const mm_config *cfg, const mm_config_key *key)
{
    int len = mm_config_get_string(cfg, key, NULL, 0);
    char *text = malloc((size_t)len + 1);
    if (!text)
        abort();
    mm_config_get_string(cfg, key, text, (size_t)len + 1);
    mm_mask mask = (key->flags & MM_CFG_F_SECRET) || key->type == MM_CFG_SECRET ? MM_MASK_ALL
                   : (key->flags & MM_CFG_F_DSN)                                ? MM_MASK_DSN
                                                                                : MM_MASK_NONE;
    mm_lineedit_init(&f->edit, text, mask);
    memset(text, 0, (size_t)len);
    free(text);
    f->editing = true;
    clear_error(f);
    return MM_FORM_HANDLED;
}

int mm_form_on_key(mm_form *f, mm_config *cfg, int key, mm_action action)
{
    const mm_config_key *k = mm_form_current_key(f);
    if (f->editing) {
        if (action == MM_ACT_CANCEL) {
            stop_editing(f);
            clear_error(f);
            return MM_FORM_HANDLED;
        }
        if (action == MM_ACT_ACTIVATE) {
            char *text = mm_lineedit_text(&f->edit);
            int rc = commit(f, cfg, k, text);
            memset(text, 0, strlen(text));
            free(text);
            if (rc & MM_FORM_CHANGED)
                stop_editing(f);
            return rc;
        }
        mm_lineedit_key(&f->edit, key, action);
        return MM_FORM_HANDLED;
    }
    if (form_move(f, action))
        return MM_FORM_HANDLED;
    if (!k)
        return MM_FORM_IGNORED;
    mm_field_kind kind = mm_field_kind_of(k);
    switch (action) {
    case MM_ACT_ACTIVATE:
    case MM_ACT_TOGGLE:
        if (kind == MM_FIELD_TOGGLE) {
            char current[16];
            mm_config_get_string(cfg, k, current, sizeof current);
            return commit(f, cfg, k, strcmp(current, "true") == 0 ? "false" : "true");
        }
        if (kind == MM_FIELD_CHOICE) {
            const char *next = next_choice(cfg, k);
            return next ? commit(f, cfg, k, next) : MM_FORM_HANDLED;
        }
        return action == MM_ACT_ACTIVATE ? start_edit(f, cfg, k) : MM_FORM_IGNORED;
    case MM_ACT_RESET:
        mm_config_reset_key(cfg, k);
        clear_error(f);
        mm_form_build(f, cfg);
        return MM_FORM_HANDLED | MM_FORM_CHANGED;
    default: return MM_FORM_IGNORED;
    }
}

bool mm_form_find(mm_form *f, const char *text)
{
    for (size_t step = 1; step <= f->n_rows; step++) {
        size_t i = (f->selected + step) % f->n_rows;
        if (f->rows[i].key && strcasestr(f->rows[i].key->name, text)) {
            f->selected = i;
            clear_error(f);
            return true;
        }
    }
    return false;
}

/* The value as the form shows it: secrets as one '*' per character of
 * "***" from mm_config_get_display, never the secret itself. */
static char *display_value(const mm_config *cfg, const mm_config_key *key)
{
    /* An empty value is not asked for in display form: the engine's
     * mm_strbuf_take leaves an empty buffer unterminated. */
    if (mm_config_get_string(cfg, key, NULL, 0) == 0)
        return mm_strdup(key->type == MM_CFG_BOOL || key->type == MM_CFG_CHOICE ? "<>" : "");
    char *v = mm_config_get_display(cfg, key);
    if (!v)
        return mm_strdup("");
    if (key->type == MM_CFG_BOOL || key->type == MM_CFG_CHOICE) {
        char *boxed = mm_asprintf(key->type == MM_CFG_BOOL ? "[%s]" : "<%s>", v);
        free(v);
        return boxed;
    }
    return v;
}

void mm_form_draw(mm_form *f, const mm_config *cfg, const mm_rect *r)
{
    int help_h = help_lines(f);
    int list_h = r->h - help_h - 1;
    if (list_h < 1)
        list_h = r->h;
    f->page = list_h;
    int label_w = 0;
    for (size_t i = 0; i < f->n_rows; i++)
        if (f->rows[i].key) {
            int w = mm_text_width(f->rows[i].key->name + f->rows[i].label_offset);
            label_w = w > label_w ? w : label_w;
        }
    label_w = label_w > LABEL_MAX ? LABEL_MAX : label_w;
    if (f->selected < f->top)
        f->top = f->selected;
    if (f->selected >= f->top + (size_t)list_h)
        f->top = f->selected - (size_t)list_h + 1;
    /* Show the heading above the first row when it is the only thing hidden. */
    if (f->top == 1 && !f->rows[0].key && f->selected < (size_t)list_h)
        f->top = 0;
    attr_t normal = mm_theme_attr(MM_ROLE_NORMAL);
    for (int i = 0; i < list_h; i++) {
        size_t idx = f->top + (size_t)i;
        int y = r->y + i;
        mm_draw_text(y, r->x, r->w, "", normal, true);
        if (idx >= f->n_rows)
            continue;
        const mm_form_row *row = &f->rows[idx];
        if (!row->key) {
            mm_draw_text(y, r->x, r->w, row->section, mm_theme_attr(MM_ROLE_SECTION), true);
            continue;
        }
        bool current = idx == f->selected;
        attr_t attr = current && !f->editing ? mm_theme_attr(MM_ROLE_SELECTED) : normal;
        int vx = r->x + 4 + label_w + 2;
        mm_draw_text(y, r->x, 2, current ? ">" : "", attr, true);
        mm_draw_text(y, r->x + 2, label_w + 4, row->key->name + row->label_offset, attr, true);
        if (current && f->editing) {
            mm_lineedit_draw(&f->edit, y, vx, r->x + r->w - vx, mm_theme_attr(MM_ROLE_FIELD_EDIT));
            continue;
        }
        char *value = display_value(cfg, row->key);
        mm_draw_text(y, vx, r->x + r->w - vx, value, current ? attr : mm_theme_attr(MM_ROLE_FIELD),
                     true);
        free(value);
    }
    /* The help of the highlighted key, or the validation message. */
    int hy = r->y + list_h + 1;
    mm_rect help = {hy - 1, r->x, help_h + 1, r->w};
    mm_draw_fill(&help, normal);
    const mm_config_key *k = mm_form_current_key(f);
    if (!k || list_h == r->h)
        return;
    char expect[256];
    char *head = mm_asprintf("%s: %s", k->name, k->doc ? k->doc : "");
    mm_draw_text(hy, r->x, r->w, head, mm_theme_attr(MM_ROLE_SECTION), true);
    free(head);
    if (f->error) {
        mm_draw_wrapped(hy + 1, r->x, r->w, help_h - 1, f->error, mm_theme_attr(MM_ROLE_ERROR));
        return;
    }
    char *text = mm_asprintf("%s Expected: %s.", k->help ? k->help : "",
                             mm_config_key_expectation(k, expect, sizeof expect));
    mm_draw_wrapped(hy + 1, r->x, r->w, help_h - 1, text, mm_theme_attr(MM_ROLE_DIM));
    free(text);
}
