/* migration.yaml loading: the reference tool's configs, every value type
 * and its errors (exact text and position), unknown keys, shapes. */
#include "config/config.h"
#include "config/config_internal.h"
#include "testlib.h"

#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>

/* The shape of the reference tool's CI config (meta from a meta.json, local
 * segments, MinIO target through cloud aws). */
static const char reference_ci[] =
    "dumper:\n"
    "  worker:\n"
    "    workMode: milvus1x\n"
    "    limit: 2\n"
    "    reader:\n"
    "      bufferSize: 1024\n"
    "    writer:\n"
    "      bufferSize: 1024\n"
    "loader:\n"
    "  worker:\n"
    "    limit: 2\n"
    "meta:\n"
    "  mode: mock\n"
    "  mockFile: ./testfiles/milvus1x/test1w/meta.json\n"
    "source:\n"
    "  mode: local\n"
    "  local:\n"
    "    tablesDir: ./testfiles/milvus1x/test1w/tables\n"
    "target:\n"
    "  mode: remote\n"
    "  remote:\n"
    "    outputDir: testfiles/output/\n"
    "    cloud: aws\n"
    "    endpoint: 0.0.0.0:9000\n"
    "    region: ap-southeast-1\n"
    "    bucket: a-bucket\n"
    "    ak: minioadmin\n"
    "    sk: minioadmin\n"
    "    useIAM: false\n"
    "    useSSL: false\n"
    "    checkBucket: true   # the reference said it creates the bucket; it never did\n"
    "  milvus2x:\n"
    "    endpoint: localhost:19530\n"
    "    username: root\n"
    "    password: Milvus\n";

static int load(const char *text, mm_config *cfg, mm_config_warnings *warn, mm_error *err)
{
    mm_error_clear(err);
    return mm_config_load_text(text, strlen(text), "t.yaml", cfg, warn, err);
}

/* Loads text expecting failure; returns the message (static). */
static const char *load_error(const char *text)
{
    static mm_error err;
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_config_warnings warn = {0};
    if (load(text, &cfg, &warn, &err) == 0)
        snprintf(err.message, sizeof err.message, "(loaded without error)");
    else if (err.code != MM_ERR_CONFIG)
        snprintf(err.message, sizeof err.message, "(wrong code %d)", err.code);
    mm_config_warnings_free(&warn);
    mm_config_free(&cfg);
    return err.message;
}

/* Loads text expecting success and exactly one warning; returns it (static). */
static const char *load_warning(const char *text)
{
    static char out[2200];
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_config_warnings warn = {0};
    mm_error err;
    if (load(text, &cfg, &warn, &err) != 0)
        snprintf(out, sizeof out, "(error: %s)", err.message);
    else if (warn.count != 1)
        snprintf(out, sizeof out, "(%zu warnings)", warn.count);
    else
        snprintf(out, sizeof out, "%s", warn.items[0]);
    mm_config_warnings_free(&warn);
    mm_config_free(&cfg);
    return out;
}

MM_TEST(table_is_consistent)
{
    size_t n;
    const mm_config_key *keys = mm_config_keys(&n);
    MM_CHECK(n > 60 && n <= MM_CONFIG_KEY_MAX);
    char *man = mm_config_man_section();
    for (size_t i = 0; i < n; i++) {
        /* Unique under case-insensitive matching, found by lookup. */
        MM_CHECK(mm_config_find_key(keys[i].name) == &keys[i]);
        MM_CHECK(keys[i].offset < sizeof(mm_config));
        MM_CHECK(keys[i].doc && *keys[i].doc && keys[i].help);
        MM_CHECK(keys[i].type != MM_CFG_CHOICE || keys[i].choices);
        MM_CHECK(((keys[i].flags & MM_CFG_F_SECRET) != 0) == (keys[i].type == MM_CFG_SECRET));
        /* Defaults obey the input rules. */
        if (keys[i].default_text) {
            mm_config_value v;
            char problem[256] = "";
            MM_CHECK_INT(mm_cfg_parse(&keys[i], keys[i].default_text, false, &v, problem,
                                      sizeof problem),
                         0);
            mm_cfg_value_free(&keys[i], &v);
        }
        /* Conditions name real choice or bool keys. */
        const mm_config_cond *conds[] = {&keys[i].shown_if, &keys[i].required_if};
        for (size_t c = 0; c < 2; c++) {
            if (!conds[c]->key)
                continue;
            const mm_config_key *k = mm_config_find_key(conds[c]->key);
            MM_CHECK(k && (k->type == MM_CFG_CHOICE || k->type == MM_CFG_BOOL));
            MM_CHECK(conds[c]->mask != 0);
        }
        /* Listed in the man page. */
        char entry[160];
        snprintf(entry, sizeof entry, ".TP\n\\fB%s\\fR (", keys[i].name);
        MM_CHECK(man && strstr(man, entry));
    }
    free(man);
    MM_CHECK_STR(mm_config_key_origin(mm_config_find_key("meta.mode")), "meta.mode");
    MM_CHECK_STR(mm_config_key_origin(mm_config_find_key("state.dir")), "ours");
}

