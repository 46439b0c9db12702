/* Screen 2, Preview: the inventory of the connected source as a table,
 * one row per collection followed by its partitions, with the 2.x names,
 * live and deleted rows, segments, size, dimension, metric, index and the
 * number of warnings; under it every warning about the highlighted
 * collection, and w lists every warning about the source. Space
 * (de)selects a collection for migration (the selection is the --col
 * filter), / filters by name, r renames the 2.x collection or partition. */
#include "screens.h"

#include "tui/lineedit.h"
#include "source/inventory_render.h"
#include "source/names.h"
#include "source/target_names.h"
#include "base/strbuf.h"
#include "tui/widget_table.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { DETAIL_MIN = 4 };
typedef enum { PROMPT_NONE, PROMPT_FILTER, PROMPT_RENAME } prompt_kind;
enum { COL_SEL, COL_NAME, COL_TARGET, COL_LIVE, COL_DELETED, COL_SEGMENTS, COL_SIZE, COL_DIM, COL_METRIC,
       COL_INDEX, COL_WARN, COL_COUNT };

/* On a narrow terminal the index, the metric, the segments, the dimension,
 * the deleted rows and the size go, in that order. */
static const mm_table_column columns[COL_COUNT] = {
    [COL_SEL] = {"SEL", 3, false, 0, 0},         [COL_NAME] = {"COLLECTION / PARTITION", 0, false, 14, 0},
    [COL_TARGET] = {"2.X NAME", 0, false, 10, 0}, [COL_LIVE] = {"LIVE", 7, true, 0, 0},
    [COL_DELETED] = {"DELETED", 7, true, 0, 2},  [COL_SEGMENTS] = {"SEGS", 4, true, 0, 4},
    [COL_SIZE] = {"SIZE", 9, true, 0, 1},        [COL_DIM] = {"DIM", 5, true, 0, 3},
    [COL_METRIC] = {"METRIC", 7, false, 0, 5},   [COL_INDEX] = {"INDEX", 8, false, 0, 6},
    [COL_WARN] = {"WARN", 4, true, 0, 0},
};

typedef struct preview_state {
    mm_table table;
    bool table_ready;
    uint64_t generation;     /* inventory the rows were built from */
    char *filter;
    prompt_kind prompt;
    mm_lineedit edit;
    char *prompt_error;
    int rename_collection, rename_partition; /* partition -1: the collection */
} preview_state;

/* Warnings about the collection: they name it as "collection 'NAME'"
 * (escaped as the engine escapes names, or as it is). */
static bool about(const char *warning, const char *raw, const char *escaped)
{
    char *a = mm_asprintf("collection '%s'", raw), *b = escaped ? mm_asprintf("collection '%s'", escaped) : NULL;
    bool yes = (a && strstr(warning, a)) || (b && strstr(warning, b));
    free(a);
    free(b);
    return yes;
}

static size_t warnings_of(const mm_inventory *inv, const char *name, const char **first, size_t max)
{
    char *escaped = mm_name_escape(name);
    size_t n = 0;
    for (size_t i = 0; i < inv->n_warnings; i++)
        if (about(inv->warnings[i], name, escaped)) {
            if (n < max && first)
                first[n] = inv->warnings[i];
            n++;
        }
    free(escaped);
    return n;
}

static bool matches(const preview_state *st, const mm_collection_info *c)
{
    return !st->filter || !*st->filter || strcasestr(c->name, st->filter) || strcasestr(c->target_name, st->filter);
}

static void fmt_i64(char *buf, size_t n, int64_t v)
{
    mm_format_count(buf, n, v);
}

