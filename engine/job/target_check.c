#include "job/target_check.h"

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "job/job.h"
#include "job/preflight.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int validate(const mm_config *cfg, unsigned phase, mm_error *err)
{
    mm_config_warnings warn = {0};
    int rc = mm_config_validate(cfg, phase, &warn, err);
    mm_config_warnings_free(&warn);
    return rc;
}

/* The directory, or the nearest existing directory it would be created in,
 * must be writable. Nothing is created by the test. */
static char *check_local(const mm_config *cfg, bool *ok)
{
    const char *dir = cfg->target.local.output_dir[0] ? cfg->target.local.output_dir : ".";
    struct stat st;
    *ok = false;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return mm_asprintf("Staging: %s (target.local.outputDir) is not a directory", dir);
        if (access(dir, W_OK | X_OK) != 0)
            return mm_asprintf("Staging: cannot write into %s (target.local.outputDir): %s", dir, strerror(errno));
        *ok = true;
        return mm_asprintf("Staging: directory %s is writable; the files go to %s/migration.", dir, dir);
    }
    if (errno != ENOENT)
        return mm_asprintf("Staging: cannot use %s (target.local.outputDir): %s", dir, strerror(errno));
    char *parent = mm_path_existing_ancestor(dir);
    char *text;
    if (!parent)
        text = NULL;
    else if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))
        text = mm_asprintf("Staging: cannot create %s (target.local.outputDir): %s is not a directory", dir, parent);
    else if (access(parent, W_OK | X_OK) != 0)
        text = mm_asprintf("Staging: cannot create %s (target.local.outputDir): %s is not writable (%s)", dir,
                           parent, strerror(errno));
    else {
        *ok = true;
        text = mm_asprintf("Staging: %s does not exist yet; the dump creates it in %s (writable).", dir, parent);
    }
    free(parent);
    return text;
}

static char *check_staging(const mm_config *cfg, const char *config_path, bool *ok)
{
    mm_error err;
    mm_error_clear(&err);
    *ok = false;
    if (validate(cfg, MM_CONFIG_PHASE_STAGE, &err) != 0)
        return mm_asprintf("Staging: %s", err.message);
    if (cfg->target.mode == MM_LOCATION_LOCAL)
        return check_local(cfg, ok);
    if (mm_job_check_target_bucket(cfg, config_path, &err) != 0)
        return mm_asprintf("Staging: %s", err.message);
    const mm_config_remote *r = &cfg->target.remote;
    *ok = true;
    return mm_asprintf("Staging: bucket %s%s%s answers and accepts the credentials; the files go to %s%smigration.",
                       r->bucket, r->endpoint[0] ? " at " : "", r->endpoint, r->prefix, r->prefix[0] ? "/" : "");
}

/* The staging probe against the connected Milvus (target.mode remote:
 * the bucket opened the way a job opens it). */
static void check_probe(const mm_config *cfg, mm_milvus *m, mm_findings *f)
{
    mm_error err;
    mm_error_clear(&err);
    mm_storage *storage = NULL;
    if (cfg->target.mode != MM_LOCATION_LOCAL && mm_job_open_target_storage(cfg, &storage, &err) != 0) {
        mm_findings_add(f, MM_FINDING_BLOCKER, MM_LOSS_NONE, NULL, -1, mm_strdup(err.message), &err);
        return;
    }
    const char *tmp = getenv("TMPDIR");
    char *dir = mm_asprintf("%s/milvus-migrate-probe-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!dir || !mkdtemp(dir))
        mm_findings_add(f, MM_FINDING_BLOCKER, MM_LOSS_NONE, NULL, -1,
                        mm_asprintf("staging probe: cannot create a scratch directory %s: %s", dir ? dir : "in TMPDIR",
                                    strerror(errno)),
                        &err);
    else {
        mm_preflight_probe(cfg, m, storage, dir, NULL, f);
        rmdir(dir);
    }
    free(dir);
    mm_storage_close(storage);
}

static char *check_milvus(const mm_config *cfg, bool staging_ok, bool *ok, char **findings,
                          bool *findings_ok)
{
    mm_error err;
    mm_error_clear(&err);
    *ok = false;
    if (validate(cfg, MM_CONFIG_PHASE_MILVUS, &err) != 0)
        return mm_asprintf("Milvus 2.x: %s", err.message);
    mm_milvus *m = NULL;
    if (mm_job_milvus_connect(cfg, &m, &err) != 0)
        return mm_asprintf("Milvus 2.x: %s", err.message);
    const char *user = cfg->target.milvus2x.username, *db = cfg->target.milvus2x.database;
    char *login = user[0] ? mm_asprintf("logged in as %s", user) : mm_strdup("no login (authorization off)");
    *ok = true;
    char *text = mm_asprintf("Milvus 2.x: connected to %s%s, Milvus %s; %s; database %s.", mm_milvus_endpoint(m),
                             mm_config_tls_enabled(cfg) ? " over TLS" : "", mm_milvus_version(m),
                             login ? login : "", db[0] ? db : "default");
    free(login);
    if (staging_ok) {
        mm_findings f;
        mm_findings_init(&f);
        check_probe(cfg, m, &f);
        *findings_ok = mm_findings_count(&f, MM_FINDING_BLOCKER) == 0;
        *findings = mm_findings_text(&f, *findings_ok ? MM_FINDING_INFO : MM_FINDING_BLOCKER);
        mm_findings_free(&f);
    }
    mm_milvus_close(m);
    return text;
}

void mm_target_check(const mm_config *cfg, const char *config_path, mm_target_report *out)
{
    out->staging = check_staging(cfg, config_path, &out->staging_ok);
    out->findings = NULL;
    out->findings_ok = true;
    out->milvus = check_milvus(cfg, out->staging_ok, &out->milvus_ok, &out->findings, &out->findings_ok);
}

void mm_target_report_free(mm_target_report *r)
{
    free(r->staging);
    free(r->milvus);
    free(r->findings);
    r->staging = r->milvus = r->findings = NULL;
}
