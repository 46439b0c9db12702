/* Detects 1.x data that never reached a segment (specs/milvus1x-format.md
 * §5): NEW file rows, an mxlog.meta LSN beyond the flushed LSNs, and the
 * exact unflushed WAL records per collection/partition. */
#ifndef MM_WAL_CHECK_H
#define MM_WAL_CHECK_H

#include "base/error.h"
#include "source/meta_rows.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The unflushed records of one collection or partition. */
typedef struct mm_wal_target {
    char *collection, *tag;     /* tag "" = the collection's own data */
    int64_t inserted, deleted;  /* rows inserted, ids deleted */
    int64_t max_lsn;
    int64_t flushed;            /* its flush_lsn; -1 when the meta does not know it */
    size_t records;
} mm_wal_target;

typedef struct mm_wal_report {
    size_t new_file_rows;       /* TableFiles rows with file_type 0 */
    bool wal_dir_checked;       /* a WAL directory was given and exists */
    bool has_mxlog;
    int64_t mxlog_latest_lsn;
    int64_t flushed_lsn;        /* max(global_lsn, max Tables.flush_lsn) */
    size_t unflushed_records;   /* WAL records past their target's flush_lsn */
    int64_t unflushed_inserted_rows;
    int64_t unflushed_deleted_ids;
    char **details;             /* one line per affected collection/partition */
    size_t n_details;
    mm_wal_target *targets;     /* the same, as numbers, in WAL order */
    size_t n_targets;
} mm_wal_report;

/* wal_dir may be NULL (only the meta checks run). A malformed WAL file is an
 * error naming the file and offset. */
int mm_wal_check(const char *wal_dir, const mm_meta_rows *rows, mm_wal_report *rep, mm_error *err);
bool mm_wal_report_unflushed(const mm_wal_report *rep);
/* Multi-line explanation of what is unflushed and what to do (flush in 1.x,
 * stop gracefully, or override). malloc'd. */
char *mm_wal_report_explain(const mm_wal_report *rep);
void mm_wal_report_free(mm_wal_report *rep);

#endif
