#include "plan.h"

#include "base/strbuf.h"
#include "npy.h"
#include "source/names.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    /* And never above Milvus's own limit, whatever maxFileSize says. */
    uint64_t by_limit = MM_PLAN_IMPORT_LIMIT > headers ? (MM_PLAN_IMPORT_LIMIT - headers) / row_bytes : 0;
    if (by_limit < rows)
        rows = by_limit;
    return rows > INT64_MAX ? INT64_MAX : (int64_t)rows;
}

mm_plan_limits mm_plan_limits_of(const mm_config *cfg)
{
    return (mm_plan_limits){.max_file_size = cfg->dumper.max_file_size, .batch_size = cfg->dumper.batch_size};
}

/* The cores the scheduler lets this process use (a container's CPU set,
 * taskset), which may be fewer than the machine has. */
static int available_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int mm_plan_workers(const mm_config *cfg, char *why, size_t why_size)
{
    if (mm_config_given(cfg, "dumper.worker.limit")) {
        snprintf(why, why_size, "dumper.worker.limit");
        return cfg->dumper.worker.limit;
    }
    int cores = available_cores();
    int workers = cores < MM_PLAN_WORKERS_MAX ? cores : MM_PLAN_WORKERS_MAX;
    snprintf(why, why_size, "dumper.worker.limit is not set: %d core(s) available%s", cores,
             cores > MM_PLAN_WORKERS_MAX ? ", at most 8 used" : "");
    return workers;
}

uint64_t mm_plan_pack_target(uint64_t batch_size, uint64_t partition_bytes)
{
    uint64_t share = partition_bytes / MM_PLAN_MIN_PACKED_BATCHES;
    uint64_t target = batch_size < share ? batch_size : share;
    return target < MM_PLAN_IMPORT_LIMIT ? target : MM_PLAN_IMPORT_LIMIT;
}

