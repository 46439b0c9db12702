/* meta.json as the reference tool writes it (specs/milvus-migration-reference.md
 * §3.1), plus our extensions for partitions, index and vector type. */
#include "source/meta_json.h"

#include "base/fsutil.h"

#include "source/names.h"
#include "base/strbuf.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parse_ctx {
    const char *origin;
    mm_error *err;
} parse_ctx;

static int json_error(parse_ctx *ctx, const char *path, const char *what)
{
    return mm_error_set(ctx->err, MM_ERR_FORMAT, "meta.json %s: %s: %s", ctx->origin, path, what);
}

/* Reads an optional non-negative integer member; absent leaves *out. */
static int get_int(parse_ctx *ctx, const cJSON *obj, const char *key, const char *path, bool required,
                   int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char where[512];
    snprintf(where, sizeof where, "%s.%s", path, key);
    if (!v) {
        if (required)
            return json_error(ctx, where, "missing");
        return 0;
    }
    double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
    if (!cJSON_IsNumber(v) || d < 0 || d != floor(d) || d > 9007199254740992.0)
        return json_error(ctx, where, "expected a non-negative integer");
    *out = (int64_t)d;
    return 0;
}

static int get_string(parse_ctx *ctx, const cJSON *obj, const char *key, const char *path, bool required,
                      const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char where[512];
    snprintf(where, sizeof where, "%s.%s", path, key);
    if (!v) {
        if (required)
            return json_error(ctx, where, "missing");
        return 0;
    }
    if (!cJSON_IsString(v))
        return json_error(ctx, where, "expected a string");
    *out = v->valuestring;
    return 0;
}

/* An enum code (metric, engine or file type) that 1.x stores as an int: a
 * larger value must not wrap into a valid code, e.g. 2^32 + 3 into HAMMING. */
static int get_code(parse_ctx *ctx, const cJSON *obj, const char *key, const char *path, bool required,
                    int64_t *out)
{
    int64_t v = *out;
    if (get_int(ctx, obj, key, path, required, &v) != 0)
        return -1;
    if (v > INT_MAX) {
        char where[512];
        snprintf(where, sizeof where, "%s.%s", path, key);
        return json_error(ctx, where, "expected a Milvus 1.x type code (an integer up to 2147483647)");
    }
    *out = v;
    return 0;
}

/* A required string that names something (a table, tag or segment): an
 * empty one would collide with "no owner" and with directory paths. */
static int get_name(parse_ctx *ctx, const cJSON *obj, const char *key, const char *path, const char **out)
{
    if (get_string(ctx, obj, key, path, true, out) != 0)
        return -1;
    if ((*out)[0])
        return 0;
    char where[512];
    snprintf(where, sizeof where, "%s.%s", path, key);
    return json_error(ctx, where, "expected a non-empty string");
}

static int add_table(mm_meta_rows *out, const char *table_id, const char *owner, const char *tag,
                     int64_t dim, int64_t metric, int64_t engine, const char *params, int64_t flag,
                     const char *version)
{
    mm_table_row *t = mm_meta_rows_add_table(out);
    if (!t)
        return -1;
    t->id = (int64_t)out->n_tables;
    t->table_id = mm_strdup(table_id);
    t->dimension = dim;
    t->metric_type = (int)metric;
    t->engine_type = (int)engine;
    t->index_params = mm_strdup(params);
    t->flag = flag;
    t->owner_table = mm_strdup(owner);
    t->partition_tag = mm_strdup(tag);
    t->version = mm_strdup(version);
    return (t->table_id && t->index_params && t->owner_table && t->partition_tag && t->version) ? 0 : -1;
}

/* Finds the tableId of a partition tag declared in "partitions". */
static const char *partition_table_id(const cJSON *partitions, const char *tag)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, partitions)
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "tag");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(p, "tableId");
        if (cJSON_IsString(t) && cJSON_IsString(id) && strcmp(t->valuestring, tag) == 0)
            return id->valuestring;
    }
    return NULL;
}

static bool partition_has_table_id(const cJSON *partitions, const char *table_id)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, partitions)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(p, "tableId");
        if (cJSON_IsString(id) && strcmp(id->valuestring, table_id) == 0)
            return true;
    }
    return false;
}

