/* migration.yaml writing: canonical rendering, save/load round trip, the
 * atomic replace and its failure modes, redaction, single-key access. */
#include "config/config.h"
#include "config/config_internal.h"
#include "testlib.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static int set(mm_config *cfg, const char *key, const char *value)
{
    mm_error err;
    mm_error_clear(&err);
    const mm_config_key *k = mm_config_find_key(key);
    int rc = k ? mm_config_set_string(cfg, k, value, &err) : -1;
    if (rc != 0)
        fprintf(stderr, "set %s: %s\n", key, k ? err.message : "unknown key");
    return rc;
}

/* A config touching every type, with values that need quoting. */
static void fill(mm_config *cfg)
{
    mm_config_init_defaults(cfg);
    MM_CHECK_INT(set(cfg, "dumper.worker.limit", "8"), 0);
    MM_CHECK_INT(set(cfg, "dumper.nanPolicy", "skip"), 0);
    MM_CHECK_INT(set(cfg, "dumper.maxFileSize", "8GiB"), 0);
    MM_CHECK_INT(set(cfg, "meta.mode", "mysql"), 0);
    MM_CHECK_INT(set(cfg, "meta.mysqlUrl",
                     "milvus:my:p@ss@tcp(db.local:3306)/milvus?charset=utf8mb4&parseTime=True"),
                 0);
    MM_CHECK_INT(set(cfg, "source.mode", "local"), 0);
    MM_CHECK_INT(set(cfg, "source.local.tablesDir", "/données/milvus/db/tables"), 0);
    MM_CHECK_INT(set(cfg, "source.local.secondaryTablesDirs", "/b/tables;/c d/tables"), 0);
    MM_CHECK_INT(set(cfg, "source.allowUnflushed", "yes"), 0);
    MM_CHECK_INT(set(cfg, "target.mode", "remote"), 0);
    MM_CHECK_INT(set(cfg, "target.remote.outputDir", "/staging/"), 0);
    MM_CHECK_INT(set(cfg, "target.remote.cloud", "minio"), 0);
    MM_CHECK_INT(set(cfg, "target.remote.endpoint", "127.0.0.1:9000"), 0);
    MM_CHECK_INT(set(cfg, "target.remote.bucket", "a-bucket"), 0);
    MM_CHECK_INT(set(cfg, "target.remote.ak", "AKIDEXAMPLE"), 0);
    MM_CHECK_INT(set(cfg, "target.remote.sk", "wJalr/K7MDENG+bPxRfi"), 0);
    MM_CHECK_INT(set(cfg, "target.milvus2x.endpoint", "milvus.local:19530"), 0);
    MM_CHECK_INT(set(cfg, "target.milvus2x.username", "root"), 0);
    MM_CHECK_INT(set(cfg, "target.milvus2x.password", "0123: \"quoted\" 'single' \\ #not"), 0);
    MM_CHECK_INT(set(cfg, "target.milvus2x.database", "migrated"), 0);
    MM_CHECK_INT(set(cfg, "target.milvus2x.tls.enabled", "true"), 0);
    MM_CHECK_INT(set(cfg, "target.milvus2x.tls.caFile", "/etc/ssl/milvus-ca.pem"), 0);
    MM_CHECK_INT(set(cfg, "target.milvus2x.existingCollection", "append"), 0);
    MM_CHECK_INT(set(cfg, "target.milvus2x.fields.vector", "vec"), 0);
    MM_CHECK_INT(set(cfg, "state.dir", "/var/lib/milvus-migrate"), 0);
}

