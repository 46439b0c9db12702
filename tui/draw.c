#include "draw.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Decodes one character; *len gets the bytes used (1 for an invalid byte,
 * which decodes as '?'). */
static wchar_t next_char(const char *s, size_t avail, size_t *len)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t n = mbrtowc(&wc, s, avail, &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *len = 1;
        return L'?';
    }
    *len = n;
    return wc;
}

static int char_width(wchar_t wc)
{
    if (wc < 32 || wc == 127)
        return 1; /* control characters are drawn as '?' */
    int cw = wcwidth(wc);
    return cw < 0 ? 1 : cw;
}

int mm_text_width(const char *text)
{
    int cols = 0;
    size_t avail = strlen(text), len;
    for (const char *p = text; *p; p += len, avail -= len)
        cols += char_width(next_char(p, avail, &len));
    return cols;
}

int mm_draw_text(int y, int x, int w, const char *text, attr_t attr, bool pad)
{
    if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
        return 0;
    if (x + w > COLS)
        w = COLS - x;
    attrset(attr);
    move(y, x);
    int cols = 0;
    size_t avail = text ? strlen(text) : 0, len;
    for (const char *p = text; p && *p; p += len, avail -= len) {
        wchar_t wc = next_char(p, avail, &len);
        int cw = char_width(wc);
        if (cw == 0)
            continue; /* combining marks are not worth the cell bookkeeping here */
        if (cols + cw > w)
            break;
        if (wc < 32 || wc == 127)
            wc = L'?';
        wchar_t one[2] = {wc, 0};
        addnwstr(one, 1);
        cols += cw;
    }
    if (pad)
        for (; cols < w; cols++)
            addch(' ');
    attrset(A_NORMAL);
    return cols;
}

const char *mm_ellipsis(void)
{
    return MB_CUR_MAX > 1 ? "\u2026" : "~";
}

int mm_draw_text_cut(int y, int x, int w, const char *text, attr_t attr, bool pad)
{
    if (!text || mm_text_width(text) <= w)
        return mm_draw_text(y, x, w, text, attr, pad);
    if (w <= 0)
        return 0;
    int cols = mm_draw_text(y, x, w - 1, text, attr, false);
    cols += mm_draw_text(y, x + cols, 1, mm_ellipsis(), attr, false);
    if (pad && cols < w)
        cols += mm_draw_text(y, x + cols, w - cols, "", attr, true);
    return cols;
}

void mm_draw_text_right(int y, int x, int w, const char *text, attr_t attr)
{
    int tw = mm_text_width(text);
    if (tw >= w) {
        mm_draw_text(y, x, w, text, attr, true);
        return;
    }
    mm_draw_text(y, x, w - tw, "", attr, true);
    mm_draw_text(y, x + w - tw, tw, text, attr, true);
}

void mm_draw_fill(const mm_rect *r, attr_t attr)
{
    for (int i = 0; i < r->h; i++)
        mm_draw_text(r->y + i, r->x, r->w, "", attr, true);
}

/* Calls emit(line, bytes) for each wrapped line; returns the line count. */
static int wrap(int w, const char *text, void (*emit)(void *ctx, int i, const char *s, size_t n),
                void *ctx)
{
    int lines = 0;
    const char *p = text;
    if (w <= 0)
        return 0;
    while (*p) {
        const char *line_start = p, *last_space = NULL;
        int cols = 0;
        size_t len = 0;
        while (*p && *p != '\n') {
            int cw = char_width(next_char(p, strlen(p), &len));
            if (cols + cw > w)
                break;
            if (*p == ' ')
                last_space = p;
            cols += cw;
            p += len;
        }
        const char *end = p;
        if (*p && *p != '\n' && last_space && last_space > line_start) {
            end = last_space;
            p = last_space + 1;
        } else if (*p == '\n') {
            p++;
        }
        if (emit)
            emit(ctx, lines, line_start, (size_t)(end - line_start));
        lines++;
        if (end == line_start && p == line_start) /* a character wider than w */
            p += len;
    }
    return lines;
}

struct wrap_draw {
    int y, x, w, skip, max;
    bool more;          /* lines beyond the window: the last one shown ends in an ellipsis */
    attr_t attr;
};

static void draw_line(void *ctx, int i, const char *s, size_t n)
{
    struct wrap_draw *d = ctx;
    i -= d->skip;
    if (i < 0 || i >= d->max)
        return;
    char *copy = strndup(s, n);
    if (!copy)
        return;
    if (i == d->max - 1 && d->more) {
        int cols = mm_draw_text(d->y + i, d->x, d->w - 1, copy, d->attr, false);
        mm_draw_text(d->y + i, d->x + cols, d->w - cols, mm_ellipsis(), d->attr, true);
    } else {
        mm_draw_text(d->y + i, d->x, d->w, copy, d->attr, true);
    }
    free(copy);
}

int mm_draw_wrapped_from(int y, int x, int w, int skip, int max_lines, const char *text, attr_t attr)
{
    if (max_lines <= 0 || !text)
        return 0;
    int total = wrap(w, text, NULL, NULL);
    if (skip < 0)
        skip = 0;
    struct wrap_draw d = {y, x, w, skip, max_lines, total - skip > max_lines, attr};
    wrap(w, text, draw_line, &d);
    int n = total - skip;
    return n < 0 ? 0 : n < max_lines ? n : max_lines;
}

int mm_draw_wrapped(int y, int x, int w, int max_lines, const char *text, attr_t attr)
{
    return mm_draw_wrapped_from(y, x, w, 0, max_lines, text, attr);
}

int mm_wrapped_lines(int w, const char *text)
{
    return wrap(w, text, NULL, NULL);
}

/* Box lines as characters, not ACS, so snapshots read back what is shown. */
void mm_draw_box(const mm_rect *r, attr_t attr)
{
    if (r->h < 2 || r->w < 2)
        return;
    bool utf8 = MB_CUR_MAX > 1;
    const char *h = utf8 ? "\u2500" : "-", *v = utf8 ? "\u2502" : "|";
    const char *corner[4] = {utf8 ? "\u250c" : "+", utf8 ? "\u2510" : "+", utf8 ? "\u2514" : "+",
                             utf8 ? "\u2518" : "+"};
    for (int i = 1; i < r->w - 1; i++) {
        mm_draw_text(r->y, r->x + i, 1, h, attr, false);
        mm_draw_text(r->y + r->h - 1, r->x + i, 1, h, attr, false);
    }
    for (int i = 1; i < r->h - 1; i++) {
        mm_draw_text(r->y + i, r->x, 1, v, attr, false);
        mm_draw_text(r->y + i, r->x + r->w - 1, 1, v, attr, false);
    }
    mm_draw_text(r->y, r->x, 1, corner[0], attr, false);
    mm_draw_text(r->y, r->x + r->w - 1, 1, corner[1], attr, false);
    mm_draw_text(r->y + r->h - 1, r->x, 1, corner[2], attr, false);
    mm_draw_text(r->y + r->h - 1, r->x + r->w - 1, 1, corner[3], attr, false);
}

static int cursor_y = -1, cursor_x = -1;

void mm_draw_cursor_reset(void)
{
    cursor_y = cursor_x = -1;
}

void mm_draw_cursor_at(int y, int x)
{
    cursor_y = y;
    cursor_x = x;
}

bool mm_draw_cursor_wanted(int *y, int *x)
{
    *y = cursor_y;
    *x = cursor_x;
    return cursor_y >= 0;
}
