/* Screen 5, Plan: what the run will create and move, before anything is
 * written. Per 2.x collection its source, vector field type and dimension,
 * partitions (2.x names), import batches, rows and staged bytes, then the
 * totals, where the files are staged and which Milvus receives them, and
 * what happens to a collection that already exists (e cycles the policy). */
#include "screens.h"

#include "plan.h"
#include "source/inventory_render.h"
#include "base/strbuf.h"
#include "tui/widget_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_NAME, COL_FROM, COL_VECTOR, COL_BATCHES, COL_ROWS, COL_BYTES, COL_COUNT };

static const mm_table_column columns[COL_COUNT] = {
    [COL_NAME] = {"2.X COLLECTION / PARTITION", 0, false}, [COL_FROM] = {"FROM 1.X", 0, false},
    [COL_VECTOR] = {"VECTOR FIELD", 17, false},            [COL_BATCHES] = {"BATCHES", 7, true},
    [COL_ROWS] = {"ROWS", 9, true},                        [COL_BYTES] = {"STAGED", 9, true},
};

typedef struct plan_state {
    mm_table table;
    bool ready;
    mm_plan plan;
    char *problem;          /* why there is no plan */
    uint64_t generation;    /* of the inventory the plan points into */
} plan_state;

static void rebuild(mm_app *app, plan_state *st)
{
    if (!st->ready) {
        mm_table_init(&st->table, columns, COL_COUNT);
        st->ready = true;
    }
    mm_table_clear(&st->table);
    mm_plan_free(&st->plan);
    free(st->problem);
    st->problem = NULL;
    st->generation = app->inventory_generation;
    if (!app->have_inventory)
        return;
    mm_error err;
    mm_error_clear(&err);
    mm_plan_limits limits = mm_plan_limits_of(&app->cfg);
    if (mm_plan_build(&st->plan, &app->inv, app->selected, &limits, &err) != 0) {
        st->problem = mm_strdup(err.message);
        return;
    }
    for (size_t i = 0; i < st->plan.n_collections; i++) {
        const mm_plan_collection *pc = &st->plan.collections[i];
        const mm_collection_info *c = pc->info;
        char vector[32], batches[24], rows[24], bytes[32];
        mm_plan_vector_type(c, vector, sizeof vector);
        snprintf(batches, sizeof batches, "%zu", pc->batches);
        snprintf(rows, sizeof rows, "%lld", (long long)pc->rows);
        mm_format_bytes(pc->bytes, bytes, sizeof bytes);
        const char *cells[COL_COUNT] = {c->target_name, c->name, vector, batches, rows, bytes};
        mm_table_add(&st->table, cells, MM_ROLE_NORMAL, (int)i, -1);
        for (size_t p = 0; p < c->n_partitions; p++) {
            const mm_plan_partition *pp = &pc->partitions[p];
            snprintf(batches, sizeof batches, "%zu", pp->batches);
            snprintf(rows, sizeof rows, "%lld", (long long)pp->rows);
            mm_format_bytes(pp->bytes, bytes, sizeof bytes);
            char *name = mm_asprintf("  %s", p == 0 ? "_default" : pp->info->target_name);
            char *from = mm_asprintf("  %s", pp->info->tag[0] ? pp->info->tag : "(default)");
            const char *pcells[COL_COUNT] = {name, from, "", batches, rows, bytes};
            mm_table_add(&st->table, pcells, MM_ROLE_NORMAL, (int)i, (int)p);
            free(name);
            free(from);
        }
    }
}

static void plan_enter(mm_app *app, void *state)
{
    rebuild(app, state);
}

static void plan_fini(mm_app *app, void *state)
{
    plan_state *st = state;
    if (st->ready)
        mm_table_fini(&st->table);
    mm_plan_free(&st->plan);
    free(st->problem);
}

