#include "lineedit.h"

#include "draw.h"

#include <stdlib.h>
#include <limits.h>
#include <string.h>

static void reserve(mm_lineedit *e, size_t need)
{
    if (need + 1 <= e->cap)
        return;
    size_t cap = e->cap ? e->cap * 2 : 64;
    while (cap < need + 1)
        cap *= 2;
    wchar_t *nb = realloc(e->buf, cap * sizeof *nb);
    if (!nb)
        abort(); /* the UI layer treats OOM as fatal; the atexit hook restores the terminal */
    e->buf = nb;
    e->cap = cap;
}

void mm_lineedit_init(mm_lineedit *e, const char *utf8, mm_mask mask, mm_masker masker)
{
    memset(e, 0, sizeof *e);
    e->mask = mask;
    e->masker = masker;
    reserve(e, 0);
    mbstate_t st;
    memset(&st, 0, sizeof st);
    const char *p = utf8 ? utf8 : "";
    size_t avail = strlen(p);
    while (avail) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, p, avail, &st);
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
            wc = L'?';
            n = 1;
            memset(&st, 0, sizeof st);
        }
        reserve(e, e->len + 1);
        e->buf[e->len++] = wc;
        p += n;
        avail -= n;
    }
    e->buf[e->len] = 0;
    e->cursor = e->len;
}

void mm_lineedit_fini(mm_lineedit *e)
{
    if (e->buf)
        memset(e->buf, 0, e->cap * sizeof *e->buf); /* may have held a secret */
    free(e->buf);
    memset(e, 0, sizeof *e);
}

bool mm_lineedit_key(mm_lineedit *e, int key, mm_action action)
{
    switch (action) {
    case MM_ACT_LEFT:
        if (e->cursor > 0)
            e->cursor--;
        return true;
    case MM_ACT_RIGHT:
        if (e->cursor < e->len)
            e->cursor++;
        return true;
    case MM_ACT_HOME: e->cursor = 0; return true;
    case MM_ACT_END: e->cursor = e->len; return true;
    case MM_ACT_BACKSPACE:
        if (e->cursor == 0)
            return false;
        e->cursor--;
        /* fall through */
    case MM_ACT_DELETE_CHAR:
        if (e->cursor >= e->len)
            return false;
        memmove(e->buf + e->cursor, e->buf + e->cursor + 1, (e->len - e->cursor) * sizeof *e->buf);
        e->len--;
        return true;
    case MM_ACT_CLEAR_LINE:
        e->len = e->cursor = e->scroll = 0;
        e->buf[0] = 0;
        return true;
    default: break;
    }
    if (MM_KEY_IS_FN(key) || key < 32 || key == 127)
        return false;
    reserve(e, e->len + 1);
    memmove(e->buf + e->cursor + 1, e->buf + e->cursor, (e->len - e->cursor + 1) * sizeof *e->buf);
    e->buf[e->cursor++] = (wchar_t)key;
    e->len++;
    return true;
}

void mm_lineedit_set_text(mm_lineedit *e, const char *utf8)
{
    mm_mask mask = e->mask;
    mm_masker masker = e->masker;
    mm_lineedit_fini(e);
    mm_lineedit_init(e, utf8, mask, masker);
}

char *mm_lineedit_text(const mm_lineedit *e)
{
    size_t cap = e->len * MB_LEN_MAX + 1;
    char *out = malloc(cap);
    if (!out)
        abort();
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t o = 0;
    for (size_t i = 0; i < e->len; i++) {
        size_t n = wcrtomb(out + o, e->buf[i], &st);
        if (n == (size_t)-1) {
            out[o++] = '?';
            memset(&st, 0, sizeof st);
        } else {
            o += n;
        }
    }
    out[o] = '\0';
    return out;
}

static int wc_width(wchar_t wc)
{
    int w = wcwidth(wc);
    return w < 1 ? 1 : w;
}

void mm_lineedit_draw(mm_lineedit *e, int y, int x, int w, attr_t attr)
{
    if (w <= 1)
        return;
    if (e->mask == MM_MASK_SHAPE) {
        /* Cursor movement inside a shaped text would point at hidden text,
         * so the field shows the shaped form and the cursor stays at its end. */
        char *text = mm_lineedit_text(e);
        char *masked = e->masker ? e->masker(text) : NULL;
        memset(text, 0, strlen(text));
        free(text);
        const char *shown = masked ? masked : "";
        int tw = mm_text_width(shown);
        const char *start = shown;
        while (tw > w - 1 && *start) { /* show the tail when too long */
            start++;
            tw = mm_text_width(start);
        }
        mm_draw_text(y, x, w, start, attr, true);
        mm_draw_cursor_at(y, x + tw);
        free(masked);
        e->cursor = e->len;
        return;
    }
    /* Keep the cursor visible: scroll so that cursor column < w. */
    if (e->cursor < e->scroll)
        e->scroll = e->cursor;
    for (;;) {
        int cols = 0;
        for (size_t i = e->scroll; i < e->cursor; i++)
            cols += e->mask == MM_MASK_ALL ? 1 : wc_width(e->buf[i]);
        if (cols < w || e->scroll >= e->cursor)
            break;
        e->scroll++;
    }
    attrset(attr);
    move(y, x);
    int cols = 0, cursor_col = 0;
    for (size_t i = e->scroll; i <= e->len; i++) {
        if (i == e->cursor)
            cursor_col = cols;
        if (i == e->len)
            break;
        wchar_t wc = e->mask == MM_MASK_ALL ? L'*' : e->buf[i];
        if (wc < 32)
            wc = L'?';
        int cw = wc_width(wc);
        if (cols + cw > w)
            break;
        wchar_t one[2] = {wc, 0};
        addnwstr(one, 1);
        cols += cw;
    }
    for (; cols < w; cols++)
        addch(' ');
    attrset(A_NORMAL);
    mm_draw_cursor_at(y, x + cursor_col);
}
