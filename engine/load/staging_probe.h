/* Does Milvus read what we stage, where we stage it? Milvus reads import
 * files through its own storage layer (common.storageType, "remote" by
 * default): with remote storage an import path is a key of the one bucket
 * Milvus is configured with (minio.bucketName), with local storage a path
 * on the data node's own filesystem. A dump into another bucket, or into a
 * directory of this host that Milvus does not see, succeeds, and every
 * Import then fails with "no such file" after the collections were made.
 *
 * The probe finds out before anything is created: a one-row id.npy and
 * data.npy are staged next to the migration (a directory or prefix of
 * their own), imported into a scratch collection, and collection and
 * files are removed again, whatever the outcome. */
#ifndef MM_STAGING_PROBE_H
#define MM_STAGING_PROBE_H

#include "base/error.h"
#include "milvus2/client.h"
#include "storage/storage.h"

#include <stdatomic.h>

typedef struct mm_staging_probe {
    mm_milvus *milvus;
    /* Staged locally: the directory the migration's files go in (it is
     * created for the probe when missing and removed again). NULL when
     * staged in a bucket. */
    const char *local_dir;
    /* Staged in a bucket: the bucket, the key prefix the migration's files
     * go under ("" = the bucket's root) and a local scratch directory. */
    mm_storage *storage;
    const char *remote_prefix;
    const char *scratch_dir;
    const char *id_field, *vector_field;
    int poll_interval_ms;
    int timeout_s;              /* waiting for the probe's import; 0 = 300 */
    atomic_bool *cancel;        /* may be NULL */
} mm_staging_probe;

/* 0 when Milvus imported the probe's row, with *summary (malloc'd) saying
 * so. Otherwise -1: MM_ERR_CONFIG when Milvus cannot read the staging
 * place (the message names target.local.outputDir or target.remote.bucket
 * and what Milvus must be configured with), another code when the probe
 * itself could not be done. */
int mm_staging_probe_run(const mm_staging_probe *p, char **summary, mm_error *err);

/* The scratch collections' names start with this. */
#define MM_STAGING_PROBE_PREFIX "milvus_migrate_probe_"

#endif
