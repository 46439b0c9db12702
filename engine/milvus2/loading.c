/* Load state, loading, releasing and the index Query needs (loading.h). */
#include "milvus2/loading.h"

#include "milvus2/client_internal.h"

#include <stdlib.h>
#include <string.h>

int mm_milvus_load_state(mm_milvus *m, const char *collection, int *state, mm_error *err)
{
    Milvus__Proto__Milvus__GetLoadStateRequest req = MILVUS__PROTO__MILVUS__GET_LOAD_STATE_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)collection;
    Milvus__Proto__Milvus__GetLoadStateResponse *resp = NULL;
    if (mm_milvus_call(m, "GetLoadState", &req, &milvus__proto__milvus__get_load_state_response__descriptor, true,
                       &resp, NULL, err))
        return -1;
    int rc = mm_milvus_status_ok(resp->status) ? 0
                                               : mm_milvus_status_error(m, resp->status, err, "GetLoadState %s", collection);
    *state = resp->state;
    mm_milvus_release(resp);
    return rc;
}

const char *mm_milvus_load_state_name(int state)
{
    static const char *const names[] = {"does not exist", "not loaded", "loading", "loaded"};
    return state >= 0 && state < 4 ? names[state] : "unknown";
}

int mm_milvus_has_index(mm_milvus *m, const char *collection, const char *field, bool *has, mm_error *err)
{
    Milvus__Proto__Milvus__DescribeIndexRequest req = MILVUS__PROTO__MILVUS__DESCRIBE_INDEX_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)collection;
    req.field_name = (char *)field;
    Milvus__Proto__Milvus__DescribeIndexResponse *resp = NULL;
    if (mm_milvus_call(m, "DescribeIndex", &req, &milvus__proto__milvus__describe_index_response__descriptor, true,
                       &resp, NULL, err))
        return -1;
    int rc = 0;
    const pb_status *st = resp->status;
    *has = false;
    if (mm_milvus_status_ok(st))
        *has = resp->n_index_descriptions > 0;
    else if (!(st->code == MM_MILVUS_CODE_INDEX_MISSING ||
               (st->code == 0 && st->error_code == MILVUS__PROTO__COMMON__ERROR_CODE__IndexNotExist)))
        rc = mm_milvus_status_error(m, st, err, "DescribeIndex %s.%s", collection, field);
    mm_milvus_release(resp);
    return rc;
}

int mm_milvus_load_collection(mm_milvus *m, const char *collection, bool refresh, int *code, mm_error *err)
{
    if (code)
        *code = 0;
    Milvus__Proto__Milvus__LoadCollectionRequest req = MILVUS__PROTO__MILVUS__LOAD_COLLECTION_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)collection;
    req.refresh = refresh;
    pb_status *resp = NULL;
    /* Loading a loaded collection again succeeds: a retry is safe. */
    if (mm_milvus_call(m, "LoadCollection", &req, &milvus__proto__common__status__descriptor, true, &resp, NULL, err))
        return -1;
    int rc = 0;
    if (!mm_milvus_status_ok(resp)) {
        if (code)
            *code = mm_milvus_status_code(resp);
        rc = mm_milvus_status_error(m, resp, err, "LoadCollection%s %s", refresh ? " (refresh)" : "", collection);
    }
    mm_milvus_release(resp);
    return rc;
}

int mm_milvus_loading_progress(mm_milvus *m, const char *collection, int64_t *progress, int64_t *refresh_progress,
                               mm_error *err)
{
    Milvus__Proto__Milvus__GetLoadingProgressRequest req = MILVUS__PROTO__MILVUS__GET_LOADING_PROGRESS_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)collection;
    Milvus__Proto__Milvus__GetLoadingProgressResponse *resp = NULL;
    if (mm_milvus_call(m, "GetLoadingProgress", &req, &milvus__proto__milvus__get_loading_progress_response__descriptor,
                       true, &resp, NULL, err))
        return -1;
    int rc = mm_milvus_status_ok(resp->status)
                 ? 0
                 : mm_milvus_status_error(m, resp->status, err, "GetLoadingProgress %s", collection);
    *progress = resp->progress;
    *refresh_progress = resp->refresh_progress;
    mm_milvus_release(resp);
    return rc;
}

int mm_milvus_release_collection(mm_milvus *m, const char *collection, mm_error *err)
{
    Milvus__Proto__Milvus__ReleaseCollectionRequest req = MILVUS__PROTO__MILVUS__RELEASE_COLLECTION_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)collection;
    pb_status *resp = NULL;
    if (mm_milvus_call(m, "ReleaseCollection", &req, &milvus__proto__common__status__descriptor, true, &resp, NULL, err))
        return -1;
    int rc = mm_milvus_status_ok(resp) ? 0 : mm_milvus_status_error(m, resp, err, "ReleaseCollection %s", collection);
    mm_milvus_release(resp);
    return rc;
}

int mm_milvus_drop_index(mm_milvus *m, const char *collection, const char *field, mm_error *err)
{
    Milvus__Proto__Milvus__DropIndexRequest req = MILVUS__PROTO__MILVUS__DROP_INDEX_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)collection;
    req.field_name = (char *)field;
    pb_status *resp = NULL;
    if (mm_milvus_call(m, "DropIndex", &req, &milvus__proto__common__status__descriptor, false, &resp, NULL, err))
        return -1;
    int rc = mm_milvus_status_ok(resp) ? 0 : mm_milvus_status_error(m, resp, err, "DropIndex %s.%s", collection, field);
    mm_milvus_release(resp);
    return rc;
}
