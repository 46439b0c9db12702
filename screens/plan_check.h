/* The Plan screen's check of the target (job/preflight_check.h) on a task
 * of its own, and what it found: which 2.x collections exist, with their
 * rows, and what the run would do to them; the findings are kept with the
 * settings they are about, so a change (a policy, a selection, the
 * endpoint) makes them old and the screen checks again. */
#ifndef MM_SCREENS_PLAN_CHECK_H
#define MM_SCREENS_PLAN_CHECK_H

#include "base/task.h"
#include "job/preflight_check.h"
#include "shell.h"

#include <stdbool.h>

typedef struct mm_plan_check {
    mm_task *task;
    struct check_run *run;
    bool have;                  /* findings from a finished check */
    mm_findings findings;
    char *about;                /* the settings they are about (mm_plan_check_settings) */
} mm_plan_check;

void mm_plan_check_init(mm_plan_check *c);
void mm_plan_check_fini(mm_plan_check *c);
/* Starts a check with the app's configuration, source and selection. */
void mm_plan_check_start(mm_plan_check *c, mm_app *app);
/* Collects a finished check; true when the screen changed. */
bool mm_plan_check_tick(mm_plan_check *c);
bool mm_plan_check_busy(const mm_plan_check *c);
/* The findings are about other settings than the app's now. */
bool mm_plan_check_stale(const mm_plan_check *c, const mm_app *app);

#endif
