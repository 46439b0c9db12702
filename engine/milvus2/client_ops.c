/* The Milvus 2.x calls the migration makes once connected (client.h):
 * collections and partitions, Import and its tasks, statistics and indexes,
 * on the plumbing of client.c. */
#include "milvus2/client_internal.h"

#include "base/strbuf.h"
#include "milvus2/answers.h"

#include <grpc/status.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- collections and partitions ----------------------------------------------- */

int mm_milvus_has_collection(mm_milvus *m, const char *name, bool *exists, mm_error *err)
{
    Milvus__Proto__Milvus__HasCollectionRequest req = MILVUS__PROTO__MILVUS__HAS_COLLECTION_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)name;
    Milvus__Proto__Milvus__BoolResponse *resp = NULL;
    if (mm_milvus_call(m, "HasCollection", &req, &milvus__proto__milvus__bool_response__descriptor, true, &resp, NULL, err))
        return -1;
    int rc = mm_milvus_status_ok(resp->status) ? 0 : mm_milvus_status_error(m, resp->status, err, "HasCollection %s", name);
    *exists = resp->value;
    mm_milvus_release(resp);
    return rc;
}

static uint8_t *pack_schema(const char *name, const char *id_field, const char *vector_field, bool binary,
                            int64_t dim, const char *description, size_t *len)
{
    char dim_text[24];
    snprintf(dim_text, sizeof dim_text, "%lld", (long long)dim);
    pb_kv dim_kv = MILVUS__PROTO__COMMON__KEY_VALUE_PAIR__INIT;
    dim_kv.key = "dim";
    dim_kv.value = dim_text;
    pb_kv *dim_params[] = {&dim_kv};
    Milvus__Proto__Schema__FieldSchema id = MILVUS__PROTO__SCHEMA__FIELD_SCHEMA__INIT;
    id.name = (char *)id_field;
    id.is_primary_key = 1;
    id.data_type = MILVUS__PROTO__SCHEMA__DATA_TYPE__Int64;
    id.autoid = 0;
    Milvus__Proto__Schema__FieldSchema vec = MILVUS__PROTO__SCHEMA__FIELD_SCHEMA__INIT;
    vec.name = (char *)vector_field;
    vec.data_type = binary ? MILVUS__PROTO__SCHEMA__DATA_TYPE__BinaryVector
                           : MILVUS__PROTO__SCHEMA__DATA_TYPE__FloatVector;
    vec.n_type_params = 1;
    vec.type_params = dim_params;
    Milvus__Proto__Schema__FieldSchema *fields[] = {&id, &vec};
    Milvus__Proto__Schema__CollectionSchema schema = MILVUS__PROTO__SCHEMA__COLLECTION_SCHEMA__INIT;
    schema.name = (char *)name;
    schema.description = (char *)(description ? description : "");
    schema.n_fields = 2;
    schema.fields = fields;
    *len = protobuf_c_message_get_packed_size(&schema.base);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (buf)
        protobuf_c_message_pack(&schema.base, buf);
    return buf;
}

int mm_milvus_create_collection(mm_milvus *m, const char *name, const char *id_field, const char *vector_field,
                                bool binary, int64_t dim, const char *description, mm_error *err)
{
    size_t len;
    uint8_t *schema = pack_schema(name, id_field, vector_field, binary, dim, description, &len);
    if (!schema)
        return mm_error_set(err, MM_ERR_NOMEM, "milvus: out of memory");
    Milvus__Proto__Milvus__CreateCollectionRequest req = MILVUS__PROTO__MILVUS__CREATE_COLLECTION_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)name;
    req.schema.data = schema;
    req.schema.len = len;
    req.consistency_level = MILVUS__PROTO__COMMON__CONSISTENCY_LEVEL__Bounded;
    pb_status *resp = NULL;
    /* Re-creating an identical collection succeeds, so a retry is safe. */
    int rc = mm_milvus_call(m, "CreateCollection", &req, &milvus__proto__common__status__descriptor, true, &resp, NULL, err);
    free(schema);
    if (rc != 0)
        return -1;
    rc = mm_milvus_status_ok(resp) ? 0 : mm_milvus_status_error(m, resp, err, "CreateCollection %s", name);
    mm_milvus_release(resp);
    return rc;
}

