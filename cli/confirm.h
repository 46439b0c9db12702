/* The command line's answer when a job would lose something (a 2.x
 * collection dropped, staged files deleted or written again, the journal
 * discarded; job/target_preflight.h): --yes goes on and says so; on a
 * terminal the user is asked, default no; without one the command refuses
 * and says how to go on. */
#ifndef MM_CLI_CONFIRM_H
#define MM_CLI_CONFIRM_H

#include "job/target_preflight.h"

#include <stdbool.h>

typedef struct mm_cli_confirm {
    const char *command;
    bool yes;                  /* --yes */
} mm_cli_confirm;

/* The job's confirm callback; ctx is an mm_cli_confirm. */
int mm_cli_confirm_losses(void *ctx, const mm_findings *losses, mm_error *err);

#endif