static unsigned cycle_policy(mm_app *app, plan_state *st)
{
    static const char *const order[] = {"error", "append", "drop", "skip"};
    const mm_config_key *key = mm_config_find_key("target.milvus2x.existingCollection");
    size_t next = ((size_t)app->cfg.target.milvus2x.existing_collection + 1) % (sizeof order / sizeof order[0]);
    mm_error err;
    mm_error_clear(&err);
    if (mm_config_set_string(&app->cfg, key, order[next], &err) != 0)
        mm_app_message(app, MM_ROLE_ERROR, "%s", err.message);
    else
        mm_app_message(app, next == MM_EXISTING_DROP ? MM_ROLE_WARNING : MM_ROLE_STATUS,
                        "target.milvus2x.existingCollection: %s (s on the Config screen saves it)", order[next]);
    return MM_TUI_REDRAW;
}

static unsigned plan_action(mm_app *app, void *state, mm_action action, int key)
{
    plan_state *st = state;
    if (action == MM_ACT_CYCLE_POLICY)
        return cycle_policy(app, st);
    if (app->have_inventory && st->ready && mm_table_on_action(&st->table, action))
        return MM_TUI_REDRAW;
    return MM_TUI_NONE;
}

/* "out/migration (local directory)" or "bucket B at E, prefix P/migration". */
static char *staging_text(const mm_config *cfg)
{
    if (cfg->target.mode == MM_LOCATION_REMOTE) {
        const mm_config_remote *r = &cfg->target.remote;
        return mm_asprintf("bucket %s%s%s, prefix %s%smigration", r->bucket[0] ? r->bucket : "(no bucket)",
                           r->endpoint[0] ? " at " : "", r->endpoint, r->prefix, r->prefix[0] ? "/" : "");
    }
    if (cfg->target.mode == MM_LOCATION_LOCAL)
        return mm_asprintf("%s/migration (local directory)",
                           cfg->target.local.output_dir[0] ? cfg->target.local.output_dir : ".");
    return mm_strdup("(target.mode not set: choose it on the Target screen)");
}

static void draw_header(const mm_app *app, int y, int x, int w)
{
    const mm_config *cfg = &app->cfg;
    char *staging = staging_text(cfg);
    const char *ep = cfg->target.milvus2x.endpoint, *db = cfg->target.milvus2x.database;
    char *line = mm_asprintf("Stage in %s, import into Milvus 2.x at %s, database %s.", staging ? staging : "",
                             ep[0] ? ep : "(no endpoint)", db[0] ? db : "default");
    mm_draw_wrapped(y, x, w, 2, line ? line : "", mm_theme_attr(MM_ROLE_NORMAL));
    free(line);
    free(staging);
}

static void draw_totals(const plan_state *st, int y, int x, int w)
{
    char bytes[32];
    mm_format_bytes(st->plan.bytes, bytes, sizeof bytes);
    char *line = mm_asprintf("Total: %zu collection(s), %zu partition(s), %zu batch(es), %lld rows, %s staged.",
                             st->plan.n_collections, st->plan.partitions, st->plan.n_batches, (long long)st->plan.rows,
                             bytes);
    mm_draw_text(y, x, w, line ? line : "", mm_theme_attr(MM_ROLE_SECTION), true);
    free(line);
}

/* Names rewritten for 2.x among the planned collections and partitions. */
static size_t count_renames(const mm_plan *plan)
{
    size_t n = 0;
    for (size_t i = 0; i < plan->n_collections; i++) {
        const mm_collection_info *c = plan->collections[i].info;
        n += strcmp(c->name, c->target_name) != 0;
        for (size_t p = 1; p < c->n_partitions; p++)
            n += strcmp(c->partitions[p].tag, c->partitions[p].target_name) != 0;
    }
    return n;
}

/* What is not migrated as it is in 1.x, so nobody reads the plan as
 * "everything, under its own name". NULL when there is nothing to say. */
static char *notes_text(const mm_app *app, const plan_state *st)
{
    size_t renames = count_renames(&st->plan);
    const mm_inventory *inv = &app->inv;
    if (!renames && !inv->n_warnings)
        return NULL;
    return mm_asprintf("Renamed for 2.x: %zu; source warnings: %zu; rows not migrated: %lld (Preview, F2).",
                       renames, inv->n_warnings, (long long)inv->skipped_rows);
}

