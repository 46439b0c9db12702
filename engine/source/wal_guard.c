#include "source/wal_guard.h"

#include "base/remedy.h"
#include "base/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const status_names[] = {
    [MM_WAL_STATUS_CLEAN] = "clean",
    [MM_WAL_STATUS_UNFLUSHED] = "unflushed",
    [MM_WAL_STATUS_NO_WAL] = "no-wal",
    [MM_WAL_STATUS_EXPORT_CLEAN] = "checked-at-export",
    [MM_WAL_STATUS_NEVER_CHECKED] = "never-checked",
};

static const char missed[] =
    "rows inserted or deleted after the last flush, which exist only in the WAL, cannot be detected and would be "
    "missing (or deleted rows present) in Milvus 2.x without a word";

static int add_line(char ***lines, size_t *n, const char *text)
{
    char **grown = realloc(*lines, (*n + 1) * sizeof *grown);
    if (!grown)
        return -1;
    *lines = grown;
    return ((*lines)[(*n)++] = mm_strdup(text)) ? 0 : -1;
}

/* ---- this run's check ------------------------------------------------------- */

static char *no_wal_warning(const mm_source *src)
{
    const mm_wal_location *w = &src->wal;
    if (w->origin == MM_WAL_DISABLED)
        return mm_asprintf("the 1.x server runs without a WAL (%s: false in %s): rows inserted after its last flush "
                           "were lost unless it was stopped gracefully, and no file shows whether they were; if "
                           "unsure, start it once on this data and stop it with SIGINT, which flushes",
                           w->config_key, w->server_config);
    if (w->origin == MM_WAL_NOWHERE_TO_LOOK || !w->searched || !w->searched[0])
        return mm_asprintf("no 1.x WAL directory is known (the source names no 1.x storage directory to look in), "
                           "so %s; set source.local.walDir%s to the 1.x server's wal.path (wal_config.wal_path in 0.9)",
                           missed, mm_remedy_how(MM_REMEDY_WAL_DIR));
    return mm_asprintf("no 1.x WAL directory was found (looked for %s), so %s; set source.local.walDir%s to the 1.x "
                       "server's wal.path (wal_config.wal_path in 0.9)",
                       w->searched, missed, mm_remedy_how(MM_REMEDY_WAL_DIR));
}

static int check_own(const mm_source *src, mm_wal_guard *g, mm_error *err)
{
    if (mm_wal_check(src->wal.dir, &src->rows, &g->report, err) != 0)
        return -1;
    if (g->report.wal_dir_checked) {
        g->wal_dir = mm_strdup(src->wal.dir);
        g->found_by = mm_wal_location_describe(&src->wal);
    } else {
        g->searched = mm_strdup(src->wal.searched);
    }
    for (size_t i = 0; i < g->report.n_details; i++)
        if (add_line(&g->details, &g->n_details, g->report.details[i]) != 0)
            return mm_error_set(err, MM_ERR_NOMEM, "check the WAL: out of memory");
    const char *off = src->wal.origin == MM_WAL_DISABLED ? "the WAL is turned off" : "no WAL directory found";
    if (mm_wal_report_unflushed(&g->report)) {
        g->status = MM_WAL_STATUS_UNFLUSHED;
        g->summary = g->wal_dir ? mm_asprintf("FOUND (WAL %s, %s)", g->wal_dir, g->found_by)
                                : mm_asprintf("FOUND (meta checked; %s)", off);
    } else if (g->wal_dir) {
        g->status = MM_WAL_STATUS_CLEAN;
        g->summary = mm_asprintf("none (meta and WAL checked; WAL %s, %s)", g->wal_dir, g->found_by);
    } else {
        g->status = MM_WAL_STATUS_NO_WAL;
        g->summary = mm_asprintf("unknown (meta checked: nothing unflushed there; %s, see the warning)", off);
    }
    if (!g->wal_dir && !(g->warning = no_wal_warning(src)))
        return mm_error_set(err, MM_ERR_NOMEM, "check the WAL: out of memory");
    return g->summary ? 0 : mm_error_set(err, MM_ERR_NOMEM, "check the WAL: out of memory");
}

/* ---- what `export` recorded ------------------------------------------------- */