static int parse_segment(parse_ctx *ctx, const cJSON *seg, const char *path, const char *collection,
                         const cJSON *partitions, mm_meta_rows *out)
{
    if (!cJSON_IsObject(seg))
        return json_error(ctx, path, "expected an object");
    const char *segment = NULL, *tag = "", *table_id = NULL, *file_id = NULL;
    int64_t rows = 0, size = 0, file_type = 1;
    if (get_name(ctx, seg, "segment", path, &segment) || get_int(ctx, seg, "rows", path, true, &rows) ||
        get_int(ctx, seg, "fileSize", path, false, &size) || get_string(ctx, seg, "partition", path, false, &tag) ||
        get_string(ctx, seg, "tableId", path, false, &table_id) ||
        get_string(ctx, seg, "fileId", path, false, &file_id) ||
        get_code(ctx, seg, "fileType", path, false, &file_type))
        return -1;
    if (!table_id && tag[0]) {
        table_id = partition_table_id(partitions, tag);
        if (!table_id) {
            char where[512];
            snprintf(where, sizeof where, "%s.partition", path);
            return json_error(ctx, where, "names a partition that is not listed in \"partitions\"");
        }
    } else if (table_id && strcmp(table_id, collection) != 0 && !partition_has_table_id(partitions, table_id)) {
        /* A segment filed under a table no collection owns would be left
         * out of the migration without a word. */
        char where[512];
        snprintf(where, sizeof where, "%s.tableId", path);
        return json_error(ctx, where, "is neither the collection nor a tableId listed in \"partitions\"");
    }
    mm_file_row *f = mm_meta_rows_add_file(out);
    if (!f)
        return -1;
    f->id = (int64_t)out->n_files;
    f->table_id = mm_strdup(table_id ? table_id : collection);
    f->segment_id = mm_strdup(segment);
    f->file_id = mm_strdup(file_id ? file_id : segment);
    f->file_type = (int)file_type;
    f->row_count = rows;
    f->file_size = size;
    return (f->table_id && f->segment_id && f->file_id) ? 0 : -1;
}

static int parse_collection(parse_ctx *ctx, const cJSON *col, size_t index, mm_meta_rows *out)
{
    char path[256];
    snprintf(path, sizeof path, "collections[%zu]", index);
    if (!cJSON_IsObject(col))
        return json_error(ctx, path, "expected an object");
    const char *name = NULL, *version = "";
    int64_t metric = 0, dim = 0, engine = 1, flag = 0;
    if (get_name(ctx, col, "collection", path, &name) || get_code(ctx, col, "metric", path, true, &metric) ||
        get_int(ctx, col, "dim", path, true, &dim) || get_code(ctx, col, "engineType", path, false, &engine) ||
        get_int(ctx, col, "flag", path, false, &flag) || get_string(ctx, col, "version", path, false, &version))
        return -1;
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(col, "indexParams");
    char *params_text = params ? cJSON_PrintUnformatted(params) : mm_strdup("{}");
    if (params && !cJSON_IsObject(params)) {
        free(params_text);
        char where[300];
        snprintf(where, sizeof where, "%s.indexParams", path);
        return json_error(ctx, where, "expected an object");
    }
    int64_t flush_lsn = 0;
    int rc = params_text ? add_table(out, name, "", "", dim, metric, engine, params_text, flag, version) : -1;
    /* Our extension: the flush LSNs a WAL is compared with. */
    if (rc == 0 && get_int(ctx, col, "flushLsn", path, false, &flush_lsn) == 0)
        out->tables[out->n_tables - 1].flush_lsn = flush_lsn;
    else if (rc == 0)
        rc = -1;

    const cJSON *partitions = cJSON_GetObjectItemCaseSensitive(col, "partitions");
    if (rc == 0 && partitions && !cJSON_IsArray(partitions)) {
        char where[300];
        snprintf(where, sizeof where, "%s.partitions", path);
        rc = json_error(ctx, where, "expected an array");
    }
    size_t i = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, partitions)
    {
        if (rc != 0)
            break;
        char where[300];
        snprintf(where, sizeof where, "%s.partitions[%zu]", path, i++);
        const char *tag = NULL, *table_id = NULL;
        if (!cJSON_IsObject(p))
            rc = json_error(ctx, where, "expected an object");
        else if (get_name(ctx, p, "tag", where, &tag) || get_name(ctx, p, "tableId", where, &table_id))
            rc = -1;
        else if ((rc = add_table(out, table_id, name, tag, dim, metric, engine, params_text, 0, version)) == 0) {
            flush_lsn = 0;
            rc = get_int(ctx, p, "flushLsn", where, false, &flush_lsn);
            out->tables[out->n_tables - 1].flush_lsn = flush_lsn;
        }
    }
    free(params_text);

    const cJSON *segments = cJSON_GetObjectItemCaseSensitive(col, "segments");
    if (rc == 0 && !cJSON_IsArray(segments)) {
        char where[300];
        snprintf(where, sizeof where, "%s.segments", path);
        rc = json_error(ctx, where, segments ? "expected an array" : "missing");
    }
    i = 0;
    const cJSON *seg;
    cJSON_ArrayForEach(seg, segments)
    {
        if (rc != 0)
            break;
        char where[300];
        snprintf(where, sizeof where, "%s.segments[%zu]", path, i++);
        rc = parse_segment(ctx, seg, where, name, partitions, out);
    }
    return rc;
}

