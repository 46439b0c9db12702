/* Making a 2.x collection readable by Query for the content sample, and
 * leaving it as it was found (content.h). */
#include "content/content.h"

#include "base/strbuf.h"
#include "base/timeutil.h"
#include "milvus2/loading.h"
#include "source/inventory_render.h"

#include <inttypes.h>
#include <string.h>

enum { POLL_MS = 200, NOTE_EVERY_S = 5 };

uint64_t mm_content_load_memory(int64_t rows, int64_t vector_bytes)
{
    /* A FLAT index is as large as the vectors; the keys come along. */
    return rows > 0 ? 2u * (uint64_t)rows * (uint64_t)(vector_bytes + 8) : 0;
}

static bool cancelled(const mm_content_load *o)
{
    return o->cancel && atomic_load(o->cancel);
}

/* Polls until the collection is loaded. */
static int wait_loaded(const mm_content_load *o, mm_error *err)
{
    double started = mm_monotonic_seconds(), said = started;
    for (;;) {
        int state = 0;
        if (mm_milvus_load_state(o->milvus, o->collection, &state, err) != 0)
            return -1;
        if (state == MM_LOAD_STATE_LOADED)
            return 0;
        if (state != MM_LOAD_STATE_LOADING)
            return mm_error_set(err, MM_ERR_NETWORK, "loading %s for the content sample: Milvus says it is %s; load "
                                "it by hand and verify again, or set verify.sample: 0", o->collection,
                                mm_milvus_load_state_name(state));
        double now = mm_monotonic_seconds();
        if (now - started >= o->load_timeout_s)
            return mm_error_set(err, MM_ERR_NETWORK, "loading %s for the content sample did not finish in %d s; the "
                                "query nodes may lack memory (GetLoadingProgress shows how far it got)",
                                o->collection, o->load_timeout_s);
        if (now - said >= NOTE_EVERY_S) {
            int64_t progress = 0, refresh = 0;
            if (mm_milvus_loading_progress(o->milvus, o->collection, &progress, &refresh, err) != 0)
                return -1;
            mm_emit_line(o->note, o->ctx, "loading %s: %" PRId64 "%%", o->collection, progress);
            said = now;
        }
        if (cancelled(o))
            return mm_error_set(err, MM_ERR_CANCELLED, "verify cancelled");
        mm_sleep_ms(POLL_MS);
    }
}

/* A loaded collection reads the segments of its load's target; segments
 * imported since then join it only at querycoord's next target update
 * (every 10 s) — a Strong Query alone does not wait for them. Refreshing
 * takes them in now (LoadCollection refresh=true, then refresh_progress;
 * the progress field answers on a 2.2 server, which has no refresh_progress). */
static void refresh(const mm_content_load *o)
{
    mm_error e;
    mm_error_clear(&e);
    int code = 0;
    bool old = mm_milvus_generation(o->milvus) < 23;
    double started = mm_monotonic_seconds();
    int rc = mm_milvus_load_collection(o->milvus, o->collection, true, &code, &e);
    while (rc == 0) {
        int64_t progress = 0, refreshed = 0;
        rc = mm_milvus_loading_progress(o->milvus, o->collection, &progress, &refreshed, &e);
        if (rc == 0 && (old ? progress : refreshed) >= 100)
            return;
        if (rc == 0 && mm_monotonic_seconds() - started >= o->timeout_s)
            rc = mm_error_set(&e, MM_ERR_NETWORK, "the refresh of %s did not finish in %d s", o->collection,
                              o->timeout_s);
        if (rc == 0 && cancelled(o))
            return;
        if (rc == 0)
            mm_sleep_ms(POLL_MS);
    }
    mm_emit_line(o->note, o->ctx, "warning: %s could not be refreshed before the content sample (%s); rows imported "
                 "in the last seconds may read as missing: verify again in a minute", o->collection, e.message);
}

static const char *index_metric(const mm_content_load *o)
{
    const char *m = o->metric ? o->metric : "";
    if (o->binary)
        return strcmp(m, "JACCARD") == 0 ? "JACCARD" : "HAMMING";
    return strcmp(m, "IP") == 0 ? "IP" : "L2";
}

static int load_for_sample(const mm_content_load *o, mm_content_target *t, mm_error *err)
{
    char size[32];
    mm_format_bytes(t->memory_bytes, size, sizeof size);
    mm_emit_line(o->note, o->ctx, "loading %s for the content sample (verify.loadForSample): about %s of query-node "
                 "memory; it is released afterwards", o->collection, size);
    bool has = false;
    if (mm_milvus_has_index(o->milvus, o->collection, o->vector_field, &has, err) != 0)
        return -1;
    if (!has) {
        const char *type = o->binary ? "BIN_FLAT" : "FLAT", *metric = index_metric(o);
        if (mm_milvus_create_index(o->milvus, o->collection, o->vector_field, type, metric, NULL, err) != 0)
            return mm_error_wrap(err, "index %s for the content sample", o->collection);
        t->index_created = true;
        mm_emit_line(o->note, o->ctx, "made a %s index (%s) on %s.%s to load it; it is dropped afterwards", type,
                     metric, o->collection, o->vector_field);
    }
    int code = 0;
    if (mm_milvus_load_collection(o->milvus, o->collection, false, &code, err) != 0)
        return -1;
    t->loaded_for_sample = true;
    if (wait_loaded(o, err) != 0)
        return -1;
    t->ready = true;
    return 0;
}

int mm_content_target_prepare(const mm_content_load *o, mm_content_target *t, mm_error *err)
{
    memset(t, 0, sizeof *t);
    t->memory_bytes = mm_content_load_memory(o->rows, o->vector_bytes);
    if (mm_milvus_load_state(o->milvus, o->collection, &t->load_state, err) != 0)
        return -1;
    if (t->load_state == MM_LOAD_STATE_NOT_EXIST)
        return 0;
    if (t->load_state == MM_LOAD_STATE_NOT_LOAD)
        return o->consent ? load_for_sample(o, t, err) : 0;
    if (t->load_state == MM_LOAD_STATE_LOADING) {
        mm_emit_line(o->note, o->ctx, "%s is loading; the content sample waits for it", o->collection);
        if (wait_loaded(o, err) != 0)
            return -1;
    }
    /* Loaded, perhaps from before the imports. */
    refresh(o);
    t->ready = true;
    return 0;
}

int mm_content_target_restore(const mm_content_load *o, const mm_content_target *t, mm_error *err)
{
    if (t->loaded_for_sample) {
        if (mm_milvus_release_collection(o->milvus, o->collection, err) != 0)
            return mm_error_wrap(err, "%s was loaded for the content sample and stays loaded; release it by hand",
                                 o->collection);
        mm_emit_line(o->note, o->ctx, "released %s again", o->collection);
    }
    if (t->index_created) {
        if (mm_milvus_drop_index(o->milvus, o->collection, o->vector_field, err) != 0)
            return mm_error_wrap(err, "the index made on %s.%s for the content sample stays; drop it by hand",
                                 o->collection, o->vector_field);
        mm_emit_line(o->note, o->ctx, "dropped the index made on %s.%s for the content sample", o->collection,
                     o->vector_field);
    }
    return 0;
}
