/* What Query needs on Milvus 2.x: an index on the vector field and the
 * collection loaded into the query nodes. The content check of the
 * verification asks for the load state, refreshes a loaded collection so
 * that segments imported since it was loaded are read too, and (only with
 * the user's consent) indexes, loads and releases a collection. */
#ifndef MM_MILVUS_LOADING_H
#define MM_MILVUS_LOADING_H

#include "base/error.h"
#include "milvus2/client.h"

#include <stdbool.h>
#include <stdint.h>

/* milvus.proto.common.LoadState */
enum {
    MM_LOAD_STATE_NOT_EXIST = 0,
    MM_LOAD_STATE_NOT_LOAD = 1,
    MM_LOAD_STATE_LOADING = 2,
    MM_LOAD_STATE_LOADED = 3
};

/* merr code of DescribeIndex for a field without an index (2.3+; 2.2 sends
 * error_code IndexNotExist, 25). */
#define MM_MILVUS_CODE_INDEX_MISSING 700

int mm_milvus_load_state(mm_milvus *m, const char *collection, int *state, mm_error *err);
const char *mm_milvus_load_state_name(int state);
/* DescribeIndex of the field: *has is false when Milvus says there is none. */
int mm_milvus_has_index(mm_milvus *m, const char *collection, const char *field, bool *has, mm_error *err);
/* LoadCollection; refresh asks a loaded collection to take in the segments
 * added since it was loaded. A failed status is an error; *code (may be
 * NULL) then holds the server's code. */
int mm_milvus_load_collection(mm_milvus *m, const char *collection, bool refresh, int *code, mm_error *err);
/* GetLoadingProgress: percent loaded, and percent of a refresh (2.3+; a
 * 2.2 server answers 0 there). */
int mm_milvus_loading_progress(mm_milvus *m, const char *collection, int64_t *progress, int64_t *refresh_progress,
                               mm_error *err);
int mm_milvus_release_collection(mm_milvus *m, const char *collection, mm_error *err);
/* DropIndex of the field's index (the collection must be released). */
int mm_milvus_drop_index(mm_milvus *m, const char *collection, const char *field, mm_error *err);

#endif
