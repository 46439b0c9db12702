/* The load step of a job: migration.yaml's choices into load options and
 * the summary line. */
#include "job/job.h"

#include "base/strbuf.h"
#include "load/load.h"

#include <limits.h>
#include <stdlib.h>

static void load_event(void *ctx, const char *line)
{
    mm_sink_event(ctx, "load", line);
}

int mm_job_load(mm_job *job, mm_milvus *milvus, mm_error *err)
{
    const mm_config *cfg = &job->cfg;
    const mm_sink *sink = job->sink;
    if (!job->preflight_done)
        return mm_error_set(err, MM_ERR_INTERNAL, "%s: load before the target check (mm_job_preflight)", job->command);
    mm_sink_step_started(sink, "load");
    char local_root[PATH_MAX];
    if (!job->storage && !realpath(job->root, local_root))
        return mm_error_set(err, MM_ERR_CONFIG, "staging directory %s does not exist; run `milvus-migrate dump` "
                            "first", job->root);
    mm_sink_message(sink, MM_SINK_NOTE, "load", "connected to %s (Milvus %s)", mm_milvus_endpoint(milvus),
                    mm_milvus_version(milvus));
    mm_load_options o = {
        .inv = &job->inv, .journal = job->journal, .milvus = milvus,
        .id_field = cfg->target.milvus2x.fields.id, .vector_field = cfg->target.milvus2x.fields.vector,
        .existing = cfg->target.milvus2x.existing_collection, .drops_confirmed = (const char *const *)job->drops_confirmed,
        .create_index = cfg->target.milvus2x.create_index,
        .local_root = job->storage ? NULL : local_root, .storage = job->storage, .remote_root = job->remote_root,
        .scratch_dir = job->root, .workers = cfg->loader.worker.limit,
        .poll_interval_ms = cfg->loader.poll_interval_seconds * 1000,
        .import_timeout_s = cfg->loader.import_timeout_minutes * 60, .settle_s = cfg->loader.settle_seconds,
        .progress = sink && sink->ops ? sink->ops->load_progress : NULL, .progress_ctx = sink ? sink->ctx : NULL,
        .log = load_event, .log_ctx = (void *)sink, .cancel = sink ? sink->cancel : NULL,
    };
    mm_load_result r;
    if (mm_load_run(&o, &r, err) != 0)
        return -1;
    mm_strbuf line;
    mm_strbuf_init(&line);
    mm_strbuf_appendf(&line, "loaded %lld rows in %zu batch(es) into %s; %zu batch(es) were imported before; "
                      "collections: %zu created, %zu appended to, %zu skipped, %zu resumed; %zu partition(s) created",
                      (long long)r.rows_imported, r.batches_imported, mm_milvus_endpoint(milvus), r.batches_reused,
                      r.collections_created, r.collections_appended, r.collections_skipped, r.collections_resumed,
                      r.partitions_created);
    if (cfg->target.milvus2x.create_index)
        mm_strbuf_appendf(&line, "; %zu index(es) requested, %zu without a 2.x equivalent", r.indexes_created,
                          r.indexes_skipped);
    if (r.batches_stale)
        mm_strbuf_appendf(&line, "; %zu stale batch(es) of segments no longer live not imported", r.batches_stale);
    mm_sink_message(sink, MM_SINK_SUMMARY, NULL, "%s", line.data ? line.data : "");
    mm_strbuf_free(&line);
    return 0;
}
