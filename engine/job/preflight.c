/* The checks before anything is dumped or created (preflight.h). */
#include "job/preflight.h"

#include "base/remedy.h"
#include "base/strbuf.h"
#include "load/staging_probe.h"
#include "plan.h"
#include "source/inventory_render.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* rootCoord.maxPartitionNum, the default of every line from 2.3 to 3.0
 * (pkg/util/paramtable/component_param.go 1907-1915 on 2.6, 2033-2036 on
 * 3.0, 1426-1429 on 2.5). One import's size is bounded by the plan itself
 * (MM_PLAN_IMPORT_LIMIT). */
enum { PARTITION_LIMIT = 1024 };

/* One finding of kind; the text is formatted here. */
static void add(mm_findings *f, mm_finding_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(mm_findings *f, mm_finding_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = mm_vasprintf(fmt, ap);
    va_end(ap);
    mm_error err;
    mm_error_clear(&err);
    mm_findings_add(f, kind, MM_LOSS_NONE, NULL, -1, text, &err);
}

void mm_preflight_limits(const mm_config *cfg, const mm_inventory *inv, const bool *selected, mm_findings *out)
{
    mm_plan plan;
    mm_error err;
    mm_error_clear(&err);
    mm_plan_limits limits = mm_plan_limits_of(cfg);
    if (mm_plan_build(&plan, inv, selected, &limits, &err) != 0) {
        add(out, MM_FINDING_WARNING, "%s", err.message);
        return;
    }
    for (size_t i = 0; i < plan.n_collections; i++) {
        const mm_collection_info *c = plan.collections[i].info;
        if (c->n_partitions > PARTITION_LIMIT)
            add(out, MM_FINDING_WARNING, "collection %s would get %zu partitions (with _default): Milvus allows %d "
                "per collection by default (rootCoord.maxPartitionNum) and refuses the rest at load; raise that "
                "limit on the server, or leave the collection out %s", c->target_name, c->n_partitions,
                PARTITION_LIMIT, mm_remedy_how(MM_REMEDY_LEAVE_OUT));
    }
    mm_plan_free(&plan);
}

/* Chosen in the config: shown on the wizard's screens, not repeated by
 * every command. */
static void probe_off(mm_findings *out)
{
    add(out, MM_FINDING_INFO, "the staging probe is off (loader.probeStaging: false): whether Milvus reads "
        "the staged files shows only at the first import");
}

/* The probe's last verdict and the settings it is about (probe_about):
 * the probe imports into a scratch collection and takes seconds, too slow
 * to repeat on every visit of the Plan screen. One verdict is enough: the
 * wizard edits one configuration. */
static struct {
    pthread_mutex_t lock;
    char *about;
    mm_finding_kind kind;
    char *text;
    unsigned long generation;
} probe_memo = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* What the probe's verdict depends on: where the files are staged and the
 * Milvus that reads them (no secret: the key stays in memory, but a
 * password changed does not change where Milvus reads). */
static char *probe_about(const mm_config *cfg)
{
    const mm_config_remote *r = &cfg->target.remote;
    return mm_asprintf("mode=%d local=%s cloud=%d endpoint=%s region=%s bucket=%s prefix=%s iam=%d milvus=%s "
                       "user=%s db=%s tls=%d id=%s vector=%s", (int)cfg->target.mode, cfg->target.local.output_dir,
                       (int)r->cloud, r->endpoint, r->region, r->bucket, r->prefix, r->use_iam,
                       cfg->target.milvus2x.endpoint, cfg->target.milvus2x.username, cfg->target.milvus2x.database,
                       mm_config_tls_enabled(cfg), cfg->target.milvus2x.fields.id,
                       cfg->target.milvus2x.fields.vector);
}

static void probe_remember(const mm_config *cfg, mm_finding_kind kind, const char *text)
{
    char *about = probe_about(cfg), *copy = mm_strdup(text);
    if (!about || !copy) { /* out of memory: the Plan screen says the probe has not run */
        free(about);
        free(copy);
        about = copy = NULL;
    }
    pthread_mutex_lock(&probe_memo.lock);
    free(probe_memo.about);
    free(probe_memo.text);
    probe_memo.about = about;
    probe_memo.text = copy;
    probe_memo.kind = kind;
    probe_memo.generation++;
    pthread_mutex_unlock(&probe_memo.lock);
}

unsigned long mm_preflight_probe_generation(void)
{
    pthread_mutex_lock(&probe_memo.lock);
    unsigned long g = probe_memo.generation;
    pthread_mutex_unlock(&probe_memo.lock);
    return g;
}

void mm_preflight_probe_recall(const mm_config *cfg, bool blocked, mm_findings *out)
{
    if (!cfg->loader.probe_staging) {
        probe_off(out);
        return;
    }
    char *about = probe_about(cfg), *text = NULL;
    mm_finding_kind kind = MM_FINDING_INFO;
    pthread_mutex_lock(&probe_memo.lock);
    if (about && probe_memo.about && strcmp(about, probe_memo.about) == 0) {
        text = mm_strdup(probe_memo.text);
        kind = probe_memo.kind;
    }
    pthread_mutex_unlock(&probe_memo.lock);
    free(about);
    /* Said as the last verdict: Milvus or its mounts may have changed
     * since, without a setting of ours changing. */
    static const char own[] = "staging probe: ";
    if (text)
        add(out, kind, "staging probe, as last run (t on the Target screen runs it again): %s",
            text + (strncmp(text, own, sizeof own - 1) == 0 ? sizeof own - 1 : 0));
    else if (!blocked)
        add(out, MM_FINDING_INFO, "the staging probe has not run with these settings: whether Milvus reads the "
            "files staged in %s is not known yet; t on the Target screen (F4) runs it (the run probes before "
            "anything is dumped)", cfg->target.mode == MM_LOCATION_REMOTE ? "the bucket" : "the local directory");
    free(text);
}

void mm_preflight_probe(const mm_config *cfg, mm_milvus *milvus, mm_storage *storage, const char *scratch_dir,
                        atomic_bool *cancel, mm_findings *out)
{
    if (!cfg->loader.probe_staging) {
        probe_off(out);
        return;
    }
    char *remote_prefix = NULL;
    if (storage) {
        const char *prefix = cfg->target.remote.prefix;
        size_t len = strlen(prefix);
        while (len && prefix[len - 1] == '/')
            len--;
        remote_prefix = mm_strndup(prefix, len);
    }
    const char *out_dir = cfg->target.local.output_dir[0] ? cfg->target.local.output_dir : ".";
    mm_staging_probe p = {
        .milvus = milvus, .local_dir = storage ? NULL : out_dir, .storage = storage,
        .remote_prefix = remote_prefix ? remote_prefix : "", .scratch_dir = scratch_dir,
        .id_field = cfg->target.milvus2x.fields.id, .vector_field = cfg->target.milvus2x.fields.vector,
        .poll_interval_ms = cfg->loader.poll_interval_seconds * 1000, .cancel = cancel,
    };
    char *summary = NULL;
    mm_error err;
    mm_error_clear(&err);
    if (mm_staging_probe_run(&p, &summary, &err) == 0) {
        add(out, MM_FINDING_INFO, "%s", summary);
        probe_remember(cfg, MM_FINDING_INFO, summary);
    } else {
        add(out, MM_FINDING_BLOCKER, "%s", err.message);
        /* A cancelled probe says nothing about the staging place. */
        if (!(cancel && atomic_load(cancel)))
            probe_remember(cfg, MM_FINDING_BLOCKER, err.message);
    }
    free(summary);
    free(remote_prefix);
}
