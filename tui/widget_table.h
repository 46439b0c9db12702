/* A scrollable table with a highlighted row: column titles and widths,
 * cells as UTF-8 text measured in terminal columns. Rows own copies of
 * their cells; each row carries a role (colour) and two integers the caller
 * uses to find what the row stands for.
 *
 * Narrow terminals: flexible columns shrink to their minimum, then the
 * droppable columns go, least important first; a text cut short ends in
 * an ellipsis, and a number is never cut (its column is as wide as its
 * widest cell, or the column is dropped). */
#ifndef MM_TUI_WIDGET_TABLE_H
#define MM_TUI_WIDGET_TABLE_H

#include "draw.h"
#include "keymap.h"

#include <stdbool.h>
#include <stddef.h>

#define MM_TABLE_MAX_COLUMNS 32

typedef struct mm_table_column {
    const char *title;
    int width;      /* columns; 0 = flexible: shares what the fixed columns leave */
    bool right;     /* right-aligned number: never cut */
    int min;        /* a flexible column's narrowest (0: 6 columns) */
    int drop;       /* 0: always shown; else dropped when the table does not fit, highest first */
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
    int content_w[MM_TABLE_MAX_COLUMNS]; /* widest cell of each column */
    bool hidden[MM_TABLE_MAX_COLUMNS];   /* columns the caller leaves out */
    int drawn_y;    /* screen row of the first data row at the last draw, -1 before */
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
/* The row drawn at screen row y at the last draw (a mouse click), or -1. */
long mm_table_row_at(const mm_table *t, int y);
/* Rows the table would fill: the header and every row. */
int mm_table_height(const mm_table *t);

/* Column widths for w terminal columns (one space between columns); 0 for
 * a column dropped or hidden. content_w: widest cell per column. Pure
 * arithmetic, for the table and its tests. */
void mm_table_layout(const mm_table_column *columns, size_t n, const int *content_w, const bool *hidden, int w,
                     int *widths);

/* List movement shared by tables and forms: new index for an action over
 * n rows with page rows visible, or -1 when the action is not movement. */
long mm_list_move(size_t current, size_t n, int page, mm_action action);

#endif
