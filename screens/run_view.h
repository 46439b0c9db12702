/* Drawing the Run screen from a job view: status, progress bars (overall and
 * per collection), the import batches and the log, laid out for the height
 * available (80x24 and up). Durations, rates and ETAs are "--" in a
 * scripted session (app->deterministic). */
#ifndef MM_SCREENS_RUN_VIEW_H
#define MM_SCREENS_RUN_VIEW_H

#include "run_job.h"
#include "tui/widget_log.h"
#include "tui/widget_table.h"
#include "shell.h"

void mm_run_view_table_init(mm_table *t);
/* Refills the batch rows from the view (keeps the highlight). */
void mm_run_view_table_fill(mm_table *t, const mm_runjob_view *v);
/* started: a job exists (else the introduction is drawn); cancelling: the
 * user asked to stop it; log_focus: list keys scroll the log, which then
 * takes half of the free rows. Returns the log pane's height. */
int mm_run_view_draw(const mm_app *app, const mm_runjob_view *v, bool started, bool cancelling, mm_table *batches,
                     const mm_log *log, bool log_focus, const mm_rect *a);

#endif
