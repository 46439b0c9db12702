#include "verify.h"

#include "plan.h"
#include "base/strbuf.h"
#include "base/timeutil.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct sums {
    const char *collection, *partition;
    int64_t dumped, imported;
    mm_batch_plan *plan;
} sums;

static int add_batch(void *ctx, const mm_journal_batch *b)
{
    sums *s = ctx;
    if (strcmp(b->collection, s->collection) != 0 || strcmp(b->partition, s->partition) != 0)
        return 0;
    /* Rows of stale batches are not expected; if imported, Milvus shows them. */
    if (mm_batch_plan_classify(s->plan, b, NULL) != MM_BATCH_IN_PLAN)
        return 0;
    if (b->state >= MM_BATCH_DUMPED)
        s->dumped += b->rows;
    if (b->state == MM_BATCH_IMPORTED)
        s->imported += b->imported_rows;
    return 0;
}



/* Source-side numbers of every partition, from the inventory and journal. */
static int fill_rows(const mm_verify_options *opt, mm_batch_plan *plan, mm_verify_report *r, mm_error *err)
{
    const mm_inventory *inv = opt->inv;
    size_t n = 0;
    for (size_t i = 0; i < inv->n_collections; i++)
        n += inv->collections[i].n_partitions;
    r->rows = calloc(n ? n : 1, sizeof *r->rows);
    r->collections = calloc(inv->n_collections ? inv->n_collections : 1, sizeof *r->collections);
    if (!r->rows || !r->collections)
        return mm_error_set(err, MM_ERR_NOMEM, "verify: out of memory");
    for (size_t i = 0; i < inv->n_collections; i++) {
        const mm_collection_info *c = &inv->collections[i];
        mm_journal_target t;
        bool found = false;
        if (mm_journal_target_get(opt->journal, c->name, &t, &found, err) != 0)
            return -1;
        mm_verify_collection *vc = &r->collections[r->n_collections++];
        vc->collection = mm_strdup(c->name);
        vc->target = mm_strdup(c->target_name);
        vc->skipped = found && t.state == MM_TARGET_SKIPPED;
        vc->expected = found && t.state == MM_TARGET_APPENDING ? t.baseline_rows : 0;
        vc->milvus = -1;
        vc->load_state = -1;
        mm_journal_target_free(&t);
        for (size_t p = 0; p < c->n_partitions; p++) {
            const mm_partition_info *part = &c->partitions[p];
            mm_verify_row *row = &r->rows[r->n_rows++];
            row->collection = mm_strdup(c->name);
            row->partition = mm_strdup(part->tag);
            row->target_collection = mm_strdup(c->target_name);
            row->target_partition = mm_strdup(p == 0 ? "_default" : part->target_name);
            row->skipped = vc->skipped;
            row->milvus = -1;
            for (size_t s = 0; s < part->n_segments; s++) {
                row->source_live += part->segments[s].live;
                mm_journal_segment seg;
                bool done = false;
                if (mm_journal_segment_get(opt->journal, c->name, part->segments[s].segment_id, &seg, &done, err))
                    return -1;
                row->nan_skipped += done ? seg.nan_skipped : 0;
            }
            sums sm = {c->name, part->tag, 0, 0, plan};
            if (mm_journal_each(opt->journal, add_batch, &sm, err) != 0)
                return -1;
            row->dumped = sm.dumped;
            row->imported = sm.imported;
            bool known = false;
            if (mm_journal_partition_baseline_get(opt->journal, c->name, part->tag, &row->baseline, &known, err))
                return -1;
            vc->expected += row->dumped;
        }
    }
    return 0;
}

/* Reads every row_count until all equal what is expected, or they stop
 * changing for three reads in a row, or the timeout passes. */
