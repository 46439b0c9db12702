#include "widget_progress.h"

#include "base/strbuf.h"

#include <stdlib.h>

void mm_progress_draw(int y, int x, int w, uint64_t done, uint64_t total, const char *label)
{
    if (done > total)
        done = total;
    int pct = total ? (int)(done * 100 / total) : -1;
    char pct_text[16];
    if (pct < 0)
        snprintf(pct_text, sizeof pct_text, " --%%");
    else
        snprintf(pct_text, sizeof pct_text, "%3d%%", pct);
    int label_w = label ? mm_text_width(label) : 0;
    int bar_w = w - 2 - 1 - 4 - (label_w ? label_w + 2 : 0);
    if (bar_w < 10) {
        bar_w = w - 7;
        label_w = 0;
    }
    if (bar_w < 1)
        return;
    int filled = total ? (int)((double)done / (double)total * bar_w) : 0;
    attr_t normal = mm_theme_attr(MM_ROLE_NORMAL);
    mm_draw_text(y, x, 1, "[", normal, false);
    for (int i = 0; i < bar_w; i++)
        mm_draw_text(y, x + 1 + i, 1, i < filled ? "#" : ".",
                     mm_theme_attr(i < filled ? MM_ROLE_PROGRESS_DONE : MM_ROLE_PROGRESS_TODO), false);
    mm_draw_text(y, x + 1 + bar_w, 1, "]", normal, false);
    mm_draw_text(y, x + 2 + bar_w, 5, pct_text, normal, true);
    if (label_w)
        mm_draw_text(y, x + bar_w + 8, w - bar_w - 8, label, normal, true);
}
