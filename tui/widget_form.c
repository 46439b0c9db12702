#include "widget_form.h"

#include "base/strbuf.h"
#include "path_complete.h"
#include "widget_table.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { HELP_LINES = 3, LABEL_MAX = 40 };

static int help_lines(const mm_form *f)
{
    return f->help_lines > 0 ? f->help_lines : HELP_LINES;
}

void mm_form_init(mm_form *f, const mm_form_ops *ops, void *ctx)
{
    memset(f, 0, sizeof *f);
    f->ops = ops;
    f->ctx = ctx;
}

static void clear_error(mm_form *f)
{
    free(f->error);
    f->error = NULL;
    free(f->note);
    f->note = NULL;
}

static void stop_editing(mm_form *f)
{
    if (f->editing)
        mm_lineedit_fini(&f->edit);
    f->editing = false;
}

static void free_rows(mm_form *f)
{
    for (size_t i = 0; i < f->n_rows; i++) {
        free(f->rows[i].name);
        free(f->rows[i].label);
        free(f->rows[i].title);
        free(f->rows[i].help);
    }
    f->n_rows = 0;
}

void mm_form_fini(mm_form *f)
{
    stop_editing(f);
    clear_error(f);
    free_rows(f);
    free(f->rows);
    const mm_form_ops *ops = f->ops;
    void *ctx = f->ctx;
    int lines = f->help_lines;
    memset(f, 0, sizeof *f);
    f->ops = ops;
    f->ctx = ctx;
    f->help_lines = lines;
}

static mm_form_field *add_row(mm_form *f)
{
    if (f->n_rows == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        mm_form_field *nr = realloc(f->rows, cap * sizeof *nr);
        if (!nr)
            abort(); /* the UI layer treats OOM as fatal; the atexit hook restores the terminal */
        f->rows = nr;
        f->cap = cap;
    }
    mm_form_field *row = &f->rows[f->n_rows++];
    memset(row, 0, sizeof *row);
    return row;
}

void mm_form_add_heading(mm_form *f, const char *text)
{
    mm_form_field *row = add_row(f);
    row->kind = MM_FIELD_HEADING;
    row->label = mm_strdup(text);
}

void mm_form_add_field(mm_form *f, const mm_form_field *field)
{
    mm_form_field *row = add_row(f);
    *row = *field;
    row->name = mm_strdup(field->name ? field->name : field->label);
    row->label = mm_strdup(field->label);
    row->title = mm_strdup(field->title);
    row->help = mm_strdup(field->help);
}

void mm_form_build(mm_form *f)
{
    const void *keep = mm_form_current(f);
    free_rows(f);
    f->ops->list(f->ctx, f);
    f->selected = 0;
    for (size_t i = 0; i < f->n_rows; i++)
        if (f->rows[i].id && (f->rows[i].id == keep || (!keep && !f->selected))) {
            f->selected = i;
            if (keep)
                break;
        }
}

bool mm_form_editing(const mm_form *f)
{
    return f->editing;
}

const void *mm_form_current(const mm_form *f)
{
    return f->selected < f->n_rows ? f->rows[f->selected].id : NULL;
}

/* Moves like a list, stepping over headings in the direction of travel. */
static bool form_move(mm_form *f, mm_action action)
{
    long to = mm_list_move(f->selected, f->n_rows, f->page, action);
    if (to < 0)
        return false;
    int dir = (action == MM_ACT_UP || action == MM_ACT_PAGE_UP || action == MM_ACT_END) ? -1 : 1;
    long i = to;
    while (i >= 0 && i < (long)f->n_rows && !f->rows[i].id)
        i += dir;
    if (i < 0 || i >= (long)f->n_rows) /* ran off the edge: go the other way */
        for (i = to; i >= 0 && i < (long)f->n_rows && !f->rows[i].id; i -= dir)
            ;
    if (i >= 0 && i < (long)f->n_rows && (size_t)i != f->selected) {
        f->selected = (size_t)i;
        clear_error(f);
    }
    return true;
}

