/* Target collections: creation, the existing-collection policy, schema
 * checks, partitions, row-count baselines and indexes. */
#include "load/load_internal.h"

#include "source/names.h"
#include "base/remedy.h"
#include "base/strbuf.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char *partition_target(const mm_collection_info *c, size_t j)
{
    return j == 0 ? "_default" : c->partitions[j].target_name;
}

/* Whether Milvus fills field f itself when an import brings no file for
 * it, so the two staged files (id and vector) still fit the collection.
 * Every generation skips the dynamic $meta field and function outputs; 2.6
 * and later also fill nullable fields with null and fields with a default
 * value with it (internal/util/importutilv2/numpy/util.go 105-124 on 2.6,
 * AppendNullableDefaultFieldsData in internal/datanode/importv2/util.go
 * 262-330); 2.5 wants a file for a default-value field and refuses a
 * collection with any nullable field (numpy/reader.go 48-53 on 2.5). *why
 * says what stands in the way when it does not. */
static bool filled_by_milvus(mm_milvus *milvus, const mm_milvus_field *f, const char **why)
{
    bool fills_nullable = mm_milvus_generation(milvus) >= 26;
    *why = "that the 1.x data cannot fill";
    if (f->dynamic || f->function_output)
        return true;
    if ((f->nullable || f->has_default) && fills_nullable)
        return true;
    if (f->nullable)
        *why = "that is nullable, and Milvus before 2.6 refuses NumPy imports into a collection with a nullable "
               "field";
    else if (f->has_default)
        *why = "with a default value, for which Milvus before 2.6 still wants a file the 1.x data cannot fill";
    return false;
}

/* An existing collection is usable only if the staged files fit it: Milvus
 * matches files to fields by name and wants a file for every field it does
 * not fill itself (filled_by_milvus). */
int mm_load_check_schema(mm_milvus *milvus, const mm_collection_info *c, const char *id_field,
                         const char *vector_field, mm_error *err)
{
    mm_milvus_collection mc;
    if (mm_milvus_describe_collection(milvus, c->target_name, &mc, err) != 0)
        return -1;
    int want_vector = c->binary ? MM_MILVUS_BINARY_VECTOR : MM_MILVUS_FLOAT_VECTOR;
    const char *problem = NULL, *why = NULL;
    char detail[512] = "";
    bool have_id = false, have_vector = false;
    for (size_t i = 0; i < mc.n_fields && !problem; i++) {
        const mm_milvus_field *f = &mc.fields[i];
        if (strcmp(f->name, id_field) == 0) {
            have_id = true;
            if (f->data_type != MM_MILVUS_INT64 || !f->primary || f->auto_id)
                problem = "its id field is not an Int64 primary key with autoID off";
        } else if (strcmp(f->name, vector_field) == 0) {
            have_vector = true;
            if (f->data_type != want_vector || f->dim != c->dim) {
                snprintf(detail, sizeof detail, "its field '%s' is not a %s of dim %lld (dim there: %lld)",
                         f->name, c->binary ? "BinaryVector" : "FloatVector", (long long)c->dim, (long long)f->dim);
                problem = detail;
            }
        } else if (!filled_by_milvus(milvus, f, &why)) {
            snprintf(detail, sizeof detail, "it has a field '%s' %s", f->name, why);
            problem = detail;
        }
    }
    if (!problem && (!have_id || !have_vector)) {
        snprintf(detail, sizeof detail, "it has no field '%s'", have_id ? vector_field : id_field);
        problem = detail;
    }
    int rc = 0;
    if (problem)
        rc = mm_error_set(err, MM_ERR_CONFIG, "collection '%s' exists on %s with another schema: %s; drop it, "
                          "choose another target name, or set target.milvus2x.existingCollection: drop",
                          c->target_name, mm_milvus_endpoint(milvus), problem);
    mm_milvus_collection_free(&mc);
    return rc;
}

static int check_schema(const mm_load_options *opt, const mm_collection_info *c, mm_error *err)
{
    return mm_load_check_schema(opt->milvus, c, opt->id_field, opt->vector_field, err);
}

