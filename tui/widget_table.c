#include "widget_table.h"

#include "base/strbuf.h"

#include <stdlib.h>
#include <string.h>

void mm_table_init(mm_table *t, const mm_table_column *columns, size_t n_columns)
{
    memset(t, 0, sizeof *t);
    t->columns = columns;
    t->n_columns = n_columns < MM_TABLE_MAX_COLUMNS ? n_columns : MM_TABLE_MAX_COLUMNS;
    t->drawn_y = -1;
}

void mm_table_clear(mm_table *t)
{
    for (size_t i = 0; i < t->n_rows; i++) {
        for (size_t c = 0; c < t->n_columns; c++)
            free(t->rows[i].cells[c]);
        free(t->rows[i].cells);
    }
    t->n_rows = 0;
    memset(t->content_w, 0, sizeof t->content_w);
}

void mm_table_fini(mm_table *t)
{
    mm_table_clear(t);
    free(t->rows);
    memset(t, 0, sizeof *t);
}

void mm_table_add(mm_table *t, const char *const *cells, mm_role role, int tag, int sub)
{
    if (t->n_rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        mm_table_item *nr = realloc(t->rows, cap * sizeof *nr);
        if (!nr)
            abort();
        t->rows = nr;
        t->cap = cap;
    }
    mm_table_item *row = &t->rows[t->n_rows++];
    row->cells = calloc(t->n_columns, sizeof *row->cells);
    if (!row->cells)
        abort();
    for (size_t c = 0; c < t->n_columns; c++) {
        row->cells[c] = mm_strdup(cells[c] ? cells[c] : "");
        int w = mm_text_width(row->cells[c]);
        if (w > t->content_w[c])
            t->content_w[c] = w;
    }
    row->role = role;
    row->tag = tag;
    row->sub = sub;
}

long mm_list_move(size_t current, size_t n, int page, mm_action action)
{
    if (n == 0)
        return -1;
    long cur = (long)current, last = (long)n - 1, step = page > 1 ? page - 1 : 1;
    switch (action) {
    case MM_ACT_UP: cur--; break;
    case MM_ACT_DOWN: cur++; break;
    case MM_ACT_PAGE_UP: cur -= step; break;
    case MM_ACT_PAGE_DOWN: cur += step; break;
    case MM_ACT_HOME: cur = 0; break;
    case MM_ACT_END: cur = last; break;
    default: return -1;
    }
    return cur < 0 ? 0 : cur > last ? last : cur;
}

bool mm_table_on_action(mm_table *t, mm_action action)
{
    long to = mm_list_move(t->selected, t->n_rows, t->page, action);
    if (to < 0)
        return action == MM_ACT_UP || action == MM_ACT_DOWN || action == MM_ACT_PAGE_UP ||
               action == MM_ACT_PAGE_DOWN || action == MM_ACT_HOME || action == MM_ACT_END;
    t->selected = (size_t)to;
    return true;
}

const mm_table_item *mm_table_current(const mm_table *t)
{
    return t->selected < t->n_rows ? &t->rows[t->selected] : NULL;
}

enum { FLEX_MIN = 6 };

/* The width a visible column needs at least. */
static int base_width(const mm_table_column *col, int content)
{
    int base = col->width > 0 ? col->width : col->min > 0 ? col->min : FLEX_MIN;
    if (col->right && content > base)
        base = content; /* a number is shown whole or not at all */
    return base;
}

void mm_table_layout(const mm_table_column *columns, size_t n, const int *content_w, const bool *hidden, int w,
                     int *widths)
{
    bool shown[MM_TABLE_MAX_COLUMNS];
    int total = 0, visible = 0;
    for (size_t c = 0; c < n; c++) {
        shown[c] = !(hidden && hidden[c]);
        widths[c] = shown[c] ? base_width(&columns[c], content_w ? content_w[c] : 0) : 0;
        if (shown[c]) {
            total += widths[c] + (visible ? 1 : 0);
            visible++;
        }
    }
    /* Too wide: the least important droppable column goes first (the
     * rightmost of equals), until the rest fits. */
    while (total > w) {
        long worst = -1;
        for (size_t c = 0; c < n; c++)
            if (shown[c] && columns[c].drop > 0 && (worst < 0 || columns[c].drop >= columns[worst].drop))
                worst = (long)c;
        if (worst < 0)
            break;
        shown[worst] = false;
        total -= widths[worst] + (visible > 1 ? 1 : 0);
        visible--;
        widths[worst] = 0;
    }
    int spare = w - total, flexible = 0;
    for (size_t c = 0; c < n; c++)
        flexible += shown[c] && columns[c].width == 0;
    for (size_t c = 0; c < n && spare > 0 && flexible > 0; c++) {
        if (!shown[c] || columns[c].width != 0)
            continue;
        int share = spare / flexible;
        widths[c] += share;
        spare -= share;
        flexible--;
    }
}