static const char *record_string(const cJSON *rec, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int from_record(const mm_source *src, mm_wal_guard *g, mm_error *err)
{
    const char *origin = src->rows.origin ? src->rows.origin : "meta.json";
    g->from_export = true;
    if (!src->rows.wal_check_json) {
        g->status = MM_WAL_STATUS_NEVER_CHECKED;
        g->summary = mm_strdup("unknown (the WAL was never checked, see the warning)");
        g->warning = mm_asprintf("the WAL was never checked: meta.json %s records no WAL check (it was written by the "
                                 "reference tool or an older milvus-migrate), so rows that exist only in the 1.x WAL "
                                 "would be missing in Milvus 2.x without a word; write it again with `milvus-migrate "
                                 "export` where the 1.x WAL can be found (--wal-dir), or set source.local.walDir to "
                                 "the 1.x WAL directory", origin);
        return g->summary && g->warning ? 0 : mm_error_set(err, MM_ERR_NOMEM, "check the WAL: out of memory");
    }
    cJSON *rec = cJSON_Parse(src->rows.wal_check_json);
    if (!rec)
        return mm_error_set(err, MM_ERR_NOMEM, "read the walCheck record of %s: out of memory", origin);
    bool checked = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "checked"));
    bool unflushed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "unflushed"));
    g->export_allowed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "allowedUnflushed"));
    g->wal_dir = mm_strdup(record_string(rec, "walDir"));
    g->found_by = mm_strdup(record_string(rec, "foundBy"));
    g->checked_at = mm_strdup(record_string(rec, "at") ? record_string(rec, "at") : "an unknown time");
    g->searched = mm_strdup(record_string(rec, "searched"));
    int rc = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(rec, "details"))
        if (cJSON_IsString(d) && add_line(&g->details, &g->n_details, d->valuestring) != 0)
            rc = -1;
    cJSON_Delete(rec);
    if (unflushed) {
        g->status = MM_WAL_STATUS_UNFLUSHED;
        g->summary = mm_asprintf("FOUND at export time (%s, %s%s)", g->checked_at, checked ? "WAL " : "meta only",
                                 checked && g->wal_dir ? g->wal_dir : "");
    } else if (checked) {
        g->status = MM_WAL_STATUS_EXPORT_CLEAN;
        g->summary = mm_asprintf("none (WAL checked at export time, %s; WAL %s, %s)", g->checked_at,
                                 g->wal_dir ? g->wal_dir : "?", g->found_by ? g->found_by : "?");
    } else {
        g->status = MM_WAL_STATUS_NEVER_CHECKED;
        g->summary = mm_strdup("unknown (the WAL was never checked, see the warning)");
        g->warning = mm_asprintf("the WAL was never checked: `milvus-migrate export` found no 1.x WAL when it wrote "
                                 "%s on %s (looked for %s), so rows that exist only in the 1.x WAL would be missing "
                                 "in Milvus 2.x without a word; export again with --wal-dir, or set "
                                 "source.local.walDir to the 1.x WAL directory", origin, g->checked_at,
                                 g->searched && g->searched[0] ? g->searched : "nothing to look in");
    }
    return rc == 0 && g->summary ? 0 : mm_error_set(err, MM_ERR_NOMEM, "check the WAL: out of memory");
}

int mm_wal_guard_check(const mm_source *src, mm_wal_guard *out, mm_error *err)
{
    memset(out, 0, sizeof *out);
    int rc;
    if (src->rows.kind != MM_META_KIND_JSON) {
        rc = check_own(src, out, err);
    } else if (src->wal.origin == MM_WAL_GIVEN && !src->rows.wal_check_json) {
        /* The WAL is compared with flush LSNs that only our export records. */
        rc = mm_error_set(err, MM_ERR_CONFIG, "%s is set, but meta.json %s records no flush LSNs to compare the WAL "
                          "with (it was not written by `milvus-migrate export`); write it again with `milvus-migrate "
                          "export -s meta.sqlite -o DIR --wal-dir %s` (or -m DSN), or check the WAL with `milvus-migrate "
                          "inspect` on the 1.x installation", src->wal.given_key, src->rows.origin, src->wal.dir);
    } else if (src->wal.origin == MM_WAL_GIVEN) {
        rc = check_own(src, out, err);
    } else {
        rc = from_record(src, out, err);
    }
    if (rc != 0)
        mm_wal_guard_free(out);
    return rc;
}

