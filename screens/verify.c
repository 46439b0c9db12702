/* Screen 7, Verify: the reconciliation of the last verification (from the
 * Run screen, or v here): per collection and partition the 1.x live rows,
 * the rows staged, the rows the import tasks reported, the row count
 * Milvus 2.x gives and the content sample read back, with every mismatch
 * highlighted and explained; w writes report.json and report.md into the
 * state directory. Collections not sampled because they are not loaded
 * are named with the memory loading them takes; l asks, then verifies
 * again loading them for the sample. */
#include "screens.h"

#include "job/job.h"
#include "run_job.h"
#include "base/strbuf.h"
#include "source/inventory_render.h"
#include "tui/widget_log.h"
#include "tui/widget_table.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CONTENT is the content sample: rows that match of the rows read back
 * ("19/19 OK"), the report's SAMPLED column being its denominator. */
enum { COL_NAME, COL_TARGET, COL_LIVE, COL_STAGED, COL_IMPORTED, COL_MILVUS, COL_CONTENT, COL_STATUS, COL_COUNT };

static const mm_table_column columns[COL_COUNT] = {
    [COL_NAME] = {"1.X COLLECTION / PARTITION", 0, false}, [COL_TARGET] = {"2.X NAME", 0, false},
    [COL_LIVE] = {"1.X LIVE", 8, true},                    [COL_STAGED] = {"STAGED", 8, true},
    [COL_IMPORTED] = {"IMPORTED", 8, true},                [COL_MILVUS] = {"MILVUS", 8, true},
    [COL_CONTENT] = {"CONTENT", 12, false},
    [COL_STATUS] = {"STATUS", 8, false},
};

enum { DIALOG_LOAD = 1 };

typedef struct verify_state {
    mm_table table;
    uint64_t generation;     /* of the report the rows show */
    mm_runjob *job;          /* v: a verification of its own */
    mm_runjob_view view;
    mm_log log;              /* unused lines of the job */
} verify_state;

static void verify_init(mm_app *app, void *state)
{
    verify_state *st = state;
    mm_table_init(&st->table, columns, COL_COUNT);
    mm_log_init(&st->log, 16);
    st->generation = app->report_generation;
}

static void verify_fini(mm_app *app, void *state)
{
    verify_state *st = state;
    mm_runjob_free(st->job);
    mm_runjob_view_fini(&st->view);
    mm_log_fini(&st->log);
    mm_table_fini(&st->table);
}

static const char *status_word(bool skipped, bool match)
{
    return skipped ? "SKIPPED" : match ? "OK" : "MISMATCH";
}

static void count(char *buf, size_t n, int64_t v, bool skipped)
{
    if (skipped)
        snprintf(buf, n, "-");
    else if (v < 0)
        snprintf(buf, n, "?");
    else
        snprintf(buf, n, "%" PRId64, v);
}

typedef struct table_line {
    const char *name, *target;
    int64_t live, staged, imported, milvus;
    const char *content;
    bool skipped, match;
} table_line;

static void add_row(mm_table *t, const table_line *l, int tag, int sub)
{
    char c_live[24], c_staged[24], c_imported[24], c_milvus[24];
    count(c_live, sizeof c_live, l->live, false);
    count(c_staged, sizeof c_staged, l->staged, false);
    count(c_imported, sizeof c_imported, l->imported, false);
    count(c_milvus, sizeof c_milvus, l->milvus, l->skipped);
    const char *cells[COL_COUNT] = {l->name,   l->target, c_live,     c_staged,
                                    c_imported, c_milvus, l->content, status_word(l->skipped, l->match)};
    mm_table_add(t, cells, l->skipped || l->match ? MM_ROLE_NORMAL : MM_ROLE_MISMATCH, tag, sub);
}

/* A collection's CONTENT (into buf): OK or MISMATCH over its sampled
 * partitions, else what kept them from being sampled. */
