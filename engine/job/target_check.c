#include "target_check.h"

#include "cli/cli_job.h"
#include "tui/loop.h"
#include "base/strbuf.h"

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

/* The closest ancestor of path that exists ("." for a relative path
 * none of whose parents exist). malloc'd. */
static char *nearest_existing(const char *path)
{
    char *p = mm_strdup(path);
    struct stat st;
    while (p) {
        char *slash = strrchr(p, '/');
        if (!slash) {
            free(p);
            return mm_strdup(".");
        }
        if (slash == p) {
            p[1] = '\0';
            return p;
        }
        *slash = '\0';
        if (stat(p, &st) == 0)
            return p;
    }
    return NULL;
}

/* The directory, or the nearest existing directory it would be created in,
 * must be writable. Nothing is created by the test. */
static char *check_local(const mm_config *cfg, mm_role *role)
{
    const char *dir = cfg->target.local.output_dir[0] ? cfg->target.local.output_dir : ".";
    struct stat st;
    *role = MM_ROLE_ERROR;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return mm_asprintf("Staging: %s (target.local.outputDir) is not a directory", dir);
        if (access(dir, W_OK | X_OK) != 0)
            return mm_asprintf("Staging: cannot write into %s (target.local.outputDir): %s", dir, strerror(errno));
        *role = MM_ROLE_OK;
        return mm_asprintf("Staging: directory %s is writable; the files go to %s/migration.", dir, dir);
    }
    if (errno != ENOENT)
        return mm_asprintf("Staging: cannot use %s (target.local.outputDir): %s", dir, strerror(errno));
    char *parent = nearest_existing(dir);
    char *text;
    if (!parent)
        text = NULL;
    else if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))
        text = mm_asprintf("Staging: cannot create %s (target.local.outputDir): %s is not a directory", dir, parent);
    else if (access(parent, W_OK | X_OK) != 0)
        text = mm_asprintf("Staging: cannot create %s (target.local.outputDir): %s is not writable (%s)", dir,
                           parent, strerror(errno));
    else {
        *role = MM_ROLE_OK;
        text = mm_asprintf("Staging: %s does not exist yet; the dump creates it in %s (writable).", dir, parent);
    }
    free(parent);
    return text;
}

static char *check_staging(const mm_target_check *c, mm_role *role)
{
    mm_error err;
    mm_error_clear(&err);
    *role = MM_ROLE_ERROR;
    if (validate(&c->cfg, MM_CONFIG_PHASE_STAGE, &err) != 0)
        return mm_asprintf("Staging: %s", err.message);
    if (c->cfg.target.mode == MM_LOCATION_LOCAL)
        return check_local(&c->cfg, role);
    if (mm_cli_check_target_bucket(&c->cfg, c->config_path, &err) != 0)
        return mm_asprintf("Staging: %s", err.message);
    const mm_config_remote *r = &c->cfg.target.remote;
    *role = MM_ROLE_OK;
    return mm_asprintf("Staging: bucket %s%s%s answers and accepts the credentials; the files go to %s%smigration.",
                       r->bucket, r->endpoint[0] ? " at " : "", r->endpoint, r->prefix, r->prefix[0] ? "/" : "");
}

static char *check_milvus(const mm_target_check *c, mm_role *role)
{
    mm_error err;
    mm_error_clear(&err);
    *role = MM_ROLE_ERROR;
    if (validate(&c->cfg, MM_CONFIG_PHASE_MILVUS, &err) != 0)
        return mm_asprintf("Milvus 2.x: %s", err.message);
    mm_milvus *m = NULL;
    if (mm_cli_milvus_connect(&c->cfg, &m, &err) != 0)
        return mm_asprintf("Milvus 2.x: %s", err.message);
    const char *user = c->cfg.target.milvus2x.username, *db = c->cfg.target.milvus2x.database;
    char *login = user[0] ? mm_asprintf("logged in as %s", user) : mm_strdup("no login (authorization off)");
    *role = MM_ROLE_OK;
    char *text = mm_asprintf("Milvus 2.x: connected to %s%s, Milvus %s; %s; database %s.", mm_milvus_endpoint(m),
                             mm_config_tls_enabled(&c->cfg) ? " over TLS" : "", mm_milvus_version(m),
                             login ? login : "", db[0] ? db : "default");
    free(login);
    mm_milvus_close(m);
    return text;
}

static void *check_thread(void *arg)
{
    mm_target_check *c = arg;
    c->staging = check_staging(c, &c->staging_role);
    c->milvus = check_milvus(c, &c->milvus_role);
    atomic_store_explicit(&c->finished, true, memory_order_release);
    mm_tui_wake();
    return NULL;
}

mm_target_check *mm_target_check_start(const mm_config *cfg, const char *config_path)
{
    mm_target_check *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    mm_error err;
    mm_error_clear(&err);
    mm_config_init_defaults(&c->cfg);
    c->config_path = mm_strdup(config_path);
    atomic_init(&c->finished, false);
    if (mm_config_copy(&c->cfg, cfg, &err) != 0 || pthread_create(&c->thread, NULL, check_thread, c) != 0) {
        mm_config_free(&c->cfg);
        free(c->config_path);
        free(c);
        return NULL;
    }
    return c;
}

bool mm_target_check_finished(mm_target_check *c)
{
    return atomic_load_explicit(&c->finished, memory_order_acquire);
}

void mm_target_check_free(mm_target_check *c)
{
    if (!c)
        return;
    pthread_join(c->thread, NULL);
    mm_config_free(&c->cfg);
    free(c->config_path);
    free(c->staging);
    free(c->milvus);
    free(c);
}