void mm_wal_guard_free(mm_wal_guard *g)
{
    mm_wal_report_free(&g->report);
    for (size_t i = 0; i < g->n_details; i++)
        free(g->details[i]);
    free(g->details);
    free(g->wal_dir);
    free(g->found_by);
    free(g->checked_at);
    free(g->searched);
    free(g->summary);
    free(g->warning);
    memset(g, 0, sizeof *g);
}

/* ---- refusing ----------------------------------------------------------------- */

static char *explain(const mm_wal_guard *g, bool allowed, const char *override)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (size_t i = 0; i < g->n_details; i++)
        mm_strbuf_appendf(&sb, "  %s\n", g->details[i]);
    mm_strbuf_append(&sb, "These rows exist only in the 1.x WAL, not in any segment, and would not be migrated.\n");
    if (allowed)
        return mm_strbuf_take(&sb);
    mm_strbuf_append(&sb,
                     "To include them: start the 1.x server on this data, call flush() for every collection\n"
                     "(pymilvus 1.x: client.flush()), stop it gracefully (SIGINT) and copy db/ again with\n"
                     "meta.sqlite-wal and meta.sqlite-shm");
    if (g->from_export)
        mm_strbuf_append(&sb, ", then export the meta again");
    mm_strbuf_appendf(&sb, ". To migrate without them,\n%s.\n", override ? override : "set source.allowUnflushed: true");
    return mm_strbuf_take(&sb);
}

int mm_wal_guard_refuse(const mm_wal_guard *g, bool allow_unflushed, const char *override, char **warning,
                        mm_error *err)
{
    if (warning)
        *warning = NULL;
    if (g->status != MM_WAL_STATUS_UNFLUSHED)
        return 0;
    char *text = explain(g, allow_unflushed, override);
    /* The explanation ends its last line; the message's printer ends it again. */
    size_t len = text ? strlen(text) : 0;
    while (len && text[len - 1] == '\n')
        text[--len] = '\0';
    char *when = g->from_export ? mm_asprintf(" (found by `export` on %s)", g->checked_at)
                 : g->wal_dir       ? mm_asprintf(" (WAL %s, %s)", g->wal_dir, g->found_by)
                                    : mm_strdup("");
    int rc = 0;
    if (allow_unflushed) {
        if (warning)
            *warning = mm_asprintf("going on without the data that was never flushed%s:\n%s", when ? when : "",
                                   text ? text : "");
    } else {
        rc = mm_error_set(err, MM_ERR_UNFLUSHED, "the 1.x installation has data that was never flushed to "
                          "segments%s:\n%s", when ? when : "", text ? text : "");
    }
    free(when);
    free(text);
    return rc;
}

/* ---- records and renderings ---------------------------------------------------- */

static void add_report_numbers(cJSON *o, const mm_wal_report *r)
{
    cJSON_AddNumberToObject(o, "newFileRows", (double)r->new_file_rows);
    if (r->has_mxlog)
        cJSON_AddNumberToObject(o, "mxlogLatestLsn", (double)r->mxlog_latest_lsn);
    cJSON_AddNumberToObject(o, "flushedLsn", (double)r->flushed_lsn);
    cJSON_AddNumberToObject(o, "unflushedRecords", (double)r->unflushed_records);
    cJSON_AddNumberToObject(o, "unflushedInsertedRows", (double)r->unflushed_inserted_rows);
    cJSON_AddNumberToObject(o, "unflushedDeletedIds", (double)r->unflushed_deleted_ids);
}

static void add_string_or_null(cJSON *o, const char *key, const char *value)
{
    if (value)
        cJSON_AddStringToObject(o, key, value);
    else
        cJSON_AddNullToObject(o, key);
}

static void add_details(cJSON *o, const mm_wal_guard *g)
{
    cJSON *details = cJSON_AddArrayToObject(o, "details");
    for (size_t i = 0; i < g->n_details; i++)
        cJSON_AddItemToArray(details, cJSON_CreateString(g->details[i]));
}

