/* A scrollable table with a highlighted row: column titles and widths,
 * cells as UTF-8 text measured in terminal columns. Rows own copies of
 * their cells; each row carries a role (colour) and two integers the caller
 * uses to find what the row stands for. */
#ifndef MM_TUI_WIDGET_TABLE_H
#define MM_TUI_WIDGET_TABLE_H

#include "draw.h"
#include "keymap.h"

#include <stdbool.h>
#include <stddef.h>

#define MM_TABLE_MAX_COLUMNS 32

typedef struct mm_table_column {
    const char *title;
    int width;      /* columns; 0 = share what the fixed columns leave */
    bool right;     /* right-aligned (numbers) */
} mm_table_column;

typedef struct mm_table_item {
    char **cells;
    mm_role role;
    int tag, sub;   /* caller's: e.g. collection and partition index */
} mm_table_item;

typedef struct mm_table {
    const mm_table_column *columns;
    size_t n_columns;
    mm_table_item *rows;
    size_t n_rows, cap;
    size_t selected, top;
    int page;       /* data rows visible at the last draw */
} mm_table;

void mm_table_init(mm_table *t, const mm_table_column *columns, size_t n_columns);
void mm_table_fini(mm_table *t);
/* Removes the rows, keeps the selection index (clamped at the next draw). */
void mm_table_clear(mm_table *t);
/* Adds a row; cells[n_columns] (NULL cells are empty). */
void mm_table_add(mm_table *t, const char *const *cells, mm_role role, int tag, int sub);
/* Moves the highlight for list actions; returns true when handled. */
bool mm_table_on_action(mm_table *t, mm_action action);
const mm_table_item *mm_table_current(const mm_table *t);
/* Draws header + rows inside r; focused draws the highlight. */
void mm_table_draw(mm_table *t, const mm_rect *r, bool focused);

/* List movement shared by tables and forms: new index for an action over
 * n rows with page rows visible, or -1 when the action is not movement. */
long mm_list_move(size_t current, size_t n, int page, mm_action action);

#endif
