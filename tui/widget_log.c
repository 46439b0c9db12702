#include "widget_log.h"

#include "base/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mm_log_init(mm_log *log, size_t capacity)
{
    memset(log, 0, sizeof *log);
    log->cap = capacity ? capacity : 1;
    log->lines = calloc(log->cap, sizeof *log->lines);
    if (!log->lines)
        abort();
}

void mm_log_fini(mm_log *log)
{
    for (size_t i = 0; i < log->count; i++)
        free(log->lines[(log->start + i) % log->cap].text);
    free(log->lines);
    memset(log, 0, sizeof *log);
}

void mm_log_add(mm_log *log, mm_role role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = mm_vasprintf(fmt, ap);
    va_end(ap);
    if (!text)
        return;
    size_t slot;
    if (log->count == log->cap) {
        slot = log->start;
        free(log->lines[slot].text);
        log->start = (log->start + 1) % log->cap;
    } else {
        slot = (log->start + log->count++) % log->cap;
    }
    log->lines[slot] = (mm_log_line){text, role};
}

void mm_log_scroll(mm_log *log, long lines)
{
    long s = (long)log->scroll + lines;
    long max = (long)log->count > 0 ? (long)log->count - 1 : 0;
    log->scroll = (size_t)(s < 0 ? 0 : s > max ? max : s);
}

bool mm_log_on_action(mm_log *log, mm_action action, int page)
{
    long step = page > 1 ? page - 1 : 1;
    switch (action) {
    case MM_ACT_UP: mm_log_scroll(log, 1); return true;
    case MM_ACT_DOWN: mm_log_scroll(log, -1); return true;
    case MM_ACT_PAGE_UP: mm_log_scroll(log, step); return true;
    case MM_ACT_PAGE_DOWN: mm_log_scroll(log, -step); return true;
    case MM_ACT_HOME: mm_log_scroll(log, (long)log->count); return true;
    case MM_ACT_END: log->scroll = 0; return true;
    default: return false;
    }
}

static const mm_log_line *line_at(const mm_log *log, size_t idx)
{
    return &log->lines[(log->start + idx) % log->cap];
}

static int line_rows(const char *text, int w)
{
    int rows = mm_wrapped_lines(w, text);
    return rows < 1 ? 1 : rows;
}

int mm_log_height(const mm_log *log, int w)
{
    int rows = 0;
    for (size_t i = 0; i < log->count; i++)
        rows += line_rows(line_at(log, i)->text, w);
    return rows;
}

void mm_log_draw(const mm_log *log, const mm_rect *r)
{
    mm_draw_fill(r, mm_theme_attr(MM_ROLE_NORMAL));
    if (r->h <= 0 || r->w <= 0)
        return;
    size_t end = log->count > log->scroll ? log->count - log->scroll : 0;
    /* Scrolled back to the oldest messages: they fill the pane from its
     * top (the first page), not one line at its bottom. */
    int used = 0;
    for (size_t k = 0; k < end; k++)
        used += line_rows(line_at(log, k)->text, r->w);
    bool first_page = used < r->h && end < log->count;
    while (end < log->count && used < r->h)
        used += line_rows(line_at(log, end++)->text, r->w);
    if (first_page) {
        /* Top down from the oldest; the last that fits only partly shows
         * its first rows. */
        int y = r->y;
        for (size_t k = 0; k < end && y < r->y + r->h; k++) {
            const mm_log_line *l = line_at(log, k);
            int rows = line_rows(l->text, r->w), room = r->y + r->h - y;
            mm_draw_wrapped(y, r->x, r->w, rows < room ? rows : room, l->text, mm_theme_attr(l->role));
            y += rows;
        }
    }
    /* From the newest shown upwards, each message in as many rows as it
     * wraps to; the oldest that fits only partly shows its last rows. */
    int bottom = r->y + r->h;
    for (size_t k = first_page ? 0 : end; k > 0 && bottom > r->y; k--) {
        const mm_log_line *l = line_at(log, k - 1);
        int rows = line_rows(l->text, r->w);
        int top = bottom - rows;
        if (top >= r->y) {
            mm_draw_wrapped(top, r->x, r->w, rows, l->text, mm_theme_attr(l->role));
        } else {
            int skip = r->y - top;
            mm_draw_wrapped_from(r->y, r->x, r->w, skip, rows - skip, l->text, mm_theme_attr(l->role));
        }
        bottom = top;
    }
    if (end < log->count) {
        char *more = mm_asprintf(" %zu newer: End ", log->count - end);
        int mw = more ? mm_text_width(more) : 0;
        if (more && mw < r->w)
            mm_draw_text(r->y + r->h - 1, r->x + r->w - mw, mw, more, mm_theme_attr(MM_ROLE_KEY_HINT), false);
        free(more);
    }
}