MM_TEST(defaults)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    MM_CHECK_INT(cfg.dumper.worker.work_mode, MM_WORK_MODE_MILVUS1X);
    MM_CHECK_INT(cfg.dumper.worker.limit, 2);
    MM_CHECK_INT(cfg.dumper.worker.reader_buffer_kb, 1024);
    MM_CHECK_INT(cfg.dumper.worker.writer_buffer_kb, 1024);
    MM_CHECK_INT(cfg.dumper.nan_policy, MM_NAN_FAIL);
    MM_CHECK_INT(cfg.dumper.max_file_size, 17179869184LL);
    MM_CHECK_INT(cfg.dumper.part_size, 67108864);
    MM_CHECK_INT(cfg.loader.worker.limit, 2);
    MM_CHECK_INT(cfg.loader.poll_interval_seconds, 2);
    MM_CHECK_INT(cfg.loader.import_timeout_minutes, 0);
    MM_CHECK_INT(cfg.loader.delete_staged_files, false);
    MM_CHECK_INT(cfg.meta.mode, MM_META_UNSET);
    MM_CHECK_INT(cfg.source.mode, MM_LOCATION_UNSET);
    MM_CHECK_INT(cfg.target.mode, MM_LOCATION_UNSET);
    MM_CHECK_INT(cfg.source.remote.cloud, MM_CLOUD_AWS);
    MM_CHECK_INT(cfg.target.remote.use_ssl, false);
    MM_CHECK_INT(cfg.source.allow_unflushed, false);
    MM_CHECK_INT(cfg.source.missing_deleted_docs_ok, false);
    MM_CHECK_STR(cfg.target.milvus2x.fields.id, "id");
    MM_CHECK_STR(cfg.target.milvus2x.fields.vector, "data");
    MM_CHECK_INT(cfg.target.milvus2x.timeout_seconds, 30);
    MM_CHECK_INT(cfg.target.milvus2x.existing_collection, MM_EXISTING_ERROR);
    MM_CHECK_INT(cfg.target.milvus2x.create_index, false);
    MM_CHECK_INT(cfg.target.milvus2x.tls.enabled, false);
    MM_CHECK_INT(cfg.target.milvus2x.grpc.max_call_recv_msg_size, 0);
    MM_CHECK_INT(cfg.verify.stats_timeout_seconds, 120);
    MM_CHECK_STR(cfg.meta.sqlite_file, "");
    MM_CHECK_STR(cfg.target.milvus2x.password, "");
    MM_CHECK_STR(cfg.state.dir, "");
    MM_CHECK_INT(cfg.source.local.secondary_tables_dirs.count, 0);
    char *state = mm_config_state_dir(&cfg);
    MM_CHECK_STR(state, "./.milvus-migrate");
    free(state);
    /* Every key reports itself as default. */
    size_t n;
    const mm_config_key *keys = mm_config_keys(&n);
    for (size_t i = 0; i < n; i++)
        MM_CHECK(mm_config_is_default(&cfg, &keys[i]));
    mm_config_free(&cfg);
    mm_config_free(&cfg); /* freeing twice is harmless */
}

