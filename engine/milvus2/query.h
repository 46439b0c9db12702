/* Reading migrated rows back from Milvus 2.x, for the content check of the
 * verification: Query by primary key, answering each row's key and vector.
 * Query only reads a loaded collection (loading.h). */
#ifndef MM_MILVUS_QUERY_H
#define MM_MILVUS_QUERY_H

#include "base/error.h"
#include "milvus2/client.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* merr codes a Query answers with (pkg/util/merr/errors.go): the collection
 * is not loaded, the partition does not exist. */
#define MM_MILVUS_CODE_NOT_LOADED 101
#define MM_MILVUS_CODE_PARTITION_MISSING 200

typedef struct mm_milvus_query {
    const char *collection;
    const char *partition;      /* NULL or "": every partition */
    const char *id_field, *vector_field;
    bool binary;
    int64_t dim;
} mm_milvus_query;

/* Rows as Query answered them, in its order; a key may come more than once
 * only from a server that does not merge duplicates. */
typedef struct mm_milvus_rows {
    size_t n;
    int64_t *ids;
    uint8_t *vectors;           /* n * vector_bytes: float32 as on the wire, or packed bits */
    size_t vector_bytes;
} mm_milvus_rows;

/* Query "<id_field> in [ids]" with the key and the vector as output
 * fields, Strong consistency and no limit (so no 16384 window applies).
 * The caller keeps n small enough for the answer to stay far below the
 * server's 100 MiB output cap and the client's receive limit. A failed
 * status is an error; *code (may be NULL) then holds the server's code,
 * else 0. */
int mm_milvus_query_by_ids(mm_milvus *m, const mm_milvus_query *q, const int64_t *ids, size_t n, mm_milvus_rows *out,
                           int *code, mm_error *err);
void mm_milvus_rows_free(mm_milvus_rows *r);

#endif