static const char filled_yaml[] =
    "dumper:\n"
    "  worker:\n"
    "    workMode: milvus1x\n"
    "    limit: 8\n"
    "  nanPolicy: skip\n"
    "  maxFileSize: 8GiB\n"
    "meta:\n"
    "  mode: mysql\n"
    "  mysqlUrl: \"milvus:my:p@ss@tcp(db.local:3306)/milvus?charset=utf8mb4&parseTime=True\"\n"
    "source:\n"
    "  mode: local\n"
    "  local:\n"
    "    tablesDir: \"/données/milvus/db/tables\"\n"
    "    secondaryTablesDirs:\n"
    "    - \"/b/tables\"\n"
    "    - \"/c d/tables\"\n"
    "  allowUnflushed: true\n"
    "target:\n"
    "  mode: remote\n"
    "  remote:\n"
    "    outputDir: \"staging/\"\n"
    "    cloud: minio\n"
    "    endpoint: \"127.0.0.1:9000\"\n"
    "    bucket: \"a-bucket\"\n"
    "    ak: \"AKIDEXAMPLE\"\n"
    "    sk: \"wJalr/K7MDENG+bPxRfi\"\n"
    "  milvus2x:\n"
    "    endpoint: \"milvus.local:19530\"\n"
    "    username: \"root\"\n"
    "    password: \"0123: \\\"quoted\\\" 'single' \\\\ #not\"\n"
    "    database: \"migrated\"\n"
    "    tls:\n"
    "      enabled: true\n"
    "      caFile: \"/etc/ssl/milvus-ca.pem\"\n"
    "    existingCollection: append\n"
    "    fields:\n"
    "      vector: \"vec\"\n"
    "state:\n"
    "  dir: \"/var/lib/milvus-migrate\"\n";

MM_TEST(render_defaults_and_filled)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    char *yaml = mm_config_render(&cfg);
    /* Only workMode: the modes are unset and everything else is default. */
    MM_CHECK_STR(yaml, "dumper:\n  worker:\n    workMode: milvus1x\n");
    free(yaml);
    mm_config_free(&cfg);

    fill(&cfg);
    yaml = mm_config_render(&cfg);
    MM_CHECK_STR(yaml, filled_yaml);
    free(yaml);
    mm_config_free(&cfg);
}

MM_TEST(redacted_render_hides_secrets)
{
    mm_config cfg;
    fill(&cfg);
    char *yaml = mm_config_render_redacted(&cfg);
    MM_CHECK(yaml != NULL);
    MM_CHECK(yaml && !strstr(yaml, "wJalr"));
    MM_CHECK(yaml && !strstr(yaml, "quoted"));
    MM_CHECK(yaml && !strstr(yaml, "p@ss"));
    MM_CHECK(yaml && strstr(yaml, "    sk: \"***\"\n"));
    MM_CHECK(yaml && strstr(yaml, "    password: \"***\"\n"));
    MM_CHECK(yaml && strstr(yaml, "  mysqlUrl: \"milvus:***@tcp(db.local:3306)/"
                                  "milvus?charset=utf8mb4&parseTime=True\"\n"));
    /* Not secret: kept. */
    MM_CHECK(yaml && strstr(yaml, "    ak: \"AKIDEXAMPLE\"\n"));
    free(yaml);
    mm_config_free(&cfg);
}

MM_TEST(mask_dsn)
{
    static const char *const cases[][2] = {
        {"root:pw@tcp(localhost:3306)/milvus", "root:***@tcp(localhost:3306)/milvus"},
        {"u:p@ss/w@tcp(h:1)/db?x=y", "u:***@tcp(h:1)/db?x=y"},
        {"mysql://root:123456@127.0.0.1:3306/milvus", "mysql://root:***@127.0.0.1:3306/milvus"},
        {"MYSQL://root:a:b@h/db", "MYSQL://root:***@h/db"},
        {"root@tcp(h:3306)/milvus", "root@tcp(h:3306)/milvus"},
        {"tcp(h:3306)/milvus", "tcp(h:3306)/milvus"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *m = mm_config_mask_dsn(cases[i][0]);
        MM_CHECK_STR(m, cases[i][1]);
        free(m);
    }
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, ".."))
            n++;
    if (d)
        closedir(d);
    return n;
}

