#include "widget_dialog.h"

#include "base/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void mm_dialog_open(mm_dialog *d, int id, mm_role role, const char *title, const char *message,
                    const mm_dialog_button *buttons, int default_button)
{
    mm_dialog_close(d);
    d->open = true;
    d->id = id;
    d->role = role;
    d->title = mm_strdup(title);
    d->message = mm_strdup(message);
    d->n_buttons = 0;
    for (int i = 0; buttons[i].label && i < MM_DIALOG_MAX_BUTTONS; i++)
        d->buttons[d->n_buttons++] = buttons[i];
    d->selected = default_button < d->n_buttons ? default_button : 0;
}

void mm_dialog_close(mm_dialog *d)
{
    free(d->title);
    free(d->message);
    memset(d, 0, sizeof *d);
}

int mm_dialog_on_key(mm_dialog *d, int key, mm_action action)
{
    int chosen = -1;
    if (!MM_KEY_IS_FN(key) && key > 0 && key < 128)
        for (int i = 0; i < d->n_buttons; i++)
            if (d->buttons[i].key && tolower(key) == tolower((unsigned char)d->buttons[i].key))
                chosen = i;
    if (chosen < 0) {
        switch (action) {
        case MM_ACT_LEFT: d->selected = (d->selected + d->n_buttons - 1) % d->n_buttons; break;
        case MM_ACT_RIGHT: d->selected = (d->selected + 1) % d->n_buttons; break;
        case MM_ACT_UP: d->scroll = d->scroll > 0 ? d->scroll - 1 : 0; break;
        case MM_ACT_DOWN: d->scroll++; break;
        case MM_ACT_ACTIVATE: chosen = d->selected; break;
        case MM_ACT_CANCEL: chosen = d->n_buttons - 1; break;
        default: break;
        }
    }
    if (chosen >= 0)
        mm_dialog_close(d);
    return chosen;
}

static char *button_text(const mm_dialog_button *b, bool selected)
{
    char key[8] = "";
    if (b->key)
        snprintf(key, sizeof key, " (%c)", b->key);
    return mm_asprintf(selected ? "< %s%s >" : "[ %s%s ]", b->label, key);
}

void mm_dialog_draw(mm_dialog *d)
{
    if (!d->open)
        return;
    int buttons_w = 0;
    for (int i = 0; i < d->n_buttons; i++) {
        char *text = button_text(&d->buttons[i], false);
        buttons_w += (text ? mm_text_width(text) : 0) + (i ? 2 : 0);
        free(text);
    }
    int w = COLS - 8 < 72 ? COLS - 8 : 72;
    if (w < buttons_w + 4)
        w = buttons_w + 4 < COLS ? buttons_w + 4 : COLS;
    int text_lines = mm_wrapped_lines(w - 4, d->message);
    int h = text_lines + 5;
    if (h > LINES - 2)
        h = LINES - 2;
    int shown = h - 5 > 0 ? h - 5 : 1;
    if (d->scroll > text_lines - shown)
        d->scroll = text_lines - shown > 0 ? text_lines - shown : 0;
    mm_rect box = {(LINES - h) / 2, (COLS - w) / 2, h, w};
    attr_t attr = mm_theme_attr(MM_ROLE_DIALOG);
    mm_draw_fill(&box, attr);
    mm_draw_box(&box, mm_theme_attr(MM_ROLE_BORDER));
    char *title = mm_asprintf(" %s ", d->title ? d->title : "");
    mm_draw_text(box.y, box.x + 2, w - 4, title, mm_theme_attr(MM_ROLE_SECTION), false);
    free(title);
    mm_draw_wrapped_from(box.y + 2, box.x + 2, w - 4, d->scroll, shown, d->message ? d->message : "",
                         mm_theme_attr(d->role));
    if (text_lines > shown)
        mm_draw_text(box.y + h - 3, box.x + w - 16, 14, " more: Up/Down ", mm_theme_attr(MM_ROLE_BORDER), false);
    int x = box.x + (w - buttons_w) / 2, y = box.y + h - 2;
    for (int i = 0; i < d->n_buttons; i++) {
        bool sel = i == d->selected;
        char *label = button_text(&d->buttons[i], sel);
        x += mm_draw_text(y, x, w, label ? label : "", sel ? mm_theme_attr(MM_ROLE_SELECTED) : attr, false) + 2;
        free(label);
    }
}

char *mm_dialog_hints(const mm_dialog *d)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    if (d->n_buttons > 1)
        mm_strbuf_append(&sb, "Left/Right choose  ");
    mm_strbuf_appendf(&sb, "Enter %s", d->buttons[d->selected].label);
    for (int i = 0; i < d->n_buttons; i++)
        if (d->buttons[i].key)
            mm_strbuf_appendf(&sb, "  %c %s", d->buttons[i].key, d->buttons[i].label);
    mm_strbuf_appendf(&sb, "  Esc %s", d->buttons[d->n_buttons - 1].label);
    return mm_strbuf_take(&sb);
}