static const char *collection_content(const mm_verify_report *r, const mm_verify_collection *c, char *buf, size_t n)
{
    bool checked = false, differ = false;
    snprintf(buf, n, "-");
    for (size_t i = 0; i < r->n_rows; i++) {
        const mm_verify_row *row = &r->rows[i];
        if (strcmp(row->collection, c->collection) != 0)
            continue;
        if (row->content.state == MM_CONTENT_CHECKED) {
            checked = true;
            differ |= row->content.n_mismatches > 0;
        } else if (!checked) {
            mm_verify_content_cell(row, buf, n);
        }
    }
    if (checked)
        snprintf(buf, n, "%s", differ ? "MISMATCH" : "OK");
    return buf;
}

/* A row per collection (its totals and collection row count) followed by
 * its partitions; tag is the collection, sub the report row or -1. */
static void rebuild(mm_app *app, verify_state *st)
{
    mm_table_clear(&st->table);
    st->generation = app->report_generation;
    const mm_verify_report *r = app->report;
    if (!r)
        return;
    for (size_t ci = 0; ci < r->n_collections; ci++) {
        const mm_verify_collection *c = &r->collections[ci];
        int64_t live = 0, staged = 0, imported = 0;
        for (size_t i = 0; i < r->n_rows; i++)
            if (strcmp(r->rows[i].collection, c->collection) == 0) {
                live += r->rows[i].source_live;
                staged += r->rows[i].dumped;
                imported += r->rows[i].imported;
            }
        table_line line = {.name = c->collection, .target = c->target, .live = live, .staged = staged,
                           .imported = imported, .milvus = c->milvus, .skipped = c->skipped, .match = c->match};
        char content[48];
        line.content = collection_content(r, c, content, sizeof content);
        add_row(&st->table, &line, (int)ci, -1);
        for (size_t i = 0; i < r->n_rows; i++) {
            const mm_verify_row *row = &r->rows[i];
            if (strcmp(row->collection, c->collection) != 0)
                continue;
            char *name = mm_asprintf("  %s", row->partition[0] ? row->partition : "(default)");
            char *target = mm_asprintf("  %s", row->target_partition);
            char cell[48];
            table_line pl = {
                .name = name ? name : "", .target = target ? target : "", .live = row->source_live,
                .staged = row->dumped, .imported = row->imported, .milvus = row->milvus,
                .content = mm_verify_content_cell(row, cell, sizeof cell), .skipped = row->skipped,
                .match = row->match,
            };
            add_row(&st->table, &pl, (int)ci, (int)i);
            free(name);
            free(target);
        }
    }
    if (st->table.selected >= st->table.n_rows)
        st->table.selected = 0;
}

static void verify_enter(mm_app *app, void *state)
{
    verify_state *st = state;
    if (st->generation != app->report_generation || (app->report && st->table.n_rows == 0))
        rebuild(app, st);
}

static bool verify_running(mm_app *app, void *state)
{
    verify_state *st = state;
    return st->job && !mm_runjob_finished(st->job);
}

/* c is offered only while a verification runs, w only with a report. */
static bool verify_offers(mm_app *app, void *state, mm_action action)
{
    switch (action) {
    case MM_ACT_CANCEL: return verify_running(app, state);
    case MM_ACT_WRITE_REPORT: return app->report != NULL;
    default: return true;
    }
}

static void start(mm_app *app, verify_state *st, unsigned steps)
{
    if (mm_app_job_running(app)) {
        mm_app_message(app, MM_ROLE_WARNING, "A job is running; verify once it has finished");
        return;
    }
    mm_error err;
    mm_error_clear(&err);
    mm_runjob *job = mm_runjob_start(app, steps, &err);
    if (!job) {
        mm_app_message(app, MM_ROLE_ERROR, "%s", err.message);
        return;
    }
    mm_runjob_free(st->job);
    mm_runjob_view_fini(&st->view);
    st->job = job;
    mm_app_message(app, MM_ROLE_STATUS, "Verifying...");
}

static bool sampled_any(const mm_verify_report *r)
{
    for (size_t i = 0; i < r->n_rows; i++)
        if (r->rows[i].content.state == MM_CONTENT_CHECKED)
            return true;
    return false;
}

