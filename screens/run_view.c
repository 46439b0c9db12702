#include "run_view.h"

#include "source/inventory_render.h"
#include "base/strbuf.h"
#include "tui/widget_progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_PARTITION, COL_BATCH, COL_ROWS, COL_STATE, COL_TASK, COL_COUNT };

static const mm_table_column columns[COL_COUNT] = {
    [COL_PARTITION] = {"2.X PARTITION", 0, false}, [COL_BATCH] = {"BATCH (1.X SEGMENT)", 0, false},
    [COL_ROWS] = {"ROWS", 7, true},                           [COL_STATE] = {"STATE", 13, false},
    [COL_TASK] = {"IMPORT TASK", 18, false},
};

void mm_run_view_table_init(mm_table *t)
{
    mm_table_init(t, columns, COL_COUNT);
}

/* live: the job runs, so Milvus's own state of a running task is shown;
 * once it has ended a sent batch is just "submitted" (a re-run waits for it). */
static void batch_state(const mm_monitor_batch *b, bool live, char *buf, size_t n, mm_role *role)
{
    static const struct {
        mm_batch_state state;
        const char *text;
        mm_role role;
    } states[] = {
        {MM_BATCH_PENDING, "to dump", MM_ROLE_DIM},
        {MM_BATCH_DUMPED, "staged", MM_ROLE_NORMAL},
        {MM_BATCH_SUBMITTED, "importing", MM_ROLE_STATUS},
        {MM_BATCH_IMPORTED, "imported", MM_ROLE_OK},
    };
    snprintf(buf, n, "?");
    *role = MM_ROLE_NORMAL;
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        if (states[i].state == b->state) {
            snprintf(buf, n, "%s", states[i].text);
            *role = states[i].role;
        }
    if (b->state == MM_BATCH_SUBMITTED && !live)
        snprintf(buf, n, "submitted");
    else if (b->state == MM_BATCH_SUBMITTED && !b->task)
        snprintf(buf, n, "submitting");
    else if (b->state == MM_BATCH_SUBMITTED && b->import_state >= 0)
        snprintf(buf, n, "%s %d%%", mm_monitor_import_state_name(b->import_state), b->import_progress);
}

void mm_run_view_table_fill(mm_table *t, const mm_runjob_view *v)
{
    size_t keep = t->selected;
    mm_table_clear(t);
    if (!v->plan)
        return;
    for (size_t i = 0; i < v->plan->n_batches; i++) {
        const mm_plan_batch *pb = &v->plan->batches[i];
        const mm_collection_info *c = v->plan->collections[pb->collection].info;
        char *where = mm_asprintf("%s.%s", c->target_name,
                                  pb->partition == 0 ? "_default" : c->partitions[pb->partition].target_name);
        char name[96], rows[24], state[40], task[24] = "";
        mm_plan_batch_name(pb, name, sizeof name);
        snprintf(rows, sizeof rows, "%" PRId64, pb->rows);
        mm_role role;
        batch_state(&v->batches[i], v->phase != MM_RUNJOB_DONE, state, sizeof state, &role);
        if (v->batches[i].task)
            snprintf(task, sizeof task, "%" PRId64, v->batches[i].task);
        const char *cells[COL_COUNT] = {where ? where : "", name, rows, state, task};
        mm_table_add(t, cells, role, (int)i, 0);
        free(where);
    }
    t->selected = keep;
}

/* ---- numbers that depend on time -------------------------------------------------- */

static void fmt_duration(char *buf, size_t n, double seconds, bool deterministic)
{
    if (deterministic || seconds < 0)
        snprintf(buf, n, "--");
    else if (seconds >= 3600)
        snprintf(buf, n, "%dh%02dm", (int)(seconds / 3600), (int)(seconds / 60) % 60);
    else if (seconds >= 60)
        snprintf(buf, n, "%dm%02ds", (int)(seconds / 60), (int)seconds % 60);
    else
        snprintf(buf, n, "%ds", (int)(seconds + 0.5));
}

/* Seconds left at the rate so far, or -1 when not known yet. */
static double eta(double done, double total, double seconds)
{
    if (done <= 0 || seconds <= 0.2)
        return -1;
    return (total - done) / (done / seconds);
}

/* The labels come in three widths (detail 2, 1, 0): everything; the rows,
 * the rate and the ETA; the rows alone, for the narrowest terminal. The
 * rate and the ETA count only this run's work: what an earlier run did
 * (resumed from the journal) took no time now. */
