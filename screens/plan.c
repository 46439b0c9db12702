/* Screen 5, Plan: what the run will create and move, before anything is
 * written. Per 2.x collection its source, vector field type and dimension,
 * partitions (2.x names), import batches, rows and staged bytes, then the
 * totals, where the files are staged and which Milvus receives them, and
 * what happens to a collection that already exists (e cycles the policy).
 * The target is checked as soon as the screen shows (plan_check.h): the
 * 2.x collections that exist, their rows, what the run would do to them,
 * what stops it and what it would lose, the plan against Milvus's limits
 * and the staging probe's last verdict (or how to get one); t checks
 * again. These are the findings of the run's own pre-flight. */
#include "screens.h"

#include "plan.h"
#include "plan_check.h"
#include "source/inventory_render.h"
#include "base/strbuf.h"
#include "tui/widget_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_NAME, COL_FROM, COL_VECTOR, COL_BATCHES, COL_ROWS, COL_BYTES, COL_COUNT };

/* On a narrow terminal the 1.x names, the vector field, the batches and
 * the staged bytes go, in that order. */
static const mm_table_column columns[COL_COUNT] = {
    [COL_NAME] = {"2.X COLLECTION / PARTITION", 0, false, 14, 0}, [COL_FROM] = {"FROM 1.X", 0, false, 10, 4},
    [COL_VECTOR] = {"VECTOR FIELD", 17, false, 0, 3},            [COL_BATCHES] = {"BATCHES", 7, true, 0, 2},
    [COL_ROWS] = {"ROWS", 9, true, 0, 0},                        [COL_BYTES] = {"STAGED", 9, true, 0, 1},
};