/* The schema of the highlighted collection. */
static void draw_fields(const mm_app *app, const plan_state *st, int y, int x, int w, int lines)
{
    const mm_table_item *row = mm_table_current(&st->table);
    if (!row)
        return;
    const mm_collection_info *c = st->plan.collections[row->tag].info;
    const char *id = app->cfg.target.milvus2x.fields.id, *vec = app->cfg.target.milvus2x.fields.vector;
    char vector[32];
    mm_plan_vector_type(c, vector, sizeof vector);
    char *text = mm_asprintf("%s: fields %s (Int64, primary key, autoID off) and %s (%s); 1.x metric %s, "
                             "index %s%s.", c->target_name, id[0] ? id : "id", vec[0] ? vec : "data", vector,
                             mm_metric_name(c->metric_type), mm_engine_type_name(c->engine_type),
                             app->cfg.target.milvus2x.create_index ? " (rebuilt: createIndex)" : " (not built)");
    mm_draw_wrapped(y, x, w, lines, text ? text : "", mm_theme_attr(MM_ROLE_DIM));
    free(text);
}

static void plan_draw(mm_app *app, void *state, const mm_rect *a)
{
    plan_state *st = state;
    if (!st->ready || st->generation != app->inventory_generation)
        rebuild(app, st); /* a connection test finished meanwhile: the old plan points into freed memory */
    int x = a->x + 1, w = a->w - 2;
    mm_draw_text(a->y, x, w, "The plan: nothing is written before Enter on the Run screen (F6).",
                 mm_theme_attr(MM_ROLE_SECTION), true);
    draw_header(app, a->y + 1, x, w);
    mm_existing_policy policy = app->cfg.target.milvus2x.existing_collection;
    char *pol = mm_asprintf("If a 2.x collection exists (existingCollection: %s): %s.", mm_plan_policy_name(policy),
                            mm_plan_policy_text(policy));
    int pol_lines = mm_draw_wrapped(a->y + 3, x, w, 2, pol ? pol : "",
                                    mm_theme_attr(policy == MM_EXISTING_DROP ? MM_ROLE_WARNING : MM_ROLE_NORMAL));
    free(pol);
    int top = a->y + 3 + pol_lines;
    /* Said here again, before Enter on the Run screen: what the source
     * checks found (no WAL checked, unflushed data, a server running). */
    if (app->have_inventory && app->source_alert)
        top += mm_draw_wrapped(top, x, w, 6, app->source_alert, mm_theme_attr(app->source_alert_role));
    if (!app->have_inventory || st->problem) {
        mm_draw_wrapped(top + 1, x, w, 4, st->problem ? st->problem : "No source connected yet. On the Source "
                        "screen (F1), choose the 1.x installation and run Test connection.",
                        mm_theme_attr(st->problem ? MM_ROLE_ERROR : MM_ROLE_STATUS));
        return;
    }
    int bottom = a->y + a->h;
    char *notes = notes_text(app, st);
    int notes_lines = notes ? 1 : 0;
    mm_rect table = {top, a->x, bottom - 3 - notes_lines - top, a->w};
    mm_table_draw(&st->table, &table, true);
    if (st->plan.n_collections == 0)
        mm_draw_text(table.y + 1, x, w, "No collection selected: nothing would be migrated (Preview, F2).",
                     mm_theme_attr(MM_ROLE_WARNING), true);
    if (notes)
        mm_draw_text(bottom - 4, x, w, notes, mm_theme_attr(MM_ROLE_WARNING), true);
    free(notes);
    draw_totals(st, bottom - 3, x, w);
    draw_fields(app, st, bottom - 2, x, w, 2);
}

const mm_screen mm_screen_plan = {
    .name = "plan",
    .title = "Plan",
    .state_size = sizeof(plan_state),
    .fini = plan_fini,
    .enter = plan_enter,
    .draw = plan_draw,
    .on_action = plan_action,
};