static bool drop_confirmed(const mm_load_options *opt, const char *name)
{
    for (const char *const *n = opt->drops_confirmed; n && *n; n++)
        if (strcmp(*n, name) == 0)
            return true;
    return false;
}

/* Batches that an earlier run imported into a collection that has since
 * vanished are imported again: nothing of them is left to duplicate. */
typedef struct reset_ctx {
    const mm_load_options *opt;
    const char *collection;
    size_t reset;
    mm_error *err;
} reset_ctx;

static int reset_batch(void *ctx, const mm_journal_batch *b)
{
    reset_ctx *rc = ctx;
    if (strcmp(b->collection, rc->collection) != 0 || b->state < MM_BATCH_SUBMITTED)
        return 0;
    mm_journal_batch copy = *b;
    copy.state = MM_BATCH_DUMPED;
    copy.task_ids = "";
    copy.imported_rows = 0;
    rc->reset++;
    return mm_journal_put(rc->opt->journal, &copy, rc->err);
}

static int create_collection(const mm_load_options *opt, const mm_collection_info *c, mm_load_result *res,
                             mm_error *err)
{
    mm_journal_target t = {.collection = c->name, .target = c->target_name, .state = MM_TARGET_CREATING};
    if (mm_journal_target_put(opt->journal, &t, err) != 0)
        return -1;
    char description[256];
    char *name = mm_name_utf8(c->name);
    snprintf(description, sizeof description, "Migrated from Milvus 1.x collection %s", name ? name : "?");
    free(name);
    if (mm_milvus_create_collection(opt->milvus, c->target_name, opt->id_field, opt->vector_field, c->binary, c->dim,
                                    description, err) != 0)
        return -1;
    res->collections_created++;
    mm_emit_line(opt->log, opt->log_ctx, "created collection %s (%s, dim %lld)", c->target_name,
                c->binary ? "BinaryVector" : "FloatVector", (long long)c->dim);
    return 0;
}

static int prepare_partitions(const mm_load_options *opt, const mm_collection_info *c, mm_target_state state,
                              mm_load_result *res, mm_error *err)
{
    for (size_t j = 0; j < c->n_partitions; j++) {
        const char *name = partition_target(c, j);
        bool exists = true;
        if (j > 0 && mm_milvus_has_partition(opt->milvus, c->target_name, name, &exists, err) != 0)
            return -1;
        int64_t baseline = 0;
        bool known = false;
        if (mm_journal_partition_baseline_get(opt->journal, c->name, c->partitions[j].tag, &baseline, &known,
                                              err) != 0)
            return -1;
        if (!known && exists && state == MM_TARGET_APPENDING &&
            mm_milvus_partition_rows(opt->milvus, c->target_name, name, &baseline, err) != 0)
            return -1;
        if (!known && mm_journal_partition_baseline_put(opt->journal, c->name, c->partitions[j].tag,
                                                        state == MM_TARGET_APPENDING ? baseline : 0, err) != 0)
            return -1;
        if (!exists) {
            if (mm_milvus_create_partition(opt->milvus, c->target_name, name, err) != 0)
                return -1;
            res->partitions_created++;
            mm_emit_line(opt->log, opt->log_ctx, "created partition %s.%s (1.x tag '%s')", c->target_name, name, c->partitions[j].tag);
        }
    }
    return 0;
}

