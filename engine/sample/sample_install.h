/* A small, realistic Milvus 1.1.1 installation for demonstrations and tests:
 * the data directory a cleanly stopped server leaves behind, written byte for
 * byte as specs/milvus1x-format.md describes (SQLite meta in WAL journal mode
 * with the native DDL, db/tables/<table_id>/<segment_id>/ with .rv, .uid,
 * deleted_docs and bloom_filter, wal/mxlog.meta fully flushed, and
 * conf/server_config.yaml).
 *
 * Content is fixed (one seed), so every run writes the same bytes:
 *   images        float, dim 128, L2, IVF_FLAT {"nlist":1024}, auto ids
 *     (default)   2 segments, 1500 rows, 60 deleted -> 1440 live
 *     2024-Q1     1 segment,   400 rows, 25 deleted ->  375 live
 *     café        1 segment,   300 rows, 12 deleted ->  288 live
 *   fingerprints  binary, dim 512, HAMMING, BIN_IVF_FLAT {"nlist":256}, user ids
 *     (default)   2 segments,  850 rows, 40 deleted ->  810 live
 * Every TableFiles.row_count equals the segment's live rows (1.1 semantics:
 * no duplicate delete offsets). */
#ifndef MM_SAMPLE_INSTALL_H
#define MM_SAMPLE_INSTALL_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

#define MM_SAMPLE_MILVUS_VERSION "1.1.1"

typedef struct mm_sample_summary {
    size_t collections;
    size_t partitions;   /* named partitions, without the collections' own data */
    size_t segments;
    int64_t rows;        /* rows in the segment files */
    int64_t deleted;     /* rows listed in deleted_docs */
    int64_t live;        /* rows - deleted: what a migration must move */
} mm_sample_summary;

/* Writes the installation with data_dir as its storage.path: data_dir/db/
 * meta.sqlite, data_dir/db/tables/..., data_dir/wal/mxlog.meta and
 * data_dir/conf/server_config.yaml (naming data_dir). data_dir is created
 * when missing and must otherwise be empty: nothing is ever overwritten. */
int mm_sample_install_write(const char *data_dir, mm_error *err);

/* What mm_sample_install_write writes, in numbers. */
void mm_sample_install_summary(mm_sample_summary *out);

#endif
