/* The 1.x source on its own, read-only: the wizard's "Test connection",
 * `inspect` and `export`. Each opens the source, builds the inventory and
 * checks what a dump would refuse (data only in the WAL, a 1.x server still
 * running); warnings go to the sink, the results to the caller, who shows
 * them. */
#ifndef MM_JOB_SOURCE_CHECK_H
#define MM_JOB_SOURCE_CHECK_H

#include "base/error.h"
#include "config/config.h"
#include "job/sink.h"
#include "source/inventory.h"
#include "source/live_server.h"
#include "source/source.h"
#include "source/wal_guard.h"

#include <stdbool.h>

/* ---- finding the source -------------------------------------------------------- */

/* Fills meta.* and source.local.* of cfg from a 1.x data directory (its
 * storage.path, db/ directory or server_config.yaml) as discovery finds
 * it; *note says what was found ("Found Milvus 1.1: meta ..."). -1 with
 * err set when nothing usable is there (cfg may hold the keys set so far). */
int mm_job_configure_source(mm_config *cfg, const char *path, char **note, mm_error *err);

/* A 1.x installation found where installations usually are. */
typedef struct mm_found_install {
    char *path;       /* what to give mm_job_configure_source */
    char *summary;    /* "Milvus 0.10+: meta /var/lib/milvus/db/meta.sqlite, config ..." */
} mm_found_install;

/* Looks in the usual places: the directories of MM_INSTALL_SEARCH_PATH
 * (colon-separated) when set, else /var/lib/milvus, /milvus, the docker
 * volumes /var/lib/docker/volumes/NAME/_data and the current directory;
 * in each, the directory itself, its milvus/ and its conf/server_config.yaml
 * (whose storage path leads to the data). Nothing is opened for writing;
 * a meta.sqlite that is not there is not offered. *out is malloc'd. */
int mm_job_find_installs(mm_found_install **out, size_t *n, mm_error *err);
void mm_found_installs_free(mm_found_install *list, size_t n);

/* ---- the wizard's test -------------------------------------------------------- */

typedef enum { MM_PROBE_OK, MM_PROBE_WARNING, MM_PROBE_ERROR } mm_probe_severity;

typedef struct mm_source_probe {
    int rc;                     /* 0: src and inv are valid (and owned until taken) */
    mm_error err;
    mm_source src;
    mm_inventory inv;
    int scan_rc, wal_rc;
    mm_error scan_err, wal_err;
    mm_wal_guard wal;           /* when wal_rc is 0 */
    mm_live_server live;        /* a 1.x server still on the source */
    /* source.allowUnflushed / allowRunningServer as tested: the run then
     * goes on, and the alert says what it leaves out instead of "stops". */
    bool allow_unflushed, allow_running_server;
} mm_source_probe;

/* Opens the source named by cfg's meta.* and source.local.* (an unset
 * source.mode counts as local), builds the inventory with cfg's 2.x names,
 * scans every segment and checks for duplicate ids as inspect does (scan
 * progress and cancel through the sink), checks the WAL and looks for a
 * running 1.x server. The outcome is in out. */
void mm_source_probe_run(const mm_config *cfg, const mm_sink *sink, mm_source_probe *out);
/* "Connected to ... N collection(s) ..." and what the checks found, and
 * how bad that is. malloc'd. */
char *mm_source_probe_result(const mm_source_probe *p, mm_probe_severity *severity);
/* What must be repeated before a run (a 1.x server still running, data
 * only in the WAL, a WAL nobody could check), shorter when `brief`;
 * NULL when nothing. malloc'd. */
char *mm_source_probe_alert(const mm_source_probe *p, bool brief, mm_probe_severity *severity);
/* Frees what the probe holds; src and inv only when not taken (zeroed). */
void mm_source_probe_free(mm_source_probe *p);

/* ---- inspect -------------------------------------------------------------------- */

typedef struct mm_inspect_options {
    mm_source_spec spec;
    const char *collections;    /* only these ("a,b"), or NULL */
    bool check_duplicate_ids;
    bool missing_deleted_docs_ok;
    bool json;
    /* dumper.* of migration.yaml, for the import plan printed after the
     * inventory's table (batches, packing, dump workers); NULL: the
     * defaults. */
    const mm_config *cfg;
} mm_inspect_options;

typedef struct mm_inspect {
    char *text;                 /* the inventory as a table or JSON, NULL when out of memory */
    /* What went wrong after the inventory was built, each its own failure
     * (all are reported): an invalid schema, the WAL, unreadable segments. */
    int schema_rc, wal_rc, scan_rc;
    mm_error schema_err, wal_err, scan_err;
} mm_inspect;

/* Reads the meta and every live segment and renders the inventory.
 * Returns -1 with err set when the source cannot be read at all; with 0
 * the other failures are in out. */
int mm_job_inspect(const mm_inspect_options *opt, const mm_sink *sink, mm_inspect *out, mm_error *err);
void mm_inspect_free(mm_inspect *r);

/* ---- export --------------------------------------------------------------------- */

typedef struct mm_export_options {
    mm_source_spec spec;        /* sqlite_path or mysql_dsn (meta only) */
    const char *collections;
    const char *output_dir;
    bool allow_unflushed;
    /* How the caller names its inputs in messages: the output directory,
     * the WAL directory, the meta.sqlite, and what to give to go on despite
     * unflushed data. */
    const char *output_label, *wal_label, *sqlite_label, *allow_hint;
} mm_export_options;

/* Writes output_dir/meta.json with the record of its WAL check; the summary
 * goes to the sink. */
int mm_job_export(const mm_export_options *opt, const mm_sink *sink, mm_error *err);

#endif