static char *dump_label(const mm_app *app, const mm_runjob_view *v, int detail)
{
    const mm_dump_progress *d = &v->dump;
    if (!v->dump_started)
        return mm_strdup("waiting");
    char done[32], total[32], rate[40], left[16], rows[32], rows_total[32];
    mm_format_bytes(d->bytes_done, done, sizeof done);
    mm_format_bytes(d->bytes_total, total, sizeof total);
    mm_format_count(rows, sizeof rows, d->rows_done);
    mm_format_count(rows_total, sizeof rows_total, d->rows_total);
    uint64_t fresh = d->bytes_done - d->bytes_reused;
    if (app->deterministic || v->dump_seconds <= 0.2 || fresh == 0) {
        snprintf(rate, sizeof rate, "--");
    } else {
        mm_format_bytes((uint64_t)((double)fresh / v->dump_seconds), rate, sizeof rate);
        strcat(rate, "/s");
    }
    fmt_duration(left, sizeof left,
                 eta((double)fresh, (double)(d->bytes_total - d->bytes_reused), v->dump_seconds), app->deterministic);
    if (detail == 0)
        return mm_asprintf("%s/%s rows", rows, rows_total);
    if (detail == 1)
        return mm_asprintf("%s/%s rows, %s, ETA %s", rows, rows_total, rate, left);
    return mm_asprintf("%s/%s rows, %s of %s, %s, ETA %s", rows, rows_total, done, total, rate, left);
}

static char *load_label(const mm_app *app, const mm_runjob_view *v, int detail)
{
    const mm_load_progress *l = &v->load;
    if (!v->load_started)
        return mm_strdup("waiting");
    char rate[40], left[16], rows[32], rows_total[32];
    mm_format_count(rows, sizeof rows, l->rows_done);
    mm_format_count(rows_total, sizeof rows_total, l->rows_total);
    int64_t fresh = l->rows_done - l->rows_reused;
    if (app->deterministic || v->load_seconds <= 0.2 || fresh <= 0) {
        snprintf(rate, sizeof rate, "--");
    } else {
        char n[32];
        mm_format_count(n, sizeof n, (int64_t)((double)fresh / v->load_seconds));
        snprintf(rate, sizeof rate, "%s rows/s", n);
    }
    fmt_duration(left, sizeof left, eta((double)fresh, (double)(l->rows_total - l->rows_reused), v->load_seconds),
                 app->deterministic);
    if (detail == 0)
        return mm_asprintf("%s/%s rows", rows, rows_total);
    if (detail == 1)
        return mm_asprintf("%s/%s rows, %s, ETA %s", rows, rows_total, rate, left);
    return mm_asprintf("%zu/%zu batches, %s/%s rows, %zu running, %s, ETA %s", l->batches_done, l->batches_total,
                       rows, rows_total, l->batches_running, rate, left);
}

/* A bar whose label is padded to label_w columns, so the bars of a block
 * line up. */
static void draw_bar(int y, int x, int w, uint64_t done, uint64_t total, const char *label, int label_w)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_append(&sb, label);
    int pad = label_w - mm_text_width(label);
    if (pad > 0)
        mm_strbuf_pad(&sb, ' ', (size_t)pad);
    mm_progress_draw(y, x, w, done, total, sb.data ? sb.data : label);
    mm_strbuf_free(&sb);
}

enum { BAR_MIN = 12 };

static void draw_step_bars(const mm_app *app, const mm_runjob_view *v, int y, int x, int w)
{
    char *dump = NULL, *load = NULL;
    int label_w = 0;
    for (int detail = 2; detail >= 0; detail--) {
        free(dump);
        free(load);
        dump = dump_label(app, v, detail);
        load = load_label(app, v, detail);
        int dw = dump ? mm_text_width(dump) : 0, lw = load ? mm_text_width(load) : 0;
        label_w = dw > lw ? dw : lw;
        /* "[" bar "]" + " 100%" + two spaces + label, after the 7-column title */
        if (7 + 2 + BAR_MIN + 5 + 2 + label_w <= w)
            break;
    }
    mm_draw_text(y, x, 7, "Dump", mm_theme_attr(MM_ROLE_SECTION), true);
    draw_bar(y, x + 7, w - 7, (uint64_t)v->dump.rows_done, (uint64_t)v->dump.rows_total, dump ? dump : "", label_w);
    mm_draw_text(y + 1, x, 7, "Load", mm_theme_attr(MM_ROLE_SECTION), true);
    /* Rows, not batches: batches differ in size. */
    draw_bar(y + 1, x + 7, w - 7, (uint64_t)v->load.rows_done, (uint64_t)v->load.rows_total, load ? load : "",
             label_w);
    free(dump);
    free(load);
}

