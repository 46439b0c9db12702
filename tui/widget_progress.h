/* A progress bar: "[#####.....]  50%  label" in w columns, done part in the
 * progress_done role. total 0 draws an empty bar with "--%". */
#ifndef MM_TUI_WIDGET_PROGRESS_H
#define MM_TUI_WIDGET_PROGRESS_H

#include "draw.h"

#include <stdint.h>

void mm_progress_draw(int y, int x, int w, uint64_t done, uint64_t total, const char *label);

#endif