MM_TEST(reference_ci_config)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_config_warnings warn = {0};
    mm_error err;
    MM_CHECK_INT(load(reference_ci, &cfg, &warn, &err), 0);
    MM_CHECK_STR(err.message, "");
    MM_CHECK_INT(warn.count, 0);
    MM_CHECK_INT(cfg.dumper.worker.limit, 2);
    MM_CHECK_INT(cfg.dumper.worker.reader_buffer_kb, 1024);
    MM_CHECK_INT(cfg.dumper.worker.writer_buffer_kb, 1024);
    MM_CHECK_INT(cfg.loader.worker.limit, 2);
    MM_CHECK_INT(cfg.meta.mode, MM_META_MOCK);
    MM_CHECK_STR(cfg.meta.mock_file, "./testfiles/milvus1x/test1w/meta.json");
    MM_CHECK_STR(mm_config_meta_json_path(&cfg), "./testfiles/milvus1x/test1w/meta.json");
    MM_CHECK_INT(cfg.source.mode, MM_LOCATION_LOCAL);
    MM_CHECK_STR(cfg.source.local.tables_dir, "./testfiles/milvus1x/test1w/tables");
    MM_CHECK_INT(cfg.target.mode, MM_LOCATION_REMOTE);
    MM_CHECK_STR(cfg.target.remote.prefix, "testfiles/output/");
    MM_CHECK_INT(cfg.target.remote.cloud, MM_CLOUD_AWS);
    MM_CHECK_STR(cfg.target.remote.endpoint, "0.0.0.0:9000");
    MM_CHECK_STR(cfg.target.remote.region, "ap-southeast-1");
    MM_CHECK_STR(cfg.target.remote.bucket, "a-bucket");
    MM_CHECK_STR(cfg.target.remote.ak, "minioadmin");
    MM_CHECK_STR(cfg.target.remote.sk, "minioadmin");
    MM_CHECK_INT(cfg.target.remote.use_iam, false);
    MM_CHECK_INT(cfg.target.remote.use_ssl, false);
    MM_CHECK_INT(cfg.target.remote.check_bucket, true);
    MM_CHECK_STR(cfg.target.milvus2x.endpoint, "localhost:19530");
    MM_CHECK_STR(cfg.target.milvus2x.username, "root");
    MM_CHECK_STR(cfg.target.milvus2x.password, "Milvus");
    MM_CHECK_STR(cfg.origin, "t.yaml");
    /* Positions of keys are remembered for later messages. */
    MM_CHECK_INT(cfg.where[mm_cfg_key_index(mm_config_find_key("meta.mode"))].line, 13);
    MM_CHECK_INT(cfg.where[mm_cfg_key_index(mm_config_find_key("meta.mode"))].column, 3);
    MM_CHECK_INT(mm_config_validate(&cfg, MM_CONFIG_PHASE_ALL, &warn, &err), 0);
    MM_CHECK_INT(warn.count, 0);
    mm_config_warnings_free(&warn);
    mm_config_free(&cfg);
}

MM_TEST(meta_local_mode_works)
{
    /* The layout of the official "From Milvus 1.x" guide, which the
     * reference tool crashed on. */
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_error err;
    MM_CHECK_INT(load("meta:\n  mode: local\n  localFile: ./1.x/meta.json\n"
                      "source:\n  mode: local\n  local:\n    tablesDir: ./1.x/tables\n",
                      &cfg, NULL, &err),
                 0);
    MM_CHECK_INT(cfg.meta.mode, MM_META_LOCAL);
    MM_CHECK_STR(mm_config_meta_json_path(&cfg), "./1.x/meta.json");
    MM_CHECK_INT(mm_config_validate(&cfg, MM_CONFIG_PHASE_SOURCE, NULL, &err), 0);
    MM_CHECK_INT(load("meta:\n  mode: local\nsource:\n  mode: local\n  local:\n"
                      "    tablesDir: ./1.x/tables\n",
                      &cfg, NULL, &err),
                 0);
    MM_CHECK_INT(mm_config_validate(&cfg, MM_CONFIG_PHASE_SOURCE, NULL, &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_CONFIG);
    MM_CHECK_STR(err.message, "t.yaml:2:3: meta.mode is local but meta.localFile is not set "
                              "(expected: path of a meta.json file)");
    mm_config_free(&cfg);
}

MM_TEST(clouds_and_minio)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_error err;
    MM_CHECK_INT(load("target:\n  mode: remote\n  remote:\n    cloud: minio\n"
                      "    endpoint: 127.0.0.1:9000\n    bucket: a-bucket\n",
                      &cfg, NULL, &err),
                 0);
    MM_CHECK_INT(cfg.target.remote.cloud, MM_CLOUD_MINIO);
    MM_CHECK_INT(mm_config_validate(&cfg, MM_CONFIG_PHASE_STAGE, NULL, &err), 0);

    MM_CHECK_INT(load("target:\n  mode: remote\n  remote:\n    cloud: minio\n"
                      "    bucket: a-bucket\n",
                      &cfg, NULL, &err),
                 0);
    MM_CHECK_INT(mm_config_validate(&cfg, MM_CONFIG_PHASE_STAGE, NULL, &err), -1);
    MM_CHECK_STR(err.message, "t.yaml:4:5: target.remote.cloud is minio but "
                              "target.remote.endpoint is not set (expected: host[:port] of the "
                              "storage server)");

    MM_CHECK_INT(load("source:\n  remote:\n    cloud: az\n", &cfg, NULL, &err), 0);
    MM_CHECK_INT(cfg.source.remote.cloud, MM_CLOUD_AZURE);
    MM_CHECK_INT(load("source:\n  remote:\n    cloud: AWS\n", &cfg, NULL, &err), 0);
    MM_CHECK_INT(cfg.source.remote.cloud, MM_CLOUD_AWS);
    MM_CHECK_STR(load_error("source:\n  remote:\n    cloud: s3\n"),
                 "t.yaml:3:12: source.remote.cloud: expected one of aws, gcp, azure, ali, tc, "
                 "minio, got \"s3\"");
    mm_config_free(&cfg);
}