typedef struct plan_state {
    mm_table table;
    bool ready;
    mm_plan plan;
    char *problem;          /* why there is no plan */
    uint64_t generation;    /* of the inventory the plan points into */
    mm_plan_check check;
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
        char vector[32], batches[32], rows[32], bytes[32];
        mm_plan_vector_type(c, vector, sizeof vector);
        mm_format_count(batches, sizeof batches, (int64_t)pc->batches);
        mm_format_count(rows, sizeof rows, pc->rows);
        mm_format_bytes(pc->bytes, bytes, sizeof bytes);
        const char *cells[COL_COUNT] = {c->target_name, c->name, vector, batches, rows, bytes};
        mm_table_add(&st->table, cells, MM_ROLE_NORMAL, (int)i, -1);
        for (size_t p = 0; p < c->n_partitions; p++) {
            const mm_plan_partition *pp = &pc->partitions[p];
            mm_format_count(batches, sizeof batches, (int64_t)pp->batches);
            mm_format_count(rows, sizeof rows, pp->rows);
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

static void check_if_stale(mm_app *app, plan_state *st)
{
    if (app->have_inventory && !mm_plan_check_busy(&st->check) && mm_plan_check_stale(&st->check, app))
        mm_plan_check_start(&st->check, app);
}

static void plan_init(mm_app *app, void *state)
{
    plan_state *st = state;
    mm_plan_check_init(&st->check);
}

static void plan_enter(mm_app *app, void *state)
{
    plan_state *st = state;
    rebuild(app, st);
    if (mm_app_source_stale(app) && !mm_app_job_running(app))
        app->want_source_test = true;
    check_if_stale(app, st);
}

static void plan_fini(mm_app *app, void *state)
{
    plan_state *st = state;
    if (st->ready)
        mm_table_fini(&st->table);
    mm_plan_free(&st->plan);
    mm_plan_check_fini(&st->check);
    free(st->problem);
}

static bool plan_busy(mm_app *app, void *state)
{
    return mm_plan_check_busy(&((plan_state *)state)->check);
}

static unsigned plan_tick(mm_app *app, void *state)
{
    plan_state *st = state;
    unsigned flags = mm_plan_check_tick(&st->check) ? MM_TUI_REDRAW : MM_TUI_NONE;
    /* Shown and out of date (a policy changed, a new inventory): again. */
    if (mm_app_screen_index(app, &mm_screen_plan) == (int)app->current && !mm_plan_check_busy(&st->check) && st->check.have &&
        mm_plan_check_stale(&st->check, app)) {
        mm_plan_check_start(&st->check, app);
        flags |= MM_TUI_REDRAW;
    }
    return flags;
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
                       "target.milvus2x.existingCollection: %s%s (s on the Config screen saves it)", order[next],
                       next == MM_EXISTING_DROP ? "; the run names what it would drop and asks first" : "");
    check_if_stale(app, st);
    return MM_TUI_REDRAW;
}

static unsigned plan_action(mm_app *app, void *state, mm_action action, int key)
{
    plan_state *st = state;
    if (action == MM_ACT_CYCLE_POLICY)
        return mm_app_read_only(app, "existingCollection") ? MM_TUI_REDRAW : cycle_policy(app, st);
    if (action == MM_ACT_TEST_SOURCE) {
        if (!app->have_inventory) {
            mm_app_message(app, MM_ROLE_WARNING, "No source connected yet: the target is checked for its collections");
            return MM_TUI_REDRAW;
        }
        mm_plan_check_start(&st->check, app);
        return MM_TUI_REDRAW;
    }
    if (action == MM_ACT_WARNINGS) {
        mm_app_show_warnings(app);
        return MM_TUI_REDRAW;
    }
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

static int draw_header(const mm_app *app, int y, int x, int w)
{
    const mm_config *cfg = &app->cfg;
    char *staging = staging_text(cfg);
    const char *ep = cfg->target.milvus2x.endpoint, *db = cfg->target.milvus2x.database;
    char *line = mm_asprintf("Stage in %s, import into Milvus 2.x at %s, database %s.", staging ? staging : "",
                             ep[0] ? ep : "(no endpoint)", db[0] ? db : "default");
    int n = mm_draw_wrapped(y, x, w, 2, line ? line : "", mm_theme_attr(MM_ROLE_NORMAL));
    free(line);
    free(staging);
    return n;
}

static void draw_totals(const plan_state *st, int y, int x, int w)
{
    char bytes[32], batches[32], rows[32];
    mm_format_bytes(st->plan.bytes, bytes, sizeof bytes);
    char *line = mm_asprintf("Total: %zu collection(s), %zu partition(s), %s batch(es), %s rows, %s staged.",
                             st->plan.n_collections, st->plan.partitions,
                             mm_format_count(batches, sizeof batches, (int64_t)st->plan.n_batches),
                             mm_format_count(rows, sizeof rows, st->plan.rows), bytes);
    mm_draw_text_cut(y, x, w, line ? line : "", mm_theme_attr(MM_ROLE_SECTION), true);
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
    char rows[32];
    return mm_asprintf("Renamed for 2.x: %zu; source warnings: %zu (w lists them); rows not migrated: %s.", renames,
                       inv->n_warnings, mm_format_count(rows, sizeof rows, inv->skipped_rows));
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

static mm_role finding_role(mm_finding_kind kind)
{
    static const mm_role roles[] = {[MM_FINDING_INFO] = MM_ROLE_DIM, [MM_FINDING_WARNING] = MM_ROLE_WARNING,
                                    [MM_FINDING_BLOCKER] = MM_ROLE_ERROR, [MM_FINDING_LOSS] = MM_ROLE_WARNING};
    return roles[kind];
}

/* What the check of the target found, in at most `lines` lines. */
static int draw_findings(mm_app *app, plan_state *st, int y, int x, int w, int lines)
{
    const mm_plan_check *c = &st->check;
    int used = 0;
    if (mm_plan_check_busy(c) && !c->have)
        return mm_draw_wrapped(y, x, w, lines, "Checking the target: which 2.x collections exist...",
                               mm_theme_attr(MM_ROLE_STATUS));
    if (!c->have)
        return 0;
    const mm_findings *f = &c->findings;
    size_t blockers = mm_findings_count(f, MM_FINDING_BLOCKER), losses = mm_findings_count(f, MM_FINDING_LOSS);
    size_t warnings = mm_findings_count(f, MM_FINDING_WARNING);
    /* e and r only help against an existing collection; the staging
     * probe's refusal names its own fix. */
    bool existing = false;
    for (size_t i = 0; i < f->n; i++)
        existing |= f->items[i].kind == MM_FINDING_BLOCKER && f->items[i].collection;
    char *head = mm_asprintf("Target check%s: %s%s%s%s", mm_plan_check_busy(c) ? " (checking again)" : "",
                             !blockers && !losses && !warnings ? "nothing in Milvus 2.x stands in the way." : "",
                             !blockers ? ""
                             : existing ? "the run would stop (e changes the policy, r on Preview renames); "
                                        : "the run would stop before anything is dumped; ",
                             losses ? "the run asks before it loses anything below; " : "",
                             !blockers && !losses && warnings ? "see the warnings below." : "");
    used += mm_draw_wrapped(y, x, w, 1, head ? head : "", mm_theme_attr(blockers ? MM_ROLE_ERROR : MM_ROLE_SECTION));
    free(head);
    for (size_t i = 0; i < f->n && used < lines; i++) {
        char *line = mm_asprintf("- %s", f->items[i].text);
        used += mm_draw_wrapped(y + used, x, w, lines - used, line ? line : "", mm_theme_attr(finding_role(f->items[i].kind)));
        free(line);
    }
    return used;
}

static int findings_lines(const plan_state *st, int w)
{
    const mm_plan_check *c = &st->check;
    if (!c->have)
        return mm_plan_check_busy(c) ? 1 : 0;
    int n = 1;
    for (size_t i = 0; i < c->findings.n; i++)
        n += mm_wrapped_lines(w, c->findings.items[i].text) ;
    return n;
}

static void plan_draw(mm_app *app, void *state, const mm_rect *a)
{
    plan_state *st = state;
    if (!st->ready || st->generation != app->inventory_generation)
        rebuild(app, st); /* a connection test finished meanwhile: the old plan points into freed memory */
    int x = a->x + 1, w = a->w - 2, y = a->y, bottom = a->y + a->h;
    mm_draw_text_cut(y++, x, w, "The plan: nothing is written before Enter on the Run screen (F6).",
                     mm_theme_attr(MM_ROLE_SECTION), true);
    y += draw_header(app, y, x, w);
    mm_existing_policy policy = app->cfg.target.milvus2x.existing_collection;
    char *pol = mm_asprintf("If a 2.x collection exists (existingCollection: %s): %s.", mm_plan_policy_name(policy),
                            mm_plan_policy_text(policy));
    y += mm_draw_wrapped(y, x, w, 2, pol ? pol : "",
                         mm_theme_attr(policy == MM_EXISTING_DROP ? MM_ROLE_WARNING : MM_ROLE_NORMAL));
    free(pol);
    if (app->restart)
        y += mm_draw_wrapped(y, x, w, 2, "Start over: the next run discards the journal and writes every batch "
                             "again (it names what is lost and asks first).", mm_theme_attr(MM_ROLE_WARNING));
    if (mm_app_source_stale(app))
        y += mm_draw_wrapped(y, x, w, 2, "The source settings changed since this plan's source was read; it is "
                             "read again before the run.", mm_theme_attr(MM_ROLE_WARNING));
    /* Said here again, before Enter on the Run screen: what the source
     * checks found (no WAL checked, unflushed data, a server running). */
    if (app->have_inventory && app->source_alert)
        y += mm_draw_wrapped(y, x, w, 4, app->source_alert, mm_theme_attr(app->source_alert_role));
    if (!app->have_inventory || st->problem) {
        mm_draw_wrapped(y + 1, x, w, 4, st->problem ? st->problem : "No source connected yet. On the Source "
                        "screen (F1), choose the 1.x installation and run Test connection.",
                        mm_theme_attr(st->problem ? MM_ROLE_ERROR : MM_ROLE_STATUS));
        return;
    }
    char *notes = notes_text(app, st);
    int tail = 3 + (notes ? 1 : 0); /* notes, totals, the schema (2 lines) */
    int room = bottom - tail - y;
    int table_need = mm_table_height(&st->table);
    int want_findings = findings_lines(st, w);
    /* The findings first (they decide whether the run can start), but the
     * table keeps at least 4 rows. */
    int find_h = want_findings < room - 4 ? want_findings : room - 4;
    if (find_h < 0)
        find_h = 0;
    y += draw_findings(app, st, y, x, w, find_h);
    int table_h = bottom - tail - y;
    if (table_h > table_need + 1)
        table_h = table_need + 1;
    mm_rect table = {y, a->x, table_h, a->w};
    mm_table_draw(&st->table, &table, true);
    if (st->plan.n_collections == 0)
        mm_draw_text(table.y + 1, x, w, "No collection selected: nothing would be migrated (Preview, F2).",
                     mm_theme_attr(MM_ROLE_WARNING), true);
    if (notes)
        mm_draw_text_cut(bottom - 4, x, w, notes, mm_theme_attr(MM_ROLE_WARNING), true);
    free(notes);
    draw_totals(st, bottom - 3, x, w);
    draw_fields(app, st, bottom - 2, x, w, 2);
}

static bool plan_offers(mm_app *app, void *state, mm_action action)
{
    (void)state;
    if (action == MM_ACT_CYCLE_POLICY)
        return !mm_app_job_running(app);
    if (action == MM_ACT_TEST_SOURCE || action == MM_ACT_WARNINGS)
        return app->have_inventory;
    return true;
}

static unsigned plan_click(mm_app *app, void *state, int y, int x)
{
    (void)x;
    plan_state *st = state;
    long row = app->have_inventory && st->ready ? mm_table_row_at(&st->table, y) : -1;
    if (row < 0)
        return MM_TUI_NONE;
    st->table.selected = (size_t)row;
    return MM_TUI_REDRAW;
}

const mm_screen mm_screen_plan = {
    .name = "plan",
    .title = "Plan",
    .state_size = sizeof(plan_state),
    .init = plan_init,
    .fini = plan_fini,
    .enter = plan_enter,
    .draw = plan_draw,
    .on_action = plan_action,
    .on_tick = plan_tick,
    .busy = plan_busy,
    .offers = plan_offers,
    .on_click = plan_click,
};