static void rebuild(mm_app *app, preview_state *st)
{
    if (!st->table_ready) {
        mm_table_init(&st->table, columns, COL_COUNT);
        st->table_ready = true;
    }
    mm_table_clear(&st->table);
    st->generation = app->inventory_generation;
    if (!app->have_inventory)
        return;
    const mm_inventory *inv = &app->inv;
    for (size_t ci = 0; ci < inv->n_collections; ci++) {
        const mm_collection_info *c = &inv->collections[ci];
        if (!matches(st, c))
            continue;
        int64_t live = 0, deleted = 0;
        uint64_t bytes = 0;
        size_t segments = 0;
        int64_t rows = 0;
        for (size_t p = 0; p < c->n_partitions; p++) {
            mm_partition_totals(&c->partitions[p], &rows, &deleted, &live, &bytes); /* accumulates */
            segments += c->partitions[p].n_segments;
        }
        char s_live[32], s_del[32], s_seg[24], s_size[32], s_dim[24], s_warn[24];
        fmt_i64(s_live, sizeof s_live, live);
        fmt_i64(s_del, sizeof s_del, deleted);
        snprintf(s_seg, sizeof s_seg, "%zu", segments);
        mm_format_bytes(bytes, s_size, sizeof s_size);
        snprintf(s_dim, sizeof s_dim, "%lld", (long long)c->dim);
        size_t nw = warnings_of(inv, c->name, NULL, 0);
        s_warn[0] = '\0';
        if (nw)
            snprintf(s_warn, sizeof s_warn, "%zu", nw);
        const char *cells[COL_COUNT] = {app->selected[ci] ? "[x]" : "[ ]", c->name, c->target_name, s_live, s_del,
                                        s_seg, s_size, s_dim, mm_metric_name(c->metric_type),
                                        mm_engine_type_name(c->engine_type), s_warn};
        mm_table_add(&st->table, cells, app->selected[ci] ? MM_ROLE_NORMAL : MM_ROLE_DIM, (int)ci, -1);
        for (size_t p = 0; p < c->n_partitions; p++) {
            const mm_partition_info *part = &c->partitions[p];
            int64_t r = 0, d = 0, l = 0;
            uint64_t b = 0;
            mm_partition_totals(part, &r, &d, &l, &b);
            fmt_i64(s_live, sizeof s_live, l);
            fmt_i64(s_del, sizeof s_del, d);
            snprintf(s_seg, sizeof s_seg, "%zu", part->n_segments);
            mm_format_bytes(b, s_size, sizeof s_size);
            char *label = mm_asprintf("  %s", part->tag[0] ? part->tag : "_default");
            const char *pcells[COL_COUNT] = {"", label, part->target_name, s_live, s_del, s_seg, s_size,
                                             "", "", "", ""};
            mm_table_add(&st->table, pcells, app->selected[ci] ? MM_ROLE_NORMAL : MM_ROLE_DIM, (int)ci, (int)p);
            free(label);
        }
    }
}

static void close_prompt(preview_state *st)
{
    if (st->prompt != PROMPT_NONE)
        mm_lineedit_fini(&st->edit);
    st->prompt = PROMPT_NONE;
    free(st->prompt_error);
    st->prompt_error = NULL;
}

static void set_filter(mm_app *app, preview_state *st, const char *text)
{
    free(st->filter);
    st->filter = text && *text ? mm_strdup(text) : NULL;
    st->table.selected = 0;
    rebuild(app, st);
}

/* Checks a new 2.x name; returns a malloc'd problem or NULL. */
static char *rename_problem(const mm_app *app, const preview_state *st, const char *name)
{
    if (!mm_name_valid_2x(name))
        return mm_asprintf("'%s' is not a valid Milvus 2.x name: the first character must be a letter or '_', "
                           "the others letters, digits or '_', at most %d characters", name, MM_MAX_NAME_LEN);
    const mm_collection_info *c = &app->inv.collections[st->rename_collection];
    if (st->rename_partition < 0) {
        for (size_t i = 0; i < app->inv.n_collections; i++)
            if ((int)i != st->rename_collection && strcmp(app->inv.collections[i].target_name, name) == 0)
                return mm_asprintf("collection '%s' already becomes '%s' in Milvus 2.x",
                                   app->inv.collections[i].name, name);
        return NULL;
    }
    if (strcmp(name, "_default") == 0)
        return mm_strdup("'_default' is the collection's own partition in Milvus 2.x");
    for (size_t i = 0; i < c->n_partitions; i++)
        if ((int)i != st->rename_partition && strcmp(c->partitions[i].target_name, name) == 0)
            return mm_asprintf("partition '%s' of '%s' already becomes '%s'",
                               c->partitions[i].tag[0] ? c->partitions[i].tag : "_default", c->name, name);
    return NULL;
}

/* The inventory's warning that a name was rewritten for 2.x names the
 * rewrite; after a rename it names the new name, not the one replaced. */
