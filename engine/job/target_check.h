/* The Target screen's test, on its own thread: is the staging directory or
 * bucket usable, and does Milvus 2.x answer, accept the login and run a
 * version we can import into? Each check ends in one line, the exact error
 * when it fails. */
#ifndef MM_SCREENS_TARGET_CHECK_H
#define MM_SCREENS_TARGET_CHECK_H

#include "config/config.h"
#include "tui/theme.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

typedef struct mm_target_check {
    mm_config cfg;              /* a copy: the UI goes on editing its own */
    char *config_path;
    char *staging, *milvus;     /* results, once finished */
    mm_role staging_role, milvus_role;
    atomic_bool finished;
    pthread_t thread;
} mm_target_check;

/* Starts the checks on a copy of cfg; NULL when no thread could start. */
mm_target_check *mm_target_check_start(const mm_config *cfg, const char *config_path);
bool mm_target_check_finished(mm_target_check *c);
/* Joins and frees. */
void mm_target_check_free(mm_target_check *c);

#endif