static int cmp_table_ids(const void *a, const void *b)
{
    return strcmp((*(const mm_table_row *const *)a)->table_id, (*(const mm_table_row *const *)b)->table_id);
}

static void describe_table(const mm_table_row *t, char *buf, size_t n)
{
    if (t->owner_table[0])
        snprintf(buf, n, "partition \"%.200s\" of collection \"%.200s\"", t->partition_tag, t->owner_table);
    else
        snprintf(buf, n, "collection \"%.200s\"", t->table_id);
}

/* SQLite and MySQL keep Tables.table_id unique; a meta.json could repeat
 * one, and the segments filed under it would then be migrated twice. */
static int check_unique_table_ids(parse_ctx *ctx, const mm_meta_rows *rows)
{
    if (rows->n_tables < 2)
        return 0;
    const mm_table_row **sorted = malloc(rows->n_tables * sizeof *sorted);
    if (!sorted)
        return mm_error_set(ctx->err, MM_ERR_NOMEM, "meta.json %s: out of memory", ctx->origin);
    for (size_t i = 0; i < rows->n_tables; i++)
        sorted[i] = &rows->tables[i];
    qsort(sorted, rows->n_tables, sizeof *sorted, cmp_table_ids);
    int rc = 0;
    for (size_t i = 1; i < rows->n_tables && rc == 0; i++) {
        if (strcmp(sorted[i - 1]->table_id, sorted[i]->table_id) != 0)
            continue;
        /* Name the two in file order. */
        const mm_table_row *first = sorted[i - 1] < sorted[i] ? sorted[i - 1] : sorted[i];
        const mm_table_row *second = first == sorted[i] ? sorted[i - 1] : sorted[i];
        char a[512], b[512];
        describe_table(first, a, sizeof a);
        describe_table(second, b, sizeof b);
        rc = mm_error_set(ctx->err, MM_ERR_FORMAT, "meta.json %s: %s and %s both use the table id \"%.200s\"; "
                          "collection names and partition tableIds must all differ, or their segments would be "
                          "migrated twice", ctx->origin, a, b, first->table_id);
    }
    free(sorted);
    return rc;
}

/* "storageRoots": {"serverConfig": path, "secondaryTablesDirs": [paths]},
 * which export writes for a 0.9 install with more than one storage root. */
static int parse_storage_roots(parse_ctx *ctx, const cJSON *root, mm_meta_rows *out)
{
    const cJSON *roots = cJSON_GetObjectItemCaseSensitive(root, "storageRoots");
    if (!roots)
        return 0;
    if (!cJSON_IsObject(roots))
        return json_error(ctx, "storageRoots", "expected an object");
    const char *config = NULL;
    if (get_string(ctx, roots, "serverConfig", "storageRoots", false, &config) != 0)
        return -1;
    const cJSON *dirs = cJSON_GetObjectItemCaseSensitive(roots, "secondaryTablesDirs");
    if (dirs && !cJSON_IsArray(dirs))
        return json_error(ctx, "storageRoots.secondaryTablesDirs", "expected an array of paths");
    int n = dirs ? cJSON_GetArraySize(dirs) : 0;
    out->secondary_tables_dirs = calloc(n ? (size_t)n : 1, sizeof *out->secondary_tables_dirs);
    out->roots_config = mm_strdup(config ? config : "");
    if (!out->secondary_tables_dirs || !out->roots_config)
        return mm_error_set(ctx->err, MM_ERR_NOMEM, "meta.json %s: out of memory", ctx->origin);
    const cJSON *d;
    cJSON_ArrayForEach(d, dirs)
    {
        if (!cJSON_IsString(d) || !d->valuestring[0])
            return json_error(ctx, "storageRoots.secondaryTablesDirs", "expected an array of paths");
        if (!(out->secondary_tables_dirs[out->n_secondary_tables_dirs] = mm_strdup(d->valuestring)))
            return mm_error_set(ctx->err, MM_ERR_NOMEM, "meta.json %s: out of memory", ctx->origin);
        out->n_secondary_tables_dirs++;
    }
    return 0;
}

