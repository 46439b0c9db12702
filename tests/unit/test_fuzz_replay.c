/* Replays every kept fuzz input (tests/fuzz/corpus/NAME and
 * tests/fuzz/regressions/NAME) through the fuzz targets' entry points,
 * compiled here without libFuzzer, so that the release and sanitizer builds
 * catch a regression too. A target aborts on a broken property; the input
 * being replayed is printed first. Then the fixed bugs' exact messages. */
#include "fuzz_targets.h"

#include "config/config.h"
#include "source/meta_json.h"
#include "base/strbuf.h"
#include "testlib.h"

#include <dirent.h>
#include <stdlib.h>

typedef struct fuzz_target {
    const char *name;
    int (*run)(const uint8_t *data, size_t size);
} fuzz_target;

static const fuzz_target targets[] = {
    {"config", mm_fuzz_config},
    {"meta_json", mm_fuzz_meta_json},
    {"segment", mm_fuzz_segment},
    {"dsn", mm_fuzz_dsn},
};

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every file of tests/fuzz/KIND/NAME; returns how many there were. */
static size_t replay_dir(const fuzz_target *t, const char *kind)
{
    char *rel = mm_asprintf("tests/fuzz/%s/%s", kind, t->name);
    char *dir = mm_test_source_path(rel);
    free(rel);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cannot open %s\n", dir);
        free(dir);
        return 0;
    }
    char **names = NULL;
    size_t count = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (count + 1) * sizeof *names);
        names[count++] = mm_strdup(e->d_name);
    }
    closedir(d);
    if (count > 1)
        qsort(names, count, sizeof *names, cmp_names);
    for (size_t i = 0; i < count; i++) {
        char *path = mm_asprintf("%s/%s", dir, names[i]);
        size_t len = 0;
        char *data = mm_test_read_file(path, &len);
        MM_CHECK(data != NULL);
        printf("replay %s/%s/%s\n", kind, t->name, names[i]);
        fflush(stdout);
        if (data)
            t->run((const uint8_t *)data, len);
        free(data);
        free(path);
        free(names[i]);
    }
    free(names);
    free(dir);
    return count;
}

MM_TEST(every_kept_input_keeps_every_property)
{
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        size_t seeds = replay_dir(&targets[i], "corpus");
        size_t regressions = replay_dir(&targets[i], "regressions");
        /* Each target has a meaningful seed corpus to start from. */
        MM_CHECK(seeds >= 8);
        printf("%s: %zu seeds, %zu regressions\n", targets[i].name, seeds, regressions);
    }
}

static void check_meta_json_refused(const char *file, const char *message)
{
    char *rel = mm_asprintf("tests/fuzz/regressions/meta_json/%s", file);
    char *path = mm_test_source_path(rel);
    size_t len = 0;
    char *text = mm_test_read_file(path, &len);
    MM_CHECK(text != NULL);
    mm_meta_rows rows;
    mm_error err = {0};
    MM_CHECK_INT(mm_meta_json_parse(text ? text : "", len, "m.json", &rows, &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_FORMAT);
    MM_CHECK_STR(err.message, message);
    free(text);
    free(path);
    free(rel);
}

/* Found by fuzz_meta_json: each of these used to migrate segments twice,
 * leave them out without a word, or read a type code wrapped into another
 * (metric 2^32 + 3 became HAMMING: binary vectors). */
MM_TEST(meta_json_refuses_tables_that_lose_or_repeat_segments)
{
    check_meta_json_refused("segment_table_id_unlisted.json",
                            "meta.json m.json: collections[0].segments[0].tableId: is neither the collection "
                            "nor a tableId listed in \"partitions\"");
    check_meta_json_refused("empty_collection_claims_all_tables.json",
                            "meta.json m.json: collections[0].collection: expected a non-empty string");
    check_meta_json_refused("duplicate_collection.json",
                            "meta.json m.json: collection \"c\" and collection \"c\" both use the table id \"c\"; "
                            "collection names and partition tableIds must all differ, or their segments would "
                            "be migrated twice");
    check_meta_json_refused("partition_table_id_is_other_collection.json",
                            "meta.json m.json: collection \"c\" and partition \"p\" of collection \"d\" both use "
                            "the table id \"c\"; collection names and partition tableIds must all differ, or "
                            "their segments would be migrated twice");
    check_meta_json_refused("metric_wraps_to_binary.json",
                            "meta.json m.json: collections[0].metric: expected a Milvus 1.x type code (an integer "
                            "up to 2147483647)");
    check_meta_json_refused("engine_type_beyond_int_export.json",
                            "meta.json m.json: collections[1].engineType: expected a Milvus 1.x type code (an "
                            "integer up to 2147483647)");
}

/* A crafted fuzz_config input (libFuzzer reports it as a timeout): nested lists of
 * merged aliases used to hang the loader (8^11 mappings from 654 bytes). */
MM_TEST(config_refuses_merge_key_bombs)
{
    char *path = mm_test_source_path("tests/fuzz/regressions/config/merge_key_alias_bomb.yaml");
    size_t len = 0;
    char *text = mm_test_read_file(path, &len);
    MM_CHECK(text != NULL);
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_error err = {0};
    MM_CHECK_INT(mm_config_load_text(text ? text : "", len, "m.yaml", &cfg, NULL, &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_CONFIG);
    MM_CHECK_STR(err.message, "m.yaml:1:5: dumper.worker: merge keys (<<) expand to more than 1000 mappings; "
                              "merge each mapping once instead of through nested lists of aliases");
    mm_config_free(&cfg);
    free(text);
    free(path);
}

int main(void)
{
    MM_RUN(every_kept_input_keeps_every_property);
    MM_RUN(meta_json_refuses_tables_that_lose_or_repeat_segments);
    MM_RUN(config_refuses_merge_key_bombs);
    return MM_TEST_EXIT();
}