static int read_counts(const mm_verify_options *opt, mm_verify_report *r, mm_error *err)
{
    double started = mm_monotonic_seconds();
    int stable_reads = 0;
    for (;;) {
        bool all_expected = true, changed = false;
        for (size_t i = 0; i < r->n_rows; i++) {
            mm_verify_row *row = &r->rows[i];
            if (row->skipped)
                continue;
            int64_t v = -1;
            if (mm_milvus_partition_rows(opt->milvus, row->target_collection, row->target_partition, &v, err) != 0)
                return -1;
            changed |= v != row->milvus;
            row->milvus = v;
            all_expected &= v == row->baseline + row->dumped;
        }
        for (size_t i = 0; i < r->n_collections; i++) {
            mm_verify_collection *c = &r->collections[i];
            if (c->skipped)
                continue;
            int64_t v = -1;
            if (mm_milvus_collection_rows(opt->milvus, c->target, &v, err) != 0)
                return -1;
            changed |= v != c->milvus;
            c->milvus = v;
            all_expected &= v == c->expected;
        }
        stable_reads = changed ? 1 : stable_reads + 1;
        if (all_expected || stable_reads >= 3 || mm_monotonic_seconds() - started >= opt->stats_timeout_s)
            return 0;
        if (opt->cancel && atomic_load(opt->cancel))
            return mm_error_set(err, MM_ERR_CANCELLED, "verify cancelled");
        mm_sleep_ms(opt->poll_interval_ms > 0 ? opt->poll_interval_ms : 1000);
    }
}

/* The first mismatches of a partition's content sample; report.json and
 * report.md list every one. */
static char *content_note(const mm_content_result *c)
{
    enum { SHOWN = 3 };
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_appendf(&sb, "content: %" PRId64 " of %" PRId64 " sampled row(s) differ:", c->sampled - c->matched,
                      c->sampled);
    for (size_t i = 0; i < c->n_mismatches && i < SHOWN; i++)
        mm_strbuf_appendf(&sb, "%s id %" PRId64 " %s", i ? ";" : "", c->mismatches[i].id, c->mismatches[i].what);
    if (c->n_mismatches > SHOWN)
        mm_strbuf_appendf(&sb, "; and %zu more (listed in the report)", c->n_mismatches - SHOWN);
    return mm_strbuf_take(&sb);
}

void mm_verify_judge(mm_verify_report *r)
{
    r->all_match = true;
    r->mismatches = 0;
    for (size_t i = 0; i < r->n_rows; i++) {
        mm_verify_row *row = &r->rows[i];
        char *note = NULL;
        if (row->skipped)
            note = mm_strdup("skipped: the collection existed (existingCollection: skip)");
        else if (row->source_live - row->nan_skipped != row->dumped)
            note = mm_asprintf("%" PRId64 " live rows in 1.x but %" PRId64 " staged; run dump again",
                               row->source_live - row->nan_skipped, row->dumped);
        else if (row->imported != row->dumped)
            note = mm_asprintf("import tasks reported %" PRId64 " of %" PRId64 " staged rows; run load again",
                               row->imported, row->dumped);
        else if (row->milvus != row->baseline + row->dumped)
            note = mm_asprintf("Milvus counts %" PRId64 " rows, expected %" PRId64 "%s", row->milvus,
                               row->baseline + row->dumped,
                               row->milvus > row->baseline + row->dumped ? " (rows imported twice or added by "
                                                                           "someone else?)" : "");
        bool counts_match = row->skipped || note == NULL;
        row->match = counts_match && mm_content_result_ok(&row->content);
        if (!mm_content_result_ok(&row->content)) {
            char *content = content_note(&row->content);
            char *both = note ? mm_asprintf("%s; %s", note, content ? content : "") : content;
            if (note)
                free(content);
            free(note);
            note = both;
        }
        if (row->nan_skipped && !note)
            note = mm_asprintf("%" PRId64 " NaN/Inf rows left out (dumper.nanPolicy: skip)", row->nan_skipped);
        free(row->note);
        row->note = note ? note : mm_strdup("");
        if (!row->match) {
            r->all_match = false;
            r->mismatches++;
        }
    }
    for (size_t i = 0; i < r->n_collections; i++) {
        mm_verify_collection *c = &r->collections[i];
        c->partition_mismatches = 0;
        for (size_t j = 0; j < r->n_rows; j++)
            c->partition_mismatches += !r->rows[j].match && strcmp(r->rows[j].collection, c->collection) == 0;
        c->match = c->skipped || (c->milvus == c->expected && c->partition_mismatches == 0);
        if (!c->match) {
            r->all_match = false;
            r->mismatches++;
        }
    }
}