MM_TEST(type_errors_with_positions)
{
    MM_CHECK_STR(load_error("dumper:\n  worker:\n    limit: two\n"),
                 "t.yaml:3:12: dumper.worker.limit: expected an integer, got \"two\"");
    MM_CHECK_STR(load_error("dumper:\n  worker:\n    limit: 1000\n"),
                 "t.yaml:3:12: dumper.worker.limit: expected an integer from 1 to 256, or 0 or less for 2, got 1000");
    MM_CHECK_STR(load_error("dumper:\n  worker:\n    limit: 2.5\n"),
                 "t.yaml:3:12: dumper.worker.limit: expected an integer, got \"2.5\"");
    MM_CHECK_STR(load_error("target:\n  remote:\n    useSSL: maybe\n"),
                 "t.yaml:3:13: target.remote.useSSL: expected true or false, got \"maybe\"");
    MM_CHECK_STR(load_error("dumper:\n  partSize: 1MiB\n"),
                 "t.yaml:2:13: dumper.partSize: expected a size from 5MiB to 5GiB, got \"1MiB\"");
    MM_CHECK_STR(load_error("dumper:\n  maxFileSize: lots\n"),
                 "t.yaml:2:16: dumper.maxFileSize: expected a size such as 16GiB, 512MiB or "
                 "1048576 (bytes), got \"lots\"");
    MM_CHECK_STR(load_error("dumper:\n  maxFileSize: -1\n"),
                 "t.yaml:2:16: dumper.maxFileSize: expected a size such as 16GiB, 512MiB or "
                 "1048576 (bytes), got \"-1\"");
    MM_CHECK_STR(load_error("meta:\n  mode: sqllite\n"),
                 "t.yaml:2:9: meta.mode: expected one of sqlite, mysql, local, mock, remote, got "
                 "\"sqllite\"; did you mean sqlite?");
    MM_CHECK_STR(load_error("meta:\n  mode: config\n"),
                 "t.yaml:2:9: meta.mode: config is not supported: it belongs to the reference "
                 "tool's elasticsearch and milvus2x modes; for Milvus 1.x use sqlite, mysql, "
                 "local, mock or remote");
    MM_CHECK_STR(load_error("dumper:\n  worker:\n    workMode: faiss\n"),
                 "t.yaml:3:15: dumper.worker.workMode: faiss is not supported: milvus-migrate "
                 "only migrates from Milvus 0.9.x-1.x, so workMode must be milvus1x (or left "
                 "out)");
    MM_CHECK_STR(load_error("dumper:\n  worker:\n    workMode: Milvus2x\n"),
                 "t.yaml:3:15: dumper.worker.workMode: milvus2x is not supported: milvus-migrate "
                 "only migrates from Milvus 0.9.x-1.x, so workMode must be milvus1x (or left "
                 "out)");
    MM_CHECK_STR(load_error("target:\n  milvus2x:\n    endpoint: localhost\n"),
                 "t.yaml:3:15: target.milvus2x.endpoint: expected host:port such as "
                 "127.0.0.1:19530 (optionally after http:// or https://), got \"localhost\"");
    MM_CHECK_STR(load_error("target:\n  remote:\n    endpoint: http://minio:9000\n"),
                 "t.yaml:3:15: target.remote.endpoint: expected host[:port] without a scheme "
                 "(useSSL chooses https), got \"http://minio:9000\"");
    MM_CHECK_STR(load_error("target:\n  milvus2x:\n    fields:\n      id: 1st\n"),
                 "t.yaml:4:11: target.milvus2x.fields.id: expected a name of letters, digits and "
                 "'_' starting with a letter or '_', got \"1st\"");
    MM_CHECK_STR(load_error("target:\n  milvus2x:\n    fields:\n      vector: \"\"\n"),
                 "t.yaml:4:15: target.milvus2x.fields.vector: expected a name of letters, digits "
                 "and '_' starting with a letter or '_', got \"\"");
    MM_CHECK_STR(load_error("target:\n  milvus2x:\n    database: my-db\n"),
                 "t.yaml:3:15: target.milvus2x.database: expected a name of letters, digits and "
                 "'_' starting with a letter or '_', got \"my-db\"");
    /* A placeholder copied from the reference README is a flow mapping. */
    MM_CHECK_STR(load_error("target:\n  remote:\n    region: { yourRegion }\n"),
                 "t.yaml:3:13: target.remote.region: expected a string, got a mapping");
    MM_CHECK_STR(load_error("meta:\n  mode:\n    - sqlite\n"),
                 "t.yaml:3:5: meta.mode: expected one of sqlite, mysql, local, mock, remote, got "
                 "a sequence");
    MM_CHECK_STR(load_error("source:\n  local:\n    secondaryTablesDirs:\n      - {a: 1}\n"),
                 "t.yaml:4:9: source.local.secondaryTablesDirs: expected a path in each list "
                 "item, got a mapping");
}