cJSON *mm_wal_guard_record(const mm_wal_guard *g, bool allowed)
{
    cJSON *o = cJSON_CreateObject();
    char at[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    cJSON_AddBoolToObject(o, "checked", g->wal_dir != NULL);
    add_string_or_null(o, "walDir", g->wal_dir);
    add_string_or_null(o, "foundBy", g->found_by);
    if (!g->wal_dir)
        add_string_or_null(o, "searched", g->searched);
    cJSON_AddStringToObject(o, "at", at);
    cJSON_AddBoolToObject(o, "unflushed", g->status == MM_WAL_STATUS_UNFLUSHED);
    cJSON_AddBoolToObject(o, "allowedUnflushed", allowed && g->status == MM_WAL_STATUS_UNFLUSHED);
    add_details(o, g);
    add_report_numbers(o, &g->report);
    return o;
}

cJSON *mm_wal_guard_json(const mm_wal_guard *g)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", status_names[g->status]);
    cJSON_AddBoolToObject(o, "unflushed", g->status == MM_WAL_STATUS_UNFLUSHED);
    cJSON_AddBoolToObject(o, "walChecked", g->wal_dir != NULL);
    add_string_or_null(o, "walDir", g->wal_dir);
    add_string_or_null(o, "foundBy", g->found_by);
    if (g->from_export)
        add_string_or_null(o, "checkedAtExport", g->checked_at);
    add_string_or_null(o, "summary", g->summary);
    add_string_or_null(o, "warning", g->warning);
    if (!g->from_export)
        add_report_numbers(o, &g->report);
    add_details(o, g);
    return o;
}

char *mm_wal_guard_render_text(const mm_wal_guard *g)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_appendf(&sb, "Unflushed data: %s\n", g->summary ? g->summary : "?");
    if (g->status == MM_WAL_STATUS_UNFLUSHED) {
        char *text = explain(g, false, NULL);
        mm_strbuf_append(&sb, text ? text : "");
        free(text);
    }
    return mm_strbuf_take(&sb);
}

/* The checks go in before the report's closing brace as text: parsing the
 * report and printing it again would turn its exact 64-bit numbers (1.x ids,
 * sample seeds, written raw) into doubles rounded above 2^53. */
char *mm_wal_guard_add_to_report_json(char *report_json, const mm_wal_guard *g)
{
    if (!g || !report_json)
        return report_json;
    char *close = strrchr(report_json, '}');
    cJSON *checks = cJSON_CreateObject();
    if (checks)
        cJSON_AddItemToObject(checks, "unflushed", mm_wal_guard_json(g));
    char *text = close && checks ? cJSON_Print(checks) : NULL;
    cJSON_Delete(checks);
    char *out = NULL;
    if (text) {
        *close = '\0';
        /* An empty report object gets no separating comma. */
        const char *p = close;
        while (p > report_json && (p[-1] == '\n' || p[-1] == '\t' || p[-1] == ' '))
            p--;
        bool empty = p > report_json && p[-1] == '{';
        mm_strbuf sb;
        mm_strbuf_init(&sb);
        mm_strbuf_appendf(&sb, "%.*s%s\n\t\"sourceChecks\":\t", (int)(p - report_json), report_json,
                          empty ? "" : ",");
        /* One level deeper than cJSON printed it on its own. */
        for (const char *line = text, *nl; line; line = nl ? nl + 1 : NULL) {
            nl = strchr(line, '\n');
            mm_strbuf_appendf(&sb, "%s%.*s", line == text ? "" : "\n\t", nl ? (int)(nl - line) : (int)strlen(line),
                              line);
        }
        mm_strbuf_append(&sb, "\n}");
        out = mm_strbuf_take(&sb);
    }
    free(text);
    free(report_json);
    return out;
}

char *mm_wal_guard_add_to_report_markdown(char *report_md, const mm_wal_guard *g)
{
    if (!g || !report_md)
        return report_md;
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_append(&sb, report_md);
    free(report_md);
    mm_strbuf_appendf(&sb, "\n## Source checks\n\n- Unflushed data: %s\n", g->summary ? g->summary : "?");
    for (size_t i = 0; i < g->n_details; i++)
        mm_strbuf_appendf(&sb, "  - %s\n", g->details[i]);
    if (g->warning)
        mm_strbuf_appendf(&sb, "- **Warning:** %s\n", g->warning);
    return mm_strbuf_take(&sb);
}
