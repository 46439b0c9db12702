/* Where a migration stands, read without changing anything: its journal
 * (what is dumped and imported) and its last report (verified, and how it
 * went). The wizard shows it when it opens on a migration already begun. */
#ifndef MM_JOB_STATUS_H
#define MM_JOB_STATUS_H

#include "base/error.h"
#include "config/config.h"
#include "journal.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct mm_job_status {
    bool begun;                   /* the journal records batches */
    char *journal_path;           /* when it exists */
    mm_journal_summary journal;
    int verified;                 /* report.json: -1 none, 0 counts differ, 1 all match */
    int64_t verified_at;          /* its time (seconds since the epoch) */
} mm_job_status;

/* Reads cfg's state directory; a state directory without a journal is a
 * migration not begun (not an error). */
int mm_job_status_read(const mm_config *cfg, mm_job_status *out, mm_error *err);
/* "12 of 12 batch(es) dumped (2,913 rows), 12 imported (2,913 rows);
 * verified 2024-05-01 10:00 UTC: all counts match". malloc'd. */
char *mm_job_status_text(const mm_job_status *s);
void mm_job_status_free(mm_job_status *s);

#endif