static int add_rename(mm_verify_report *r, const char *collection, const char *partition, const char *from,
                      const char *to)
{
    mm_verify_rename *grown = realloc(r->renames, (r->n_renames + 1) * sizeof *grown);
    if (!grown)
        return -1;
    r->renames = grown;
    mm_verify_rename *n = &r->renames[r->n_renames++];
    n->collection = mm_strdup(collection);
    n->partition = partition ? mm_strdup(partition) : NULL;
    n->from = mm_strdup(from);
    n->to = mm_strdup(to);
    return n->collection && (!partition || n->partition) && n->from && n->to ? 0 : -1;
}

/* The report names everything not migrated as it is in 1.x. */
static int fill_source_notes(const mm_inventory *inv, mm_verify_report *r, mm_error *err)
{
    r->skipped_rows = inv->skipped_rows;
    r->skipped_segments = inv->n_skipped;
    r->source_warnings = calloc(inv->n_warnings + 1, sizeof *r->source_warnings);
    if (!r->source_warnings)
        return mm_error_set(err, MM_ERR_NOMEM, "verify: out of memory");
    for (size_t i = 0; i < inv->n_warnings; i++)
        if (!(r->source_warnings[r->n_source_warnings++] = mm_strdup(inv->warnings[i])))
            return mm_error_set(err, MM_ERR_NOMEM, "verify: out of memory");
    for (size_t i = 0; i < inv->n_collections; i++) {
        const mm_collection_info *c = &inv->collections[i];
        if (strcmp(c->name, c->target_name) != 0 && add_rename(r, c->name, NULL, c->name, c->target_name) != 0)
            return mm_error_set(err, MM_ERR_NOMEM, "verify: out of memory");
        for (size_t p = 1; p < c->n_partitions; p++)
            if (strcmp(c->partitions[p].tag, c->partitions[p].target_name) != 0 &&
                add_rename(r, c->name, c->partitions[p].tag, c->partitions[p].tag, c->partitions[p].target_name) != 0)
                return mm_error_set(err, MM_ERR_NOMEM, "verify: out of memory");
    }
    return 0;
}

int mm_verify_run(const mm_verify_options *opt, mm_verify_report *r, mm_error *err)
{
    memset(r, 0, sizeof *r);
    r->endpoint = mm_strdup(mm_milvus_endpoint(opt->milvus));
    r->server_version = mm_strdup(mm_milvus_version(opt->milvus));
    mm_batch_plan *plan = NULL;
    int rc = mm_batch_plan_build(opt->inv, opt->journal, &plan, err);
    if (rc == 0)
        rc = fill_rows(opt, plan, r, err);
    mm_batch_plan_free(plan);
    if (rc == 0)
        rc = fill_source_notes(opt->inv, r, err);
    if (rc != 0 || read_counts(opt, r, err) != 0)
        return -1;
    mm_verify_judge(r);
    return 0;
}

void mm_verify_report_free(mm_verify_report *r)
{
    for (size_t i = 0; i < r->n_rows; i++) {
        mm_verify_row *row = &r->rows[i];
        free(row->collection);
        free(row->partition);
        free(row->target_collection);
        free(row->target_partition);
        free(row->note);
        mm_content_result_free(&row->content);
    }
    for (size_t i = 0; i < r->n_collections; i++) {
        free(r->collections[i].collection);
        free(r->collections[i].target);
    }
    for (size_t i = 0; i < r->n_source_warnings; i++)
        free(r->source_warnings[i]);
    free(r->source_warnings);
    for (size_t i = 0; i < r->n_renames; i++) {
        free(r->renames[i].collection);
        free(r->renames[i].partition);
        free(r->renames[i].from);
        free(r->renames[i].to);
    }
    free(r->renames);
    free(r->rows);
    free(r->collections);
    free(r->endpoint);
    free(r->server_version);
    memset(r, 0, sizeof *r);
}
