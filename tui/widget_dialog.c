#include "widget_dialog.h"

#include "base/strbuf.h"

#include <stdlib.h>
#include <string.h>

void mm_dialog_open(mm_dialog *d, int id, mm_role role, const char *title, const char *message,
                    const char *const *buttons, int default_button)
{
    mm_dialog_close(d);
    d->open = true;
    d->id = id;
    d->role = role;
    d->title = mm_strdup(title);
    d->message = mm_strdup(message);
    d->n_buttons = 0;
    for (int i = 0; buttons[i] && i < MM_DIALOG_MAX_BUTTONS; i++)
        d->buttons[d->n_buttons++] = buttons[i];
    d->selected = default_button < d->n_buttons ? default_button : 0;
}

void mm_dialog_close(mm_dialog *d)
{
    free(d->title);
    free(d->message);
    memset(d, 0, sizeof *d);
}

int mm_dialog_on_action(mm_dialog *d, mm_action action)
{
    int chosen = -1;
    switch (action) {
    case MM_ACT_LEFT: d->selected = (d->selected + d->n_buttons - 1) % d->n_buttons; break;
    case MM_ACT_RIGHT: d->selected = (d->selected + 1) % d->n_buttons; break;
    case MM_ACT_ACTIVATE: chosen = d->selected; break;
    case MM_ACT_CANCEL: chosen = d->n_buttons - 1; break;
    default: break;
    }
    if (chosen >= 0)
        mm_dialog_close(d);
    return chosen;
}

void mm_dialog_draw(const mm_dialog *d)
{
    if (!d->open)
        return;
    int buttons_w = 0;
    for (int i = 0; i < d->n_buttons; i++)
        buttons_w += mm_text_width(d->buttons[i]) + 4 + (i ? 2 : 0);
    int w = COLS - 8 < 64 ? COLS - 8 : 64;
    if (w < buttons_w + 4)
        w = buttons_w + 4 < COLS ? buttons_w + 4 : COLS;
    int text_lines = mm_wrapped_lines(w - 4, d->message);
    int h = text_lines + 5;
    if (h > LINES - 2)
        h = LINES - 2;
    mm_rect box = {(LINES - h) / 2, (COLS - w) / 2, h, w};
    attr_t attr = mm_theme_attr(MM_ROLE_DIALOG);
    mm_draw_fill(&box, attr);
    mm_draw_box(&box, mm_theme_attr(MM_ROLE_BORDER));
    char *title = mm_asprintf(" %s ", d->title ? d->title : "");
    mm_draw_text(box.y, box.x + 2, w - 4, title, mm_theme_attr(MM_ROLE_SECTION), false);
    free(title);
    mm_draw_wrapped(box.y + 2, box.x + 2, w - 4, h - 5 > 0 ? h - 5 : 1, d->message, mm_theme_attr(d->role));
    int x = box.x + (w - buttons_w) / 2, y = box.y + h - 2;
    for (int i = 0; i < d->n_buttons; i++) {
        bool sel = i == d->selected;
        char *label = mm_asprintf(sel ? "< %s >" : "[ %s ]", d->buttons[i]);
        x += mm_draw_text(y, x, w, label, sel ? mm_theme_attr(MM_ROLE_SELECTED) : attr, false) + 2;
        free(label);
    }
}