MM_TEST(failed_load_leaves_config_unchanged)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_error err;
    MM_CHECK_INT(load("meta:\n  mode: sqlite\n  sqliteFile: /a/meta.sqlite\n", &cfg, NULL, &err),
                 0);
    MM_CHECK_INT(load("meta:\n  sqliteFile: /b/meta.sqlite\n  mode: nope\n", &cfg, NULL, &err),
                 -1);
    MM_CHECK_STR(cfg.meta.sqlite_file, "/a/meta.sqlite");
    MM_CHECK_INT(cfg.meta.mode, MM_META_SQLITE);
    /* A successful load starts from the defaults, not from the old values. */
    MM_CHECK_INT(load("dumper:\n  nanPolicy: skip\n", &cfg, NULL, &err), 0);
    MM_CHECK_STR(cfg.meta.sqlite_file, "");
    MM_CHECK_INT(cfg.meta.mode, MM_META_UNSET);
    MM_CHECK_INT(cfg.dumper.nan_policy, MM_NAN_SKIP);
    mm_config_free(&cfg);
}

MM_TEST(shape_errors)
{
    MM_CHECK_STR(load_error("meta: sqlite\n"),
                 "t.yaml:1:7: meta: expected a mapping of keys (meta.*), got \"sqlite\"");
    MM_CHECK_STR(load_error("meta:\n  - mode\n"),
                 "t.yaml:2:3: meta: expected a mapping of keys (meta.*), got a sequence");
    MM_CHECK_STR(load_error("target:\n  milvus2x: [a, b]\n"),
                 "t.yaml:2:13: target.milvus2x: expected a mapping of keys (target.milvus2x.*), "
                 "got a sequence");
    MM_CHECK_STR(load_error("? [a, b]\n: 1\n"),
                 "t.yaml:1:3: top level: expected a key name, got a sequence");
    MM_CHECK_STR(load_error(""), "t.yaml: the file is empty (expected a mapping with keys such "
                                 "as meta.mode, source.mode and target.mode)");
    MM_CHECK_STR(load_error("# only a comment\n\n"),
                 "t.yaml: the file is empty (expected a mapping with keys such as meta.mode, "
                 "source.mode and target.mode)");
    MM_CHECK_STR(load_error("---\n"), "t.yaml: the file is empty (expected a mapping with keys "
                                      "such as meta.mode, source.mode and target.mode)");
    MM_CHECK_STR(load_error("- meta\n- source\n"),
                 "t.yaml:1:1: expected a mapping of keys at the top level, got a sequence");
    MM_CHECK_STR(load_error("hello\n"),
                 "t.yaml:1:1: expected a mapping of keys at the top level, got \"hello\"");
    MM_CHECK_STR(load_error("meta:\n  mode: sqlite\n---\nsource:\n  mode: local\n"),
                 "t.yaml:4:1: a second YAML document is not supported; keep one document per "
                 "file");
    MM_CHECK_STR(load_error("meta:\n  mode: [sqlite\n"),
                 "t.yaml:3:1: invalid YAML: did not find expected ',' or ']' (while parsing a "
                 "flow sequence at line 2)");
    MM_CHECK_STR(load_error("meta:\n  mode: sqlite\n   sqliteFile: x\n"),
                 "t.yaml:3:14: invalid YAML: mapping values are not allowed in this context");
}

