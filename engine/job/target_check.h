/* The Target screen's test, as a plain call (the wizard runs it on a task
 * of its own): is the staging directory or bucket usable, and does Milvus
 * 2.x answer, accept the login and run a version we can import into? Each
 * check ends in one line, the exact error when it fails. When both pass,
 * the pre-flight that needs a server follows (preflight.h): the staging
 * probe, whose scratch collection and files are removed again; nothing
 * else is created by the test. */
#ifndef MM_JOB_TARGET_CHECK_H
#define MM_JOB_TARGET_CHECK_H

#include "config/config.h"

#include <stdbool.h>

typedef struct mm_target_report {
    char *staging, *milvus;     /* one line each, malloc'd (NULL only when out of memory) */
    bool staging_ok, milvus_ok;
    char *findings;             /* the pre-flight's findings (mm_findings_text), or NULL when not run */
    bool findings_ok;           /* no error among them */
} mm_target_report;

/* Checks the staging place, then Milvus 2.x, with cfg as it is now. */
void mm_target_check(const mm_config *cfg, const char *config_path, mm_target_report *out);
void mm_target_report_free(mm_target_report *r);

#endif
