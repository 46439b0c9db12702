/* The content check of the verification. Counts can agree while the rows
 * are wrong (a byte-order slip, vectors imported under another batch's
 * ids, a bit flipped), so rows are drawn from the 1.x segments of each
 * partition, read back from Milvus 2.x through Query and compared bit for
 * bit (float32 bits, binary bytes).
 *
 * - Drawing (content_draw.c): per partition, n live rows, spread over its
 *   segments in proportion to their live rows; which rows depends only on
 *   the seed, the names and the segments, so a re-run checks the same rows.
 *   A partition with at most n live rows is read whole.
 * - Checking (content_check.c): the drawn rows are read back in chunks
 *   small enough for Milvus's message limits. Milvus answers a primary key
 *   once even when it holds several rows under it (it keeps one of them,
 *   which one is not specified), while its row counts count every row. So
 *   a key passes when every row Milvus answers equals one of the 1.x rows
 *   with that key in the partition; how many rows each key has is proved by
 *   the counts of the verification, not here.
 * - The target (content_target.c): Query reads loaded collections only. A
 *   loaded one is refreshed (segments imported after it was loaded are not
 *   read before); one that is not loaded is loaded only with the user's
 *   consent, after an index is made when it has none, and released again
 *   (and that index dropped) afterwards. */
#ifndef MM_CONTENT_H
#define MM_CONTENT_H

#include "base/error.h"
#include "milvus2/client.h"
#include "source/inventory.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm_remote_source;

typedef enum {
    MM_CONTENT_OFF = 0,     /* verify.sample is 0 */
    MM_CONTENT_SKIPPED,     /* existingCollection: skip left the collection alone */
    MM_CONTENT_NOT_LOADED,  /* not loaded, and no consent to load it */
    MM_CONTENT_NOT_CHECKED, /* Milvus has no such collection or partition (note says which) */
    MM_CONTENT_CHECKED      /* drawn and compared: the mismatches say how it went */
} mm_content_state;

typedef struct mm_content_mismatch {
    int64_t id;
    char *what;             /* "missing from Milvus", "vector differs at dim 3 (...)", "extra row ..." */
} mm_content_mismatch;

typedef struct mm_content_result {
    mm_content_state state;
    uint64_t seed;          /* the partition's own stream, from verify.sampleSeed */
    int64_t sampled;        /* rows drawn and read back */
    int64_t matched;        /* of them, found identical in Milvus */
    int64_t nan_left_out;   /* drawn, but NaN/Inf rows dumper.nanPolicy: skip left out */
    int64_t *ids;           /* every key read back, ascending, each once */
    size_t n_ids;
    mm_content_mismatch *mismatches; /* ascending by key */
    size_t n_mismatches;
    char *note;             /* NOT_CHECKED: why; else NULL */
} mm_content_result;

void mm_content_result_free(mm_content_result *r);
/* Checked and nothing differs, or not checked at all. */
bool mm_content_result_ok(const mm_content_result *r);

/* ---- drawing ---------------------------------------------------------------- */

/* Where the 1.x segments are, as the dump reads them. */
typedef struct mm_content_source {
    const char *const *tables_dirs;
    size_t n_tables_dirs;
    bool missing_deleted_docs_ok;
    struct mm_remote_source *remote; /* segments fetched from a bucket first, or NULL */
    bool nan_skip;                   /* dumper.nanPolicy: skip (float rows with NaN/Inf not migrated) */
} mm_content_source;

/* The seed of one partition's draw. */
uint64_t mm_content_seed(uint64_t seed, const char *collection, const char *tag);

/* How many of n rows each segment gives, in proportion to its live rows
 * (largest remainders, ties to the earlier segment); every live row when
 * n reaches their sum. */
void mm_content_allocate(const int64_t *live, size_t n_segments, int64_t n, int64_t *out);

/* Receives each drawn row in segment order; the vector is only valid
 * during the call. Non-zero stops the draw with that result. */
typedef int (*mm_content_row_fn)(void *ctx, int64_t id, const uint8_t *vector, mm_error *err);

/* Draws up to n live rows of the partition (all of them when it has no
 * more) with the partition's seed; rows dumper.nanPolicy: skip left out
 * are counted in *nan_left_out instead of passed on. */
int mm_content_draw(const mm_content_source *src, const mm_collection_info *c, const mm_partition_info *p, int64_t n,
                    uint64_t seed, mm_content_row_fn fn, void *ctx, int64_t *nan_left_out, mm_error *err);

/* Every live row of the partition whose key is one of keys (ascending,
 * distinct), in segment order. */
int mm_content_find(const mm_content_source *src, const mm_collection_info *c, const mm_partition_info *p,
                    const int64_t *keys, size_t n_keys, mm_content_row_fn fn, void *ctx, mm_error *err);

/* ---- checking -------------------------------------------------------------------- */

typedef struct mm_content_check {
    mm_milvus *milvus;
    const char *collection, *partition; /* 2.x names */
    const char *id_field, *vector_field;
    const mm_content_source *src;
    const mm_collection_info *c;        /* the 1.x collection and partition */
    const mm_partition_info *p;
    int64_t sample;                     /* rows to draw */
    uint64_t seed;                      /* verify.sampleSeed */
    uint64_t max_answer_bytes;          /* 0 = 16 MiB; a Query answer stays below it */
    atomic_bool *cancel;
    /* Rows read back so far in this partition, after each Query. */
    void (*progress)(void *ctx, int64_t rows_done);
    void *ctx;
} mm_content_check;

/* Draws, reads back and compares one partition into out (state CHECKED,
 * or NOT_CHECKED when Milvus has no such partition). A Query that fails
 * otherwise is an error. */
int mm_content_check_partition(const mm_content_check *chk, mm_content_result *out, mm_error *err);

/* ---- the target --------------------------------------------------------------- */

typedef struct mm_content_load {
    mm_milvus *milvus;
    const char *collection, *vector_field;
    bool binary;
    const char *metric;     /* the 1.x metric: the index made for loading uses it where it can */
    int64_t rows;           /* what the collection holds: for the memory estimate */
    int64_t vector_bytes;
    bool consent;           /* verify.loadForSample, or the wizard's confirmation */
    int timeout_s;          /* for a refresh */
    int load_timeout_s;     /* for a load */
    atomic_bool *cancel;
    void (*note)(void *ctx, const char *text);
    void *ctx;
} mm_content_load;

typedef struct mm_content_target {
    int load_state;         /* as found (loading.h MM_LOAD_STATE_*) */
    bool ready;             /* loaded now: Query can read it */
    bool loaded_for_sample; /* we loaded it: release it afterwards */
    bool index_created;     /* we made its index: drop it afterwards */
    uint64_t memory_bytes;  /* query-node memory loading it takes, estimated */
} mm_content_target;

/* Query-node memory a loaded FLAT collection of `rows` rows takes while it
 * loads: about twice its raw vectors and keys (the query nodes reserve
 * queryNode.loadMemoryUsageFactor = 2 times the estimate). */
uint64_t mm_content_load_memory(int64_t rows, int64_t vector_bytes);

/* Makes the collection readable by Query when it can: refreshes a loaded
 * one, waits for one that is loading, loads one that is not loaded only
 * with consent (else t->ready stays false). */
int mm_content_target_prepare(const mm_content_load *o, mm_content_target *t, mm_error *err);
/* Undoes what prepare did for the sample: releases what it loaded, drops
 * the index it made. */
int mm_content_target_restore(const mm_content_load *o, const mm_content_target *t, mm_error *err);

#endif
