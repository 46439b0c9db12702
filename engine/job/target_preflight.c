#include "job/target_preflight.h"

#include "base/remedy.h"
#include "base/strbuf.h"
#include "load/load.h"
#include "plan.h"

#include <stdlib.h>
#include <string.h>

void mm_findings_init(mm_findings *f)
{
    memset(f, 0, sizeof *f);
}

void mm_findings_free(mm_findings *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->items[i].text);
        free(f->items[i].collection);
    }
    free(f->items);
    memset(f, 0, sizeof *f);
}

int mm_findings_add(mm_findings *f, mm_finding_kind kind, mm_loss_kind loss, const char *collection, int64_t rows,
               char *text, mm_error *err)
{
    if (!text)
        return mm_error_set(err, MM_ERR_NOMEM, "target check: out of memory");
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        mm_finding *grown = realloc(f->items, cap * sizeof *grown);
        if (!grown) {
            free(text);
            return mm_error_set(err, MM_ERR_NOMEM, "target check: out of memory");
        }
        f->items = grown;
        f->cap = cap;
    }
    f->items[f->n++] = (mm_finding){kind, loss, text, collection ? mm_strdup(collection) : NULL, rows};
    return 0;
}

size_t mm_findings_count(const mm_findings *f, mm_finding_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        n += f->items[i].kind == kind;
    return n;
}

char *mm_findings_text(const mm_findings *f, mm_finding_kind kind)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (size_t i = 0; i < f->n; i++)
        if (f->items[i].kind == kind)
            mm_strbuf_appendf(&sb, "%s- %s", sb.len ? "\n" : "", f->items[i].text);
    return sb.data ? mm_strbuf_take(&sb) : mm_strdup("");
}

char **mm_findings_drops(const mm_findings *f)
{
    char **names = calloc(f->n + 1, sizeof *names);
    size_t k = 0;
    for (size_t i = 0; names && i < f->n; i++)
        if (f->items[i].kind == MM_FINDING_LOSS && f->items[i].loss == MM_LOSS_DROP) {
            names[k] = mm_strdup(f->items[i].collection);
            if (!names[k++]) {
                mm_findings_drops_free(names);
                return NULL;
            }
        }
    return names;
}

void mm_findings_drops_free(char **names)
{
    for (size_t i = 0; names && names[i]; i++)
        free(names[i]);
    free(names);
}

/* "out/migration" or "bucket B, prefix P/migration": where the staged files are. */
static char *staging_place(const mm_config *cfg)
{
    if (cfg->target.mode == MM_LOCATION_REMOTE) {
        const mm_config_remote *r = &cfg->target.remote;
        return mm_asprintf("bucket %s, prefix %s%smigration", r->bucket, r->prefix, r->prefix[0] ? "/" : "");
    }
    return mm_asprintf("%s/migration", cfg->target.local.output_dir[0] ? cfg->target.local.output_dir : ".");
}

/* ---- what the journal holds ----------------------------------------------------- */

static int journal_discarded(const mm_preflight_input *in, mm_findings *out, mm_error *err)
{
    mm_journal_summary s;
    if (mm_journal_summarize(in->journal, &s, err) != 0)
        return -1;
    int rc = 0;
    if (s.batches) {
        char *where = staging_place(in->cfg);
        char a[32], b[32];
        rc = mm_findings_add(out, MM_FINDING_LOSS, MM_LOSS_JOURNAL, NULL, s.rows_dumped,
                 mm_asprintf("the journal %s is discarded (starting over): it records %zu batch(es), %s row(s) staged and "
                             "%s imported into Milvus 2.x; their staged files in %s are written again, and a 2.x "
                             "collection it created counts as an existing one (existingCollection applies to it)",
                             mm_journal_path(in->journal), s.batches, mm_format_count(a, sizeof a, s.rows_dumped),
                             mm_format_count(b, sizeof b, s.rows_imported), where ? where : "?"),
                 err);
        free(where);
    }
    mm_journal_summary_free(&s);
    return rc;
}

typedef struct stale_ctx {
    mm_batch_plan *plan;
    size_t deleted, kept;
    int64_t deleted_rows, kept_rows;
} stale_ctx;

static int count_stale(void *ctx, const mm_journal_batch *b)
{
    stale_ctx *sc = ctx;
    if (mm_batch_plan_classify(sc->plan, b, NULL) != MM_BATCH_STALE)
        return 0;
    if (b->state >= MM_BATCH_SUBMITTED) {
        sc->kept++;
        sc->kept_rows += b->rows;
    } else {
        sc->deleted++;
        sc->deleted_rows += b->rows;
    }
    return 0;
}

/* Batches of segments the source no longer has: the dump deletes their
 * staged files (those already imported stay in Milvus). */