MM_TEST(duplicate_keys)
{
    MM_CHECK_STR(load_error("meta:\n  mode: sqlite\n  mode: mysql\n"),
                 "t.yaml:3:3: meta.mode: duplicate key (first at line 2)");
    MM_CHECK_STR(load_error("meta:\n  mode: sqlite\n  Mode: mysql\n"),
                 "t.yaml:3:3: meta.mode: duplicate key (first at line 2)");
    MM_CHECK_STR(load_error("meta.mode: sqlite\nmeta:\n  mode: mysql\n"),
                 "t.yaml:3:3: meta.mode: duplicate key (first at line 1)");
    MM_CHECK_STR(load_error("meta:\n  mode: sqlite\nsource:\n  mode: local\nMETA:\n  x: 1\n"),
                 "t.yaml:5:1: META: duplicate key (first at line 1)");
}

MM_TEST(unknown_keys_suggest)
{
    MM_CHECK_STR(load_warning("meta:\n  mode: sqlite\n  sqlitFile: /x\n"),
                 "t.yaml:3:3: unknown key meta.sqlitFile (ignored); did you mean meta.sqliteFile?");
    MM_CHECK_STR(load_warning("sqliteFile: /x\n"),
                 "t.yaml:1:1: unknown key sqliteFile (ignored); did you mean meta.sqliteFile?");
    MM_CHECK_STR(load_warning("soruce:\n  mode: local\n"),
                 "t.yaml:1:1: unknown key soruce (ignored); did you mean source?");
    MM_CHECK_STR(load_warning("target:\n  milvus2x:\n    passwd: x\n"),
                 "t.yaml:3:5: unknown key target.milvus2x.passwd (ignored); did you mean "
                 "target.milvus2x.password?");
    MM_CHECK_STR(load_warning("source:\n  tablesDir: /x\n"),
                 "t.yaml:2:3: unknown key source.tablesDir (ignored); did you mean "
                 "source.local.tablesDir or source.remote.tablesDir?");
    /* Another last word after the same first ones. */
    MM_CHECK_STR(load_warning("meta:\n  mode: remote\n  remoteMetaPath: m/meta.json\n"),
                 "t.yaml:3:3: unknown key meta.remoteMetaPath (ignored); did you mean meta.remoteMetaFile?");
    MM_CHECK_STR(load_warning("source:\n  local:\n    tablesPath: /x\n"),
                 "t.yaml:3:5: unknown key source.local.tablesPath (ignored); did you mean "
                 "source.local.tablesDir?");
    MM_CHECK_STR(load_warning("source:\n  es:\n    urls: [x]\n"),
                 "t.yaml:2:3: unknown key source.es (ignored)");
    MM_CHECK_STR(load_warning("target:\n  create:\n    collection:\n      name: c1\n"),
                 "t.yaml:4:13: target.create.collection.name is ignored: collections keep their "
                 "Milvus 1.x names, dimensions and metrics, so the reference tool's "
                 "target.create.collection settings do not apply");
    MM_CHECK_STR(load_warning("target:\n  milvus2x:\n    writeMode: insert\n"),
                 "t.yaml:3:16: target.milvus2x.writeMode is ignored: it is only used by the "
                 "reference tool's milvus2x mode");
    /* Empty ignored keys (as in copied templates) are not worth a warning. */
    MM_CHECK_STR(load_warning("target:\n  create:\n    collection:\n      name:\n"
                              "meta:\n  sqlitFile: x\n"),
                 "t.yaml:6:3: unknown key meta.sqlitFile (ignored); did you mean meta.sqliteFile?");
}

