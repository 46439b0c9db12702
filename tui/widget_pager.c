#include "widget_pager.h"

#include "base/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

void mm_pager_open(mm_pager *p, const char *title, const char *text)
{
    mm_pager_close(p);
    p->open = true;
    p->title = mm_strdup(title);
    p->text = mm_strdup(text);
}

void mm_pager_close(mm_pager *p)
{
    free(p->title);
    free(p->text);
    memset(p, 0, sizeof *p);
}

bool mm_pager_on_action(mm_pager *p, mm_action action)
{
    int step = p->page > 1 ? p->page - 1 : 1, last = p->total - p->page > 0 ? p->total - p->page : 0;
    switch (action) {
    case MM_ACT_CANCEL: mm_pager_close(p); return true;
    case MM_ACT_UP: p->scroll--; break;
    case MM_ACT_DOWN: p->scroll++; break;
    case MM_ACT_PAGE_UP: p->scroll -= step; break;
    case MM_ACT_PAGE_DOWN: p->scroll += step; break;
    case MM_ACT_HOME: p->scroll = 0; break;
    case MM_ACT_END: p->scroll = last; break;
    default: return false;
    }
    if (p->scroll > last)
        p->scroll = last;
    if (p->scroll < 0)
        p->scroll = 0;
    return true;
}

/* The bytes of text's first characters that fill at most cols columns
 * (at least one character, so a wrap always advances). */
static size_t bytes_for_columns(const char *text, int cols)
{
    size_t used = 0;
    int width = 0;
    while (text[used]) {
        mbstate_t st;
        memset(&st, 0, sizeof st);
        wchar_t wc;
        size_t n = mbrtowc(&wc, text + used, strlen(text + used), &st);
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
            n = 1;
        char one[8];
        size_t k = n < sizeof one - 1 ? n : sizeof one - 1;
        memcpy(one, text + used, k);
        one[k] = '\0';
        int cw = mm_text_width(one);
        if (width + cw > cols && used > 0)
            break;
        width += cw;
        used += n;
    }
    return used;
}

/* Calls line(ctx, n, text, indent, heading) for each wrapped line of the
 * text in w columns; returns the count. */
typedef void (*emit_fn)(void *ctx, int n, const char *text, int indent, bool heading);

static int layout(const char *text, int w, emit_fn emit, void *ctx)
{
    int n = 0;
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\n");
        char *line = strndup(p, len);
        p += len + (p[len] == '\n');
        if (!line)
            break;
        bool heading = line[0] && line[0] != ' ';
        char *tab = strchr(line, '\t');
        int hang = 0;
        const char *body = line;
        if (tab) {
            *tab = '\0';
            hang = mm_text_width(line) + 1;
            if (hang > w / 2)
                hang = 4; /* a key list too long to hang under: wrap it under itself */
        }
        if (!*line && !tab) {
            if (emit)
                emit(ctx, n, "", 0, false);
            n++;
            free(line);
            continue;
        }
        /* The first line carries the key column; the rest hang under the text. */
        mm_strbuf first;
        mm_strbuf_init(&first);
        if (tab) {
            mm_strbuf_append(&first, line);
            mm_strbuf_pad(&first, ' ', 1);
            body = tab + 1;
        }
        int width_first = w - (tab ? mm_text_width(first.data ? first.data : "") : 0);
        /* Wrap the body in the first line's room, then in the hung room. */
        const char *rest = body;
        bool at_first = true;
        while (at_first || *rest) {
            int room = at_first ? width_first : w - hang;
            if (room < 4)
                room = 4;
            /* Take as much of rest as one wrapped line of room holds. */
            int lines = mm_wrapped_lines(room, rest);
            size_t take = strlen(rest);
            if (lines > 1) {
                /* The longest prefix that still wraps to one line, cut at a space. */
                size_t best = 0;
                for (size_t i = 1; i <= strlen(rest); i++)
                    if (rest[i] == ' ' || rest[i] == '\0') {
                        char *head = strndup(rest, i);
                        int hl = head ? mm_wrapped_lines(room, head) : 2;
                        free(head);
                        if (hl > 1)
                            break;
                        best = i;
                    }
                take = best ? best : bytes_for_columns(rest, room);
            }
            char *piece = strndup(rest, take);
            mm_strbuf out;
            mm_strbuf_init(&out);
            if (at_first && tab)
                mm_strbuf_append(&out, first.data ? first.data : "");
            mm_strbuf_append(&out, piece ? piece : "");
            if (emit)
                emit(ctx, n, out.data ? out.data : "", at_first ? 0 : hang, heading && at_first);
            n++;
            mm_strbuf_free(&out);
            free(piece);
            rest += take;
            while (*rest == ' ')
                rest++;
            at_first = false;
        }
        mm_strbuf_free(&first);
        free(line);
    }
    return n;
}

struct draw_ctx {
    int y, x, w, from, rows;
    attr_t text, heading;
};

static void draw_one(void *ctx, int n, const char *text, int indent, bool heading)
{
    struct draw_ctx *d = ctx;
    int row = n - d->from;
    if (row < 0 || row >= d->rows)
        return;
    mm_draw_text(d->y + row, d->x, d->w, "", d->text, true);
    mm_draw_text(d->y + row, d->x + indent, d->w - indent, text, heading ? d->heading : d->text, true);
}

void mm_pager_draw(mm_pager *p)
{
    if (!p->open)
        return;
    int w = COLS - 4 < 96 ? COLS - 4 : 96, h = LINES - 2;
    if (w < 10 || h < 4)
        return;
    mm_rect box = {1, (COLS - w) / 2, h, w};
    mm_draw_fill(&box, mm_theme_attr(MM_ROLE_DIALOG));
    mm_draw_box(&box, mm_theme_attr(MM_ROLE_BORDER));
    char *title = mm_asprintf(" %s ", p->title ? p->title : "");
    mm_draw_text_cut(box.y, box.x + 2, w - 4, title ? title : "", mm_theme_attr(MM_ROLE_SECTION), false);
    free(title);
    int inner_w = w - 4;
    p->page = h - 2;
    p->total = layout(p->text ? p->text : "", inner_w, NULL, NULL);
    int last = p->total - p->page > 0 ? p->total - p->page : 0;
    if (p->scroll > last)
        p->scroll = last;
    struct draw_ctx d = {box.y + 1, box.x + 2, inner_w, p->scroll, p->page, mm_theme_attr(MM_ROLE_DIALOG),
                         mm_theme_attr(MM_ROLE_SECTION)};
    layout(p->text ? p->text : "", inner_w, draw_one, &d);
    if (p->total > p->page) {
        char *where = mm_asprintf(" %d-%d of %d: Up/Down, PgUp/PgDn, Home/End ", p->scroll + 1,
                                  p->scroll + p->page < p->total ? p->scroll + p->page : p->total, p->total);
        int ww = where ? mm_text_width(where) : 0;
        if (where && ww < w - 4)
            mm_draw_text(box.y + h - 1, box.x + w - 2 - ww, ww, where, mm_theme_attr(MM_ROLE_BORDER), false);
        free(where);
    }
}