static void draw_verify_line(const mm_runjob_view *v, int y, int x, int w)
{
    const char *text = "waiting";
    char sampling[400];
    mm_role role = MM_ROLE_DIM;
    if (v->phase == MM_RUNJOB_VERIFYING && v->sampling) {
        snprintf(sampling, sizeof sampling, "content sample: %zu/%zu partitions, %lld/%lld rows read back (%s)...",
                 v->sample.partitions_done, v->sample.partitions_total, (long long)v->sample.rows_done,
                 (long long)v->sample.rows_total, v->sample_where);
        text = sampling;
        role = MM_ROLE_STATUS;
    } else if (v->phase == MM_RUNJOB_VERIFYING) {
        text = "comparing the 1.x live rows with the Milvus 2.x row counts...";
        role = MM_ROLE_STATUS;
    } else if (v->phase >= MM_RUNJOB_CLEANING && (v->outcome == MM_RUNJOB_OK || v->outcome == MM_RUNJOB_MISMATCH)) {
        text = v->all_match ? "all counts match" : "counts do not match: see the Verify screen (F7)";
        role = v->all_match ? MM_ROLE_OK : MM_ROLE_MISMATCH;
    }
    mm_draw_text(y, x, 7, "Verify", mm_theme_attr(MM_ROLE_SECTION), true);
    mm_draw_text(y, x + 7, w - 7, text, mm_theme_attr(role), true);
}

/* ---- status ---------------------------------------------------------------------- */

static char *status_text(const mm_app *app, const mm_runjob_view *v, bool started, bool cancelling, mm_role *role)
{
    static const struct {
        mm_runjob_phase phase;
        const char *text;
    } phases[] = {
        {MM_RUNJOB_OPENING, "Reading the 1.x source and opening the journal..."},
        {MM_RUNJOB_CONNECTING, "Connecting to Milvus 2.x..."},
        {MM_RUNJOB_DUMPING, "Dumping the live 1.x rows to NumPy files..."},
        {MM_RUNJOB_LOADING, "Importing the staged batches into Milvus 2.x..."},
        {MM_RUNJOB_VERIFYING, "Verifying the row counts..."},
        {MM_RUNJOB_CLEANING, "Deleting the staged files (loader.deleteStagedFiles)..."},
    };
    *role = MM_ROLE_STATUS;
    if (!started) {
        const char *ep = app->cfg.target.milvus2x.endpoint;
        return mm_asprintf("Enter dumps the live 1.x rows to the staging %s, imports them into Milvus 2.x at %s "
                           "and verifies every count. A run that fails or is cancelled resumes from the journal "
                           "and never imports a batch twice.",
                           app->cfg.target.mode == MM_LOCATION_REMOTE ? "bucket" : "directory",
                           ep[0] ? ep : "(no endpoint: see the Target screen)");
    }
    if (v->phase != MM_RUNJOB_DONE) {
        if (cancelling)
            return mm_strdup("Cancelling: waiting for the batches in progress...");
        for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++)
            if (phases[i].phase == v->phase)
                return mm_strdup(phases[i].text);
        return mm_strdup("");
    }
    const char *journal = v->journal_path ? v->journal_path : NULL;
    switch (v->outcome) {
    case MM_RUNJOB_OK:
        *role = MM_ROLE_OK;
        return mm_strdup("Done: dumped, imported and verified; all counts match.");
    case MM_RUNJOB_MISMATCH:
        *role = MM_ROLE_MISMATCH;
        return mm_asprintf("Done, but %zu count(s) do not match: the Verify screen (F7) shows which.", v->mismatches);
    case MM_RUNJOB_DECLINED:
        *role = MM_ROLE_WARNING;
        return mm_strdup("Stopped before changing anything: the run would lose what the log lists, and that was not "
                         "confirmed. Change what causes it (existingCollection: e on the Plan screen), or press "
                         "Enter and confirm with y.");
    case MM_RUNJOB_CANCELLED:
        *role = MM_ROLE_WARNING;
        return journal ? mm_asprintf("Cancelled: %s\nCompleted batches are recorded in the journal %s; Enter "
                                     "resumes from there.", v->error ? v->error : "", journal)
                       : mm_asprintf("Cancelled: %s", v->error ? v->error : "");
    default:
        *role = MM_ROLE_ERROR;
        /* Stopped before the dump began (a refusal of the source or the
         * target): there is nothing to resume, only to run again. */
        if (!v->dump_started && !v->load_started)
            return mm_asprintf("Failed: %s\nNothing was dumped or imported. Fix the cause and press Enter to run "
                               "again.", v->error ? v->error : "");
        return journal ? mm_asprintf("Failed: %s\nFix the cause and press Enter: the run resumes from the journal "
                                     "%s and never imports a batch twice.", v->error ? v->error : "", journal)
                       : mm_asprintf("Failed: %s\nFix the cause and press Enter to try again.",
                                     v->error ? v->error : "");
    }
}

