#include "source_find.h"

#include "base/strbuf.h"
#include "tui/loop.h"
#include "tui/widget_table.h"

#include <stdlib.h>
#include <string.h>

typedef struct find_run {
    mm_found_install *found;
    size_t n;
    int rc;
    mm_error err;
} find_run;

static void search(mm_task *task, void *arg)
{
    (void)task;
    find_run *run = arg;
    run->rc = mm_job_find_installs(&run->found, &run->n, &run->err);
}

void mm_source_find_init(mm_source_find *f)
{
    memset(f, 0, sizeof *f);
}

static void drop_results(mm_source_find *f)
{
    mm_found_installs_free(f->found, f->n_found);
    f->found = NULL;
    f->n_found = 0;
    f->selected = 0;
    free(f->error);
    f->error = NULL;
}

void mm_source_find_fini(mm_source_find *f)
{
    if (f->task) {
        mm_task_join(f->task);
        mm_found_installs_free(f->run->found, f->run->n);
        free(f->run);
    }
    drop_results(f);
    memset(f, 0, sizeof *f);
}

void mm_source_find_start_search(mm_source_find *f, bool asked)
{
    f->asked = f->asked || asked;
    if (f->task)
        return;
    f->run = calloc(1, sizeof *f->run);
    if (!f->run)
        abort();
    mm_error err;
    mm_error_clear(&err);
    f->task = mm_task_start(search, f->run, mm_tui_wake, &err);
    if (!f->task) {
        free(f->run);
        f->run = NULL;
        free(f->error);
        f->error = mm_strdup("could not start a thread to search");
    }
}

void mm_source_find_start(mm_source_find *f)
{
    mm_source_find_start_search(f, true);
}

bool mm_source_find_tick(mm_source_find *f)
{
    if (!f->task || !mm_task_done(f->task))
        return false;
    mm_task_join(f->task);
    f->task = NULL;
    drop_results(f);
    find_run *run = f->run;
    f->run = NULL;
    f->searched = true;
    if (run->rc != 0) {
        f->error = mm_strdup(run->err.message);
    } else {
        f->found = run->found;
        f->n_found = run->n;
    }
    free(run);
    f->picking = f->asked && f->n_found > 0;
    f->asked = false;
    return true;
}

bool mm_source_find_busy(const mm_source_find *f)
{
    return f->task != NULL;
}

bool mm_source_find_picking(const mm_source_find *f)
{
    return f->picking;
}

void mm_source_find_close(mm_source_find *f)
{
    f->picking = false;
}

bool mm_source_find_on_action(mm_source_find *f, mm_action action, const char **picked)
{
    *picked = NULL;
    long to = mm_list_move(f->selected, f->n_found, (int)f->n_found, action);
    if (to >= 0) {
        f->selected = (size_t)to;
        return true;
    }
    if (action == MM_ACT_ACTIVATE && f->selected < f->n_found) {
        *picked = f->found[f->selected].path;
        return true;
    }
    if (action == MM_ACT_CANCEL) {
        f->picking = false;
        return true;
    }
    return false;
}

void mm_source_find_draw(mm_source_find *f, const mm_rect *r)
{
    if (r->h < 2)
        return;
    char *head = mm_asprintf("Milvus 1.x installations found (%zu): Up/Down choose, Enter uses one, Esc closes",
                             f->n_found);
    mm_draw_text_cut(r->y, r->x + 1, r->w - 1, head ? head : "", mm_theme_attr(MM_ROLE_SECTION), true);
    free(head);
    int rows = r->h - 1;
    size_t top = f->selected >= (size_t)rows ? f->selected - (size_t)rows + 1 : 0;
    for (int i = 0; i < rows; i++) {
        size_t k = top + (size_t)i;
        int y = r->y + 1 + i;
        if (k >= f->n_found) {
            mm_draw_text(y, r->x, r->w, "", mm_theme_attr(MM_ROLE_NORMAL), true);
            continue;
        }
        bool cur = k == f->selected;
        attr_t attr = mm_theme_attr(cur ? MM_ROLE_SELECTED : MM_ROLE_NORMAL);
        char *line = mm_asprintf("%s %s  (%s)", cur ? ">" : " ", f->found[k].path, f->found[k].summary);
        mm_draw_text_cut(y, r->x, r->w, line ? line : "", attr, true);
        free(line);
    }
}

void mm_source_find_draw_summary(const mm_source_find *f, int y, int x, int w)
{
    char *text = NULL;
    mm_role role = MM_ROLE_DIM;
    if (f->task)
        text = mm_strdup("Looking for Milvus 1.x installations in the usual places...");
    else if (f->error)
        text = mm_asprintf("Looking for installations failed: %s", f->error), role = MM_ROLE_ERROR;
    else if (f->searched && f->n_found)
        text = mm_asprintf("Found %zu Milvus 1.x installation(s) in the usual places: f picks one.", f->n_found),
        role = MM_ROLE_STATUS;
    else if (f->searched)
        text = mm_strdup("No Milvus 1.x installation in the usual places (/var/lib/milvus, /milvus, docker volumes, "
                         "here): give its data directory, meta.sqlite, MySQL DSN or meta.json.");
    if (text)
        mm_draw_wrapped(y, x, w, 3, text, mm_theme_attr(role));
    free(text);
}
