/* migration.yaml as a whole: files that cannot be read, state.dir's
 * default, the cross-key rules of mm_config_validate with every problem
 * named, and the warnings validation adds. Loading single keys is in
 * test_config.c, values on their own in test_config_values.c. */
#include "config/config.h"
#include "config/config_internal.h"
#include "testlib.h"

#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>

static int load(const char *text, mm_config *cfg, mm_config_warnings *warn, mm_error *err)
{
    mm_error_clear(err);
    return mm_config_load_text(text, strlen(text), "t.yaml", cfg, warn, err);
}

/* Loads text expecting failure; returns the message (static). */
MM_TEST(load_file_errors_and_state_dir)
{
    char *dir = mm_test_tmpdir("config");
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_config_warnings warn = {0};
    mm_error err;
    char path[512];
    snprintf(path, sizeof path, "%s/missing.yaml", dir);
    MM_CHECK_INT(mm_config_load_file(path, &cfg, &warn, &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_CONFIG);
    char expect[1600];
    snprintf(expect, sizeof expect, "read %s: No such file or directory", path);
    MM_CHECK_STR(err.message, expect);

    MM_CHECK_INT(mm_config_load_file(dir, &cfg, &warn, &err), -1);
    snprintf(expect, sizeof expect, "read %s: not a regular file", dir);
    MM_CHECK_STR(err.message, expect);

    const char *text = "dumper:\n  worker:\n    limit: two\n";
    mm_test_write_file(dir, "bad.yaml", text, strlen(text));
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    MM_CHECK_INT(mm_config_load_file(path, &cfg, &warn, &err), -1);
    snprintf(expect, sizeof expect,
             "%s:3:12: dumper.worker.limit: expected an integer, got \"two\"", path);
    MM_CHECK_STR(err.message, expect);

    /* A world-readable file with a password is loaded with a warning. */
    text = "target:\n  milvus2x:\n    username: root\n    password: s3cret\n";
    mm_test_write_file(dir, "sub/m.yaml", text, strlen(text));
    snprintf(path, sizeof path, "%s/sub/m.yaml", dir);
    chmod(path, 0644);
    MM_CHECK_INT(mm_config_load_file(path, &cfg, &warn, &err), 0);
    MM_CHECK_INT(warn.count, 1);
    snprintf(expect, sizeof expect,
             "%s holds passwords or keys and can be read by other users (mode 0644); run: chmod "
             "600 %s",
             path, path);
    MM_CHECK_STR(warn.count ? warn.items[0] : "", expect);
    MM_CHECK(!strstr(warn.count ? warn.items[0] : "", "s3cret"));
    snprintf(expect, sizeof expect, "%s/sub", dir);
    MM_CHECK_STR(cfg.config_dir, expect);
    char *state = mm_config_state_dir(&cfg);
    snprintf(expect, sizeof expect, "%s/sub/.milvus-migrate", dir);
    MM_CHECK_STR(state, expect);
    free(state);
    chmod(path, 0600);
    mm_config_warnings_free(&warn);
    MM_CHECK_INT(mm_config_load_file(path, &cfg, &warn, &err), 0);
    MM_CHECK_INT(warn.count, 0);

    mm_config_warnings_free(&warn);
    mm_config_free(&cfg);
    mm_test_rmtree(dir);
    free(dir);
}

static const char *validate_error(const char *text, unsigned phases)
{
    static mm_error err;
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_error_clear(&err);
    if (load(text, &cfg, NULL, &err) != 0) {
        mm_config_free(&cfg);
        return err.message;
    }
    if (mm_config_validate(&cfg, phases, NULL, &err) == 0)
        snprintf(err.message, sizeof err.message, "(valid)");
    mm_config_free(&cfg);
    return err.message;
}

MM_TEST(cross_key_validation)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_error err;
    MM_CHECK_INT(mm_config_validate(&cfg, MM_CONFIG_PHASE_ALL, NULL, &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_CONFIG);
    MM_CHECK_STR(err.message,
                 "meta.mode is not set (expected one of sqlite, mysql, local, mock, remote)\n"
                 "source.mode is not set (expected one of local, remote)\n"
                 "target.mode is not set (expected one of local, remote)\n"
                 "target.milvus2x.endpoint is not set (expected: address of Milvus 2.x, "
                 "host:port)");
    mm_config_free(&cfg);

    static const char base[] = "meta:\n  mode: sqlite\n  sqliteFile: /m\n"
                               "source:\n  mode: local\n  local:\n    tablesDir: /t\n";
    MM_CHECK_STR(validate_error(base, MM_CONFIG_PHASE_SOURCE), "(valid)");
    MM_CHECK_STR(validate_error("meta:\n  mode: sqlite\nsource:\n  mode: local\n",
                                MM_CONFIG_PHASE_SOURCE),
                 "t.yaml:2:3: meta.mode is sqlite but meta.sqliteFile is not set (expected: path "
                 "of the 1.x meta.sqlite file)\n"
                 "t.yaml:4:3: source.mode is local but source.local.tablesDir is not set "
                 "(expected: the 1.x tables directory, <storage path>/db/tables)");
    MM_CHECK_STR(validate_error("meta:\n  mode: mysql\n  mysqlUrl: ''\n", MM_CONFIG_PHASE_SOURCE),
                 "t.yaml:3:3: meta.mode is mysql but meta.mysqlUrl is not set (expected: "
                 "connection string of the 1.x MySQL meta database)\n"
                 "t.yaml: source.mode is not set (expected one of local, remote)");
    MM_CHECK_STR(validate_error("meta:\n  mode: remote\n  remoteMetaFile: m/meta.json\n"
                                "source:\n  mode: local\n  local:\n    tablesDir: /t\n",
                                MM_CONFIG_PHASE_SOURCE),
                 "t.yaml:2:3: meta.mode is remote, which reads meta.remoteMetaFile from the "
                 "source bucket, but source.mode is local; set source.mode: remote with "
                 "source.remote.*, or use meta.mode: local with meta.localFile");
    MM_CHECK_STR(validate_error("target:\n  mode: remote\n", MM_CONFIG_PHASE_STAGE),
                 "t.yaml:2:3: target.mode is remote but target.remote.bucket is not set "
                 "(expected: bucket name (Azure: container))");
    MM_CHECK_STR(validate_error("target:\n  mode: remote\n  remote:\n    bucket: b\n    ak: k\n",
                                MM_CONFIG_PHASE_STAGE),
                 "t.yaml:5:5: target.remote.ak is set but target.remote.sk is empty; set both, "
                 "leave both empty for anonymous access, or set target.remote.useIAM: true");
    MM_CHECK_STR(validate_error("source:\n  mode: remote\n  remote:\n    cloud: azure\n"
                                "    bucket: c\n",
                                MM_CONFIG_PHASE_SOURCE),
                 "t.yaml: meta.mode is not set (expected one of sqlite, mysql, local, mock, "
                 "remote)\n"
                 "t.yaml:4:5: source.remote.cloud is azure but source.remote.ak is not set "
                 "(expected: access key id (Azure: storage account name))");
    MM_CHECK_STR(validate_error("target:\n  mode: remote\n  remote:\n    bucket: b\n"
                                "dumper:\n  maxFileSize: 1TiB\n",
                                MM_CONFIG_PHASE_STAGE),
                 "t.yaml:6:3: dumper.maxFileSize 1TiB needs more than 10000 parts of "
                 "dumper.partSize 64MiB (the S3 limit); raise dumper.partSize to at least 105MiB");
    /* Parts only matter for a bucket. */
    MM_CHECK_STR(validate_error("target:\n  mode: local\n  local:\n    outputDir: /o\n"
                                "dumper:\n  maxFileSize: 1TiB\n",
                                MM_CONFIG_PHASE_STAGE),
                 "(valid)");
    static const char milvus[] = "target:\n  milvus2x:\n    endpoint: m:19530\n";
    MM_CHECK_STR(validate_error(milvus, MM_CONFIG_PHASE_MILVUS), "(valid)");
    char text[512];
    snprintf(text, sizeof text, "%s    username: root\n", milvus);
    MM_CHECK_STR(validate_error(text, MM_CONFIG_PHASE_MILVUS),
                 "t.yaml:4:5: target.milvus2x.username is set but target.milvus2x.password is "
                 "empty; set the password, or remove the user name when authorization is off");
    snprintf(text, sizeof text, "%s    password: pw\n", milvus);
    MM_CHECK_STR(validate_error(text, MM_CONFIG_PHASE_MILVUS),
                 "t.yaml:4:5: target.milvus2x.password is set but target.milvus2x.username is "
                 "empty, so the password would not be sent; set the user name");
    snprintf(text, sizeof text, "%s    tls:\n      caFile: /ca.pem\n", milvus);
    MM_CHECK_STR(validate_error(text, MM_CONFIG_PHASE_MILVUS),
                 "t.yaml:5:7: target.milvus2x.tls.caFile is set but TLS is off; set "
                 "target.milvus2x.tls.enabled: true, or remove the TLS settings");
    MM_CHECK_STR(validate_error("target:\n  milvus2x:\n    endpoint: https://m:19530\n"
                                "    tls:\n      caFile: /ca.pem\n",
                                MM_CONFIG_PHASE_MILVUS),
                 "(valid)");
    MM_CHECK_STR(validate_error("target:\n  milvus2x:\n    endpoint: http://m:19530\n"
                                "    tls:\n      enabled: true\n",
                                MM_CONFIG_PHASE_MILVUS),
                 "t.yaml:3:5: target.milvus2x.endpoint starts with http:// but "
                 "target.milvus2x.tls.enabled is true; use https:// or host:port");
    snprintf(text, sizeof text, "%s    tls:\n      enabled: true\n      certFile: /c.pem\n",
             milvus);
    MM_CHECK_STR(validate_error(text, MM_CONFIG_PHASE_MILVUS),
                 "t.yaml:6:7: target.milvus2x.tls.certFile is set but target.milvus2x.tls.keyFile "
                 "is empty; mutual TLS needs the certificate and its key");
    snprintf(text, sizeof text, "%s    fields:\n      id: pk\n      vector: pk\n", milvus);
    MM_CHECK_STR(validate_error(text, MM_CONFIG_PHASE_MILVUS),
                 "t.yaml:6:7: target.milvus2x.fields.id and target.milvus2x.fields.vector are "
                 "both \"pk\"; the two fields need different names");
    /* Phases not asked for are not checked. */
    MM_CHECK_STR(validate_error(base, MM_CONFIG_PHASE_SOURCE), "(valid)");
}

MM_TEST(validation_warnings)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_config_warnings warn = {0};
    mm_error err;
    MM_CHECK_INT(load("target:\n  mode: remote\n  remote:\n    bucket: b\n    useIAM: true\n"
                      "    ak: k\n",
                      &cfg, &warn, &err),
                 0);
    MM_CHECK_INT(mm_config_validate(&cfg, MM_CONFIG_PHASE_STAGE, &warn, &err), 0);
    MM_CHECK_INT(warn.count, 1);
    MM_CHECK_STR(warn.count ? warn.items[0] : "",
                 "target.remote.useIAM is true, so target.remote.ak and target.remote.sk are not "
                 "used");
    mm_config_warnings_free(&warn);
    mm_config_free(&cfg);

    /* writer.bufferSize is in KiB: the guide's 1024 is 1 MiB, quietly; a
     * value in bytes is warned about. */
    mm_config_init_defaults(&cfg);
    MM_CHECK_INT(load("dumper:\n  worker:\n    writer:\n      bufferSize: 1024\n", &cfg, &warn, &err), 0);
    MM_CHECK_INT(mm_config_validate(&cfg, 0, &warn, &err), 0);
    MM_CHECK_INT(cfg.dumper.worker.writer_buffer_kb, 1024);
    MM_CHECK_INT(warn.count, 0);
    mm_config_free(&cfg);
    mm_config_init_defaults(&cfg);
    MM_CHECK_INT(load("dumper:\n  worker:\n    writer:\n      bufferSize: 1048576\n", &cfg, &warn, &err), 0);
    MM_CHECK_INT(mm_config_validate(&cfg, 0, &warn, &err), 0);
    MM_CHECK_INT(warn.count, 1);
    MM_CHECK_STR(warn.count ? warn.items[0] : "",
                 "dumper.worker.writer.bufferSize is in KiB (as the reference tool documents it): 1048576 means "
                 "1024 MiB per output file; if 1048576 bytes were meant, write 1024");
    mm_config_warnings_free(&warn);
    mm_config_free(&cfg);
}

int main(void)
{
    MM_RUN(load_file_errors_and_state_dir);
    MM_RUN(cross_key_validation);
    MM_RUN(validation_warnings);
    return MM_TEST_EXIT();
}
