#include "plan.h"

#include "base/strbuf.h"
#include "npy.h"
#include "source/names.h"

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

/* Milvus 2.4 and later check the import size limit against the sum of
 * one import's files (internal/util/importutilv2/numpy/reader.go 100-110
 * sums the request's files for preimport's check, task_preimport.go
 * 190-199 on 2.6), 2.2 and 2.3 against each file: bounding id.npy and
 * data.npy together satisfies both. */
int64_t mm_plan_rows_per_batch(uint64_t max_file_size, const mm_collection_info *c)
{
    uint64_t row_bytes = (uint64_t)mm_collection_vector_bytes(c) + 8;
    uint64_t cols = c->binary ? (uint64_t)c->dim / 8 : (uint64_t)c->dim;
    uint64_t headers = mm_npy_file_size(c->binary ? MM_NPY_U1 : MM_NPY_F4, 0, cols) + mm_npy_file_size(MM_NPY_I8, 0, 0);
    if (max_file_size < headers + row_bytes)
        return 0;
    uint64_t rows = (max_file_size - headers) / row_bytes;
    return rows > INT64_MAX ? INT64_MAX : (int64_t)rows;
}

int mm_plan_batch_count(int64_t rows, int64_t rows_per_batch)
{
    return rows > 0 && rows_per_batch > 0 ? (int)((rows + rows_per_batch - 1) / rows_per_batch) : 0;
}

void mm_plan_segment_batch_name(const char *segment, int k, int n, char *buf, size_t size)
{
    if (n > 1)
        snprintf(buf, size, "%s-%d", segment, k);
    else
        snprintf(buf, size, "%s", segment);
}

void mm_plan_batch_name(const mm_plan_batch *b, char *buf, size_t n)
{
    mm_plan_segment_batch_name(b->segment->segment_id, b->batch, b->n_batches, buf, n);
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
    int64_t per_batch = mm_plan_rows_per_batch(max_file_size, c);
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
            int n = mm_plan_batch_count(seg->live, per_batch);
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

/* ---- the journal's batches against the source as it is now ------------------------ */

typedef struct live_segment {
    const char *collection, *segment, *tag;
    int batches;                /* from the journal's segment record; -1 = not recorded */
} live_segment;

struct mm_batch_plan {
    const mm_inventory *inv;
    live_segment *segments;     /* sorted by (collection, segment) */
    size_t n_segments;
    char why[1024];
};

static int cmp_segment(const void *a, const void *b)
{
    const live_segment *x = a, *y = b;
    int c = strcmp(x->collection, y->collection);
    return c ? c : strcmp(x->segment, y->segment);
}

int mm_batch_plan_build(const mm_inventory *inv, mm_journal *journal, mm_batch_plan **out, mm_error *err)
{
    *out = NULL;
    mm_batch_plan *p = calloc(1, sizeof *p);
    size_t n = 0;
    for (size_t i = 0; i < inv->n_collections; i++)
        for (size_t j = 0; j < inv->collections[i].n_partitions; j++)
            n += inv->collections[i].partitions[j].n_segments;
    if (p)
        p->segments = calloc(n + 1, sizeof *p->segments);
    if (!p || !p->segments) {
        free(p);
        return mm_error_set(err, MM_ERR_NOMEM, "plan the batches: out of memory");
    }
    p->inv = inv;
    for (size_t i = 0; i < inv->n_collections; i++) {
        const mm_collection_info *c = &inv->collections[i];
        for (size_t j = 0; j < c->n_partitions; j++)
            for (size_t k = 0; k < c->partitions[j].n_segments; k++) {
                const mm_segment_info *s = &c->partitions[j].segments[k];
                mm_journal_segment rec;
                bool found = false;
                if (mm_journal_segment_get(journal, c->name, s->segment_id, &rec, &found, err) != 0) {
                    mm_batch_plan_free(p);
                    return -1;
                }
                p->segments[p->n_segments++] = (live_segment){c->name, s->segment_id, c->partitions[j].tag,
                                                              found ? rec.batches : -1};
            }
    }
    qsort(p->segments, p->n_segments, sizeof *p->segments, cmp_segment);
    *out = p;
    return 0;
}

void mm_batch_plan_free(mm_batch_plan *plan)
{
    if (!plan)
        return;
    free(plan->segments);
    free(plan);
}

static const live_segment *find(const mm_batch_plan *p, const char *collection, const char *segment)
{
    live_segment key = {collection, segment, NULL, 0};
    return bsearch(&key, p->segments, p->n_segments, sizeof *p->segments, cmp_segment);
}

static bool filtered_out(const mm_inventory *inv, const char *collection)
{
    for (size_t i = 0; i < inv->n_filtered_out; i++)
        if (strcmp(inv->filtered_out[i], collection) == 0)
            return true;
    return false;
}

mm_batch_standing mm_batch_plan_classify(mm_batch_plan *plan, const mm_journal_batch *b, const char **why)
{
    if (why)
        *why = NULL;
    const live_segment *s = find(plan, b->collection, b->segment);
    char *name = mm_name_escape(b->collection), *tag = mm_name_escape(b->partition);
    mm_batch_standing standing = MM_BATCH_STALE;
    if (s && strcmp(s->tag, b->partition) != 0) {
        char *now = mm_name_escape(s->tag);
        snprintf(plan->why, sizeof plan->why, "segment %s of collection '%s' is now in partition '%s', not '%s'",
                 b->segment, name ? name : "?", now ? now : "?", tag ? tag : "?");
        free(now);
    } else if (s && s->batches >= 0 && b->batch >= s->batches) {
        snprintf(plan->why, sizeof plan->why, "segment %s of collection '%s' now has %d batch(es), not %d or more",
                 b->segment, name ? name : "?", s->batches, b->batch + 1);
    } else if (s) {
        standing = MM_BATCH_IN_PLAN;
    } else if (mm_inventory_find(plan->inv, b->collection)) {
        snprintf(plan->why, sizeof plan->why, "segment %s is no longer a live segment of collection '%s' in the 1.x "
                 "installation", b->segment, name ? name : "?");
    } else if (filtered_out(plan->inv, b->collection)) {
        standing = MM_BATCH_NOT_THIS_RUN;
    } else {
        snprintf(plan->why, sizeof plan->why, "collection '%s' is no longer a live collection of the 1.x installation",
                 name ? name : "?");
    }
    free(name);
    free(tag);
    if (why && standing == MM_BATCH_STALE)
        *why = plan->why;
    return standing;
}

bool mm_batch_plan_segment_live(const mm_batch_plan *plan, const char *collection, const char *segment)
{
    return find(plan, collection, segment) || filtered_out(plan->inv, collection);
}

size_t mm_batch_plan_batches(mm_batch_plan *plan, const char **undumped)
{
    size_t total = 0;
    if (undumped)
        *undumped = NULL;
    for (size_t i = 0; i < plan->n_segments; i++) {
        const live_segment *s = &plan->segments[i];
        if (s->batches >= 0) {
            total += (size_t)s->batches;
        } else if (undumped && !*undumped) {
            char *name = mm_name_escape(s->collection);
            snprintf(plan->why, sizeof plan->why, "segment %s of collection '%s'", s->segment, name ? name : "?");
            free(name);
            *undumped = plan->why;
        }
    }
    return total;
}