static unsigned verify_tick(mm_app *app, void *state)
{
    verify_state *st = state;
    unsigned flags = MM_TUI_NONE;
    if (st->generation != app->report_generation) {
        if (!st->job)
            mm_runjob_view_fini(&st->view); /* a newer report replaces an old failure */
        rebuild(app, st);
        flags = MM_TUI_REDRAW;
    }
    if (!st->job)
        return flags;
    if (mm_runjob_update(st->job, &st->view, &st->log))
        flags = MM_TUI_REDRAW;
    if (!mm_runjob_finished(st->job))
        return flags;
    mm_runjob_update(st->job, &st->view, &st->log);
    mm_verify_report *report = mm_runjob_take_report(st->job);
    if (report) {
        bool match = report->all_match;
        mm_app_set_report(app, report, mm_runjob_state_dir(st->job));
        rebuild(app, st);
        bool sampled = sampled_any(report);
        mm_app_message(app, match ? MM_ROLE_OK : MM_ROLE_ERROR, "%s",
                       !match    ? "Verified: some counts or sampled rows do not match"
                       : sampled ? "Verified: all counts and sampled rows match"
                                 : "Verified: all counts match (no content sampled)");
    } else {
        mm_app_message(app, st->view.outcome == MM_RUNJOB_CANCELLED ? MM_ROLE_WARNING : MM_ROLE_ERROR, "%s",
                       st->view.outcome == MM_RUNJOB_CANCELLED ? "Verification cancelled" : "Verification failed");
    }
    /* Keep the view (its error is shown); the job itself is done with. */
    mm_runjob_free(st->job);
    st->job = NULL;
    st->view.plan = NULL;
    return MM_TUI_REDRAW;
}

static void write_report(mm_app *app)
{
    if (!app->report) {
        mm_app_message(app, MM_ROLE_WARNING, "No verification to write yet: press v");
        return;
    }
    mm_error err;
    mm_error_clear(&err);
    const char *state_dir = app->report_state_dir ? app->report_state_dir : ".";
    char *json = NULL, *md = NULL;
    if (mm_job_write_report_in(state_dir, app->report, &json, &md, &err) == 0)
        mm_app_message(app, MM_ROLE_OK, "Wrote %s and %s", json, md);
    else
        mm_app_message(app, MM_ROLE_ERROR, "%s", err.message);
    free(json);
    free(md);
}

/* The collections that were not sampled because they are not loaded, and
 * what loading them takes ("" when none). */
static char *not_loaded_text(const mm_verify_report *r, uint64_t *memory)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    size_t n = mm_verify_not_loaded(r, memory), listed = 0;
    for (size_t i = 0; n && i < r->n_collections; i++) {
        const mm_verify_collection *c = &r->collections[i];
        if (mm_verify_collection_not_loaded(r, c))
            mm_strbuf_appendf(&sb, "%s%s", listed++ ? ", " : "", c->target);
    }
    return mm_strbuf_take(&sb);
}

/* l: loading collections takes query-node memory, so it is asked first. */
static void ask_load(mm_app *app)
{
    uint64_t memory = 0;
    char *names = app->report ? not_loaded_text(app->report, &memory) : NULL;
    if (!names || !names[0]) {
        mm_app_message(app, MM_ROLE_WARNING, "%s", app->report ? "Every collection was sampled: nothing to load"
                                                               : "No verification yet: press v");
        free(names);
        return;
    }
    char size[32];
    mm_format_bytes(memory, size, sizeof size);
    char *text = mm_asprintf("Load %s into the query nodes to read the content sample back? It takes about %s of "
                             "query-node memory; each is released again afterwards, and a FLAT or BIN_FLAT index made "
                             "for loading it is dropped.", names, size);
    static const mm_dialog_button buttons[] = {{"Load and sample", 'y'}, {"Cancel", 'n'}, {NULL, 0}};
    mm_app_ask(app, DIALOG_LOAD, MM_ROLE_WARNING, "Load for the content sample", text ? text : "", buttons, 1);
    free(text);
    free(names);
}

