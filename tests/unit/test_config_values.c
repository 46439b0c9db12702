/* Values on their own, without a file: sizes with units parsed and
 * written back, and the edit distance the key suggestions rest on. */
#include "config/config.h"
#include "config/config_internal.h"
#include "testlib.h"

#include <stdlib.h>

MM_TEST(sizes_with_units)
{
    static const struct {
        const char *text;
        unsigned long long bytes;
        const char *canonical;
    } ok[] = {
        {"16GiB", 17179869184ULL, "16GiB"},  {"512MiB", 536870912ULL, "512MiB"},
        {"64K", 65536ULL, "64KiB"},          {"64kib", 65536ULL, "64KiB"},
        {"1.5GiB", 1610612736ULL, "1536MiB"}, {"10GB", 10000000000ULL, "10GB"},
        {"1048576", 1048576ULL, "1MiB"},     {"5 MiB", 5242880ULL, "5MiB"},
        {"2T", 2199023255552ULL, "2TiB"},    {"1000000000B", 1000000000ULL, "1GB"},
        {" 32MB ", 32000000ULL, "32MB"},     {"0.5g", 536870912ULL, "512MiB"},
        {"0", 0ULL, "0"},                    {"1000000007", 1000000007ULL, "1000000007"},
        {"1.25KB", 1250ULL, "1250"},         {"1024KB", 1024000ULL, "1000KiB"},
    };
    /* An unbounded size key, to see the parser alone. */
    static const mm_config_key any_size = {.name = "x.size", .type = MM_CFG_SIZE};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        mm_config_value v;
        char problem[256] = "", canonical[64];
        MM_CHECK_INT(mm_cfg_parse(&any_size, ok[i].text, false, &v, problem, sizeof problem), 0);
        MM_CHECK_STR(problem, "");
        MM_CHECK_INT(v.size, ok[i].bytes);
        mm_cfg_format_size(v.size, canonical, sizeof canonical);
        MM_CHECK_STR(canonical, ok[i].canonical);
    }
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    const mm_config_key *key = mm_config_find_key("dumper.maxFileSize");
    mm_error err;
    MM_CHECK_INT(mm_config_set_string(&cfg, key, "0.5g", &err), 0);
    char buf[64];
    MM_CHECK_INT(mm_config_get_string(&cfg, key, buf, sizeof buf), 6);
    MM_CHECK_STR(buf, "512MiB");
    MM_CHECK_INT(mm_config_get_string(&cfg, key, buf, 4), 6);
    MM_CHECK_STR(buf, "512");
    static const char *const bad[] = {"0.1KiB", "1.2345GiB", "12 parsecs", "GiB", "1e9",
                                      "99999999999999999999", "20000000TiB", "1..5G", "-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        MM_CHECK_INT(mm_config_set_string(&cfg, key, bad[i], &err), -1);
        char expect[256];
        snprintf(expect, sizeof expect,
                 "dumper.maxFileSize: expected a size such as 16GiB, 512MiB or 1048576 (bytes), "
                 "got \"%s\"",
                 bad[i]);
        MM_CHECK_STR(err.message, expect);
    }
    MM_CHECK_INT(cfg.dumper.max_file_size, 536870912ULL);
    MM_CHECK_INT(mm_config_set_string(&cfg, key, "512KiB", &err), -1);
    MM_CHECK_STR(err.message,
                 "dumper.maxFileSize: expected a size of at least 1MiB, got \"512KiB\"");
    /* Sizes the reference reads as plain integers are saved as integers. */
    const mm_config_key *recv = mm_config_find_key("target.milvus2x.grpc.maxCallRecvMsgSize");
    MM_CHECK_INT(mm_config_set_string(&cfg, recv, "64MiB", &err), 0);
    MM_CHECK_INT(cfg.target.milvus2x.grpc.max_call_recv_msg_size, 67108864);
    char *yaml = mm_config_render(&cfg);
    MM_CHECK(yaml && strstr(yaml, "    grpc:\n      maxCallRecvMsgSize: 67108864\n"));
    MM_CHECK(yaml && strstr(yaml, "  maxFileSize: 512MiB\n"));
    free(yaml);
    MM_CHECK_INT(mm_config_set_string(&cfg, recv, "2GiB", &err), -1);
    MM_CHECK_STR(err.message, "target.milvus2x.grpc.maxCallRecvMsgSize: expected a size up to "
                              "2147483647, got \"2GiB\"");
    mm_config_free(&cfg);
}

MM_TEST(edit_distance)
{
    MM_CHECK_INT(mm_cfg_edit_distance("meta.sqliteFile", "meta.sqlitFile"), 1);
    MM_CHECK_INT(mm_cfg_edit_distance("source", "soruce"), 1);
    MM_CHECK_INT(mm_cfg_edit_distance("SOURCE", "source"), 0);
    MM_CHECK_INT(mm_cfg_edit_distance("", "abc"), 3);
    MM_CHECK_INT(mm_cfg_edit_distance("kitten", "sitting"), 3);
}

int main(void)
{
    MM_RUN(sizes_with_units);
    MM_RUN(edit_distance);
    return MM_TEST_EXIT();
}
