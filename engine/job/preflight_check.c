#include "job/preflight_check.h"

#include "base/strbuf.h"
#include "job/job.h"

#include <stdlib.h>
#include <string.h>

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
        if (!d->name || !d->target_name) {
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