static unsigned verify_dialog(mm_app *app, void *state, int id, int button)
{
    if (id == DIALOG_LOAD && button == 0)
        start(app, state, MM_RUNJOB_VERIFY | MM_RUNJOB_LOAD_FOR_SAMPLE);
    return MM_TUI_REDRAW;
}

static unsigned verify_action(mm_app *app, void *state, mm_action action, int key)
{
    verify_state *st = state;
    switch (action) {
    case MM_ACT_VERIFY: start(app, st, MM_RUNJOB_VERIFY); return MM_TUI_REDRAW;
    case MM_ACT_WRITE_REPORT: write_report(app); return MM_TUI_REDRAW;
    case MM_ACT_LOAD_FOR_SAMPLE: ask_load(app); return MM_TUI_REDRAW;
    case MM_ACT_CANCEL:
        if (!verify_running(app, st))
            return MM_TUI_NONE;
        mm_runjob_cancel(st->job);
        mm_app_message(app, MM_ROLE_WARNING, "Cancelling the verification...");
        return MM_TUI_REDRAW;
    default: return mm_table_on_action(&st->table, action) ? MM_TUI_REDRAW : MM_TUI_NONE;
    }
}

/* The note of the highlighted row: why it does not match, or the
 * collection's check. */
static char *row_note(const mm_verify_report *r, const mm_table_item *item)
{
    if (item->sub < 0) {
        const mm_verify_collection *c = &r->collections[item->tag];
        if (c->skipped)
            return mm_asprintf("%s: skipped (existingCollection: skip left it alone)", c->target);
        return mm_asprintf("%s: collection row count expected %" PRId64 ", Milvus says %" PRId64 ": %s", c->target,
                           c->expected, c->milvus, status_word(false, c->match));
    }
    const mm_verify_row *row = &r->rows[item->sub];
    const mm_content_result *c = &row->content;
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_appendf(&sb, "%s.%s: %s", row->target_collection, row->target_partition,
                      row->note[0] ? row->note : "every count agrees");
    if (row->baseline)
        mm_strbuf_appendf(&sb, " (%" PRId64 " rows were there before this job)", row->baseline);
    if (c->state == MM_CONTENT_CHECKED && c->n_mismatches == 0)
        mm_strbuf_appendf(&sb, "; content: the %" PRId64 " sampled rows read back are identical to the 1.x files",
                          c->sampled);
    else if (c->state == MM_CONTENT_NOT_LOADED)
        mm_strbuf_append(&sb, "; content not sampled: Milvus has not loaded the collection (l loads it for the "
                              "sample)");
    else if (c->state == MM_CONTENT_NOT_CHECKED && c->note)
        mm_strbuf_appendf(&sb, "; content not sampled: %s", c->note);
    return mm_strbuf_take(&sb);
}

/* What the appended collections held before this job: MILVUS counts those
 * rows too, so an append that worked reads "before + imported". NULL when
 * nothing was appended to. */
static char *appended_text(const mm_verify_report *r)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (size_t i = 0; i < r->n_collections; i++) {
        int64_t before = 0;
        for (size_t k = 0; k < r->n_rows; k++)
            if (strcmp(r->rows[k].collection, r->collections[i].collection) == 0)
                before += r->rows[k].baseline;
        if (before <= 0)
            continue;
        char n[32];
        mm_strbuf_appendf(&sb, "%s%s held %s row(s) before this job", sb.len ? "; " : "Appended to: ",
                          r->collections[i].target, mm_format_count(n, sizeof n, before));
    }
    if (!sb.len) {
        mm_strbuf_free(&sb);
        return NULL;
    }
    mm_strbuf_append(&sb, " (MILVUS counts them: it should read what was there before plus what was imported).");
    return mm_strbuf_take(&sb);
}

