/* Query by primary key (query.h). */
#include "milvus2/query.h"

#include "milvus2/client_internal.h"

#include "base/strbuf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef Milvus__Proto__Schema__FieldData pb_field_data;

static const pb_field_data *find_field(const Milvus__Proto__Milvus__QueryResults *r, const char *name)
{
    for (size_t i = 0; i < r->n_fields_data; i++)
        if (r->fields_data[i]->field_name && strcmp(r->fields_data[i]->field_name, name) == 0)
            return r->fields_data[i];
    return NULL;
}

/* The vector bytes of a vector field of the answer, or NULL when it is
 * not a vector field of the collection's kind. */
static const uint8_t *vector_bytes(const pb_field_data *f, bool binary, int64_t *dim, size_t *len)
{
    if (!f || f->field_case != MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_VECTORS || !f->vectors)
        return NULL;
    const Milvus__Proto__Schema__VectorField *v = f->vectors;
    *dim = v->dim;
    if (!binary && v->data_case == MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_FLOAT_VECTOR && v->float_vector) {
        *len = v->float_vector->n_data * 4;
        return (const uint8_t *)(v->float_vector->data ? (const void *)v->float_vector->data : "");
    }
    if (binary && v->data_case == MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_BINARY_VECTOR) {
        *len = v->binary_vector.len;
        return v->binary_vector.data ? v->binary_vector.data : (const uint8_t *)"";
    }
    return NULL;
}

/* The keys and vectors of the answer into out; anything that does not fit
 * the collection's schema is an error naming what. */
static int take_rows(const mm_milvus *m, const mm_milvus_query *q, const Milvus__Proto__Milvus__QueryResults *r,
                     mm_milvus_rows *out, mm_error *err)
{
    const pb_field_data *idf = find_field(r, q->id_field);
    if (!idf || idf->field_case != MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS || !idf->scalars ||
        idf->scalars->data_case != MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_LONG_DATA)
        return mm_error_set(err, MM_ERR_NETWORK, "Query on %s on %s: the answer has no Int64 field '%s' "
                            "(target.milvus2x.fields.id)", q->collection, m->label, q->id_field);
    size_t n = idf->scalars->long_data ? idf->scalars->long_data->n_data : 0;
    size_t bytes = q->binary ? (size_t)q->dim / 8 : (size_t)q->dim * 4;
    int64_t dim = q->dim;
    size_t have = 0;
    const uint8_t *data = vector_bytes(find_field(r, q->vector_field), q->binary, &dim, &have);
    if (!data && n)
        return mm_error_set(err, MM_ERR_NETWORK, "Query on %s on %s: the answer has no %s vector field '%s' "
                            "(target.milvus2x.fields.vector)", q->collection, m->label,
                            q->binary ? "binary" : "float", q->vector_field);
    if (n && (dim != q->dim || have != n * bytes))
        return mm_error_set(err, MM_ERR_NETWORK, "Query on %s on %s: the answer holds %zu keys and %zu bytes of "
                            "dim-%" PRId64 " vectors; expected dim %" PRId64 ", %zu bytes", q->collection, m->label,
                            n, have, dim, q->dim, n * bytes);
    out->n = n;
    out->vector_bytes = bytes;
    out->ids = malloc((n ? n : 1) * sizeof *out->ids);
    out->vectors = malloc(n * bytes > 0 ? n * bytes : 1);
    if (!out->ids || !out->vectors)
        return mm_error_set(err, MM_ERR_NOMEM, "Query on %s: out of memory for %zu rows", q->collection, n);
    if (n) {
        memcpy(out->ids, idf->scalars->long_data->data, n * sizeof *out->ids);
        memcpy(out->vectors, data, n * bytes);
    }
    return 0;
}

static char *in_expression(const char *field, const int64_t *ids, size_t n)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_appendf(&sb, "%s in [", field);
    for (size_t i = 0; i < n; i++)
        mm_strbuf_appendf(&sb, "%s%" PRId64, i ? "," : "", ids[i]);
    mm_strbuf_append(&sb, "]");
    return mm_strbuf_take(&sb);
}

int mm_milvus_query_by_ids(mm_milvus *m, const mm_milvus_query *q, const int64_t *ids, size_t n, mm_milvus_rows *out,
                           int *code, mm_error *err)
{
    memset(out, 0, sizeof *out);
    if (code)
        *code = 0;
    char *expr = in_expression(q->id_field, ids, n);
    if (!expr)
        return mm_error_set(err, MM_ERR_NOMEM, "Query on %s: out of memory", q->collection);
    char *outputs[] = {(char *)q->id_field, (char *)q->vector_field};
    char *partitions[] = {(char *)q->partition};
    Milvus__Proto__Milvus__QueryRequest req = MILVUS__PROTO__MILVUS__QUERY_REQUEST__INIT;
    req.db_name = mm_milvus_db_name(m);
    req.collection_name = (char *)q->collection;
    req.expr = expr;
    req.n_output_fields = 2;
    req.output_fields = outputs;
    if (q->partition && q->partition[0]) {
        req.n_partition_names = 1;
        req.partition_names = partitions;
    }
    /* Strong: the answer waits until every write before it is visible. */
    req.consistency_level = MILVUS__PROTO__COMMON__CONSISTENCY_LEVEL__Strong;
    req.use_default_consistency = 0;
    Milvus__Proto__Milvus__QueryResults *resp = NULL;
    int rc = mm_milvus_call(m, "Query", &req, &milvus__proto__milvus__query_results__descriptor, true, &resp, NULL, err);
    free(expr);
    if (rc != 0)
        return -1;
    if (!mm_milvus_status_ok(resp->status)) {
        if (code)
            *code = mm_milvus_status_code(resp->status);
        rc = mm_milvus_status_error(m, resp->status, err, "Query on %s%s%s", q->collection,
                                    q->partition && q->partition[0] ? "." : "", q->partition ? q->partition : "");
    } else {
        rc = take_rows(m, q, resp, out, err);
    }
    mm_milvus_release(resp);
    if (rc != 0)
        mm_milvus_rows_free(out);
    return rc;
}

void mm_milvus_rows_free(mm_milvus_rows *r)
{
    free(r->ids);
    free(r->vectors);
    memset(r, 0, sizeof *r);
}