int mm_meta_json_parse(const char *text, size_t len, const char *origin, mm_meta_rows *out, mm_error *err)
{
    mm_meta_rows_init(out);
    parse_ctx ctx = {origin, err};
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!root) {
        size_t at = end ? (size_t)(end - text) : 0;
        return mm_error_set(err, MM_ERR_FORMAT, "meta.json %s: invalid JSON at byte offset %zu", origin, at);
    }
    out->kind = MM_META_KIND_JSON;
    out->origin = mm_strdup(origin);
    out->ddl_era = mm_strdup("meta.json");
    int rc = 0;
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(root, "collections");
    if (!cJSON_IsObject(root))
        rc = json_error(&ctx, "(top level)", "expected an object");
    else if (!cJSON_IsArray(cols))
        rc = json_error(&ctx, "collections", cols ? "expected an array" : "missing");
    size_t i = 0;
    const cJSON *col;
    if (rc == 0) {
        cJSON_ArrayForEach(col, cols)
        {
            if (parse_collection(&ctx, col, i++, out) != 0) {
                rc = -1;
                break;
            }
        }
    }
    int64_t global_lsn = 0;
    const cJSON *global = rc == 0 ? cJSON_GetObjectItemCaseSensitive(root, "globalLsn") : NULL;
    if (global && get_int(&ctx, root, "globalLsn", "(top level)", false, &global_lsn) == 0) {
        out->has_global_lsn = true;
        out->global_lsn = global_lsn;
    } else if (global) {
        rc = -1;
    }
    const cJSON *wal_check = rc == 0 ? cJSON_GetObjectItemCaseSensitive(root, "walCheck") : NULL;
    if (cJSON_IsObject(wal_check) && !(out->wal_check_json = cJSON_PrintUnformatted(wal_check)))
        rc = mm_error_set(err, MM_ERR_NOMEM, "meta.json %s: out of memory", origin);
    else if (wal_check && !cJSON_IsObject(wal_check))
        rc = json_error(&ctx, "walCheck", "expected an object");
    if (rc == 0)
        rc = parse_storage_roots(&ctx, root, out);
    cJSON_Delete(root);
    if (rc == 0)
        rc = check_unique_table_ids(&ctx, out);
    if (rc == 0 && (!out->origin || !out->ddl_era))
        rc = mm_error_set(err, MM_ERR_NOMEM, "meta.json %s: out of memory", origin);
    if (rc != 0) {
        if (err && err->code == MM_OK)
            mm_error_set(err, MM_ERR_NOMEM, "meta.json %s: out of memory", origin);
        mm_meta_rows_free(out);
    }
    return rc;
}

int mm_meta_read_json(const char *path, mm_meta_rows *out, mm_error *err)
{
    mm_meta_rows_init(out);
    FILE *f = mm_fopen_regular(path, "write it again with `milvus-migrate export -s meta.sqlite -o DIR`", err);
    if (!f)
        return -1;
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        mm_strbuf_append_n(&sb, buf, n);
    bool failed = ferror(f);
    fclose(f);
    if (failed || !mm_strbuf_ok(&sb)) {
        mm_strbuf_free(&sb);
        return mm_error_set(err, MM_ERR_IO, "read meta.json %s: %s", path, failed ? "read error" : "out of memory");
    }
    int rc = mm_meta_json_parse(sb.data ? sb.data : "", sb.len, path, out, err);
    mm_strbuf_free(&sb);
    return rc;
}