void mm_milvus_collection_free(mm_milvus_collection *c)
{
    for (size_t i = 0; i < c->n_fields; i++)
        free(c->fields[i].name);
    free(c->fields);
    free(c->name);
    memset(c, 0, sizeof *c);
}

int mm_milvus_describe_collection(mm_milvus *m, const char *name, mm_milvus_collection *out, mm_error *err)
{
    memset(out, 0, sizeof *out);
    Milvus__Proto__Milvus__DescribeCollectionRequest req = MILVUS__PROTO__MILVUS__DESCRIBE_COLLECTION_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)name;
    Milvus__Proto__Milvus__DescribeCollectionResponse *resp = NULL;
    if (mm_milvus_call(m, "DescribeCollection", &req, &milvus__proto__milvus__describe_collection_response__descriptor, true,
             &resp, NULL, err))
        return -1;
    int rc = 0;
    if (!mm_milvus_status_ok(resp->status) || !resp->schema)
        rc = mm_milvus_status_ok(resp->status)
                 ? mm_error_set(err, MM_ERR_NETWORK, "DescribeCollection %s on %s: the answer has no schema", name,
                                m->label)
                 : mm_milvus_status_error(m, resp->status, err, "DescribeCollection %s", name);
    else {
        Milvus__Proto__Schema__CollectionSchema *s = resp->schema;
        out->name = mm_strdup(name);
        out->dynamic_field = s->enable_dynamic_field;
        out->fields = calloc(s->n_fields ? s->n_fields : 1, sizeof *out->fields);
        for (size_t i = 0; out->fields && i < s->n_fields; i++) {
            Milvus__Proto__Schema__FieldSchema *f = s->fields[i];
            const char *dim = mm_milvus_kv_get(f->type_params, f->n_type_params, "dim");
            out->fields[i] = (mm_milvus_field){
                .name = mm_strdup(f->name), .data_type = f->data_type, .primary = f->is_primary_key,
                .auto_id = f->autoid, .dim = dim ? strtoll(dim, NULL, 10) : 0, .nullable = f->nullable,
                .has_default = f->default_value != NULL, .function_output = f->is_function_output,
                .dynamic = f->is_dynamic,
            };
            out->n_fields++;
        }
        if (!out->fields)
            rc = mm_error_set(err, MM_ERR_NOMEM, "milvus: out of memory");
    }
    mm_milvus_release(resp);
    return rc;
}

int mm_milvus_drop_collection(mm_milvus *m, const char *name, mm_error *err)
{
    Milvus__Proto__Milvus__DropCollectionRequest req = MILVUS__PROTO__MILVUS__DROP_COLLECTION_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)name;
    pb_status *resp = NULL;
    if (mm_milvus_call(m, "DropCollection", &req, &milvus__proto__common__status__descriptor, true, &resp, NULL, err))
        return -1;
    int rc = mm_milvus_status_ok(resp) ? 0 : mm_milvus_status_error(m, resp, err, "DropCollection %s", name);
    mm_milvus_release(resp);
    return rc;
}

int mm_milvus_has_partition(mm_milvus *m, const char *collection, const char *partition, bool *exists,
                            mm_error *err)
{
    Milvus__Proto__Milvus__HasPartitionRequest req = MILVUS__PROTO__MILVUS__HAS_PARTITION_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)collection;
    req.partition_name = (char *)partition;
    Milvus__Proto__Milvus__BoolResponse *resp = NULL;
    if (mm_milvus_call(m, "HasPartition", &req, &milvus__proto__milvus__bool_response__descriptor, true, &resp, NULL, err))
        return -1;
    int rc = mm_milvus_status_ok(resp->status)
                 ? 0
                 : mm_milvus_status_error(m, resp->status, err, "HasPartition %s.%s", collection, partition);
    *exists = resp->value;
    mm_milvus_release(resp);
    return rc;
}

