#include "batch_plan.h"

#include "source/names.h"
#include "base/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