static void reword_rename_warning(mm_inventory *inv, const char *name, const char *old_target, const char *new_target)
{
    char *escaped = mm_name_escape(name);
    char *subject = escaped ? mm_asprintf("'%s' is not a valid 2.x ", escaped) : NULL;
    char *became = mm_asprintf("; it becomes '%s'", old_target);
    for (size_t i = 0; subject && became && i < inv->n_warnings; i++) {
        char *w = inv->warnings[i], *at = strstr(w, subject) ? strstr(w, became) : NULL;
        if (!at)
            continue;
        char *text = mm_asprintf("%.*s; you renamed it '%s' (it would have become '%s')", (int)(at - w), w,
                                 new_target, old_target);
        if (text) {
            free(inv->warnings[i]);
            inv->warnings[i] = text;
        }
    }
    free(escaped);
    free(subject);
    free(became);
}

static void commit_rename(mm_app *app, preview_state *st)
{
    char *name = mm_lineedit_text(&st->edit);
    char *problem = rename_problem(app, st, name);
    if (problem) {
        free(st->prompt_error);
        st->prompt_error = problem;
        free(name);
        return;
    }
    mm_collection_info *c = &app->inv.collections[st->rename_collection];
    char **slot = st->rename_partition < 0 ? &c->target_name : &c->partitions[st->rename_partition].target_name;
    /* Recorded in the configuration too, so saving it keeps the name for
     * headless runs and re-runs. */
    mm_error err;
    bool in_step = !mm_app_source_stale(app);
    if (mm_target_names_set(&app->cfg.target.milvus2x.names, c->name,
                            st->rename_partition < 0 ? NULL : c->partitions[st->rename_partition].tag, name,
                            &err) != 0) {
        free(st->prompt_error);
        st->prompt_error = mm_strdup(err.message);
        free(name);
        return;
    }
    /* The inventory takes the new name too: it still describes the source. */
    if (in_step) {
        free(app->inventory_settings);
        app->inventory_settings = mm_app_source_settings(app);
    }
    mm_app_message(app, MM_ROLE_OK, "%s '%s' becomes '%s' in Milvus 2.x",
                   st->rename_partition < 0 ? "Collection" : "Partition",
                   st->rename_partition < 0 ? c->name
                   : c->partitions[st->rename_partition].tag[0] ? c->partitions[st->rename_partition].tag
                                                               : "_default", name);
    reword_rename_warning(&app->inv, st->rename_partition < 0 ? c->name : c->partitions[st->rename_partition].tag,
                          *slot, name);
    free(*slot);
    *slot = name;
    close_prompt(st);
    rebuild(app, st);
}

static void start_rename(mm_app *app, preview_state *st)
{
    const mm_table_item *row = mm_table_current(&st->table);
    if (!row)
        return;
    const mm_collection_info *c = &app->inv.collections[row->tag];
    if (row->sub >= 0 && !c->partitions[row->sub].tag[0]) {
        mm_app_message(app, MM_ROLE_WARNING, "The _default partition keeps its name in Milvus 2.x");
        return;
    }
    st->rename_collection = row->tag;
    st->rename_partition = row->sub;
    mm_lineedit_init(&st->edit, row->sub < 0 ? c->target_name : c->partitions[row->sub].target_name, MM_MASK_NONE,
                     NULL);
    st->prompt = PROMPT_RENAME;
}

static void toggle_selection(mm_app *app, preview_state *st, bool all)
{
    if (all) {
        bool every = true;
        for (size_t i = 0; i < app->inv.n_collections; i++)
            every = every && app->selected[i];
        for (size_t i = 0; i < app->inv.n_collections; i++)
            app->selected[i] = !every;
    } else {
        const mm_table_item *row = mm_table_current(&st->table);
        if (!row)
            return;
        app->selected[row->tag] = !app->selected[row->tag];
    }
    mm_app_update_filter(app);
    size_t keep = st->table.selected;
    rebuild(app, st);
    st->table.selected = keep;
}

/* ---- callbacks ---------------------------------------------------------------- */

static void preview_enter(mm_app *app, void *state)
{
    preview_state *st = state;
    /* Settings changed since the inventory was read: read it again (the
     * test is read-only), unless a job is using the source. */
    if (mm_app_source_stale(app) && !mm_app_job_running(app))
        app->want_source_test = true;
    if (!st->table_ready || st->generation != app->inventory_generation) {
        free(st->filter);
        st->filter = NULL;
        rebuild(app, st);
        st->table.selected = 0;
    }
}

static void preview_fini(mm_app *app, void *state)
{
    preview_state *st = state;
    close_prompt(st);
    if (st->table_ready)
        mm_table_fini(&st->table);
    free(st->filter);
}