int mm_milvus_create_partition(mm_milvus *m, const char *collection, const char *partition, mm_error *err)
{
    Milvus__Proto__Milvus__CreatePartitionRequest req = MILVUS__PROTO__MILVUS__CREATE_PARTITION_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)collection;
    req.partition_name = (char *)partition;
    pb_status *resp = NULL;
    /* Not retried: a lost answer to a CreatePartition that worked would turn
     * into "partition already exists"; the caller checks HasPartition first. */
    if (mm_milvus_call(m, "CreatePartition", &req, &milvus__proto__common__status__descriptor, false, &resp, NULL, err))
        return -1;
    int rc = mm_milvus_status_ok(resp) ? 0 : mm_milvus_status_error(m, resp, err, "CreatePartition %s.%s", collection, partition);
    mm_milvus_release(resp);
    return rc;
}

/* ---- import ------------------------------------------------------------------ */

int mm_milvus_import(mm_milvus *m, const char *collection, const char *partition, const char *const *files,
                     size_t n_files, int64_t *task, mm_import_outcome *outcome, mm_error *err)
{
    *outcome = MM_IMPORT_UNCERTAIN;
    Milvus__Proto__Milvus__ImportRequest req = MILVUS__PROTO__MILVUS__IMPORT_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)collection;
    req.partition_name = (char *)(partition ? partition : "");
    req.n_files = n_files;
    req.files = (char **)files;
    Milvus__Proto__Milvus__ImportResponse *resp = NULL;
    mm_grpc_result res;
    if (mm_milvus_call_deadline(m, "Import", &req, &milvus__proto__milvus__import_response__descriptor,
                                mm_milvus_import_deadline_seconds(m), &resp, &res, err)) {
        /* Refused before reaching the service: nothing can have been created. */
        if (res.status == GRPC_STATUS_UNAUTHENTICATED || res.status == GRPC_STATUS_PERMISSION_DENIED ||
            res.status == GRPC_STATUS_UNIMPLEMENTED)
            *outcome = MM_IMPORT_REFUSED;
        return -1;
    }
    int rc = -1;
    const char *pname = partition && partition[0] ? partition : "_default";
    if (!mm_milvus_status_ok(resp->status)) {
        const pb_status *st = resp->status;
        /* Refused by the rate limiter or by the job limit before the job
         * was allocated or broadcast (import_util.go 787-797 via
         * ddl_callbacks_import.go 90-127 on 2.6): nothing exists. */
        *outcome = mm_milvus_classify(st->code, (int)st->error_code, st->reason) == MM_MILVUS_ANSWER_BUSY
                       ? MM_IMPORT_BUSY
                       : MM_IMPORT_REFUSED;
        mm_milvus_status_error(m, st, err, "Import into %s.%s of %s", collection, pname, n_files ? files[0] : "");
    } else if (resp->n_tasks != 1) {
        *outcome = resp->n_tasks > 0 ? MM_IMPORT_UNCERTAIN : MM_IMPORT_REFUSED;
        mm_error_set(err, MM_ERR_NETWORK, "Import into %s on %s: expected one task id, got %zu", collection,
                     m->label, resp->n_tasks);
    } else {
        *outcome = MM_IMPORT_SENT;
        *task = resp->tasks[0];
        rc = 0;
    }
    mm_milvus_release(resp);
    return rc;
}

