/* Unflushed 1.x data, whichever way the source was given: the meta and the
 * WAL that wal_locate found are checked here (wal_check.h), and a
 * meta.json written by `export` brings what the export found in its
 * "walCheck" record. inspect, export, dump, load, verify, run and the
 * wizard all read the same verdict, the same warning and the same
 * refusal from this module. */
#ifndef MM_WAL_GUARD_H
#define MM_WAL_GUARD_H

#include "base/error.h"
#include "source/source.h"
#include "source/wal_check.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

typedef enum {
    MM_WAL_STATUS_CLEAN,            /* meta and WAL checked, nothing unflushed */
    MM_WAL_STATUS_UNFLUSHED,        /* rows or deletes that never reached a segment */
    MM_WAL_STATUS_NO_WAL,           /* meta checked, but no WAL found (or it is off) */
    MM_WAL_STATUS_EXPORT_CLEAN,     /* meta.json: checked at export time, nothing unflushed */
    MM_WAL_STATUS_NEVER_CHECKED     /* meta.json: no WAL check recorded, or none was possible */
} mm_wal_status;

typedef struct mm_wal_guard {
    mm_wal_status status;
    mm_wal_report report;   /* this run's check (meta, and the WAL when one was found) */
    bool from_export;       /* the verdict comes from the meta.json's walCheck record */
    bool export_allowed;    /* ... whose export went on with source.allowUnflushed / --allow-unflushed */
    char *wal_dir;          /* the WAL checked (ours or the export's), or NULL */
    char *found_by;         /* how it was found ("found beside the db directory", ...) */
    char *checked_at;       /* meta.json: when the export checked, or NULL */
    char *searched;         /* NO_WAL: where we looked */
    char **details;         /* UNFLUSHED: one line per collection/partition */
    size_t n_details;
    char *summary;          /* one line: what was checked and what was found */
    char *warning;          /* the loud warning (NO_WAL, NEVER_CHECKED), else NULL */
} mm_wal_guard;

/* Checks the source. Errors: a malformed WAL file, a meta.json checked
 * against a WAL it carries no flush LSNs for. */
int mm_wal_guard_check(const mm_source *src, mm_wal_guard *out, mm_error *err);
void mm_wal_guard_free(mm_wal_guard *g);

/* Unflushed data and not allowed: -1 with MM_ERR_UNFLUSHED naming every
 * collection/partition, the rows and the fix, ending with how to go on
 * without them (override: "set source.allowUnflushed: true" when NULL).
 * Allowed: 0, and *warning (when not NULL) gets what is left behind,
 * malloc'd. Clean: 0. */
int mm_wal_guard_refuse(const mm_wal_guard *g, bool allow_unflushed, const char *override, char **warning,
                        mm_error *err);

/* The "walCheck" record `export` puts into meta.json (allowed: the export
 * went on despite unflushed data), and the verdict as JSON for inspect
 * --json and report.json. */
cJSON *mm_wal_guard_record(const mm_wal_guard *g, bool allowed);
cJSON *mm_wal_guard_json(const mm_wal_guard *g);
/* The verification report with the verdict added: report.json gets
 * "sourceChecks": {"unflushed": ...}, report.md a "Source checks" section.
 * Both take the rendered text and return it extended (malloc'd), or the
 * text unchanged when g is NULL; NULL on allocation failure. */
char *mm_wal_guard_add_to_report_json(char *report_json, const mm_wal_guard *g);
char *mm_wal_guard_add_to_report_markdown(char *report_md, const mm_wal_guard *g);
/* "Unflushed data: ..." lines of inspect, ending in a newline. */
char *mm_wal_guard_render_text(const mm_wal_guard *g);

#endif
