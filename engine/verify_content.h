/* The content sample of the verification (content/content.h), over the
 * report of the counts: every partition of every collection that was not
 * left alone gets its sampled rows read back and compared, and the report
 * is judged again. Collections Milvus has not loaded are sampled only with
 * consent (verify.loadForSample, or the wizard's confirmation); without
 * it they are reported with the memory loading them would take. */
#ifndef MM_VERIFY_CONTENT_H
#define MM_VERIFY_CONTENT_H

#include "base/error.h"
#include "milvus2/client.h"
#include "source/inventory.h"
#include "verify.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm_remote_source;

/* How far the sample has got; names are the 2.x names of the partition
 * being read back. */
typedef struct mm_verify_progress {
    const char *collection, *partition;
    size_t partitions_done, partitions_total;
    int64_t rows_done, rows_total;
} mm_verify_progress;

typedef struct mm_verify_content_options {
    const mm_inventory *inv;                 /* scanned; the report was made from it */
    mm_milvus *milvus;
    const char *const *tables_dirs;          /* the 1.x segments, as the dump reads them */
    size_t n_tables_dirs;
    bool missing_deleted_docs_ok;
    struct mm_remote_source *remote;         /* source.mode remote, else NULL */
    bool nan_skip;                           /* dumper.nanPolicy: skip */
    const char *id_field, *vector_field;     /* target.milvus2x.fields.* */
    int sample;                              /* verify.sample: rows per partition, 0 = off */
    int seed;                                /* verify.sampleSeed */
    bool load_for_sample;                    /* verify.loadForSample, or consent given */
    int timeout_s;                           /* loading and refreshing */
    uint64_t max_recv_bytes;                 /* the client's receive limit, 0 = none */
    atomic_bool *cancel;
    /* Event lines ("warning: ..." for warnings) and progress; may be NULL. */
    void (*note)(void *ctx, const char *line);
    void (*progress)(void *ctx, const mm_verify_progress *p);
    void *ctx;
} mm_verify_content_options;

/* Samples into the report's rows and judges it again. A failed Query (other
 * than a partition Milvus does not have) is an error; what was loaded or
 * indexed for the sample is undone also then. */
int mm_verify_content_run(const mm_verify_content_options *o, mm_verify_report *r, mm_error *err);

#endif
