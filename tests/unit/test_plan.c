/* The planner's rules (plan.h): small segments of a partition packed into
 * batches up to dumper.batchSize and 1/16 of the partition, never over
 * dumper.maxFileSize per file nor the per-import limit for both files, and
 * the dump's worker count. */
#include "plan.h"
#include "npy.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_SEGMENTS = 256 };

typedef struct fixture {
    char ids[MAX_SEGMENTS][24];
    mm_segment_info segments[2][MAX_SEGMENTS];
    mm_partition_info partitions[2];
    mm_collection_info collection;
    mm_inventory inv;
} fixture;

/* One float collection of dimension `dim` whose _default partition holds
 * segments with live[i] rows, and partition "p" the same again. */
static void make(fixture *f, int64_t dim, const int64_t *live, size_t n)
{
    memset(f, 0, sizeof *f);
    for (size_t p = 0; p < 2; p++) {
        for (size_t i = 0; i < n; i++) {
            snprintf(f->ids[i], sizeof f->ids[i], "%zu", 1000 + i);
            f->segments[p][i] = (mm_segment_info){.table_id = "docs", .segment_id = f->ids[i],
                                                  .file_id = f->ids[i], .file_type = 1, .scanned = true,
                                                  .rows = live[i], .live = live[i]};
        }
        f->partitions[p] = (mm_partition_info){.tag = p ? "p" : "", .target_name = p ? "p" : "_default",
                                               .table_id = "docs", .segments = f->segments[p], .n_segments = n};
    }
    f->collection = (mm_collection_info){.name = "docs", .target_name = "docs", .dim = dim, .metric_type = 1,
                                         .partitions = f->partitions, .n_partitions = 2};
    f->inv = (mm_inventory){.collections = &f->collection, .n_collections = 1};
}

static uint64_t npy_bytes(int64_t dim, int64_t rows)
{
    return mm_npy_file_size(MM_NPY_I8, (uint64_t)rows, 0) + mm_npy_file_size(MM_NPY_F4, (uint64_t)rows, (uint64_t)dim);
}

/* Every live segment is in exactly one batch, in inventory order, within
 * its own partition; packed batches respect both limits. */
static void check_cover(const fixture *f, const mm_plan *plan, const mm_plan_limits *limits)
{
    size_t next[2] = {0, 0};
    int64_t rows = 0;
    for (size_t b = 0; b < plan->n_batches; b++) {
        const mm_plan_batch *pb = &plan->batches[b];
        MM_CHECK(pb->bytes <= MM_PLAN_IMPORT_LIMIT);
        MM_CHECK(pb->bytes == npy_bytes(f->collection.dim, pb->rows));
        MM_CHECK(mm_npy_file_size(MM_NPY_F4, (uint64_t)pb->rows, (uint64_t)f->collection.dim) <=
                 limits->max_file_size);
        const mm_partition_info *part = &f->partitions[pb->partition];
        int64_t member_rows = 0;
        for (size_t i = 0; i < pb->n_members; i++) {
            const mm_segment_info *s = mm_plan_member(plan, pb, i);
            /* the split parts of a segment follow its first */
            if (pb->batch > 0) {
                MM_CHECK(s == &part->segments[next[pb->partition] - 1]);
                continue;
            }
            while (next[pb->partition] < part->n_segments && part->segments[next[pb->partition]].live <= 0)
                next[pb->partition]++;
            MM_CHECK(s == &part->segments[next[pb->partition]]);
            next[pb->partition]++;
            member_rows += s->live;
        }
        if (pb->n_members > 1) {
            MM_CHECK(pb->bytes <= limits->batch_size);
            MM_CHECK_INT(member_rows, pb->rows);
            MM_CHECK(pb->segment == mm_plan_member(plan, pb, 0));
        }
        rows += pb->rows;
    }
    MM_CHECK_INT(rows, plan->rows);
}

static size_t packed_batches(const mm_plan *plan)
{
    size_t n = 0;
    for (size_t b = 0; b < plan->n_batches; b++)
        n += plan->batches[b].n_members > 1;
    return n;
}

