#include "job/preflight_check.h"

#include "base/strbuf.h"
#include "job/job.h"
#include "job/preflight.h"

#include <stdlib.h>
#include <string.h>

/* The partitions without their segments: what the limits count. False
 * when out of memory (what was copied is freed with the inventory). */
static bool copy_partitions(const mm_collection_info *c, mm_collection_info *d)
{
    d->partitions = calloc(c->n_partitions ? c->n_partitions : 1, sizeof *d->partitions);
    if (!d->partitions)
        return false;
    for (size_t p = 0; p < c->n_partitions; p++) {
        const mm_partition_info *sp = &c->partitions[p];
        mm_partition_info *dp = &d->partitions[d->n_partitions++];
        dp->tag = mm_strdup(sp->tag);
        dp->target_name = mm_strdup(sp->target_name);
        dp->table_id = mm_strdup(sp->table_id);
        dp->flush_lsn = sp->flush_lsn;
        if (!dp->tag || !dp->target_name || !dp->table_id)
            return false;
    }
    return true;
}

int mm_preflight_collections_copy(const mm_inventory *inv, const bool *selected, mm_inventory *out, mm_error *err)
{
    mm_inventory_init(out);
    out->collections = calloc(inv->n_collections ? inv->n_collections : 1, sizeof *out->collections);
    if (!out->collections)
        return mm_error_set(err, MM_ERR_NOMEM, "target check: out of memory");
    for (size_t i = 0; i < inv->n_collections; i++) {
        if (selected && !selected[i])
            continue;
        const mm_collection_info *c = &inv->collections[i];
        mm_collection_info *d = &out->collections[out->n_collections++];
        d->name = mm_strdup(c->name);
        d->target_name = mm_strdup(c->target_name);
        d->dim = c->dim;
        d->binary = c->binary;
        d->metric_type = c->metric_type;
        d->engine_type = c->engine_type;
        d->duplicate_ids = c->duplicate_ids;
        if (!d->name || !d->target_name || !copy_partitions(c, d)) {
            mm_inventory_free(out);
            return mm_error_set(err, MM_ERR_NOMEM, "target check: out of memory");
        }
    }
    return 0;
}

void mm_target_preflight_check(const mm_config *cfg, const mm_inventory *inv, bool restart, mm_findings *out)
{
    mm_findings_init(out);
    mm_error err;
    mm_error_clear(&err);
    mm_milvus *milvus = NULL;
    mm_journal *journal = NULL;
    char *state_dir = mm_config_state_dir(cfg);
    int rc = state_dir ? mm_journal_open_readonly(state_dir, &journal, &err) : -1;
    free(state_dir);
    if (rc != 0) {
        mm_findings_add(out, MM_FINDING_WARNING, MM_LOSS_NONE, NULL, -1,
            mm_asprintf("the journal could not be read: %s", err.message[0] ? err.message : "out of memory"), NULL);
        return;
    }
    bool connected = cfg->target.milvus2x.endpoint[0] && mm_job_milvus_connect(cfg, &milvus, &err) == 0;
    mm_preflight_input in = {.cfg = cfg, .inv = inv, .milvus = connected ? milvus : NULL, .journal = journal,
                             .restart = restart, .dumps = false};
    mm_findings found;
    if (mm_target_preflight(&in, &found, &err) == 0) {
        *out = found;
    } else {
        connected = false;
    }
    /* Then what the run's own pre-flight adds (mm_job_preflight): the plan
     * against Milvus's limits and the staging probe, here its last verdict
     * (the probe itself takes seconds: t on the Target screen runs it). */
    mm_preflight_limits(cfg, inv, NULL, out);
    if (connected)
        mm_preflight_probe_recall(cfg, mm_findings_count(out, MM_FINDING_BLOCKER) > 0, out);
    if (!connected)
        mm_findings_add(out, MM_FINDING_WARNING, MM_LOSS_NONE, NULL, -1,
            !cfg->target.milvus2x.endpoint[0]
                ? mm_strdup("Milvus 2.x is not checked yet: target.milvus2x.endpoint is not set (Target screen)")
                : mm_asprintf("Milvus 2.x could not be checked: %s; the run checks it again before anything is "
                              "dumped", err.message),
            NULL);
    mm_milvus_close(milvus);
    mm_journal_close(journal);
}