int mm_milvus_get_import_state(mm_milvus *m, int64_t task, mm_milvus_import_state *out, mm_error *err)
{
    memset(out, 0, sizeof *out);
    Milvus__Proto__Milvus__GetImportStateRequest req = MILVUS__PROTO__MILVUS__GET_IMPORT_STATE_REQUEST__INIT;
    req.task = task;
    Milvus__Proto__Milvus__GetImportStateResponse *resp = NULL;
    if (mm_milvus_call(m, "GetImportState", &req, &milvus__proto__milvus__get_import_state_response__descriptor, true, &resp,
             NULL, err))
        return -1;
    int rc = 0;
    if (!mm_milvus_status_ok(resp->status)) {
        const pb_status *st = resp->status;
        const char *reason = st->reason ? st->reason : "";
        /* 2100 "import job does not exist" up to 2.6.18, 2101 from 2.6.19. */
        if (mm_milvus_classify(st->code, (int)st->error_code, reason) == MM_MILVUS_ANSWER_JOB_MISSING)
            out->missing = true;
        else
            rc = mm_milvus_status_error(m, st, err, "GetImportState of task %lld", (long long)task);
        out->failed_reason = mm_strdup(reason);
    } else {
        out->state = resp->state;
        out->rows = resp->row_count;
        const char *reason = mm_milvus_kv_get(resp->infos, resp->n_infos, "failed_reason");
        const char *progress = mm_milvus_kv_get(resp->infos, resp->n_infos, "progress_percent");
        out->failed_reason = mm_strdup(reason ? reason : "");
        out->progress = progress ? atoi(progress) : (out->state == MM_IMPORT_COMPLETED ? 100 : 0);
    }
    mm_milvus_release(resp);
    return rc;
}

void mm_milvus_import_state_free(mm_milvus_import_state *s)
{
    free(s->failed_reason);
    s->failed_reason = NULL;
}

bool mm_milvus_import_state_final(int state)
{
    return state == MM_IMPORT_COMPLETED || state == MM_IMPORT_FAILED || state == MM_IMPORT_FAILED_AND_CLEANED;
}

const char *mm_milvus_import_state_name(int state)
{
    static const struct {
        int state;
        const char *name;
    } names[] = {
        {MM_IMPORT_PENDING, "pending"},     {MM_IMPORT_FAILED, "failed"},
        {MM_IMPORT_STARTED, "started"},     {MM_IMPORT_PERSISTED, "persisted"},
        {MM_IMPORT_COMPLETED, "completed"}, {MM_IMPORT_FAILED_AND_CLEANED, "failed and cleaned"},
        {MM_IMPORT_FLUSHED, "flushed"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].state == state)
            return names[i].name;
    return "unknown";
}

int mm_milvus_list_import_tasks(mm_milvus *m, const char *collection, mm_milvus_task_info **tasks, size_t *n,
                                mm_error *err)
{
    *tasks = NULL;
    *n = 0;
    Milvus__Proto__Milvus__ListImportTasksRequest req = MILVUS__PROTO__MILVUS__LIST_IMPORT_TASKS_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)collection;
    Milvus__Proto__Milvus__ListImportTasksResponse *resp = NULL;
    if (mm_milvus_call(m, "ListImportTasks", &req, &milvus__proto__milvus__list_import_tasks_response__descriptor, true, &resp,
             NULL, err))
        return -1;
    int rc = 0;
    if (!mm_milvus_status_ok(resp->status)) {
        rc = mm_milvus_status_error(m, resp->status, err, "ListImportTasks of %s", collection);
    } else if (resp->n_tasks) {
        *tasks = calloc(resp->n_tasks, sizeof **tasks);
        if (!*tasks)
            rc = mm_error_set(err, MM_ERR_NOMEM, "milvus: out of memory");
        for (size_t i = 0; rc == 0 && i < resp->n_tasks; i++) {
            const Milvus__Proto__Milvus__GetImportStateResponse *t = resp->tasks[i];
            const char *files = mm_milvus_kv_get(t->infos, t->n_infos, "files");
            (*tasks)[i] = (mm_milvus_task_info){.id = t->id, .state = t->state, .files = mm_strdup(files ? files : "")};
            (*n)++;
        }
    }
    mm_milvus_release(resp);
    return rc;
}

void mm_milvus_task_infos_free(mm_milvus_task_info *tasks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(tasks[i].files);
    free(tasks);
}

/* ---- statistics and indexes ----------------------------------------------------- */