MM_TEST(merge_keys_and_aliases)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_config_warnings warn = {0};
    mm_error err;
    /* The mapping's own keys win over merged ones; earlier merges win over
     * later ones. */
    MM_CHECK_INT(load("x-bucket: &bucket\n  cloud: minio\n  endpoint: minio:9000\n"
                      "  bucket: shared\n"
                      "x-more: &more\n  bucket: other\n  region: eu-1\n"
                      "source:\n  mode: remote\n  remote:\n    <<: [*bucket, *more]\n"
                      "    bucket: old-milvus\n"
                      "target:\n  mode: remote\n  remote: *bucket\n",
                      &cfg, &warn, &err),
                 0);
    MM_CHECK_STR(err.message, "");
    MM_CHECK_INT(cfg.source.remote.cloud, MM_CLOUD_MINIO);
    MM_CHECK_STR(cfg.source.remote.endpoint, "minio:9000");
    MM_CHECK_STR(cfg.source.remote.bucket, "old-milvus");
    MM_CHECK_STR(cfg.source.remote.region, "eu-1");
    MM_CHECK_INT(cfg.target.remote.cloud, MM_CLOUD_MINIO);
    MM_CHECK_STR(cfg.target.remote.bucket, "shared");
    MM_CHECK_INT(warn.count, 2);
    MM_CHECK_STR(warn.count > 1 ? warn.items[1] : "", "t.yaml:5:1: unknown key x-more (ignored)");
    mm_config_warnings_free(&warn);
    mm_config_free(&cfg);
    MM_CHECK_STR(load_error("meta: &m\n  mode: sqlite\n  <<: *m\n"),
                 "t.yaml:1:7: meta: nested too deeply (an alias that refers to itself?)");
    MM_CHECK_STR(load_error("meta:\n  <<: [a]\n"),
                 "t.yaml:2:8: meta: expected a mapping (or a list of mappings) after <<");
}

MM_TEST(keys_are_case_insensitive_and_may_be_dotted)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_config_warnings warn = {0};
    mm_error err;
    MM_CHECK_INT(load("META:\n  MODE: SQLite\n  SQLITEFILE: /x/meta.sqlite\n"
                      "Dumper:\n  Worker:\n    WorkMode: Milvus1X\n    LIMIT: 4\n"
                      "target.milvus2x.endpoint: 10.0.0.1:19530\n"
                      "target.Milvus2x:\n  TLS.Enabled: yes\n",
                      &cfg, &warn, &err),
                 0);
    MM_CHECK_STR(err.message, "");
    MM_CHECK_INT(warn.count, 0);
    MM_CHECK_INT(cfg.meta.mode, MM_META_SQLITE);
    MM_CHECK_STR(cfg.meta.sqlite_file, "/x/meta.sqlite");
    MM_CHECK_INT(cfg.dumper.worker.limit, 4);
    MM_CHECK_STR(cfg.target.milvus2x.endpoint, "10.0.0.1:19530");
    MM_CHECK_INT(cfg.target.milvus2x.tls.enabled, true);
    char *yaml = mm_config_render(&cfg);
    MM_CHECK_STR(yaml, "dumper:\n"
                       "  worker:\n"
                       "    workMode: milvus1x\n"
                       "    limit: 4\n"
                       "meta:\n"
                       "  mode: sqlite\n"
                       "  sqliteFile: \"/x/meta.sqlite\"\n"
                       "target:\n"
                       "  milvus2x:\n"
                       "    endpoint: \"10.0.0.1:19530\"\n"
                       "    tls:\n"
                       "      enabled: true\n");
    free(yaml);
    mm_config_warnings_free(&warn);
    mm_config_free(&cfg);
}

