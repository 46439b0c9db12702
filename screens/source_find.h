/* The Source screen's search for installations in the usual places
 * (job/source_check.h) on a task of its own, and the list it offers:
 * Up/Down choose, Enter uses the highlighted one, Esc closes. A search the
 * user asked for opens the list when it found something; the one the
 * wizard makes when it opens on no source only says what it found. */
#ifndef MM_SCREENS_SOURCE_FIND_H
#define MM_SCREENS_SOURCE_FIND_H

#include "base/task.h"
#include "job/source_check.h"
#include "tui/draw.h"
#include "tui/keymap.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct mm_source_find {
    mm_task *task;
    struct find_run *run;       /* the task's argument and result */
    bool asked;                 /* the user asked: open the list when done */
    bool searched;
    mm_found_install *found;
    size_t n_found, selected;
    char *error;
    bool picking;
} mm_source_find;

void mm_source_find_init(mm_source_find *f);
void mm_source_find_fini(mm_source_find *f);
/* Starts a search; asked is true when the user asked for it (f, Space). */
void mm_source_find_start_search(mm_source_find *f, bool asked);
/* The user asked for a search. */
void mm_source_find_start(mm_source_find *f);
/* Collects a finished search; true when the screen changed. */
bool mm_source_find_tick(mm_source_find *f);
bool mm_source_find_busy(const mm_source_find *f);
bool mm_source_find_picking(const mm_source_find *f);
void mm_source_find_close(mm_source_find *f);
/* A key while the list is open; *picked is the path chosen with Enter
 * (valid until the list changes). Returns whether it was handled. */
bool mm_source_find_on_action(mm_source_find *f, mm_action action, const char **picked);
void mm_source_find_draw(mm_source_find *f, const mm_rect *r);
/* One line: what the search found, or that it is running. */
void mm_source_find_draw_summary(const mm_source_find *f, int y, int x, int w);

#endif