MM_TEST(save_load_round_trip)
{
    char *dir = mm_test_tmpdir("config-save");
    char path[512];
    snprintf(path, sizeof path, "%s/migration.yaml", dir);
    mm_config cfg, back;
    fill(&cfg);
    mm_error err;
    mode_t old_umask = umask(0);
    MM_CHECK_INT(mm_config_save_file(&cfg, path, &err), 0);
    umask(old_umask);
    struct stat st;
    MM_CHECK_INT(stat(path, &st), 0);
    MM_CHECK_INT(st.st_mode & 07777, 0600);
    MM_CHECK_INT(count_entries(dir), 1);
    char *text = mm_test_read_file(path, NULL);
    char expect[4096];
    snprintf(expect, sizeof expect,
             "# milvus-migrate configuration; the keys are described in migration.yaml(5).\n%s",
             filled_yaml);
    MM_CHECK_STR(text, expect);
    free(text);

    memset(&back, 0, sizeof back);
    mm_config_warnings warn = {0};
    MM_CHECK_INT(mm_config_load_file(path, &back, &warn, &err), 0);
    MM_CHECK_INT(warn.count, 0);
    MM_CHECK(mm_config_equal(&cfg, &back));
    mm_error_clear(&err);
    MM_CHECK_STR(back.target.milvus2x.password, "0123: \"quoted\" 'single' \\ #not");
    MM_CHECK_STR(back.source.local.tables_dir, "/données/milvus/db/tables");
    MM_CHECK_INT(mm_config_validate(&back, MM_CONFIG_PHASE_ALL, &warn, &err), 0);
    MM_CHECK_STR(err.message, "");

    /* Saving over an existing, more open file replaces it with a 0600 one. */
    chmod(path, 0644);
    MM_CHECK_INT(set(&back, "dumper.worker.limit", "3"), 0);
    MM_CHECK_INT(mm_config_save_file(&back, path, &err), 0);
    MM_CHECK_INT(stat(path, &st), 0);
    MM_CHECK_INT(st.st_mode & 07777, 0600);
    MM_CHECK_INT(count_entries(dir), 1);
    MM_CHECK_INT(mm_config_load_file(path, &cfg, &warn, &err), 0);
    MM_CHECK_INT(cfg.dumper.worker.limit, 3);
    MM_CHECK(mm_config_equal(&cfg, &back));

    mm_config_warnings_free(&warn);
    mm_config_free(&cfg);
    mm_config_free(&back);
    mm_test_rmtree(dir);
    free(dir);
}

