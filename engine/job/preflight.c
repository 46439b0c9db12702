/* The checks before anything is dumped or created (preflight.h). */
#include "job/preflight.h"

#include "base/remedy.h"
#include "base/strbuf.h"
#include "load/staging_probe.h"
#include "plan.h"
#include "source/inventory_render.h"

#include <limits.h>
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

void mm_preflight_probe(const mm_config *cfg, mm_milvus *milvus, mm_storage *storage, const char *scratch_dir,
                        atomic_bool *cancel, mm_findings *out)
{
    if (!cfg->loader.probe_staging) {
        /* Chosen in the config: shown on the wizard's screens, not
         * repeated by every command. */
        add(out, MM_FINDING_INFO, "the staging probe is off (loader.probeStaging: false): whether Milvus reads "
            "the staged files shows only at the first import");
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
    if (mm_staging_probe_run(&p, &summary, &err) == 0)
        add(out, MM_FINDING_INFO, "%s", summary);
    else
        add(out, MM_FINDING_BLOCKER, "%s", err.message);
    free(summary);
    free(remote_prefix);
}