MM_TEST(a_few_segments_stay_one_batch_each)
{
    static fixture f;
    const int64_t live[] = {100, 200, 0, 300, 400, 500};
    make(&f, 8, live, 6);
    mm_plan_limits limits = {.max_file_size = (uint64_t)16 << 30, .batch_size = (uint64_t)1 << 30};
    mm_plan plan;
    mm_error err;
    MM_CHECK_INT(mm_plan_build(&plan, &f.inv, NULL, &limits, &err), 0);
    MM_CHECK_INT(plan.n_batches, 10); /* 5 live segments in each partition */
    MM_CHECK_INT(plan.segments_packed, 0);
    check_cover(&f, &plan, &limits);
    mm_plan_free(&plan);
}

MM_TEST(many_small_segments_are_packed_in_sixteenths_of_the_partition)
{
    static fixture f;
    int64_t live[64];
    for (size_t i = 0; i < 64; i++)
        live[i] = 1000;
    make(&f, 128, live, 64);
    mm_plan_limits limits = {.max_file_size = (uint64_t)16 << 30, .batch_size = (uint64_t)1 << 30};
    mm_plan plan;
    mm_error err;
    MM_CHECK_INT(mm_plan_build(&plan, &f.inv, NULL, &limits, &err), 0);
    /* 1/16 of a partition holds 4 segments' .npy files, less the headers
     * the pack shares: 4 to a batch, 16 batches a partition. */
    MM_CHECK_INT(plan.n_batches, 32);
    MM_CHECK_INT(packed_batches(&plan), 32);
    MM_CHECK_INT(plan.segments_packed, 128);
    MM_CHECK_INT(plan.batches[0].n_members, 4);
    MM_CHECK_STR(plan.batches[1].segment->segment_id, "1004");
    char *members = mm_plan_members_text(&plan, &plan.batches[1]);
    MM_CHECK_STR(members, "1004,1005,1006,1007");
    free(members);
    char name[64];
    mm_plan_batch_name(&plan.batches[1], name, sizeof name);
    MM_CHECK_STR(name, "1004");
    MM_CHECK_INT(mm_plan_find_batch(&plan, "docs", "1004", 0) >= 0, 1);
    check_cover(&f, &plan, &limits);
    mm_plan_free(&plan);

    limits.batch_size = 0; /* never packed */
    MM_CHECK_INT(mm_plan_build(&plan, &f.inv, NULL, &limits, &err), 0);
    MM_CHECK_INT(plan.n_batches, 128);
    MM_CHECK_INT(plan.segments_packed, 0);
    mm_plan_free(&plan);

    /* A smaller target: two segments' files hold less than it, three more. */
    limits.batch_size = 2 * npy_bytes(128, 1000) + 100;
    MM_CHECK_INT(mm_plan_build(&plan, &f.inv, NULL, &limits, &err), 0);
    MM_CHECK_INT(plan.n_batches, 64);
    check_cover(&f, &plan, &limits);
    mm_plan_free(&plan);
}

MM_TEST(a_pack_stays_within_max_file_size)
{
    static fixture f;
    int64_t live[64];
    for (size_t i = 0; i < 64; i++)
        live[i] = 1000;
    make(&f, 128, live, 64);
    /* data.npy of 2500 rows at most: two segments to a batch. */
    mm_plan_limits limits = {.max_file_size = mm_npy_file_size(MM_NPY_F4, 2500, 128),
                             .batch_size = (uint64_t)1 << 30};
    mm_plan plan;
    mm_error err;
    MM_CHECK_INT(mm_plan_build(&plan, &f.inv, NULL, &limits, &err), 0);
    MM_CHECK_INT(plan.n_batches, 64);
    MM_CHECK_INT(plan.batches[0].n_members, 2);
    check_cover(&f, &plan, &limits);
    mm_plan_free(&plan);
}