static int stale_batches(const mm_preflight_input *in, mm_findings *out, mm_error *err)
{
    stale_ctx sc = {0};
    if (mm_batch_plan_build(in->inv, in->journal, &sc.plan, err) != 0)
        return -1;
    int rc = mm_journal_each(in->journal, count_stale, &sc, err);
    mm_batch_plan_free(sc.plan);
    char a[32];
    if (rc == 0 && sc.deleted) {
        char *where = staging_place(in->cfg);
        rc = mm_findings_add(out, MM_FINDING_LOSS, MM_LOSS_STALE, NULL, sc.deleted_rows,
                 mm_asprintf("%zu staged batch(es) of 1.x segments that are no longer live (%s row(s)) are deleted "
                             "from %s; the segments the 1.x source holds now are dumped instead",
                             sc.deleted, mm_format_count(a, sizeof a, sc.deleted_rows), where ? where : "?"),
                 err);
        free(where);
    }
    if (rc == 0 && sc.kept)
        rc = mm_findings_add(out, MM_FINDING_WARNING, MM_LOSS_NONE, NULL, sc.kept_rows,
                 mm_asprintf("%zu batch(es) of 1.x segments that are no longer live (%s row(s)) were already "
                             "imported: they stay in Milvus 2.x and verify counts them as a mismatch; drop the 2.x "
                             "collection and start over %s to remove them",
                             sc.kept, mm_format_count(a, sizeof a, sc.kept_rows), mm_remedy_how(MM_REMEDY_START_OVER)),
                 err);
    return rc;
}

/* ---- what exists in Milvus 2.x ---------------------------------------------------- */

static int existing_collection(const mm_preflight_input *in, const mm_collection_info *c, mm_findings *out,
                               mm_error *err)
{
    mm_milvus *m = in->milvus;
    const char *name = c->target_name, *endpoint = mm_milvus_endpoint(m);
    bool exists = false;
    if (mm_milvus_has_collection(m, name, &exists, err) != 0)
        return -1;
    if (!exists)
        return 0;
    int64_t rows = 0;
    if (mm_milvus_collection_rows(m, name, &rows, err) != 0)
        return -1;
    char n[32];
    mm_format_count(n, sizeof n, rows);
    mm_journal_target t;
    bool known = false;
    if (in->journal && !in->restart && mm_journal_target_get(in->journal, c->name, &t, &known, err) != 0)
        return -1;
    if (known) {
        mm_target_state state = t.state;
        mm_journal_target_free(&t);
        if (state == MM_TARGET_SKIPPED)
            return mm_findings_add(out, MM_FINDING_INFO, MM_LOSS_NONE, name, rows,
                       mm_asprintf("2.x collection %s (%s row(s)) is left alone, as this migration's earlier run "
                                   "decided (existingCollection: skip)", name, n), err);
        return mm_findings_add(out, MM_FINDING_INFO, MM_LOSS_NONE, name, rows,
                   mm_asprintf("2.x collection %s holds %s row(s) from this migration's earlier run%s: the run "
                               "goes on with it", name, n, state == MM_TARGET_APPENDING ? " (appending)" : ""),
                   err);
    }
    switch (in->cfg->target.milvus2x.existing_collection) {
    case MM_EXISTING_DROP:
        return mm_findings_add(out, MM_FINDING_LOSS, MM_LOSS_DROP, name, rows,
                   mm_asprintf("2.x collection %s on %s is dropped with its %s row(s) and created anew "
                               "(existingCollection: drop)", name, endpoint, n), err);
    case MM_EXISTING_APPEND: {
        mm_error schema;
        mm_error_clear(&schema);
        if (mm_load_check_schema(m, c, in->cfg->target.milvus2x.fields.id, in->cfg->target.milvus2x.fields.vector,
                                 &schema) != 0)
            return schema.code == MM_ERR_CONFIG
                       ? mm_findings_add(out, MM_FINDING_BLOCKER, MM_LOSS_NONE, name, rows, mm_strdup(schema.message), err)
                       : (*err = schema, -1);
        return mm_findings_add(out, MM_FINDING_INFO, MM_LOSS_NONE, name, rows,
                   mm_asprintf("2.x collection %s exists with %s row(s): the run appends to it (existingCollection: "
                               "append), and verify counts those rows as there before", name, n), err);
    }
    case MM_EXISTING_SKIP:
        return mm_findings_add(out, MM_FINDING_WARNING, MM_LOSS_NONE, name, rows,
                   mm_asprintf("2.x collection %s exists with %s row(s): it is left alone, so 1.x collection %s is "
                               "not migrated (existingCollection: skip)", name, n, c->name), err);
    case MM_EXISTING_ERROR:
    default:
        return mm_findings_add(out, MM_FINDING_BLOCKER, MM_LOSS_NONE, name, rows,
                   mm_asprintf("2.x collection %s already exists on %s with %s row(s), and "
                               "target.milvus2x.existingCollection is error: the run would stop there. Set it to "
                               "append, drop or skip, or give the collection another 2.x name "
                               "(target.milvus2x.names)", name, endpoint, n), err);
    }
}

int mm_target_preflight(const mm_preflight_input *in, mm_findings *out, mm_error *err)
{
    mm_findings_init(out);
    int rc = 0;
    if (in->journal && in->restart)
        rc = journal_discarded(in, out, err);
    else if (in->journal && in->dumps)
        rc = stale_batches(in, out, err);
    for (size_t i = 0; rc == 0 && in->milvus && i < in->inv->n_collections; i++)
        if (!in->selected || in->selected[i])
            rc = existing_collection(in, &in->inv->collections[i], out, err);
    out->target_checked = rc == 0 && in->milvus;
    if (rc != 0)
        mm_findings_free(out);
    return rc;
}