static int commit(mm_form *f, const void *id, const char *text)
{
    char *problem = NULL;
    if (f->ops->set(f->ctx, id, text, &problem) != 0) {
        clear_error(f);
        f->error = problem ? problem : mm_strdup("refused");
        return MM_FORM_HANDLED;
    }
    clear_error(f);
    f->note = problem;
    mm_form_build(f);
    return MM_FORM_HANDLED | MM_FORM_CHANGED;
}

/* Tab in a path field: the completed name, and the choices when several fit. */
static void complete_path(mm_form *f)
{
    char *text = mm_lineedit_text(&f->edit);
    char *choices = NULL;
    char *done = mm_path_complete(text, &choices);
    mm_lineedit_set_text(&f->edit, done);
    clear_error(f);
    f->note = choices;
    free(done);
    free(text);
}

/* Secrets pass through here: the copies are wiped before they are freed. */
static void free_secret(char *text)
{
    if (text)
        memset(text, 0, strlen(text));
    free(text);
}

static int start_edit(mm_form *f, const mm_form_field *field)
{
    char *text = f->ops->get(f->ctx, field->id);
    mm_lineedit_init(&f->edit, text ? text : "", field->mask, field->masker);
    free_secret(text);
    f->editing = true;
    clear_error(f);
    return MM_FORM_HANDLED;
}

int mm_form_on_key(mm_form *f, int key, mm_action action)
{
    const mm_form_field *field = f->selected < f->n_rows && f->rows[f->selected].id ? &f->rows[f->selected] : NULL;
    if (f->editing) {
        if (action == MM_ACT_CANCEL) {
            stop_editing(f);
            clear_error(f);
            return MM_FORM_HANDLED;
        }
        if (action == MM_ACT_ACTIVATE) {
            char *text = mm_lineedit_text(&f->edit);
            int rc = commit(f, field->id, text);
            free_secret(text);
            if (rc & MM_FORM_CHANGED)
                stop_editing(f);
            return rc;
        }
        if (action == MM_ACT_COMPLETE) {
            if (field->path)
                complete_path(f);
            return MM_FORM_HANDLED;
        }
        mm_lineedit_key(&f->edit, key, action);
        return MM_FORM_HANDLED;
    }
    if (form_move(f, action))
        return MM_FORM_HANDLED;
    if (!field)
        return MM_FORM_IGNORED;
    switch (action) {
    case MM_ACT_ACTIVATE:
    case MM_ACT_TOGGLE:
        if (field->kind == MM_FIELD_TOGGLE) {
            char *current = f->ops->get(f->ctx, field->id);
            bool on = current && strcmp(current, "true") == 0;
            free(current);
            return commit(f, field->id, on ? "false" : "true");
        }
        if (field->kind == MM_FIELD_CHOICE) {
            const char *next = f->ops->next_choice ? f->ops->next_choice(f->ctx, field->id) : NULL;
            return next ? commit(f, field->id, next) : MM_FORM_HANDLED;
        }
        return action == MM_ACT_ACTIVATE ? start_edit(f, field) : MM_FORM_IGNORED;
    case MM_ACT_RESET:
        f->ops->reset(f->ctx, field->id);
        clear_error(f);
        mm_form_build(f);
        return MM_FORM_HANDLED | MM_FORM_CHANGED;
    default: return MM_FORM_IGNORED;
    }
}

bool mm_form_find(mm_form *f, const char *text)
{
    for (size_t step = 1; step <= f->n_rows; step++) {
        size_t i = (f->selected + step) % f->n_rows;
        if (f->rows[i].id && strcasestr(f->rows[i].name, text)) {
            f->selected = i;
            clear_error(f);
            return true;
        }
    }
    return false;
}

/* The value as the form shows it: what display gives (secrets masked by
 * the owner), toggles as [x], choices as <x>; an empty one as <> or "". */
static char *display_value(const mm_form *f, const mm_form_field *field)
{
    bool boxed = field->kind == MM_FIELD_TOGGLE || field->kind == MM_FIELD_CHOICE;
    char *v = f->ops->display(f->ctx, field->id);
    if (!v || !*v) {
        free(v);
        return mm_strdup(boxed ? "<>" : "");
    }
    if (boxed) {
        char *box = mm_asprintf(field->kind == MM_FIELD_TOGGLE ? "[%s]" : "<%s>", v);
        free(v);
        return box;
    }
    return v;
}