static char *phase_text(const mm_runjob_view *v)
{
    if (v->phase == MM_RUNJOB_OPENING)
        return mm_strdup("Verifying: reading the 1.x source and the journal...");
    if (v->phase == MM_RUNJOB_CONNECTING)
        return mm_strdup("Verifying: connecting to Milvus 2.x...");
    if (!v->sampling)
        return mm_strdup("Verifying: reading the Milvus 2.x row counts until they settle...");
    return mm_asprintf("Verifying: content sample, %zu/%zu partitions, %" PRId64 "/%" PRId64 " rows read back "
                       "(%s)...", v->sample.partitions_done, v->sample.partitions_total, v->sample.rows_done,
                       v->sample.rows_total, v->sample_where);
}

static void verify_draw(mm_app *app, void *state, const mm_rect *a)
{
    verify_state *st = state;
    int x = a->x + 1, w = a->w - 2, y = a->y;
    const mm_verify_report *r = app->report;
    if (st->job) {
        char *phase = phase_text(&st->view);
        mm_draw_text(y++, x, w, phase ? phase : "", mm_theme_attr(MM_ROLE_STATUS), true);
        free(phase);
    } else if (st->view.error) {
        char *text = mm_asprintf("Verification failed: %s", st->view.error);
        y += mm_draw_wrapped(y, x, w, 4, text ? text : "", mm_theme_attr(MM_ROLE_ERROR));
        free(text);
    }
    if (!r) {
        if (!st->job && !st->view.error)
            mm_draw_wrapped(y + 1, x, w, 4, "No verification yet. Run the migration on the Run screen (F6), or press "
                            "v to verify what an earlier run imported.", mm_theme_attr(MM_ROLE_STATUS));
        return;
    }
    if (st->generation != app->report_generation)
        rebuild(app, st);
    char *head = mm_asprintf("Verification against %s (Milvus %s)", r->endpoint, r->server_version);
    mm_draw_text(y++, x, w, head ? head : "", mm_theme_attr(MM_ROLE_SECTION), true);
    free(head);
    char *summary = r->all_match ? mm_strdup(sampled_any(r) ? "All counts and sampled rows match." : "All counts match.")
                                 : mm_asprintf("%zu mismatch(es): highlighted below; the line under the table says "
                                               "why.", r->mismatches);
    mm_draw_text(y++, x, w, summary ? summary : "", mm_theme_attr(r->all_match ? MM_ROLE_OK : MM_ROLE_MISMATCH), true);
    free(summary);
    char *appended = appended_text(r);
    if (appended)
        y += mm_draw_wrapped(y, x, w, 2, appended, mm_theme_attr(MM_ROLE_STATUS));
    free(appended);
    uint64_t memory = 0;
    char *names = not_loaded_text(r, &memory);
    if (names && names[0]) {
        char size[32];
        mm_format_bytes(memory, size, sizeof size);
        bool one = mm_verify_not_loaded(r, NULL) == 1;
        char *line = mm_asprintf("Not loaded in Milvus, so not sampled: %s. l loads %s for the sample (about %s of "
                                 "query-node memory) and releases %s.", names, one ? "it" : "them", size,
                                 one ? "it" : "them");
        y += mm_draw_wrapped(y, x, w, 2, line ? line : "", mm_theme_attr(MM_ROLE_WARNING));
        free(line);
    }
    free(names);
    int bottom = a->y + a->h;
    mm_rect table = {y + 1, a->x, bottom - 3 - (y + 1), a->w};
    mm_table_draw(&st->table, &table, true);
    const mm_table_item *item = mm_table_current(&st->table);
    if (!item)
        return;
    char *note = row_note(r, item);
    bool bad = item->role == MM_ROLE_MISMATCH;
    mm_draw_wrapped(bottom - 2, x, w, 2, note ? note : "", mm_theme_attr(bad ? MM_ROLE_MISMATCH : MM_ROLE_DIM));
    free(note);
}

const mm_screen mm_screen_verify = {
    .name = "verify",
    .title = "Verify",
    .state_size = sizeof(verify_state),
    .init = verify_init,
    .fini = verify_fini,
    .enter = verify_enter,
    .draw = verify_draw,
    .on_action = verify_action,
    .on_tick = verify_tick,
    .on_dialog = verify_dialog,
    .running = verify_running,
    .offers = verify_offers,
};