bool mm_plan_packable_id(const char *segment_id)
{
    return strlen(segment_id) <= MM_JOURNAL_SEGMENT_ID_MAX && !strchr(segment_id, ',');
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

const mm_segment_info *mm_plan_member(const mm_plan *plan, const mm_plan_batch *b, size_t i)
{
    return plan->members[b->first_member + i];
}

char *mm_plan_members_text(const mm_plan *plan, const mm_plan_batch *b)
{
    mm_strbuf text;
    mm_strbuf_init(&text);
    for (size_t i = 0; b->n_members > 1 && i < b->n_members; i++)
        mm_strbuf_appendf(&text, "%s%s", i ? "," : "", mm_plan_member(plan, b, i)->segment_id);
    char *out = mm_strdup(text.data ? text.data : "");
    mm_strbuf_free(&text);
    return out;
}

void mm_plan_free(mm_plan *plan)
{
    for (size_t i = 0; i < plan->n_collections; i++)
        free(plan->collections[i].partitions);
    free(plan->collections);
    free(plan->batches);
    free(plan->by_key);
    free(plan->members);
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

/* Growing arrays of the plan while it is built. */
typedef struct plan_builder {
    mm_plan *plan;
    size_t batches_cap, members_cap;
} plan_builder;

/* Appends a batch of `rows` rows of the members segs[0..n) to the plan. */
static int add_batch(plan_builder *pb, size_t ci, size_t p, const mm_segment_info *const *segs, size_t n, int k,
                     int n_batches, int64_t rows, uint64_t bytes, mm_error *err)
{
    mm_plan *plan = pb->plan;
    mm_plan_batch *grown = grow(plan->batches, &pb->batches_cap, plan->n_batches + 1, sizeof *grown);
    if (grown)
        plan->batches = grown;
    const mm_segment_info **members = grown ? grow(plan->members, &pb->members_cap, plan->n_members + n,
                                                   sizeof *members) : NULL;
    if (!members)
        return mm_error_set(err, MM_ERR_NOMEM, "plan: out of memory");
    plan->members = members;
    plan->batches[plan->n_batches++] = (mm_plan_batch){ci, p, segs[0], k, n_batches, plan->n_members, n, rows, bytes};
    memcpy(plan->members + plan->n_members, segs, n * sizeof *segs);
    plan->n_members += n;
    if (n > 1)
        plan->segments_packed += n;
    mm_plan_partition *pp = &plan->collections[ci].partitions[p];
    pp->batches++;
    pp->rows += rows;
    pp->bytes += bytes;
    return 0;
}

/* The segments of one partition, in inventory order: a segment larger than
 * the pack target (or split) is its own batch or batches; the others are
 * packed, in order, while the pack stays within the target. */
static int plan_partition(plan_builder *pb, size_t ci, size_t p, const mm_plan_limits *limits, int64_t per_batch,
                          mm_error *err)
{
    const mm_collection_info *c = pb->plan->collections[ci].info;
    const mm_partition_info *part = &c->partitions[p];
    uint64_t cols = c->binary ? (uint64_t)c->dim / 8 : (uint64_t)c->dim;
    mm_npy_dtype dtype = c->binary ? MM_NPY_U1 : MM_NPY_F4;
#define NPY_BYTES(rows) (mm_npy_file_size(MM_NPY_I8, (uint64_t)(rows), 0) + mm_npy_file_size(dtype, (uint64_t)(rows), cols))
    uint64_t partition_bytes = 0;
    for (size_t s = 0; s < part->n_segments; s++)
        if (part->segments[s].live > 0)
            partition_bytes += NPY_BYTES(part->segments[s].live);
    uint64_t target = mm_plan_pack_target(limits->batch_size, partition_bytes);
    const mm_segment_info **pack = calloc(part->n_segments ? part->n_segments : 1, sizeof *pack);
    if (!pack)
        return mm_error_set(err, MM_ERR_NOMEM, "plan: out of memory");
    size_t n_pack = 0;
    int64_t pack_rows = 0;
    int rc = 0;
    for (size_t s = 0; s <= part->n_segments && rc == 0; s++) {
        const mm_segment_info *seg = s < part->n_segments ? &part->segments[s] : NULL;
        if (seg && seg->live <= 0)
            continue; /* the dump writes no batch for a segment without live rows */
        int n = seg ? mm_plan_batch_count(seg->live, per_batch) : 0;
        bool packable = seg && n == 1 && NPY_BYTES(seg->live) <= target && mm_plan_packable_id(seg->segment_id);
        /* Neither over the target nor over dumper.maxFileSize per file. */
        if (n_pack && (!packable || NPY_BYTES(pack_rows + seg->live) > target || pack_rows + seg->live > per_batch)) {
            rc = add_batch(pb, ci, p, pack, n_pack, 0, 1, pack_rows, NPY_BYTES(pack_rows), err);
            n_pack = 0;
            pack_rows = 0;
        }
        if (rc != 0 || !seg)
            continue;
        if (packable) {
            pack[n_pack++] = seg;
            pack_rows += seg->live;
            continue;
        }
        for (int k = 0; k < n && rc == 0; k++) {
            int64_t rows = k + 1 < n ? per_batch : seg->live - per_batch * (int64_t)k;
            rc = add_batch(pb, ci, p, &seg, 1, k, n, rows, NPY_BYTES(rows), err);
        }
    }
#undef NPY_BYTES
    free(pack);
    return rc;
}

static int plan_collection(plan_builder *pb, size_t ci, const mm_collection_info *c, const mm_plan_limits *limits,
                           mm_error *err)
{
    mm_plan *plan = pb->plan;
    mm_plan_collection *pc = &plan->collections[ci];
    pc->info = c;
    if (c->schema_problem)
        return mm_error_set(err, MM_ERR_META, "collection '%s': %s; it cannot be migrated: deselect it on the "
                            "Preview screen (F2), or correct its Tables row", c->name, c->schema_problem);
    pc->partitions = calloc(c->n_partitions ? c->n_partitions : 1, sizeof *pc->partitions);
    if (!pc->partitions)
        return mm_error_set(err, MM_ERR_NOMEM, "plan: out of memory");
    int64_t per_batch = mm_plan_rows_per_batch(limits->max_file_size, c);
    for (size_t p = 0; p < c->n_partitions; p++) {
        mm_plan_partition *pp = &pc->partitions[p];
        pp->info = &c->partitions[p];
        for (size_t s = 0; s < pp->info->n_segments; s++)
            if (pp->info->segments[s].live > 0 && per_batch <= 0)
                return mm_error_set(err, MM_ERR_CONFIG, "dumper.maxFileSize %llu bytes cannot hold even one row of "
                                    "collection '%s'", (unsigned long long)limits->max_file_size, c->name);
        if (plan_partition(pb, ci, p, limits, per_batch, err) != 0)
            return -1;
        pc->batches += pp->batches;
        pc->rows += pp->rows;
        pc->bytes += pp->bytes;
    }
    plan->partitions += c->n_partitions;
    plan->rows += pc->rows;
    plan->bytes += pc->bytes;
    return 0;
}

int mm_plan_build(mm_plan *plan, const mm_inventory *inv, const bool *selected, const mm_plan_limits *limits,
                  mm_error *err)
{
    memset(plan, 0, sizeof *plan);
    plan->collections = calloc(inv->n_collections ? inv->n_collections : 1, sizeof *plan->collections);
    if (!plan->collections)
        return mm_error_set(err, MM_ERR_NOMEM, "plan: out of memory");
    plan_builder pb = {plan, 0, 0};
    for (size_t i = 0; i < inv->n_collections; i++) {
        if (selected && !selected[i])
            continue;
        if (plan_collection(&pb, plan->n_collections++, &inv->collections[i], limits, err) != 0) {
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
    char packed_into[MM_JOURNAL_SEGMENT_ID_MAX + 1]; /* from the record too */
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
                live_segment *ls = &p->segments[p->n_segments++];
                *ls = (live_segment){c->name, s->segment_id, c->partitions[j].tag, found ? rec.batches : -1, ""};
                if (found)
                    memcpy(ls->packed_into, rec.packed_into, sizeof ls->packed_into);
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
    live_segment key = {collection, segment, NULL, 0, ""};
    return bsearch(&key, p->segments, p->n_segments, sizeof *p->segments, cmp_segment);
}

static bool filtered_out(const mm_inventory *inv, const char *collection)
{
    for (size_t i = 0; i < inv->n_filtered_out; i++)
        if (strcmp(inv->filtered_out[i], collection) == 0)
            return true;
    return false;
}

/* Why segment `id` of a batch keyed by `lead` no longer belongs to it,
 * into plan->why; NULL when it does. */
static const char *member_problem(mm_batch_plan *plan, const mm_journal_batch *b, const char *id, const char *name,
                                  const char *tag)
{
    const live_segment *s = find(plan, b->collection, id);
    bool lead = strcmp(id, b->segment) == 0;
    if (!s && mm_inventory_find(plan->inv, b->collection)) {
        snprintf(plan->why, sizeof plan->why, "segment %s is no longer a live segment of collection '%s' in the 1.x "
                 "installation", id, name);
    } else if (!s) {
        snprintf(plan->why, sizeof plan->why, "collection '%s' is no longer a live collection of the 1.x installation",
                 name);
    } else if (strcmp(s->tag, b->partition) != 0) {
        char *now = mm_name_escape(s->tag);
        snprintf(plan->why, sizeof plan->why, "segment %s of collection '%s' is now in partition '%s', not '%s'", id,
                 name, now ? now : "?", tag);
        free(now);
    } else if (s->batches >= 0 && lead && b->batch >= s->batches) {
        if (s->packed_into[0])
            snprintf(plan->why, sizeof plan->why, "the rows of segment %s of collection '%s' are now in batch %s/0",
                     id, name, s->packed_into);
        else
            snprintf(plan->why, sizeof plan->why, "segment %s of collection '%s' now has %d batch(es), not %d or more",
                     id, name, s->batches, b->batch + 1);
    } else if (s->batches >= 0 && !lead && strcmp(s->packed_into, b->segment) != 0) {
        snprintf(plan->why, sizeof plan->why, "the rows of segment %s of collection '%s' are now in batch %s/0", id,
                 name, s->packed_into[0] ? s->packed_into : id);
    } else {
        return NULL;
    }
    return plan->why;
}

mm_batch_standing mm_batch_plan_classify(mm_batch_plan *plan, const mm_journal_batch *b, const char **why)
{
    if (why)
        *why = NULL;
    if (!find(plan, b->collection, b->segment) && !mm_inventory_find(plan->inv, b->collection) &&
        filtered_out(plan->inv, b->collection))
        return MM_BATCH_NOT_THIS_RUN;
    char *name = mm_name_escape(b->collection), *tag = mm_name_escape(b->partition);
    const char *problem = member_problem(plan, b, b->segment, name ? name : "?", tag ? tag : "?");
    /* The other segments of a packed batch (the first is its own segment). */
    const char *members = b->members ? b->members : "";
    const char *comma = strchr(members, ',');
    for (const char *at = comma ? comma + 1 : ""; !problem && *at;) {
        const char *end = strchr(at, ',');
        size_t len = end ? (size_t)(end - at) : strlen(at);
        char id[MM_JOURNAL_SEGMENT_ID_MAX + 1];
        snprintf(id, sizeof id, "%.*s", (int)(len < sizeof id ? len : sizeof id - 1), at);
        problem = member_problem(plan, b, id, name ? name : "?", tag ? tag : "?");
        at = end ? end + 1 : at + len;
    }
    free(name);
    free(tag);
    if (why && problem)
        *why = problem;
    return problem ? MM_BATCH_STALE : MM_BATCH_IN_PLAN;
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