/* ---- layout --------------------------------------------------------------------------- */

static char *collection_label(const mm_runjob_view *v, size_t i)
{
    const mm_monitor_collection *c = &v->collections[i];
    int64_t rows = v->plan->collections[i].rows;
    char d[32], i2[32], t[32];
    mm_format_count(d, sizeof d, c->dumped);
    mm_format_count(i2, sizeof i2, c->imported);
    mm_format_count(t, sizeof t, rows);
    return mm_asprintf("dumped %s/%s, imported %s/%s", d, t, i2, t);
}

static void draw_collections(const mm_runjob_view *v, int y, int x, int w, int lines)
{
    const mm_plan *plan = v->plan;
    bool loading = (v->steps & MM_RUNJOB_LOAD) && v->phase >= MM_RUNJOB_LOADING;
    int name_w = w / 5 < 24 ? w / 5 : 24;
    int shown = (size_t)lines < plan->n_collections ? lines - 1 : (int)plan->n_collections;
    int label_w = 0;
    for (int i = 0; i < shown; i++) {
        char *label = collection_label(v, (size_t)i);
        int lw = label ? mm_text_width(label) : 0;
        label_w = lw > label_w ? lw : label_w;
        free(label);
    }
    for (int i = 0; i < shown; i++) {
        const mm_plan_collection *pc = &plan->collections[i];
        const mm_monitor_collection *c = &v->collections[i];
        mm_draw_text(y + i, x, name_w, pc->info->target_name, mm_theme_attr(MM_ROLE_NORMAL), true);
        char *label = collection_label(v, (size_t)i);
        draw_bar(y + i, x + name_w + 1, w - name_w - 1, (uint64_t)(loading ? c->imported : c->dumped),
                 (uint64_t)pc->rows, label ? label : "", label_w);
        free(label);
    }
    if (shown < (int)plan->n_collections) {
        char *more = mm_asprintf("... and %zu more collection(s)", plan->n_collections - (size_t)shown);
        mm_draw_text(y + shown, x, w, more ? more : "", mm_theme_attr(MM_ROLE_DIM), true);
        free(more);
    }
}

int mm_run_view_draw(const mm_app *app, const mm_runjob_view *v, bool started, bool cancelling, mm_table *batches,
                     const mm_log *log, bool log_focus, const mm_rect *a)
{
    int x = a->x + 1, w = a->w - 2, y = a->y, bottom = a->y + a->h;
    mm_role role;
    char *status = status_text(app, v, started, cancelling, &role);
    int max_status = started && v->phase == MM_RUNJOB_DONE ? (a->h >= 27 ? 8 : 6) : 3;
    y += mm_draw_wrapped(y, x, w, max_status, status ? status : "", mm_theme_attr(role));
    free(status);
    y++;
    draw_step_bars(app, v, y, x, w);
    y += 2;
    draw_verify_line(v, y++, x, w);
    int log_lines = a->h >= 27 ? 6 : a->h >= 21 ? 4 : 2;
    /* The log never takes more rows than its messages need, and the batch
     * table grows into the rest; focused, it takes half of what is free. */
    int free_rows = bottom - y - 1;
    if (log_focus && free_rows / 2 > log_lines)
        log_lines = free_rows / 2;
    int needed = mm_log_height(log, w);
    if (!log_focus && v->plan && needed < log_lines)
        log_lines = needed > 1 ? needed : 1;
    int room = bottom - y - 1 - log_lines - 1; /* blank, collections + table, log title */
    if (v->plan && room > 4) {
        y++;
        int n = (int)v->plan->n_collections;
        int max = room / 4 > 0 ? room / 4 : 1;
        int lines = n < max ? n : max;
        draw_collections(v, y, x, w, lines);
        y += lines + 1;
        mm_rect table = {y, a->x, bottom - log_lines - 1 - y, a->w};
        mm_table_draw(batches, &table, true);
    } else if (!v->plan && started && v->phase != MM_RUNJOB_DONE) {
        mm_draw_text(y + 1, x, w, "Planning the batches...", mm_theme_attr(MM_ROLE_DIM), true);
    }
    int log_y = bottom - log_lines - 1;
    mm_draw_text(log_y, x, w,
                 log_focus ? "Log: Up/Down, PgUp/PgDn, Home/End scroll; l returns to the batches"
                           : "Log",
                 mm_theme_attr(log_focus ? MM_ROLE_SELECTED : MM_ROLE_HEADER), true);
    mm_rect pane = {log_y + 1, x, log_lines, w};
    mm_log_draw(log, &pane);
    return log_lines;
}
