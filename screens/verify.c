/* Screen 7, Verify: the reconciliation of the last verification (from the
 * Run screen, or v here): per collection and partition the 1.x live rows,
 * the rows staged, the rows the import tasks reported and the row count
 * Milvus 2.x gives, with every mismatch highlighted and explained; w writes
 * report.json and report.md into the state directory. */
#include "screens.h"

#include "job/job.h"
#include "run_job.h"
#include "base/strbuf.h"
#include "tui/widget_log.h"
#include "tui/widget_table.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_NAME, COL_TARGET, COL_LIVE, COL_STAGED, COL_IMPORTED, COL_MILVUS, COL_STATUS, COL_COUNT };

static const mm_table_column columns[COL_COUNT] = {
    [COL_NAME] = {"1.X COLLECTION / PARTITION", 0, false}, [COL_TARGET] = {"2.X NAME", 0, false},
    [COL_LIVE] = {"1.X LIVE", 8, true},                    [COL_STAGED] = {"STAGED", 8, true},
    [COL_IMPORTED] = {"IMPORTED", 8, true},                [COL_MILVUS] = {"MILVUS", 8, true},
    [COL_STATUS] = {"STATUS", 8, false},
};

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

static void add_row(mm_table *t, const char *name, const char *target, int64_t live, int64_t staged,
                    int64_t imported, int64_t milvus, bool skipped, bool match, int tag, int sub)
{
    char c_live[24], c_staged[24], c_imported[24], c_milvus[24];
    count(c_live, sizeof c_live, live, false);
    count(c_staged, sizeof c_staged, staged, false);
    count(c_imported, sizeof c_imported, imported, false);
    count(c_milvus, sizeof c_milvus, milvus, skipped);
    const char *cells[COL_COUNT] = {name, target, c_live, c_staged, c_imported, c_milvus, status_word(skipped, match)};
    mm_table_add(t, cells, skipped || match ? MM_ROLE_NORMAL : MM_ROLE_MISMATCH, tag, sub);
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
        add_row(&st->table, c->collection, c->target, live, staged, imported, c->milvus, c->skipped, c->match, (int)ci,
                -1);
        for (size_t i = 0; i < r->n_rows; i++) {
            const mm_verify_row *row = &r->rows[i];
            if (strcmp(row->collection, c->collection) != 0)
                continue;
            char *name = mm_asprintf("  %s", row->partition[0] ? row->partition : "(default)");
            char *target = mm_asprintf("  %s", row->target_partition);
            add_row(&st->table, name ? name : "", target ? target : "", row->source_live, row->dumped,
                    row->imported, row->milvus, row->skipped, row->match, (int)ci, (int)i);
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

static void start(mm_app *app, verify_state *st)
{
    if (mm_app_job_running(app)) {
        mm_app_message(app, MM_ROLE_WARNING, "A job is running; verify once it has finished");
        return;
    }
    mm_error err;
    mm_error_clear(&err);
    mm_runjob *job = mm_runjob_start(app, MM_RUNJOB_VERIFY, &err);
    if (!job) {
        mm_app_message(app, MM_ROLE_ERROR, "%s", err.message);
        return;
    }
    mm_runjob_free(st->job);
    mm_runjob_view_fini(&st->view);
    st->job = job;
    mm_app_message(app, MM_ROLE_STATUS, "Verifying...");
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
        mm_app_message(app, match ? MM_ROLE_OK : MM_ROLE_ERROR, "%s",
                       match ? "Verified: all counts match" : "Verified: some counts do not match");
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

static unsigned verify_action(mm_app *app, void *state, mm_action action, int key)
{
    verify_state *st = state;
    switch (action) {
    case MM_ACT_VERIFY: start(app, st); return MM_TUI_REDRAW;
    case MM_ACT_WRITE_REPORT: write_report(app); return MM_TUI_REDRAW;
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
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_appendf(&sb, "%s.%s: %s", row->target_collection, row->target_partition,
                      row->note[0] ? row->note : "every count agrees");
    if (row->baseline)
        mm_strbuf_appendf(&sb, " (%" PRId64 " rows were there before this job)", row->baseline);
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

static const char *phase_text(const mm_runjob_view *v)
{
    return v->phase == MM_RUNJOB_OPENING      ? "Verifying: reading the 1.x source and the journal..."
           : v->phase == MM_RUNJOB_CONNECTING ? "Verifying: connecting to Milvus 2.x..."
                                              : "Verifying: reading the Milvus 2.x row counts until they settle...";
}

static void verify_draw(mm_app *app, void *state, const mm_rect *a)
{
    verify_state *st = state;
    int x = a->x + 1, w = a->w - 2, y = a->y;
    const mm_verify_report *r = app->report;
    if (st->job) {
        mm_draw_text(y++, x, w, phase_text(&st->view), mm_theme_attr(MM_ROLE_STATUS), true);
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
    char *summary = r->all_match ? mm_strdup("All counts match.")
                                 : mm_asprintf("%zu mismatch(es): highlighted below; the line under the table says "
                                               "why.", r->mismatches);
    mm_draw_text(y++, x, w, summary ? summary : "", mm_theme_attr(r->all_match ? MM_ROLE_OK : MM_ROLE_MISMATCH), true);
    free(summary);
    char *appended = appended_text(r);
    if (appended)
        y += mm_draw_wrapped(y, x, w, 2, appended, mm_theme_attr(MM_ROLE_STATUS));
    free(appended);
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
    .running = verify_running,
    .offers = verify_offers,
};