MM_TEST(values_normalised_like_the_reference)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_error err;
    MM_CHECK_INT(load("dumper:\n  worker:\n    limit: 0\n    reader:\n      bufferSize: 0\n"
                      "    writer:\n      bufferSize: -5\n"
                      "loader:\n  worker:\n    limit: -1\n"
                      "target:\n  remote:\n    outputDir: //output/x/\n"
                      "source:\n  remote:\n    tablesDir: /xxx/tables/\n",
                      &cfg, NULL, &err),
                 0);
    MM_CHECK_STR(err.message, "");
    MM_CHECK_INT(cfg.dumper.worker.limit, 2);
    MM_CHECK_INT(cfg.dumper.worker.reader_buffer_kb, 1024);
    MM_CHECK_INT(cfg.dumper.worker.writer_buffer_kb, 1024);
    MM_CHECK_INT(cfg.loader.worker.limit, 2);
    MM_CHECK_STR(cfg.target.remote.prefix, "output/x/");
    MM_CHECK_STR(cfg.source.remote.prefix, "/xxx/tables/");
    mm_config_free(&cfg);
}

MM_TEST(null_values_mean_default)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_error err;
    MM_CHECK_INT(load("meta:\n  mode:\n  sqliteFile: ~\n"
                      "dumper:\n  worker:\n    limit: null\n  maxFileSize: ''\n"
                      "target:\n  milvus2x:\n    fields:\n      id:\n    username: \"\"\n"
                      "verify:\n",
                      &cfg, NULL, &err),
                 0);
    MM_CHECK_STR(err.message, "");
    MM_CHECK_INT(cfg.meta.mode, MM_META_UNSET);
    MM_CHECK_STR(cfg.meta.sqlite_file, "");
    MM_CHECK_INT(cfg.dumper.worker.limit, 2);
    MM_CHECK_INT(cfg.dumper.max_file_size, 17179869184LL);
    MM_CHECK_STR(cfg.target.milvus2x.fields.id, "id");
    MM_CHECK_STR(cfg.target.milvus2x.username, "");
    mm_config_free(&cfg);
}

MM_TEST(lists_from_sequence_or_string)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_error err;
    MM_CHECK_INT(load("source:\n  local:\n    secondaryTablesDirs:\n      - /b/db/tables\n"
                      "      - \"/c/db/tables\"\n",
                      &cfg, NULL, &err),
                 0);
    MM_CHECK_INT(cfg.source.local.secondary_tables_dirs.count, 2);
    MM_CHECK_STR(cfg.source.local.secondary_tables_dirs.items[0], "/b/db/tables");
    MM_CHECK_STR(cfg.source.local.secondary_tables_dirs.items[1], "/c/db/tables");
    MM_CHECK_INT(load("source:\n  local:\n"
                      "    secondaryTablesDirs: \"/b/db/tables; /c/db/tables;;\"\n",
                      &cfg, NULL, &err),
                 0);
    MM_CHECK_INT(cfg.source.local.secondary_tables_dirs.count, 2);
    MM_CHECK_STR(cfg.source.local.secondary_tables_dirs.items[0], "/b/db/tables");
    MM_CHECK_STR(cfg.source.local.secondary_tables_dirs.items[1], "/c/db/tables");
    char buf[64];
    const mm_config_key *key = mm_config_find_key("source.local.secondaryTablesDirs");
    mm_config_get_string(&cfg, key, buf, sizeof buf);
    MM_CHECK_STR(buf, "/b/db/tables;/c/db/tables");
    mm_config_free(&cfg);
}

int main(void)
{
    MM_RUN(table_is_consistent);
    MM_RUN(defaults);
    MM_RUN(reference_ci_config);
    MM_RUN(meta_local_mode_works);
    MM_RUN(clouds_and_minio);
    MM_RUN(type_errors_with_positions);
    MM_RUN(failed_load_leaves_config_unchanged);
    MM_RUN(shape_errors);
    MM_RUN(duplicate_keys);
    MM_RUN(unknown_keys_suggest);
    MM_RUN(merge_keys_and_aliases);
    MM_RUN(keys_are_case_insensitive_and_may_be_dotted);
    MM_RUN(values_normalised_like_the_reference);
    MM_RUN(null_values_mean_default);
    MM_RUN(lists_from_sequence_or_string);
    return MM_TEST_EXIT();
}
