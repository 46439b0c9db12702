/* Verification: for every collection and partition, the 1.x live rows, the
 * rows staged, the rows the import tasks reported and the row_count Milvus
 * 2.x reports (read until it settles) must agree. Rows that existed in an
 * appended collection before the job are accounted as its baseline. The
 * content sample (verify_content.h, content/content.h) adds, per
 * partition, rows read back from Milvus that must equal the 1.x rows. */
#ifndef MM_VERIFY_H
#define MM_VERIFY_H

#include "base/error.h"
#include "content/content.h"
#include "journal.h"
#include "milvus2/client.h"
#include "source/inventory.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mm_verify_row {
    char *collection;          /* 1.x */
    char *partition;           /* 1.x tag, "" = the collection's own data */
    char *target_collection;   /* 2.x */
    char *target_partition;
    int64_t source_live;       /* live rows in the 1.x segments */
    int64_t nan_skipped;       /* left out by dumper.nanPolicy: skip */
    int64_t dumped;            /* rows in the staged files */
    int64_t imported;          /* rows the import tasks reported */
    int64_t baseline;          /* rows there before this job */
    int64_t milvus;            /* row_count now; -1 when it could not be read */
    bool skipped;              /* existingCollection: skip left it alone */
    bool match;                /* the counts, and the content sample */
    char *note;                /* why it does not match, or "" */
    mm_content_result content; /* the content sample of the partition */
} mm_verify_row;

typedef struct mm_verify_collection {
    char *collection, *target;
    int64_t expected, milvus;  /* collection row_count expected and read */
    size_t partition_mismatches; /* its partitions that do not match */
    bool skipped, match;       /* match: the total AND every partition */
    /* For the content sample: how Milvus had it loaded, what the sample did
     * to read it, and the query-node memory loading it takes. */
    int load_state;            /* milvus2/loading.h MM_LOAD_STATE_*, -1 not asked */
    bool loaded_for_sample, index_created;
    uint64_t load_memory_bytes;
} mm_verify_collection;

/* A 1.x name that has another name in 2.x (invalid there, or renamed in
 * target.milvus2x.names). partition NULL: the collection itself. */
typedef struct mm_verify_rename {
    char *collection, *partition;
    char *from, *to;
} mm_verify_rename;

typedef struct mm_verify_report {
    char *endpoint, *server_version;
    mm_verify_row *rows;
    size_t n_rows;
    mm_verify_collection *collections;
    size_t n_collections;
    bool all_match;
    size_t mismatches;
    /* What the 1.x source holds that is not migrated, or not under its
     * own name: the inventory's warnings, the rows of the segment rows it
     * leaves out, and every rename. */
    char **source_warnings;
    size_t n_source_warnings;
    int64_t skipped_rows;
    size_t skipped_segments;
    mm_verify_rename *renames;
    size_t n_renames;
    /* The content sample: rows per partition (0 = off), its seed, and
     * whether collections not loaded could be loaded for it. */
    int sample_size;
    int sample_seed;
    bool load_for_sample;
} mm_verify_report;

typedef struct mm_verify_options {
    const mm_inventory *inv;   /* scanned */
    mm_journal *journal;
    mm_milvus *milvus;
    int stats_timeout_s;
    int poll_interval_ms;
    atomic_bool *cancel;
} mm_verify_options;

/* Fills the report; a mismatch is not an error (see report.all_match).
 * Only batches of the current plan (plan.h) are counted as staged. */
int mm_verify_run(const mm_verify_options *opt, mm_verify_report *report, mm_error *err);
/* Sets match, note and the mismatch counts from the numbers in the report
 * and the content sample; a collection never matches while one of its
 * partitions does not. */
void mm_verify_judge(mm_verify_report *r);
void mm_verify_report_free(mm_verify_report *r);

char *mm_verify_render_text(const mm_verify_report *r);
char *mm_verify_render_json(const mm_verify_report *r);
char *mm_verify_render_markdown(const mm_verify_report *r);
/* The CONTENT cell of a partition: "1000/1000 OK", "998/1000 MISMATCH",
 * "not loaded", "off", ... (into buf). */
const char *mm_verify_content_cell(const mm_verify_row *row, char *buf, size_t n);
/* Collections whose content was not sampled because they are not loaded,
 * and the query-node memory loading them takes. */
size_t mm_verify_not_loaded(const mm_verify_report *r, uint64_t *memory_bytes);
bool mm_verify_collection_not_loaded(const mm_verify_report *r, const mm_verify_collection *c);
/* "loaded", "not loaded", ... for a collection's load_state. */
const char *mm_verify_load_state_word(int state);

#endif