/* JSON must be UTF-8; a name that is not is written escaped (\xHH). */
static void add_name(cJSON *o, const char *key, const char *name)
{
    char *text = mm_name_utf8(name);
    cJSON_AddStringToObject(o, key, text ? text : "");
    free(text);
}

static cJSON *render_segment(const mm_collection_info *c, const mm_partition_info *p, const mm_segment_info *s)
{
    cJSON *o = cJSON_CreateObject();
    add_name(o, "collection", c->name);
    cJSON_AddStringToObject(o, "segment", s->segment_id);
    cJSON_AddNumberToObject(o, "dim", (double)c->dim);
    cJSON_AddNumberToObject(o, "rows", (double)s->meta_row_count);
    cJSON_AddNumberToObject(o, "fileSize", (double)s->meta_file_size);
    if (p->tag[0])
        add_name(o, "partition", p->tag);
    if (strcmp(s->table_id, c->name) != 0)
        add_name(o, "tableId", s->table_id);
    if (strcmp(s->file_id, s->segment_id) != 0)
        cJSON_AddStringToObject(o, "fileId", s->file_id);
    cJSON_AddNumberToObject(o, "fileType", s->file_type);
    if (s->scanned)
        cJSON_AddNumberToObject(o, "liveRows", (double)s->live);
    return o;
}

/* Collections without segments are kept (the reference drops them), so a
 * migration never loses a collection silently. */
static cJSON *render_collection(const mm_collection_info *c, int64_t *total)
{
    cJSON *o = cJSON_CreateObject();
    add_name(o, "collection", c->name);
    cJSON_AddNumberToObject(o, "metric", c->metric_type);
    int64_t rows = 0;
    for (size_t j = 0; j < c->n_partitions; j++)
        for (size_t k = 0; k < c->partitions[j].n_segments; k++)
            rows += c->partitions[j].segments[k].meta_row_count;
    *total += rows;
    cJSON_AddNumberToObject(o, "rows", (double)rows);
    cJSON_AddNumberToObject(o, "dim", (double)c->dim);
    cJSON *segs = cJSON_AddArrayToObject(o, "segments");
    for (size_t j = 0; j < c->n_partitions; j++)
        for (size_t k = 0; k < c->partitions[j].n_segments; k++)
            cJSON_AddItemToArray(segs, render_segment(c, &c->partitions[j], &c->partitions[j].segments[k]));
    cJSON_AddNumberToObject(o, "engineType", c->engine_type);
    cJSON_AddStringToObject(o, "indexType", mm_engine_type_name(c->engine_type));
    cJSON *params = cJSON_Parse(c->index_params);
    cJSON_AddItemToObject(o, "indexParams", params ? params : cJSON_CreateObject());
    cJSON_AddStringToObject(o, "metricType", mm_metric_name(c->metric_type));
    cJSON_AddBoolToObject(o, "binary", c->binary);
    cJSON_AddNumberToObject(o, "flag", (double)c->flag);
    cJSON_AddStringToObject(o, "version", c->version);
    cJSON_AddNumberToObject(o, "flushLsn", (double)c->partitions[0].flush_lsn);
    cJSON *parts = cJSON_AddArrayToObject(o, "partitions");
    for (size_t j = 1; j < c->n_partitions; j++) {
        cJSON *po = cJSON_CreateObject();
        add_name(po, "tag", c->partitions[j].tag);
        add_name(po, "tableId", c->partitions[j].table_id);
        cJSON_AddStringToObject(po, "name", c->partitions[j].target_name);
        cJSON_AddNumberToObject(po, "flushLsn", (double)c->partitions[j].flush_lsn);
        cJSON_AddItemToArray(parts, po);
    }
    return o;
}

char *mm_meta_json_render(const mm_inventory *inv, mm_error *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *cols = cJSON_AddArrayToObject(root, "collections");
    int64_t total = 0;
    for (size_t i = 0; i < inv->n_collections; i++)
        cJSON_AddItemToArray(cols, render_collection(&inv->collections[i], &total));
    cJSON_AddNumberToObject(root, "rows", (double)total);
    cJSON_AddNumberToObject(root, "globalLsn", (double)inv->max_flush_lsn);
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text)
        mm_error_set(err, MM_ERR_NOMEM, "render meta.json: out of memory");
    return text;
}
