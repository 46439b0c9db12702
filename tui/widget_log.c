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

void mm_log_draw(const mm_log *log, const mm_rect *r)
{
    size_t visible = (size_t)(r->h > 0 ? r->h : 0);
    size_t end = log->count > log->scroll ? log->count - log->scroll : 0;
    size_t first = end > visible ? end - visible : 0;
    for (size_t i = 0; i < visible; i++) {
        size_t idx = first + i;
        if (idx < end) {
            const mm_log_line *l = &log->lines[(log->start + idx) % log->cap];
            mm_draw_text(r->y + (int)i, r->x, r->w, l->text, mm_theme_attr(l->role), true);
        } else {
            mm_draw_text(r->y + (int)i, r->x, r->w, "", mm_theme_attr(MM_ROLE_NORMAL), true);
        }
    }
}
