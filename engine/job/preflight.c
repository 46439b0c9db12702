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

/* dataNode.import.maxImportFileSizeInGB and rootCoord.maxPartitionNum, the
 * defaults of every line from 2.3 to 3.0 (pkg/util/paramtable/
 * component_param.go 6719-6723 and 1907-1915 on 2.6, 7378-7382 and
 * 2033-2036 on 3.0, 5388-5392 and 1426-1429 on 2.5). */
#define IMPORT_SIZE_LIMIT (16ULL << 30)
enum { PARTITION_LIMIT = 1024 };

void mm_findings_free(mm_findings *f)
{
    for (size_t i = 0; i < f->count; i++)
        free(f->items[i].text);
    free(f->items);
    memset(f, 0, sizeof *f);
}

void mm_findings_add(mm_findings *f, mm_finding_level level, mm_error_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = mm_vasprintf(fmt, ap);
    va_end(ap);
    mm_finding *grown = text ? realloc(f->items, (f->count + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(text);
        return;
    }
    f->items = grown;
    f->items[f->count++] = (mm_finding){level, level == MM_FINDING_ERROR ? code : MM_OK, text};
    f->errors += level == MM_FINDING_ERROR;
    f->warnings += level == MM_FINDING_WARNING;
}

char *mm_findings_text(const mm_findings *f)
{
    static const char *const marks[] = {"ok: ", "warning: ", "error: "};
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (size_t i = 0; i < f->count; i++)
        mm_strbuf_appendf(&sb, "%s%s%s", i ? "\n" : "", marks[f->items[i].level], f->items[i].text);
    return mm_strbuf_take(&sb);
}

void mm_preflight_plan(const mm_config *cfg, const mm_inventory *inv, const bool *selected, mm_findings *out)
{
    mm_plan plan;
    mm_error err;
    mm_error_clear(&err);
    if (mm_plan_build(&plan, inv, selected, cfg->dumper.max_file_size, &err) != 0) {
        mm_findings_add(out, MM_FINDING_ERROR, err.code, "%s", err.message);
        return;
    }
    char limit[32], largest_text[32];
    mm_format_bytes(IMPORT_SIZE_LIMIT, limit, sizeof limit);
    uint64_t largest = 0;
    size_t over = 0;
    for (size_t i = 0; i < plan.n_batches; i++) {
        largest = plan.batches[i].bytes > largest ? plan.batches[i].bytes : largest;
        over += plan.batches[i].bytes > IMPORT_SIZE_LIMIT;
    }
    mm_format_bytes(largest, largest_text, sizeof largest_text);
    if (over)
        mm_findings_add(out, MM_FINDING_WARNING, MM_OK, "%zu import(s) would stage more than %s (id.npy and data.npy together, up to "
            "%s): Milvus fails such an import after the dump (dataNode.import.maxImportFileSizeInGB, 16 by "
            "default); keep dumper.maxFileSize at 16GiB or below unless the server's limit was raised",
            over, limit, largest_text);
    else if (plan.n_batches)
        mm_findings_add(out, MM_FINDING_OK, MM_OK, "the largest import stages %s (id.npy and data.npy together), within Milvus's %s "
            "per import", largest_text, limit);
    size_t widest = 0;
    for (size_t i = 0; i < plan.n_collections; i++) {
        const mm_collection_info *c = plan.collections[i].info;
        widest = c->n_partitions > widest ? c->n_partitions : widest;
        if (c->n_partitions > PARTITION_LIMIT)
            mm_findings_add(out, MM_FINDING_WARNING, MM_OK, "collection %s would get %zu partitions (with _default): Milvus allows %d "
                "per collection by default (rootCoord.maxPartitionNum) and refuses the rest at load; raise that "
                "limit on the server, or leave the collection out %s", c->target_name, c->n_partitions,
                PARTITION_LIMIT, mm_remedy_how(MM_REMEDY_LEAVE_OUT));
    }
    if (plan.n_collections && widest <= PARTITION_LIMIT)
        mm_findings_add(out, MM_FINDING_OK, MM_OK, "at most %zu partition(s) per collection, within Milvus's %d", widest, PARTITION_LIMIT);
    mm_plan_free(&plan);
}

void mm_preflight_collections(const mm_config *cfg, mm_milvus *milvus, const mm_preflight_target *targets,
                              size_t n_targets, mm_journal *journal, mm_findings *out)
{
    mm_existing_policy policy = cfg->target.milvus2x.existing_collection;
    size_t existing = 0;
    for (size_t i = 0; i < n_targets; i++) {
        bool exists = false;
        mm_error err;
        mm_error_clear(&err);
        if (mm_milvus_has_collection(milvus, targets[i].name, &exists, &err) != 0) {
            mm_findings_add(out, MM_FINDING_ERROR, err.code, "%s", err.message);
            return;
        }
        if (!exists)
            continue;
        existing++;
        if (policy != MM_EXISTING_ERROR)
            continue;
        /* A collection this migration created (or appended to) and was
         * interrupted in is resumed by load, whatever the policy says. */
        bool ours = false;
        if (journal) {
            mm_journal_target t;
            bool found = false;
            if (mm_journal_target_get(journal, targets[i].source, &t, &found, &err) == 0 && found) {
                ours = strcmp(t.target, targets[i].name) == 0;
                mm_journal_target_free(&t);
            }
        }
        if (ours)
            continue;
        mm_findings_add(out, journal ? MM_FINDING_ERROR : MM_FINDING_WARNING, MM_ERR_CONFIG, "collection %s already exists on Milvus at %s and "
            "target.milvus2x.existingCollection is error: load refuses it%s; set existingCollection to append, drop "
            "or skip, or rename the target (target.milvus2x.names)", targets[i].name, mm_milvus_endpoint(milvus),
            journal ? "" : " unless an interrupted run of this migration created it");
    }
    if (n_targets && !out->errors)
        mm_findings_add(out, MM_FINDING_OK, MM_OK, "%zu of the %zu target collection(s) exist on Milvus at %s (existingCollection: %s)",
            existing, n_targets, mm_milvus_endpoint(milvus), mm_plan_policy_name(policy));
}

void mm_preflight_probe(const mm_config *cfg, mm_milvus *milvus, mm_storage *storage, const char *scratch_dir,
                        atomic_bool *cancel, mm_findings *out)
{
    if (!cfg->loader.probe_staging) {
        /* Chosen in the config: shown on the wizard's screens, not
         * repeated by every command. */
        mm_findings_add(out, MM_FINDING_OK, MM_OK, "the staging probe is off (loader.probeStaging: false): whether Milvus reads "
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
        mm_findings_add(out, MM_FINDING_OK, MM_OK, "%s", summary);
    else
        mm_findings_add(out, MM_FINDING_ERROR, err.code, "%s", err.message);
    free(summary);
    free(remote_prefix);
}
