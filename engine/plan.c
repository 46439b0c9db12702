#include "plan.h"

#include "dump/dump.h"
#include "npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    mm_existing_policy policy;
    const char *name, *text;
} policies[] = {
    {MM_EXISTING_ERROR, "error", "stop before changing anything when a 2.x collection of that name exists"},
    {MM_EXISTING_APPEND, "append", "add the rows to an existing 2.x collection whose schema matches"},
    {MM_EXISTING_DROP, "drop", "DROP an existing 2.x collection of that name, with all its data, and create it anew"},
    {MM_EXISTING_SKIP, "skip", "leave an existing 2.x collection alone and migrate nothing into it"},
};

const char *mm_plan_policy_name(mm_existing_policy policy)
{
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++)
        if (policies[i].policy == policy)
            return policies[i].name;
    return "?";
}

const char *mm_plan_policy_text(mm_existing_policy policy)
{
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++)
        if (policies[i].policy == policy)
            return policies[i].text;
    return "?";
}

void mm_plan_vector_type(const mm_collection_info *c, char *buf, size_t n)
{
    snprintf(buf, n, "%s(%lld)", c->binary ? "BinaryVector" : "FloatVector", (long long)c->dim);
}

void mm_plan_batch_name(const mm_plan_batch *b, char *buf, size_t n)
{
    if (b->n_batches > 1)
        snprintf(buf, n, "%s-%d", b->segment->segment_id, b->batch);
    else
        snprintf(buf, n, "%s", b->segment->segment_id);
}

void mm_plan_free(mm_plan *plan)
{
    for (size_t i = 0; i < plan->n_collections; i++)
        free(plan->collections[i].partitions);
    free(plan->collections);
    free(plan->batches);
    free(plan->by_key);
    memset(plan, 0, sizeof *plan);
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t cap2 = *cap ? *cap * 2 : 64;
    while (cap2 < need)
        cap2 *= 2;
    void *q = realloc(p, cap2 * size);
    if (!q)
        return NULL;
    *cap = cap2;
    return q;
}

static int key_cmp(const mm_plan *plan, size_t a, const char *collection, const char *segment, int batch)
{
    const mm_plan_batch *x = &plan->batches[a];
    int c = strcmp(plan->collections[x->collection].info->name, collection);
    if (c == 0)
        c = strcmp(x->segment->segment_id, segment);
    if (c == 0)
        c = (x->batch > batch) - (x->batch < batch);
    return c;
}

static int by_key_cmp(const void *a, const void *b, void *ctx)
{
    const mm_plan *plan = ctx;
    const mm_plan_batch *y = &plan->batches[*(const size_t *)b];
    return key_cmp(plan, *(const size_t *)a, plan->collections[y->collection].info->name, y->segment->segment_id,
                   y->batch);
}

long mm_plan_find_batch(const mm_plan *plan, const char *collection, const char *segment, int batch)
{
    size_t lo = 0, hi = plan->n_batches;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(plan, plan->by_key[mid], collection, segment, batch);
        if (c == 0)
            return (long)plan->by_key[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int plan_collection(mm_plan *plan, size_t *cap, size_t ci, const mm_collection_info *c, uint64_t max_file_size,
                           mm_error *err)
{
    mm_plan_collection *pc = &plan->collections[ci];
    pc->info = c;
    if (c->schema_problem)
        return mm_error_set(err, MM_ERR_META, "collection '%s': %s; it cannot be migrated: deselect it on the "
                            "Preview screen (F2), or correct its Tables row", c->name, c->schema_problem);
    pc->partitions = calloc(c->n_partitions ? c->n_partitions : 1, sizeof *pc->partitions);
    if (!pc->partitions)
        return mm_error_set(err, MM_ERR_NOMEM, "plan: out of memory");
    uint64_t cols = c->binary ? (uint64_t)c->dim / 8 : (uint64_t)c->dim;
    int64_t per_batch = mm_dump_rows_per_batch(max_file_size, (uint64_t)mm_collection_vector_bytes(c), cols, c->binary);
    mm_npy_dtype dtype = c->binary ? MM_NPY_U1 : MM_NPY_F4;
    for (size_t p = 0; p < c->n_partitions; p++) {
        const mm_partition_info *part = &c->partitions[p];
        mm_plan_partition *pp = &pc->partitions[p];
        pp->info = part;
        for (size_t s = 0; s < part->n_segments; s++) {
            const mm_segment_info *seg = &part->segments[s];
            if (seg->live <= 0)
                continue; /* the dump writes no batch for a segment without live rows */
            if (per_batch <= 0)
                return mm_error_set(err, MM_ERR_CONFIG, "dumper.maxFileSize %llu bytes cannot hold even one row of "
                                    "collection '%s'", (unsigned long long)max_file_size, c->name);
            int n = (int)((seg->live + per_batch - 1) / per_batch);
            mm_plan_batch *grown = grow(plan->batches, cap, plan->n_batches + (size_t)n, sizeof *grown);
            if (!grown)
                return mm_error_set(err, MM_ERR_NOMEM, "plan: out of memory");
            plan->batches = grown;
            for (int k = 0; k < n; k++) {
                int64_t rows = k + 1 < n ? per_batch : seg->live - per_batch * (int64_t)k;
                uint64_t bytes = mm_npy_file_size(MM_NPY_I8, (uint64_t)rows, 0) +
                                 mm_npy_file_size(dtype, (uint64_t)rows, cols);
                plan->batches[plan->n_batches++] = (mm_plan_batch){ci, p, seg, k, n, rows, bytes};
                pp->batches++;
                pp->rows += rows;
                pp->bytes += bytes;
            }
        }
        pc->batches += pp->batches;
        pc->rows += pp->rows;
        pc->bytes += pp->bytes;
    }
    plan->partitions += c->n_partitions;
    plan->rows += pc->rows;
    plan->bytes += pc->bytes;
    return 0;
}

int mm_plan_build(mm_plan *plan, const mm_inventory *inv, const bool *selected, uint64_t max_file_size,
                  mm_error *err)
{
    memset(plan, 0, sizeof *plan);
    plan->collections = calloc(inv->n_collections ? inv->n_collections : 1, sizeof *plan->collections);
    if (!plan->collections)
        return mm_error_set(err, MM_ERR_NOMEM, "plan: out of memory");
    size_t cap = 0;
    for (size_t i = 0; i < inv->n_collections; i++) {
        if (selected && !selected[i])
            continue;
        if (plan_collection(plan, &cap, plan->n_collections++, &inv->collections[i], max_file_size, err) != 0) {
            mm_plan_free(plan);
            return -1;
        }
    }
    plan->by_key = malloc((plan->n_batches ? plan->n_batches : 1) * sizeof *plan->by_key);
    if (!plan->by_key) {
        mm_plan_free(plan);
        return mm_error_set(err, MM_ERR_NOMEM, "plan: out of memory");
    }
    for (size_t i = 0; i < plan->n_batches; i++)
        plan->by_key[i] = i;
    qsort_r(plan->by_key, plan->n_batches, sizeof *plan->by_key, by_key_cmp, plan);
    return 0;
}