static int apply_policy(const mm_load_options *opt, const mm_collection_info *c, bool *skipped, mm_load_result *res,
                        mm_error *err)
{
    const char *endpoint = mm_milvus_endpoint(opt->milvus);
    switch (opt->existing) {
    case MM_EXISTING_SKIP: {
        mm_journal_target t = {.collection = c->name, .target = c->target_name, .state = MM_TARGET_SKIPPED};
        *skipped = true;
        res->collections_skipped++;
        mm_emit_line(opt->log, opt->log_ctx, "skipped collection %s: it exists (target.milvus2x.existingCollection: skip)",
                    c->target_name);
        return mm_journal_target_put(opt->journal, &t, err);
    }
    case MM_EXISTING_DROP:
        if (!drop_confirmed(opt, c->target_name))
            return mm_error_set(err, MM_ERR_CONFIG, "collection '%s' exists on Milvus at %s, but it was not there "
                                "when the run was checked and confirmed, so it is not dropped; nothing of it was "
                                "changed. Run again to see it and be asked", c->target_name, endpoint);
        /* Recorded as ours first: a crash after the drop resumes the creation. */
        if (mm_journal_target_put(opt->journal,
                                  &(mm_journal_target){.collection = c->name, .target = c->target_name,
                                                       .state = MM_TARGET_CREATING},
                                  err) != 0 ||
            mm_milvus_drop_collection(opt->milvus, c->target_name, err) != 0)
            return -1;
        mm_emit_line(opt->log, opt->log_ctx, "dropped existing collection %s (target.milvus2x.existingCollection: drop)",
                    c->target_name);
        return create_collection(opt, c, res, err);
    case MM_EXISTING_APPEND: {
        if (check_schema(opt, c, err) != 0)
            return -1;
        int64_t rows = 0;
        if (mm_milvus_collection_rows(opt->milvus, c->target_name, &rows, err) != 0)
            return -1;
        mm_journal_target t = {.collection = c->name, .target = c->target_name, .state = MM_TARGET_APPENDING,
                               .baseline_rows = rows};
        res->collections_appended++;
        mm_emit_line(opt->log, opt->log_ctx, "appending to existing collection %s, which holds %lld rows", c->target_name,
                    (long long)rows);
        return mm_journal_target_put(opt->journal, &t, err);
    }
    case MM_EXISTING_ERROR:
    default:
        return mm_error_set(err, MM_ERR_CONFIG, "collection '%s' already exists on Milvus at %s; set "
                            "target.milvus2x.existingCollection to append, drop or skip, or rename the target",
                            c->target_name, endpoint);
    }
}

int mm_load_prepare_collection(const mm_load_options *opt, const mm_collection_info *c, bool *skipped,
                               mm_load_result *res, mm_error *err)
{
    *skipped = false;
    mm_journal_target jt;
    bool known = false;
    if (mm_journal_target_get(opt->journal, c->name, &jt, &known, err) != 0)
        return -1;
    mm_target_state state = known ? jt.state : 0;
    bool renamed = known && strcmp(jt.target, c->target_name) != 0;
    mm_journal_target_free(&jt);
    if (renamed)
        return mm_error_set(err, MM_ERR_CONFIG, "collection '%s' was loaded into another 2.x name by an earlier "
                            "run; keep that name or start over %s", c->name, mm_remedy_how(MM_REMEDY_START_OVER));
    bool exists = false;
    if (mm_milvus_has_collection(opt->milvus, c->target_name, &exists, err) != 0)
        return -1;
    int rc = 0;
    if (state == MM_TARGET_SKIPPED && exists) {
        *skipped = true;
        res->collections_skipped++;
        return 0;
    }
    if ((state == MM_TARGET_CREATING || state == MM_TARGET_APPENDING) && exists) {
        rc = check_schema(opt, c, err);
        res->collections_resumed++;
    } else if (state && !exists) {
        reset_ctx rctx = {opt, c->name, 0, err};
        rc = mm_journal_each(opt->journal, reset_batch, &rctx, err);
        if (rc == 0 && rctx.reset)
            mm_emit_line(opt->log, opt->log_ctx, "collection %s is gone from Milvus; its %zu imported batch(es) will be imported again",
                        c->target_name, rctx.reset);
        if (rc == 0)
            rc = mm_journal_forget_target(opt->journal, c->name, err);
        if (rc == 0)
            rc = create_collection(opt, c, res, err);
        state = MM_TARGET_CREATING;
    } else if (exists) {
        rc = apply_policy(opt, c, skipped, res, err);
        state = opt->existing == MM_EXISTING_APPEND ? MM_TARGET_APPENDING : MM_TARGET_CREATING;
    } else {
        rc = create_collection(opt, c, res, err);
        state = MM_TARGET_CREATING;
    }
    if (rc == 0 && !*skipped)
        rc = prepare_partitions(opt, c, state, res, err);
    return rc;
}