static bool preview_capturing(mm_app *app, void *state)
{
    return ((preview_state *)state)->prompt != PROMPT_NONE;
}

static unsigned prompt_key(mm_app *app, preview_state *st, mm_action action, int key)
{
    if (action == MM_ACT_CANCEL) {
        if (st->prompt == PROMPT_FILTER)
            set_filter(app, st, NULL);
        close_prompt(st);
        return MM_TUI_REDRAW;
    }
    if (action == MM_ACT_ACTIVATE) {
        if (st->prompt == PROMPT_RENAME)
            commit_rename(app, st);
        else
            close_prompt(st);
        return MM_TUI_REDRAW;
    }
    if (mm_lineedit_key(&st->edit, key, action) && st->prompt == PROMPT_FILTER) {
        char *text = mm_lineedit_text(&st->edit);
        set_filter(app, st, text);
        free(text);
    }
    free(st->prompt_error);
    st->prompt_error = NULL;
    return MM_TUI_REDRAW;
}

static unsigned preview_action(mm_app *app, void *state, mm_action action, int key)
{
    preview_state *st = state;
    if (st->prompt != PROMPT_NONE)
        return prompt_key(app, st, action, key);
    if (!app->have_inventory)
        return MM_TUI_NONE;
    if (mm_table_on_action(&st->table, action))
        return MM_TUI_REDRAW;
    if ((action == MM_ACT_TOGGLE || action == MM_ACT_SELECT_ALL || action == MM_ACT_RENAME) &&
        mm_app_read_only(app, "the selection and the 2.x names"))
        return MM_TUI_REDRAW;
    switch (action) {
    case MM_ACT_TOGGLE: toggle_selection(app, st, false); return MM_TUI_REDRAW;
    case MM_ACT_SELECT_ALL: toggle_selection(app, st, true); return MM_TUI_REDRAW;
    case MM_ACT_WARNINGS: mm_app_show_warnings(app); return MM_TUI_REDRAW;
    case MM_ACT_FILTER:
        mm_lineedit_init(&st->edit, st->filter, MM_MASK_NONE, NULL);
        st->prompt = PROMPT_FILTER;
        return MM_TUI_REDRAW;
    case MM_ACT_RENAME: start_rename(app, st); return MM_TUI_REDRAW;
    case MM_ACT_CANCEL:
        if (!st->filter)
            return MM_TUI_NONE;
        set_filter(app, st, NULL);
        return MM_TUI_REDRAW;
    default: return MM_TUI_NONE;
    }
}

static void draw_summary(const mm_app *app, int y, int x, int w)
{
    size_t n = app->inv.n_collections, chosen = 0;
    for (size_t i = 0; i < n; i++)
        chosen += app->selected[i];
    char *text = !app->col_filter ? mm_asprintf("Migrating all %zu collection(s).", n)
                 : chosen == 0   ? mm_strdup("No collection selected: nothing would be migrated.")
                                 : mm_asprintf("Migrating %zu of %zu collection(s): --col %s", chosen, n,
                                               app->col_filter);
    mm_draw_text_cut(y, x, w, text ? text : "", mm_theme_attr(chosen == 0 ? MM_ROLE_WARNING : MM_ROLE_STATUS), true);
    free(text);
}

/* The warnings about the highlighted collection under the table, and how
 * many there are about the source in all. */
static void draw_warnings(const mm_app *app, const preview_state *st, int y, int x, int w, int lines)
{
    const mm_table_item *row = mm_table_current(&st->table);
    size_t total = app->inv.n_warnings + (app->source_alert ? 1 : 0);
    char *head = NULL;
    const mm_collection_info *c = row ? &app->inv.collections[row->tag] : NULL;
    size_t nw = c ? warnings_of(&app->inv, c->name, NULL, 0) : 0;
    if (total == 0)
        head = mm_strdup("No warnings about the source.");
    else if (c)
        head = mm_asprintf("%zu warning(s) about the source, %zu about %s; w lists them all.", total, nw, c->name);
    else
        head = mm_asprintf("%zu warning(s) about the source; w lists them all.", total);
    mm_draw_text_cut(y, x, w, head ? head : "", mm_theme_attr(total ? MM_ROLE_WARNING : MM_ROLE_DIM), true);
    free(head);
    if (!nw || lines < 2)
        return;
    const char **found = calloc(nw, sizeof *found);
    if (!found)
        return;
    warnings_of(&app->inv, c->name, found, nw);
    int used = 1;
    for (size_t i = 0; i < nw && used < lines; i++) {
        char *line = mm_asprintf("- %s", found[i]);
        used += mm_draw_wrapped(y + used, x, w, lines - used, line ? line : "", mm_theme_attr(MM_ROLE_WARNING));
        free(line);
    }
    free(found);
}