MM_TEST(a_large_or_split_segment_is_not_packed_and_ends_the_pack)
{
    static fixture f;
    int64_t live[64];
    for (size_t i = 0; i < 64; i++)
        live[i] = 1000;
    live[5] = 300000; /* more than 1/16 of the partition */
    live[6] = 0;      /* no batch at all */
    make(&f, 128, live, 64);
    mm_plan_limits limits = {.max_file_size = mm_npy_file_size(MM_NPY_F4, 200000, 128),
                             .batch_size = (uint64_t)1 << 30};
    mm_plan plan;
    mm_error err;
    MM_CHECK_INT(mm_plan_build(&plan, &f.inv, NULL, &limits, &err), 0);
    check_cover(&f, &plan, &limits);
    long at = mm_plan_find_batch(&plan, "docs", "1005", 0);
    MM_CHECK(at >= 0);
    const mm_plan_batch *big = &plan.batches[at];
    MM_CHECK_INT(big->n_members, 1);
    MM_CHECK_INT(big->n_batches, 2); /* split by dumper.maxFileSize */
    MM_CHECK_INT(big[1].batch, 1);
    MM_CHECK_INT(at > 0 && big[-1].n_members == 5, 1); /* 1000..1004, then the big one */
    MM_CHECK_STR(big[2].segment->segment_id, "1007");
    MM_CHECK_INT(mm_plan_find_batch(&plan, "docs", "1006", 0), -1);
    mm_plan_free(&plan);
}

MM_TEST(no_batch_is_over_the_per_import_limit)
{
    /* 40 segments of 2 GiB of vectors: packs are bounded by 16 GiB. */
    static fixture f;
    int64_t live[40];
    for (size_t i = 0; i < 40; i++)
        live[i] = 4 << 20;
    make(&f, 128, live, 40);
    mm_plan_limits limits = {.max_file_size = (uint64_t)16 << 30, .batch_size = (uint64_t)16 << 30};
    mm_plan plan;
    mm_error err;
    MM_CHECK_INT(mm_plan_build(&plan, &f.inv, NULL, &limits, &err), 0);
    check_cover(&f, &plan, &limits);
    MM_CHECK_INT(plan.batches[0].n_members, 2); /* 1/16 of 80 GiB is 5 GiB */
    mm_plan_free(&plan);

    /* One segment of 20 GiB of vectors: split so that id.npy and data.npy
     * together stay within 16 GiB, although data.npy alone could be 16 GiB. */
    live[0] = (int64_t)40 << 20;
    make(&f, 128, live, 1);
    MM_CHECK_INT(mm_plan_build(&plan, &f.inv, NULL, &limits, &err), 0);
    MM_CHECK_INT(plan.batches[0].n_batches, 2);
    check_cover(&f, &plan, &limits);
    MM_CHECK(mm_plan_pack_target((uint64_t)16 << 30, (uint64_t)1 << 50) <= MM_PLAN_IMPORT_LIMIT);
    mm_plan_free(&plan);
}

MM_TEST(workers_follow_the_key_or_the_host)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    char why[96];
    int n = mm_plan_workers(&cfg, why, sizeof why);
    MM_CHECK(n >= 1 && n <= MM_PLAN_WORKERS_MAX);
    MM_CHECK(strncmp(why, "dumper.worker.limit is not set: ", 32) == 0);
    mm_error err;
    MM_CHECK_INT(mm_config_set_string(&cfg, mm_config_find_key("dumper.worker.limit"), "5", &err), 0);
    MM_CHECK_INT(mm_plan_workers(&cfg, why, sizeof why), 5);
    MM_CHECK_STR(why, "dumper.worker.limit");
    MM_CHECK_INT(mm_config_set_string(&cfg, mm_config_find_key("dumper.worker.limit"), "", &err), 0);
    MM_CHECK_INT(mm_plan_workers(&cfg, why, sizeof why), n);
    mm_config_free(&cfg);
}

int main(void)
{
    MM_RUN(a_few_segments_stay_one_batch_each);
    MM_RUN(many_small_segments_are_packed_in_sixteenths_of_the_partition);
    MM_RUN(a_pack_stays_within_max_file_size);
    MM_RUN(a_large_or_split_segment_is_not_packed_and_ends_the_pack);
    MM_RUN(no_batch_is_over_the_per_import_limit);
    MM_RUN(workers_follow_the_key_or_the_host);
    return MM_TEST_EXIT();
}