static int parse_row_count(mm_milvus *m, pb_kv **stats, size_t n, const char *what, int64_t *rows, mm_error *err)
{
    const char *v = mm_milvus_kv_get(stats, n, "row_count");
    char *end = NULL;
    long long parsed = v ? strtoll(v, &end, 10) : 0;
    if (!v || end == v || *end || parsed < 0)
        return mm_error_set(err, MM_ERR_NETWORK, "%s on %s: the answer has no valid row_count (%s)", what, m->label,
                            v ? v : "missing");
    *rows = parsed;
    return 0;
}

int mm_milvus_collection_rows(mm_milvus *m, const char *collection, int64_t *rows, mm_error *err)
{
    Milvus__Proto__Milvus__GetCollectionStatisticsRequest req =
        MILVUS__PROTO__MILVUS__GET_COLLECTION_STATISTICS_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)collection;
    Milvus__Proto__Milvus__GetCollectionStatisticsResponse *resp = NULL;
    if (mm_milvus_call(m, "GetCollectionStatistics", &req, &milvus__proto__milvus__get_collection_statistics_response__descriptor,
             true, &resp, NULL, err))
        return -1;
    int rc = mm_milvus_status_ok(resp->status)
                 ? parse_row_count(m, resp->stats, resp->n_stats, "GetCollectionStatistics", rows, err)
                 : mm_milvus_status_error(m, resp->status, err, "GetCollectionStatistics %s", collection);
    mm_milvus_release(resp);
    return rc;
}

int mm_milvus_partition_rows(mm_milvus *m, const char *collection, const char *partition, int64_t *rows,
                             mm_error *err)
{
    Milvus__Proto__Milvus__GetPartitionStatisticsRequest req =
        MILVUS__PROTO__MILVUS__GET_PARTITION_STATISTICS_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)collection;
    req.partition_name = (char *)partition;
    Milvus__Proto__Milvus__GetPartitionStatisticsResponse *resp = NULL;
    if (mm_milvus_call(m, "GetPartitionStatistics", &req, &milvus__proto__milvus__get_partition_statistics_response__descriptor,
             true, &resp, NULL, err))
        return -1;
    int rc = mm_milvus_status_ok(resp->status)
                 ? parse_row_count(m, resp->stats, resp->n_stats, "GetPartitionStatistics", rows, err)
                 : mm_milvus_status_error(m, resp->status, err, "GetPartitionStatistics %s.%s", collection, partition);
    mm_milvus_release(resp);
    return rc;
}

int mm_milvus_create_index(mm_milvus *m, const char *collection, const char *field, const char *index_type,
                           const char *metric_type, const char *params_json, mm_error *err)
{
    pb_kv kv[3] = {MILVUS__PROTO__COMMON__KEY_VALUE_PAIR__INIT, MILVUS__PROTO__COMMON__KEY_VALUE_PAIR__INIT,
                   MILVUS__PROTO__COMMON__KEY_VALUE_PAIR__INIT};
    pb_kv *params[3] = {&kv[0], &kv[1], &kv[2]};
    kv[0].key = "index_type";
    kv[0].value = (char *)index_type;
    kv[1].key = "metric_type";
    kv[1].value = (char *)metric_type;
    kv[2].key = "params";
    kv[2].value = (char *)(params_json ? params_json : "{}");
    Milvus__Proto__Milvus__CreateIndexRequest req = MILVUS__PROTO__MILVUS__CREATE_INDEX_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)collection;
    req.field_name = (char *)field;
    req.n_extra_params = 3;
    req.extra_params = params;
    pb_status *resp = NULL;
    if (mm_milvus_call(m, "CreateIndex", &req, &milvus__proto__common__status__descriptor, true, &resp, NULL, err))
        return -1;
    int rc = mm_milvus_status_ok(resp) ? 0
                             : mm_milvus_status_error(m, resp, err, "CreateIndex %s on %s.%s", index_type, collection, field);
    mm_milvus_release(resp);
    return rc;
}