/* The help under the rows: the field's title and its help, refusal or remark. */
static const char *help_body(const mm_form *f, const mm_form_field *cur, mm_role *role)
{
    *role = f->error ? MM_ROLE_ERROR : f->note ? MM_ROLE_WARNING : MM_ROLE_DIM;
    return f->error ? f->error : f->note ? f->note : cur->help ? cur->help : "";
}

void mm_form_draw(mm_form *f, const mm_rect *r)
{
    const mm_form_field *cur = f->selected < f->n_rows && f->rows[f->selected].id ? &f->rows[f->selected] : NULL;
    mm_role body_role = MM_ROLE_DIM;
    const char *body = cur ? help_body(f, cur, &body_role) : "";
    /* The help takes what it needs, the rows keep at least half the room
     * (or all they need), and a blank line parts the two. */
    int avail = r->h - 1;
    int need_help = 1 + (cur ? mm_wrapped_lines(r->w, body) : 0);
    if (need_help < help_lines(f))
        need_help = help_lines(f);
    int min_list = (int)f->n_rows < avail / 2 ? (int)f->n_rows : avail / 2;
    if (min_list < 1)
        min_list = 1;
    int list_h = avail - need_help < min_list ? min_list : avail - need_help;
    int help_h = avail - list_h;
    if (help_h < 1 || !cur)
        list_h = r->h, help_h = 0;
    f->page = list_h;
    int label_w = 0;
    for (size_t i = 0; i < f->n_rows; i++)
        if (f->rows[i].id) {
            int w = mm_text_width(f->rows[i].label);
            label_w = w > label_w ? w : label_w;
        }
    label_w = label_w > LABEL_MAX ? LABEL_MAX : label_w;
    if (f->selected < f->top)
        f->top = f->selected;
    if (f->selected >= f->top + (size_t)list_h)
        f->top = f->selected - (size_t)list_h + 1;
    /* Show the heading above the first row when it is the only thing hidden. */
    if (f->top == 1 && !f->rows[0].id && f->selected < (size_t)list_h)
        f->top = 0;
    attr_t normal = mm_theme_attr(MM_ROLE_NORMAL);
    for (int i = 0; i < list_h; i++) {
        size_t idx = f->top + (size_t)i;
        int y = r->y + i;
        mm_draw_text(y, r->x, r->w, "", normal, true);
        if (idx >= f->n_rows)
            continue;
        const mm_form_field *row = &f->rows[idx];
        if (!row->id) {
            mm_draw_text_cut(y, r->x, r->w, row->label, mm_theme_attr(MM_ROLE_SECTION), true);
            continue;
        }
        bool current = idx == f->selected;
        attr_t attr = current && !f->editing ? mm_theme_attr(MM_ROLE_SELECTED) : normal;
        int vx = r->x + 4 + label_w + 2;
        mm_draw_text(y, r->x, 2, current ? ">" : "", attr, true);
        mm_draw_text_cut(y, r->x + 2, label_w + 4, row->label, attr, true);
        if (current && f->editing) {
            mm_lineedit_draw(&f->edit, y, vx, r->x + r->w - vx, mm_theme_attr(MM_ROLE_FIELD_EDIT));
            continue;
        }
        char *value = display_value(f, row);
        mm_draw_text_cut(y, vx, r->x + r->w - vx, value ? value : "",
                         current ? attr : mm_theme_attr(MM_ROLE_FIELD), true);
        free(value);
    }
    if (!help_h)
        return;
    /* The help of the highlighted field, or the owner's refusal or remark. */
    int hy = r->y + list_h + 1;
    mm_rect help = {hy - 1, r->x, help_h + 1, r->w};
    mm_draw_fill(&help, normal);
    mm_draw_text_cut(hy, r->x, r->w, cur->title ? cur->title : "", mm_theme_attr(MM_ROLE_SECTION), true);
    mm_draw_wrapped(hy + 1, r->x, r->w, help_h - 1, body, mm_theme_attr(body_role));
}