/* 1.x engine types and their Milvus 2.x index (specs/milvus1x-format.md §6). */
static const struct index_map {
    const char *engine;
    const char *index;
    const char *const *params;   /* 1.x index_params keys carried over */
} index_maps[] = {
    {"FLAT", "FLAT", NULL},
    {"IVF_FLAT", "IVF_FLAT", (const char *const[]){"nlist", NULL}},
    {"IVF_SQ8", "IVF_SQ8", (const char *const[]){"nlist", NULL}},
    {"IVF_SQ8H", "IVF_SQ8", (const char *const[]){"nlist", NULL}},
    {"IVF_PQ", "IVF_PQ", (const char *const[]){"nlist", "m", "nbits", NULL}},
    {"HNSW", "HNSW", (const char *const[]){"M", "efConstruction", NULL}},
    {"BIN_FLAT", "BIN_FLAT", NULL},
    {"BIN_IVF_FLAT", "BIN_IVF_FLAT", (const char *const[]){"nlist", NULL}},
};

const char *mm_load_index_for(const mm_collection_info *c, char **params_out)
{
    *params_out = NULL;
    const char *engine = mm_engine_type_name(c->engine_type);
    const struct index_map *map = NULL;
    for (size_t i = 0; i < sizeof index_maps / sizeof index_maps[0]; i++)
        if (strcmp(index_maps[i].engine, engine) == 0)
            map = &index_maps[i];
    if (!map)
        return NULL;
    cJSON *in = cJSON_Parse(c->index_params ? c->index_params : "{}");
    cJSON *out = cJSON_CreateObject();
    for (const char *const *key = map->params; key && *key; key++) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive(in, *key);
        if (cJSON_IsNumber(v))
            cJSON_AddNumberToObject(out, *key, v->valuedouble);
    }
    if (strcmp(map->index, "IVF_PQ") == 0 && !cJSON_GetObjectItemCaseSensitive(out, "nbits"))
        cJSON_AddNumberToObject(out, "nbits", 8);
    *params_out = cJSON_PrintUnformatted(out);
    cJSON_Delete(in);
    cJSON_Delete(out);
    return map->index;
}

/* Metrics that Milvus 2.x still offers for the vector type. */
static bool metric_supported(const mm_collection_info *c, const char *metric)
{
    static const char *const float_metrics[] = {"L2", "IP", NULL};
    static const char *const binary_metrics[] = {"HAMMING", "JACCARD", NULL};
    for (const char *const *m = c->binary ? binary_metrics : float_metrics; *m; m++)
        if (strcmp(*m, metric) == 0)
            return true;
    return false;
}

int mm_load_create_index(const mm_load_options *opt, const mm_collection_info *c, mm_load_result *res,
                         mm_error *err)
{
    if (!opt->create_index)
        return 0;
    char *params = NULL;
    const char *index = mm_load_index_for(c, &params);
    const char *metric = mm_metric_name(c->metric_type);
    if (!index || !metric_supported(c, metric)) {
        res->indexes_skipped++;
        mm_emit_line(opt->log, opt->log_ctx, "no index built on %s: 1.x %s with metric %s has no Milvus 2.x equivalent; build one "
                    "later (HNSW suits most float collections)", c->target_name, mm_engine_type_name(c->engine_type),
                    metric);
        free(params);
        return 0;
    }
    int rc = mm_milvus_create_index(opt->milvus, c->target_name, opt->vector_field, index, metric, params, err);
    if (rc == 0) {
        res->indexes_created++;
        mm_emit_line(opt->log, opt->log_ctx, "index %s %s (%s) requested on %s.%s", index, params, metric, c->target_name,
                    opt->vector_field);
    }
    free(params);
    return rc;
}