/* A right-aligned number wider than its column (only when nothing could be
 * dropped to make room) shows as an ellipsis, never as a cut number. */
static void draw_cell(int y, int x, int w, const mm_table_column *col, const char *text, attr_t attr)
{
    if (!col->right) {
        mm_draw_text_cut(y, x, w, text, attr, true);
        return;
    }
    if (mm_text_width(text) > w)
        text = mm_ellipsis();
    mm_draw_text_right(y, x, w, text, attr);
}

static void draw_row(const mm_table *t, int y, int x, int w, const int *widths, char *const *cells, attr_t attr)
{
    mm_draw_text(y, x, w, "", attr, true);
    int col = x;
    for (size_t c = 0; c < t->n_columns && col < x + w; c++) {
        if (!widths[c])
            continue;
        int cw = widths[c];
        if (col + cw > x + w)
            cw = x + w - col;
        draw_cell(y, col, cw, &t->columns[c], cells[c], attr);
        col += widths[c] + 1;
    }
}

/* Widths for gw columns: number columns as wide as their titles when that
 * fits with nothing dropped, else as wide as their numbers. */
static void table_widths(const mm_table *t, int gw, int *widths)
{
    size_t nc = t->n_columns;
    int titled[MM_TABLE_MAX_COLUMNS] = {0};
    for (size_t c = 0; c < nc; c++) {
        int tw = mm_text_width(t->columns[c].title);
        titled[c] = t->columns[c].right && tw > t->content_w[c] ? tw : t->content_w[c];
    }
    mm_table_layout(t->columns, nc, titled, t->hidden, gw, widths);
    int sum = -1;
    bool dropped = false;
    for (size_t c = 0; c < nc; c++) {
        sum += widths[c] ? widths[c] + 1 : 0;
        dropped = dropped || (!widths[c] && !t->hidden[c]);
    }
    if (sum > gw || dropped)
        mm_table_layout(t->columns, nc, t->content_w, t->hidden, gw, widths);
}

void mm_table_draw(mm_table *t, const mm_rect *r, bool focused)
{
    if (r->h < 1 || r->w < 1)
        return;
    /* A one-column gutter marks the highlighted row in text too (snapshots,
     * monochrome terminals). */
    int gx = r->x + 1, gw = r->w - 1;
    int widths[MM_TABLE_MAX_COLUMNS];
    size_t nc = t->n_columns;
    table_widths(t, gw, widths);
    char *titles[MM_TABLE_MAX_COLUMNS];
    for (size_t c = 0; c < nc; c++)
        titles[c] = (char *)t->columns[c].title;
    mm_draw_text(r->y, r->x, 1, "", mm_theme_attr(MM_ROLE_HEADER), true);
    draw_row(t, r->y, gx, gw, widths, titles, mm_theme_attr(MM_ROLE_HEADER));
    t->page = r->h - 1;
    t->drawn_y = r->y + 1;
    if (t->page < 1)
        return;
    if (t->n_rows && t->selected >= t->n_rows)
        t->selected = t->n_rows - 1;
    if (t->selected < t->top)
        t->top = t->selected;
    if (t->selected >= t->top + (size_t)t->page)
        t->top = t->selected - (size_t)t->page + 1;
    if (t->top + (size_t)t->page > t->n_rows)
        t->top = t->n_rows > (size_t)t->page ? t->n_rows - (size_t)t->page : 0;
    for (int i = 0; i < t->page; i++) {
        size_t idx = t->top + (size_t)i;
        int y = r->y + 1 + i;
        if (idx >= t->n_rows) {
            mm_draw_text(y, r->x, r->w, "", mm_theme_attr(MM_ROLE_NORMAL), true);
            continue;
        }
        const mm_table_item *row = &t->rows[idx];
        attr_t attr = focused && idx == t->selected ? mm_theme_attr(MM_ROLE_SELECTED)
                                                    : mm_theme_attr(row->role);
        mm_draw_text(y, r->x, 1, focused && idx == t->selected ? ">" : "", attr, true);
        draw_row(t, y, gx, gw, widths, row->cells, attr);
    }
}

long mm_table_row_at(const mm_table *t, int y)
{
    if (t->drawn_y < 0 || y < t->drawn_y || y >= t->drawn_y + t->page)
        return -1;
    size_t idx = t->top + (size_t)(y - t->drawn_y);
    return idx < t->n_rows ? (long)idx : -1;
}

int mm_table_height(const mm_table *t)
{
    return 1 + (int)t->n_rows;
}
