/* The plan's checks against Milvus's limits (job/preflight.h), on
 * inventories too large to stage in a test: the 16 GiB limit on the files
 * of one import together, and 1024 partitions per collection. */
#include "job/preflight.h"
#include "job/preflight_check.h"
#include "plan.h"
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

/* One float collection of dim with one segment of `rows` live rows in its
 * own data and n_tags empty partitions. */
typedef struct fake {
    mm_inventory inv;
    mm_collection_info c;
    mm_partition_info *parts;
    mm_segment_info seg;
    char (*tags)[16];
} fake;

static void fake_init(fake *f, int64_t dim, int64_t rows, size_t n_tags)
{
    memset(f, 0, sizeof *f);
    f->parts = calloc(n_tags + 1, sizeof *f->parts);
    f->tags = calloc(n_tags + 1, sizeof *f->tags);
    f->seg = (mm_segment_info){.table_id = "wide", .segment_id = "1650000000000000000", .file_id = "1650000000000000000",
                               .file_type = 1, .scanned = true, .rows = rows, .live = rows};
    f->parts[0] = (mm_partition_info){.tag = "", .target_name = "_default", .table_id = "wide", .segments = &f->seg,
                                      .n_segments = 1};
    for (size_t i = 1; i <= n_tags; i++) {
        snprintf(f->tags[i], sizeof f->tags[i], "p%zu", i);
        f->parts[i] = (mm_partition_info){.tag = f->tags[i], .target_name = f->tags[i], .table_id = f->tags[i]};
    }
    f->c = (mm_collection_info){.name = "wide", .target_name = "wide", .dim = dim, .metric_type = 1,
                                .partitions = f->parts, .n_partitions = n_tags + 1};
    f->inv = (mm_inventory){.collections = &f->c, .n_collections = 1};
}

static void fake_free(fake *f)
{
    free(f->parts);
    free(f->tags);
}

/* The warnings of the limits check, one "- text" line each. */
static char *findings(const fake *f, uint64_t max_file_size, size_t *warnings)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    cfg.dumper.max_file_size = max_file_size;
    mm_findings out;
    mm_findings_init(&out);
    mm_preflight_limits(&cfg, &f->inv, NULL, &out);
    char *text = mm_findings_text(&out, MM_FINDING_WARNING);
    *warnings = mm_findings_count(&out, MM_FINDING_WARNING);
    MM_CHECK_INT(out.n, *warnings);
    mm_findings_free(&out);
    mm_config_free(&cfg);
    return text;
}

MM_TEST(no_import_exceeds_16_gib_together_whatever_max_file_size_says)
{
    /* 300000 rows of 64 KiB vectors (18.3 GiB) with dumper.maxFileSize at
     * 32 GiB: still split under Milvus's limit, nothing to warn about. */
    fake f;
    fake_init(&f, 16384, 300000, 0);
    mm_plan_limits limits = {.max_file_size = 32ULL << 30};
    mm_plan plan;
    mm_error err;
    mm_error_clear(&err);
    MM_CHECK_INT(mm_plan_build(&plan, &f.inv, NULL, &limits, &err), 0);
    MM_CHECK_INT(plan.n_batches, 2);
    for (size_t i = 0; i < plan.n_batches; i++)
        MM_CHECK(plan.batches[i].bytes <= 16ULL << 30);
    mm_plan_free(&plan);
    size_t warnings = 0;
    char *text = findings(&f, 32ULL << 30, &warnings);
    MM_CHECK_INT(warnings, 0);
    MM_CHECK_STR(text, "");
    free(text);
    fake_free(&f);
}

MM_TEST(the_default_max_file_size_bounds_both_files_together)
{
    fake f;
    fake_init(&f, 16384, 300000, 0);
    mm_plan plan;
    mm_error err;
    mm_error_clear(&err);
    mm_plan_limits limits = {.max_file_size = 16ULL << 30};
    MM_CHECK_INT(mm_plan_build(&plan, &f.inv, NULL, &limits, &err), 0);
    MM_CHECK_INT(plan.n_batches, 2);
    for (size_t i = 0; i < plan.n_batches; i++)
        MM_CHECK(plan.batches[i].bytes <= 16ULL << 30);
    /* The first batch is as full as the limit allows: one row more would
     * not fit. */
    MM_CHECK(plan.batches[0].bytes + 16384 * 4 + 8 > 16ULL << 30);
    mm_plan_free(&plan);
    size_t warnings = 0;
    char *text = findings(&f, 16ULL << 30, &warnings);
    MM_CHECK_INT(warnings, 0);
    MM_CHECK_STR(text, "");
    free(text);
    fake_free(&f);
}