MM_TEST(failed_save_keeps_old_file)
{
    char *dir = mm_test_tmpdir("config-fail");
    char path[512];
    snprintf(path, sizeof path, "%s/migration.yaml", dir);
    const char *old = "meta:\n  mode: sqlite\n";
    mm_test_write_file(dir, "migration.yaml", old, strlen(old));
    mm_config cfg;
    fill(&cfg);
    mm_error err;

    /* A write that fails half way (file size limit: EFBIG). */
    struct rlimit saved, small;
    MM_CHECK_INT(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small = saved;
    small.rlim_cur = 64;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    MM_CHECK_INT(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc = mm_config_save_file(&cfg, path, &err);
    setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, old_handler);
    MM_CHECK_INT(rc, -1);
    MM_CHECK_INT(err.code, MM_ERR_IO);
    char prefix[1200];
    snprintf(prefix, sizeof prefix, "save %s: write %s.tmp.", path, path);
    MM_CHECK(strncmp(err.message, prefix, strlen(prefix)) == 0);
    const char *tail = ": File too large";
    size_t mlen = strlen(err.message);
    MM_CHECK(mlen > strlen(tail) && strcmp(err.message + mlen - strlen(tail), tail) == 0);
    char *text = mm_test_read_file(path, NULL);
    MM_CHECK_STR(text, old);
    free(text);
    MM_CHECK_INT(count_entries(dir), 1);

    /* A directory that does not exist. */
    char missing[600], expect[2400];
    snprintf(missing, sizeof missing, "%s/nope/migration.yaml", dir);
    MM_CHECK_INT(mm_config_save_file(&cfg, missing, &err), -1);
    snprintf(expect, sizeof expect,
             "save %s: create temporary file in %s/nope: No such file or directory", missing, dir);
    MM_CHECK_STR(err.message, expect);

    /* A read-only directory (meaningless for root, who may write anyway). */
    if (geteuid() != 0) {
        chmod(dir, 0500);
        MM_CHECK_INT(mm_config_save_file(&cfg, path, &err), -1);
        snprintf(expect, sizeof expect,
                 "save %s: create temporary file in %s: Permission denied", path, dir);
        MM_CHECK_STR(err.message, expect);
        chmod(dir, 0700);
        text = mm_test_read_file(path, NULL);
        MM_CHECK_STR(text, old);
        free(text);
        MM_CHECK_INT(count_entries(dir), 1);
    }

    /* The target is a directory: the rename fails, the temp file goes away. */
    char subdir[700];
    snprintf(subdir, sizeof subdir, "%s/asdir", dir);
    mkdir(subdir, 0700);
    mm_test_write_file(subdir, "keep", "x", 1);
    MM_CHECK_INT(mm_config_save_file(&cfg, subdir, &err), -1);
    MM_CHECK(strstr(err.message, ": replace it with ") != NULL);
    MM_CHECK_INT(count_entries(dir), 2);
    MM_CHECK_INT(count_entries(subdir), 1);

    mm_config_free(&cfg);
    mm_test_rmtree(dir);
    free(dir);
}

MM_TEST(single_key_access)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_error err;
    const mm_config_key *limit = mm_config_find_key("DUMPER.WORKER.LIMIT");
    MM_CHECK(limit && strcmp(limit->name, "dumper.worker.limit") == 0);
    MM_CHECK_INT(mm_config_set_string(&cfg, limit, "two", &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_CONFIG);
    MM_CHECK_STR(err.message, "dumper.worker.limit: expected an integer, got \"two\"");
    MM_CHECK_INT(cfg.dumper.worker.limit, 2);
    MM_CHECK_INT(mm_config_set_string(&cfg, limit, " 16 ", &err), 0);
    MM_CHECK_INT(cfg.dumper.worker.limit, 16);
    MM_CHECK(!mm_config_is_default(&cfg, limit));
    MM_CHECK_INT(mm_config_set_string(&cfg, limit, "", &err), 0);
    MM_CHECK_INT(cfg.dumper.worker.limit, 2);
    MM_CHECK(mm_config_is_default(&cfg, limit));

    const mm_config_key *pw = mm_config_find_key("target.milvus2x.password");
    MM_CHECK_INT(mm_config_set_string(&cfg, pw, "hunter2", &err), 0);
    char buf[64];
    MM_CHECK_INT(mm_config_get_string(&cfg, pw, buf, sizeof buf), 7);
    MM_CHECK_STR(buf, "hunter2");
    char *shown = mm_config_get_display(&cfg, pw);
    MM_CHECK_STR(shown, "***");
    free(shown);
    mm_config_reset_key(&cfg, pw);
    MM_CHECK_STR(cfg.target.milvus2x.password, "");
    shown = mm_config_get_display(&cfg, pw);
    MM_CHECK_STR(shown, "");
    free(shown);

    const mm_config_key *mode = mm_config_find_key("meta.mode");
    MM_CHECK_INT(mm_config_get_string(&cfg, mode, buf, sizeof buf), 0);
    MM_CHECK_STR(buf, "");
    MM_CHECK_INT(mm_config_set_string(&cfg, mode, "MySQL", &err), 0);
    MM_CHECK_INT(cfg.meta.mode, MM_META_MYSQL);
    mm_config_get_string(&cfg, mode, buf, sizeof buf);
    MM_CHECK_STR(buf, "mysql");
    /* What the wizard shows depends on the modes. */
    MM_CHECK(mm_config_key_shown(&cfg, mm_config_find_key("meta.mysqlUrl")));
    MM_CHECK(!mm_config_key_shown(&cfg, mm_config_find_key("meta.sqliteFile")));
    MM_CHECK(mm_config_key_shown(&cfg, mm_config_find_key("target.milvus2x.endpoint")));
    MM_CHECK(!mm_config_key_shown(&cfg, mm_config_find_key("target.milvus2x.tls.caFile")));

    const mm_config_key *cloud = mm_config_find_key("source.remote.cloud");
    MM_CHECK_INT(mm_config_set_string(&cfg, cloud, "az", &err), 0);
    mm_config_get_string(&cfg, cloud, buf, sizeof buf);
    MM_CHECK_STR(buf, "azure");
    MM_CHECK_INT(mm_config_set_string(&cfg, cloud, "amazon", &err), -1);
    MM_CHECK_STR(err.message, "source.remote.cloud: expected one of aws, gcp, azure, ali, tc, "
                              "minio, got \"amazon\"");

    const mm_config_key *tls = mm_config_find_key("target.milvus2x.tls.enabled");
    MM_CHECK_INT(mm_config_set_string(&cfg, tls, "On", &err), 0);
    mm_config_get_string(&cfg, tls, buf, sizeof buf);
    MM_CHECK_STR(buf, "true");
    MM_CHECK(mm_config_tls_enabled(&cfg));

    const mm_config_key *url = mm_config_find_key("meta.mysqlUrl");
    MM_CHECK_INT(mm_config_set_string(&cfg, url, "mysql://u:secret@h:3306/milvus", &err), 0);
    shown = mm_config_get_display(&cfg, url);
    MM_CHECK_STR(shown, "mysql://u:***@h:3306/milvus");
    free(shown);

    MM_CHECK_INT(mm_config_set_string(&cfg, mm_config_find_key("meta.sqliteFile"),
                                      "/bad\xff\xfe/meta.sqlite", &err),
                 -1);
    MM_CHECK_STR(err.message, "meta.sqliteFile: expected UTF-8 text, got invalid bytes");

    char expect[300];
    MM_CHECK_STR(mm_config_key_expectation(limit, expect, sizeof expect),
                 "an integer from 1 to 256, or 0 or less for 2");
    MM_CHECK_STR(mm_config_key_expectation(mode, expect, sizeof expect),
                 "one of sqlite, mysql, local, mock, remote");
    MM_CHECK_STR(mm_config_key_expectation(mm_config_find_key("dumper.partSize"), expect,
                                           sizeof expect),
                 "a size from 5MiB to 5GiB");
    mm_config_free(&cfg);
}

MM_TEST(copy_and_equal)
{
    mm_config a, b;
    fill(&a);
    mm_config_init_defaults(&b);
    MM_CHECK(!mm_config_equal(&a, &b));
    mm_error err;
    MM_CHECK_INT(mm_config_copy(&b, &a, &err), 0);
    MM_CHECK(mm_config_equal(&a, &b));
    MM_CHECK(b.source.local.tables_dir != a.source.local.tables_dir);
    MM_CHECK(b.source.local.secondary_tables_dirs.items !=
             a.source.local.secondary_tables_dirs.items);
    MM_CHECK_INT(set(&b, "source.local.secondaryTablesDirs", "/b/tables"), 0);
    MM_CHECK(!mm_config_equal(&a, &b));
    mm_config_free(&a);
    mm_config_free(&b);
}

MM_TEST(man_section_is_roff)
{
    char *man = mm_config_man_section();
    MM_CHECK(man && strncmp(man, ".SS dumper: Reading 1.x segments and writing .npy files\n.TP\n",
                            58) == 0);
    MM_CHECK(man && strstr(man, ".TP\n\\fBdumper.worker.limit\\fR (integer from 1 to 256, or 0 or less for 2; "
                                "default \\fB2\\fR)\nSegments dumped at the same time.\n"));
    MM_CHECK(man && strstr(man, "\\fBstate.dir\\fR (path; default "
                                "\\fB<config file dir>/.milvus\\-migrate\\fR)\n"));
    MM_CHECK(man && strstr(man, "Required when meta.mode is sqlite. A key of the reference "
                                "tool.\n"));
    /* Every line is either a request or text that cannot be taken for one. */
    for (const char *line = man; line && *line;) {
        MM_CHECK(*line != '\'');
        MM_CHECK(*line != '.' || strncmp(line, ".TP\n", 4) == 0 ||
                 strncmp(line, ".br\n", 4) == 0 || strncmp(line, ".SS ", 4) == 0);
        const char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : NULL;
    }
    free(man);
}

int main(void)
{
    MM_RUN(render_defaults_and_filled);
    MM_RUN(redacted_render_hides_secrets);
    MM_RUN(mask_dsn);
    MM_RUN(save_load_round_trip);
    MM_RUN(failed_save_keeps_old_file);
    MM_RUN(single_key_access);
    MM_RUN(copy_and_equal);
    MM_RUN(man_section_is_roff);
    return MM_TEST_EXIT();
}
