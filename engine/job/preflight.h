/* The checks before anything is dumped or created, one list of findings
 * that the command line prints and the wizard's Plan and Target screens
 * show:
 * - the plan against Milvus's limits, without a server: one import's files
 *   together under dataNode.import.maxImportFileSizeInGB (16 GiB by
 *   default; numpy/reader.go 100-110 sums the files of a request), at most
 *   rootCoord.maxPartitionNum partitions per collection (1024 by default;
 *   component_param.go 1907-1915 on 2.6);
 * - against the Milvus 2.x server: a target collection that exists while
 *   target.milvus2x.existingCollection is error (unless this migration's
 *   journal made it, which load resumes);
 * - the staging probe (load/staging_probe.h): Milvus reads the staging
 *   place (loader.probeStaging). */
#ifndef MM_JOB_PREFLIGHT_H
#define MM_JOB_PREFLIGHT_H

#include "base/error.h"
#include "config/config.h"
#include "journal.h"
#include "milvus2/client.h"
#include "source/inventory.h"
#include "storage/storage.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum { MM_FINDING_OK, MM_FINDING_WARNING, MM_FINDING_ERROR } mm_finding_level;

typedef struct mm_finding {
    mm_finding_level level;
    mm_error_code code;   /* of an error: MM_ERR_CONFIG when a setting must change */
    char *text;
} mm_finding;

typedef struct mm_findings {
    mm_finding *items;
    size_t count, errors, warnings;
} mm_findings;

void mm_findings_free(mm_findings *f);
void mm_findings_add(mm_findings *f, mm_finding_level level, mm_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The findings as lines, each marked "ok: ", "warning: " or "error: ". */
char *mm_findings_text(const mm_findings *f);

/* One 2.x collection the migration writes, as the Target test gets it
 * (copied off the wizard's inventory). */
typedef struct mm_preflight_target {
    char *name;           /* 2.x name */
    char *source;         /* 1.x name, as the journal knows it */
} mm_preflight_target;

/* The plan's limits, for the collections with selected[i] (NULL: all) of a
 * scanned inventory. */
void mm_preflight_plan(const mm_config *cfg, const mm_inventory *inv, const bool *selected, mm_findings *out);

/* Existing collections against existingCollection. journal may be NULL
 * (the wizard): a collection it would show as this migration's own is then
 * a warning, not an error. */
void mm_preflight_collections(const mm_config *cfg, mm_milvus *milvus, const mm_preflight_target *targets,
                              size_t n_targets, mm_journal *journal, mm_findings *out);

/* The staging probe, as configured (loader.probeStaging); storage is the
 * opened target bucket for target.mode remote, scratch_dir a local
 * directory for its transfers. */
void mm_preflight_probe(const mm_config *cfg, mm_milvus *milvus, mm_storage *storage, const char *scratch_dir,
                        atomic_bool *cancel, mm_findings *out);

#endif