MM_TEST(more_than_1024_partitions_are_warned_about)
{
    fake f;
    fake_init(&f, 8, 10, 1024);   /* _default and 1024 tags */
    size_t warnings = 0;
    char *text = findings(&f, 16ULL << 30, &warnings);
    MM_CHECK_INT(warnings, 1);
    MM_CHECK_STR(text,
                 "- collection wide would get 1025 partitions (with _default): Milvus allows 1024 per "
                 "collection by default (rootCoord.maxPartitionNum) and refuses the rest at load; raise that limit "
                 "on the server, or leave the collection out of the migration");
    free(text);
    fake_free(&f);

    fake_init(&f, 8, 10, 1023);
    text = findings(&f, 16ULL << 30, &warnings);
    MM_CHECK_INT(warnings, 0);
    MM_CHECK_STR(text, "");
    free(text);
    fake_free(&f);
}

MM_TEST(the_plan_screens_copy_keeps_the_partitions_the_limit_counts)
{
    fake f;
    fake_init(&f, 8, 10, 1024);
    mm_inventory copy;
    mm_error err;
    mm_error_clear(&err);
    MM_CHECK_INT(mm_preflight_collections_copy(&f.inv, NULL, &copy, &err), 0);
    MM_CHECK_INT(copy.n_collections, 1);
    MM_CHECK_INT(copy.collections[0].n_partitions, 1025);
    MM_CHECK_STR(copy.collections[0].partitions[1024].target_name, "p1024");
    MM_CHECK_INT(copy.collections[0].partitions[0].n_segments, 0);
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_findings out;
    mm_findings_init(&out);
    mm_preflight_limits(&cfg, &copy, NULL, &out);
    MM_CHECK_INT(mm_findings_count(&out, MM_FINDING_WARNING), 1);
    MM_CHECK_INT(out.n, 1);
    mm_findings_free(&out);
    /* Not selected: not copied, nothing to warn about. */
    bool none = false;
    mm_inventory_free(&copy);
    MM_CHECK_INT(mm_preflight_collections_copy(&f.inv, &none, &copy, &err), 0);
    MM_CHECK_INT(copy.n_collections, 0);
    mm_preflight_limits(&cfg, &copy, NULL, &out);
    MM_CHECK_INT(out.n, 0);
    mm_findings_free(&out);
    mm_inventory_free(&copy);
    mm_config_free(&cfg);
    fake_free(&f);
}

/* Without a probe run in this process the recall says how to get one,
 * says nothing when the run stops before its probe anyway, and says the
 * probe is off when the configuration turned it off. */
MM_TEST(the_probe_recall_says_how_to_run_the_probe_and_never_probes)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    unsigned long generation = mm_preflight_probe_generation();
    mm_findings out;
    mm_findings_init(&out);
    mm_preflight_probe_recall(&cfg, false, &out);
    MM_CHECK_INT(out.n, 1);
    MM_CHECK_INT(out.items[0].kind, MM_FINDING_INFO);
    MM_CHECK_STR(out.items[0].text, "the staging probe has not run with these settings: whether Milvus reads the "
                 "files staged in the local directory is not known yet; t on the Target screen (F4) runs it (the "
                 "run probes before anything is dumped)");
    mm_findings_free(&out);
    mm_preflight_probe_recall(&cfg, true, &out);
    MM_CHECK_INT(out.n, 0);
    cfg.loader.probe_staging = false;
    mm_preflight_probe_recall(&cfg, true, &out);
    MM_CHECK_INT(out.n, 1);
    MM_CHECK_STR(out.items[0].text, "the staging probe is off (loader.probeStaging: false): whether Milvus reads "
                 "the staged files shows only at the first import");
    mm_findings_free(&out);
    MM_CHECK_INT(mm_preflight_probe_generation(), generation);
    mm_config_free(&cfg);
}

int main(void)
{
    MM_RUN(no_import_exceeds_16_gib_together_whatever_max_file_size_says);
    MM_RUN(the_default_max_file_size_bounds_both_files_together);
    MM_RUN(more_than_1024_partitions_are_warned_about);
    MM_RUN(the_plan_screens_copy_keeps_the_partitions_the_limit_counts);
    MM_RUN(the_probe_recall_says_how_to_run_the_probe_and_never_probes);
    return MM_TEST_EXIT();
}