static void preview_draw(mm_app *app, void *state, const mm_rect *a)
{
    preview_state *st = state;
    int x = a->x + 1, w = a->w - 2;
    if (!app->have_inventory) {
        mm_draw_wrapped(a->y + 1, x, w, 3, app->want_source_test ? "Reading the 1.x source..." :
                        "No source connected yet. On the Source screen (F1), choose the 1.x installation and run "
                        "Test connection.", mm_theme_attr(MM_ROLE_STATUS));
        return;
    }
    if (st->generation != app->inventory_generation)
        preview_enter(app, st);
    int y = a->y, bottom = a->y + a->h;
    char *origin = mm_asprintf("Source: %s", app->inv.origin ? app->inv.origin : "");
    mm_draw_text_cut(y++, x, w, origin ? origin : "", mm_theme_attr(MM_ROLE_SECTION), true);
    free(origin);
    if (mm_app_source_stale(app))
        y += mm_draw_wrapped(y, x, w, 2, "The source settings changed since this was read; it is read again "
                             "(Source screen, t) before anything else uses it.", mm_theme_attr(MM_ROLE_WARNING));
    draw_summary(app, y++, x, w);
    /* The table takes the rows it needs, the warnings the rest (at least
     * DETAIL_MIN lines), the prompt one line between them. */
    int room = bottom - y - 1;
    int table_h = mm_table_height(&st->table) + 1;
    if (table_h > room - DETAIL_MIN)
        table_h = room - DETAIL_MIN;
    if (table_h < 3)
        table_h = 3;
    mm_rect table = {y, a->x, table_h, a->w};
    mm_table_draw(&st->table, &table, st->prompt == PROMPT_NONE);
    if (st->table.n_rows == 0)
        mm_draw_text(table.y + 1, x, w, "No collection matches the filter.", mm_theme_attr(MM_ROLE_DIM), true);
    int prompt_y = y + table_h;
    if (st->prompt != PROMPT_NONE) {
        const char *label = st->prompt == PROMPT_FILTER ? "Filter: " : "New 2.x name: ";
        int lw = mm_draw_text(prompt_y, x, w, label, mm_theme_attr(MM_ROLE_SECTION), false);
        mm_lineedit_draw(&st->edit, prompt_y, x + lw, w - lw, mm_theme_attr(MM_ROLE_FIELD_EDIT));
    } else if (st->filter) {
        char *f = mm_asprintf("Filter: %s  (Esc clears)", st->filter);
        mm_draw_text_cut(prompt_y, x, w, f ? f : "", mm_theme_attr(MM_ROLE_DIM), true);
        free(f);
    }
    int dy = prompt_y + 1, lines = bottom - dy;
    if (st->prompt_error) {
        mm_draw_wrapped(dy, x, w, lines, st->prompt_error, mm_theme_attr(MM_ROLE_ERROR));
        return;
    }
    draw_warnings(app, st, dy, x, w, lines);
}

static bool preview_offers(mm_app *app, void *state, mm_action action)
{
    preview_state *st = state;
    switch (action) {
    case MM_ACT_TOGGLE: case MM_ACT_SELECT_ALL: case MM_ACT_RENAME:
        return app->have_inventory && !mm_app_job_running(app);
    case MM_ACT_FILTER: case MM_ACT_WARNINGS: return app->have_inventory;
    case MM_ACT_CANCEL: return st->filter != NULL;
    default: return true;
    }
}

static unsigned preview_click(mm_app *app, void *state, int y, int x)
{
    (void)x;
    preview_state *st = state;
    long row = app->have_inventory && st->prompt == PROMPT_NONE ? mm_table_row_at(&st->table, y) : -1;
    if (row < 0)
        return MM_TUI_NONE;
    st->table.selected = (size_t)row;
    return MM_TUI_REDRAW;
}

const mm_screen mm_screen_preview = {
    .name = "preview",
    .title = "Preview",
    .state_size = sizeof(preview_state),
    .fini = preview_fini,
    .enter = preview_enter,
    .draw = preview_draw,
    .on_action = preview_action,
    .capturing = preview_capturing,
    .offers = preview_offers,
    .on_click = preview_click,
};
