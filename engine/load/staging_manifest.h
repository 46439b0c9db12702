/* Which migration a staging area belongs to. <root>/manifest.json (in the
 * bucket when staging there) names the job that writes its batches: the
 * job id of its journal, the journal's path and the job's fingerprint.
 * Two migrations pointed at one outputDir would otherwise overwrite each
 * other's files, and each would then import the other's rows. */
#ifndef MM_STAGING_MANIFEST_H
#define MM_STAGING_MANIFEST_H

#include "base/error.h"
#include "journal.h"
#include "storage/storage.h"

#include <stdbool.h>

typedef struct mm_staging_area {
    const char *local_root;   /* local staging directory (<outputDir>/migration); used when storage is NULL */
    mm_storage *storage;      /* staged in a bucket */
    const char *remote_root;  /* key prefix there (<outputDir>/migration) */
    const char *scratch_dir;  /* a local directory for the manifest's transfers (bucket only) */
} mm_staging_area;

/* The dump: marks an unmarked area as this journal's job's, and refuses
 * (MM_ERR_CONFIG) an area marked by another job, naming it and the way
 * out. A re-run of the same job (also after --restart) passes. */
int mm_staging_claim(const mm_staging_area *area, mm_journal *journal, mm_error *err);

/* load and the end of the dump: the area must be marked as this job's. */
int mm_staging_check(const mm_staging_area *area, mm_journal *journal, mm_error *err);

/* "<root>/manifest.json" or "<bucket>/<prefix>/manifest.json", for messages. malloc'd. */
char *mm_staging_manifest_where(const mm_staging_area *area);

#endif
