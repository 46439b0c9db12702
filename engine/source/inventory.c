/* The live-set rules of specs/milvus1x-format.md §4 applied to raw meta
 * rows: which collections, partitions and segments hold live data. */
#include "source/inventory_internal.h"

#include "source/names.h"
#include "base/remedy.h"
#include "base/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mm_inventory_init(mm_inventory *inv)
{
    memset(inv, 0, sizeof *inv);
}

static void free_partition(mm_partition_info *p)
{
    for (size_t i = 0; i < p->n_segments; i++) {
        free(p->segments[i].table_id);
        free(p->segments[i].segment_id);
        free(p->segments[i].file_id);
    }
    free(p->segments);
    free(p->tag);
    free(p->target_name);
    free(p->table_id);
}

static void free_collection(mm_collection_info *c)
{
    for (size_t i = 0; i < c->n_partitions; i++)
        free_partition(&c->partitions[i]);
    free(c->partitions);
    free(c->name);
    free(c->target_name);
    free(c->index_params);
    free(c->version);
    free(c->dim_text);
    free(c->schema_problem);
}

void mm_inventory_free(mm_inventory *inv)
{
    for (size_t i = 0; i < inv->n_collections; i++)
        free_collection(&inv->collections[i]);
    free(inv->collections);
    for (size_t i = 0; i < inv->n_warnings; i++)
        free(inv->warnings[i]);
    free(inv->warnings);
    for (size_t i = 0; i < inv->n_skipped; i++) {
        free(inv->skipped[i].table_id);
        free(inv->skipped[i].segment_id);
    }
    free(inv->skipped);
    for (size_t i = 0; i < inv->n_filtered_out; i++)
        free(inv->filtered_out[i]);
    free(inv->filtered_out);
    free(inv->origin);
    free(inv->ddl_era);
    mm_inventory_init(inv);
}

static int cmp_segments(const void *a, const void *b)
{
    return strcmp(((const mm_segment_info *)a)->segment_id, ((const mm_segment_info *)b)->segment_id);
}

static int cmp_partitions(const void *a, const void *b)
{
    return strcmp(((const mm_partition_info *)a)->tag, ((const mm_partition_info *)b)->tag);
}

static int cmp_collections(const void *a, const void *b)
{
    return strcmp(((const mm_collection_info *)a)->name, ((const mm_collection_info *)b)->name);
}

static bool index_row_exists(const mm_meta_rows *rows, const char *table_id, const char *segment_id)
{
    for (size_t i = 0; i < rows->n_files; i++) {
        const mm_file_row *f = &rows->files[i];
        if (f->file_type == MM_FILE_INDEX && strcmp(f->table_id, table_id) == 0 &&
            strcmp(f->segment_id, segment_id) == 0)
            return true;
    }
    return false;
}

/* The segment directory and file stem come from the meta: a value that is
 * not a plain name would read (and stage) somewhere else entirely. */
static int warn_unsafe_segment(mm_inventory *inv, const char *where, const mm_file_row *f)
{
    bool bad_segment = !mm_name_safe_component(f->segment_id);
    char *shown = mm_name_escape(bad_segment ? f->segment_id : f->file_id);
    int rc = shown ? mm_inventory_warn(inv, "%s: TableFiles row id %lld: %s '%s' is not a plain name inside the "
                                       "tables directory (empty, '.', '..' or holding '/'), so its files cannot be "
                                       "located safely; its %lld row(s) are skipped",
                                       where, (long long)f->id, bad_segment ? "segment_id" : "file_id", shown,
                                       (long long)f->row_count)
                   : -1;
    free(shown);
    return rc == 0 ? mm_inventory_skip(inv, f) : -1;
}

/* Collects the raw segments of one table_id into p, with the sanity checks
 * of spec §4 steps 2-3 reported as warnings; marks the file rows it took
 * or reported in accounted[]. */
static int collect_segments(const mm_meta_rows *rows, const char *collection, mm_partition_info *p,
                            mm_inventory *inv, bool *accounted)
{
    size_t cap = 0;
    for (size_t i = 0; i < rows->n_files; i++)
        if (mm_is_raw_file_type(rows->files[i].file_type) && strcmp(rows->files[i].table_id, p->table_id) == 0)
            cap++;
    p->segments = cap ? calloc(cap, sizeof *p->segments) : NULL;
    if (cap && !p->segments)
        return -1;

    char *name = mm_name_escape(collection), *tag = mm_name_escape(p->tag);
    char *where = !name || !tag ? NULL
                  : p->tag[0] ? mm_asprintf("collection '%s' partition '%s'", name, tag)
                              : mm_asprintf("collection '%s'", name);
    free(name);
    free(tag);
    if (!where)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < rows->n_files && rc == 0; i++) {
        const mm_file_row *f = &rows->files[i];
        if (!mm_is_raw_file_type(f->file_type) || strcmp(f->table_id, p->table_id) != 0)
            continue;
        accounted[i] = true;
        const char *stem = f->file_id[0] ? f->file_id : f->segment_id;
        if (!mm_name_safe_component(f->segment_id) || !mm_name_safe_component(stem)) {
            rc = warn_unsafe_segment(inv, where, f);
            continue;
        }
        bool duplicate = false;
        for (size_t j = 0; j < p->n_segments; j++)
            if (strcmp(p->segments[j].segment_id, f->segment_id) == 0)
                duplicate = true;
        if (duplicate) {
            rc = mm_inventory_warn(inv,
                                   "%s: segment %s has more than one raw file row (TableFiles id %lld "
                                   "ignored); its rows are read once",
                                   where, f->segment_id, (long long)f->id);
            continue;
        }
        mm_segment_info *s = &p->segments[p->n_segments++];
        s->table_id = mm_strdup(f->table_id);
        s->segment_id = mm_strdup(f->segment_id);
        s->file_id = mm_strdup(stem);
        s->file_type = f->file_type;
        s->meta_row_count = f->row_count;
        s->meta_file_size = f->file_size;
        s->has_index = index_row_exists(rows, f->table_id, f->segment_id);
        if (!s->table_id || !s->segment_id || !s->file_id)
            rc = -1;
        else if (strcmp(s->file_id, s->segment_id) != 0)
            rc = mm_inventory_warn(inv, "%s: segment %s has file_id %s; reading %s.rv/.uid", where,
                                   s->segment_id, s->file_id, s->file_id);
        /* A meta.json (export) lists raw files only, so there the missing
         * INDEX row says nothing. */
        else if (f->file_type == MM_FILE_BACKUP && !s->has_index && rows->kind != MM_META_KIND_JSON)
            rc = mm_inventory_warn(inv, "%s: segment %s is marked BACKUP but has no INDEX file row",
                                   where, s->segment_id);
    }
    /* INDEX rows whose raw data is missing mean rows we cannot migrate. */
    for (size_t i = 0; i < rows->n_files && rc == 0; i++) {
        const mm_file_row *f = &rows->files[i];
        if (f->file_type != MM_FILE_INDEX || strcmp(f->table_id, p->table_id) != 0)
            continue;
        bool has_raw = false;
        for (size_t j = 0; j < p->n_segments; j++)
            if (strcmp(p->segments[j].segment_id, f->segment_id) == 0)
                has_raw = true;
        for (size_t j = 0; j < rows->n_files && !has_raw; j++)
            has_raw = mm_is_raw_file_type(rows->files[j].file_type) &&
                      strcmp(rows->files[j].table_id, f->table_id) == 0 &&
                      strcmp(rows->files[j].segment_id, f->segment_id) == 0;
        if (!has_raw) {
            rc = mm_inventory_warn(inv,
                                   "%s: index file %s of segment %s has no raw BACKUP row; its %lld "
                                   "rows cannot be migrated (1.x keeps raw data beside every index)",
                                   where, f->file_id, f->segment_id, (long long)f->row_count);
            if (rc == 0)
                rc = mm_inventory_skip(inv, f);
        }
    }
    free(where);
    if (p->n_segments > 1)
        qsort(p->segments, p->n_segments, sizeof *p->segments, cmp_segments);
    return rc;
}

static int init_partition(mm_partition_info *p, const mm_table_row *t)
{
    p->tag = mm_strdup(t->partition_tag ? t->partition_tag : "");
    p->table_id = mm_strdup(t->table_id);
    p->flush_lsn = t->flush_lsn;
    return (p->tag && p->table_id) ? 0 : -1;
}

static int build_collection(const mm_meta_rows *rows, const mm_table_row *t, mm_collection_info *c,
                            mm_inventory *inv, bool *accounted)
{
    c->name = mm_strdup(t->table_id);
    c->dim = t->dimension;
    c->metric_type = t->metric_type;
    c->binary = t->metric_type >= 3 && t->metric_type <= 7;
    c->engine_type = t->engine_type;
    c->index_params = mm_strdup(t->index_params && t->index_params[0] ? t->index_params : "{}");
    c->index_file_size = t->index_file_size;
    c->flag = t->flag;
    c->version = mm_strdup(t->version ? t->version : "");
    c->created_on = t->created_on;
    c->duplicate_ids = -1;
    c->dim_text = t->dimension_text ? mm_strdup(t->dimension_text) : mm_asprintf("%lld", (long long)t->dimension);
    if (!c->name || !c->index_params || !c->version || !c->dim_text)
        return -1;
    bool oom = false;
    c->schema_problem = mm_schema_problem(t, &oom);
    if (oom)
        return -1;

    size_t n_parts = 1;
    for (size_t i = 0; i < rows->n_tables; i++)
        if (mm_table_is_partition_of(&rows->tables[i], t))
            n_parts++;
    c->partitions = calloc(n_parts, sizeof *c->partitions);
    if (!c->partitions)
        return -1;
    if (init_partition(&c->partitions[c->n_partitions++], t) != 0)
        return -1;
    c->partitions[0].tag[0] = '\0';
    for (size_t i = 0; i < rows->n_tables; i++) {
        const mm_table_row *pt = &rows->tables[i];
        if (!mm_table_is_partition_of(pt, t))
            continue;
        if (init_partition(&c->partitions[c->n_partitions++], pt) != 0)
            return -1;
        char pdim[128];
        snprintf(pdim, sizeof pdim, "%s", pt->dimension_text ? pt->dimension_text : "");
        if (!pt->dimension_text)
            snprintf(pdim, sizeof pdim, "%lld", (long long)pt->dimension);
        if (strcmp(pdim, c->dim_text) != 0) {
            char *tag = mm_name_escape(pt->partition_tag);
            int rc = tag ? mm_inventory_warn(inv, "collection '%s': partition '%s' records dim %s but the collection "
                                             "has %s; using %s", c->name, tag, pdim, c->dim_text, c->dim_text)
                         : -1;
            free(tag);
            if (rc != 0)
                return -1;
        }
    }
    if (c->n_partitions > 2)
        qsort(c->partitions + 1, c->n_partitions - 1, sizeof *c->partitions, cmp_partitions);
    for (size_t i = 0; i < c->n_partitions; i++)
        if (collect_segments(rows, c->name, &c->partitions[i], inv, accounted) != 0)
            return -1;
    if (mm_inventory_name_partitions(c, inv) != 0)
        return -1;
    if (c->schema_problem) {
        char *name = mm_name_escape(c->name);
        int rc = name ? mm_inventory_warn(inv, "collection '%s': %s; it cannot be migrated (correct its Tables row, "
                                          "or leave it out %s)", name, c->schema_problem,
                                          mm_remedy_how(MM_REMEDY_LEAVE_OUT))
                      : -1;
        free(name);
        return rc;
    }
    return 0;
}

int mm_inventory_build(const mm_meta_rows *rows, mm_inventory *inv, mm_error *err)
{
    mm_inventory_init(inv);
    inv->origin = mm_strdup(rows->origin ? rows->origin : "");
    inv->ddl_era = mm_strdup(rows->ddl_era ? rows->ddl_era : "");
    inv->max_flush_lsn = rows->has_global_lsn ? rows->global_lsn : 0;

    size_t n_collections = 0;
    for (size_t i = 0; i < rows->n_tables; i++) {
        const mm_table_row *t = &rows->tables[i];
        if (!t->table_id || !t->owner_table)
            return mm_error_set(err, MM_ERR_META, "meta %s: Tables row id %lld has no table_id/owner_table",
                                rows->origin ? rows->origin : "", (long long)t->id);
        if (t->state == MM_TABLE_NORMAL && t->flush_lsn > inv->max_flush_lsn)
            inv->max_flush_lsn = t->flush_lsn;
        if (mm_table_is_collection(t))
            n_collections++;
    }
    for (size_t i = 0; i < rows->n_files; i++)
        if (rows->files[i].file_type == MM_FILE_NEW)
            inv->new_file_rows++;

    bool *accounted = calloc(rows->n_files + 1, sizeof *accounted);
    inv->collections = n_collections ? calloc(n_collections, sizeof *inv->collections) : NULL;
    if (!inv->origin || !inv->ddl_era || !accounted || (n_collections && !inv->collections))
        goto oom;
    for (size_t i = 0; i < rows->n_tables; i++) {
        const mm_table_row *t = &rows->tables[i];
        if (!mm_table_is_collection(t))
            continue;
        if (build_collection(rows, t, &inv->collections[inv->n_collections++], inv, accounted) != 0)
            goto oom;
    }
    if (inv->n_collections > 1)
        qsort(inv->collections, inv->n_collections, sizeof *inv->collections, cmp_collections);
    if (mm_inventory_account(rows, accounted, inv) != 0 || mm_inventory_name_collections(inv) != 0)
        goto oom;
    if (inv->new_file_rows &&
        mm_inventory_warn(inv,
                          "%zu TableFiles row(s) are NEW (file_type 0): the 1.x server did not stop "
                          "cleanly and buffered rows may exist only in its WAL",
                          inv->new_file_rows) != 0)
        goto oom;
    free(accounted);
    return 0;
oom:
    free(accounted);
    mm_inventory_free(inv);
    return mm_error_set(err, MM_ERR_NOMEM, "build the 1.x inventory: out of memory");
}

const mm_collection_info *mm_inventory_find(const mm_inventory *inv, const char *name)
{
    for (size_t i = 0; i < inv->n_collections; i++)
        if (strcmp(inv->collections[i].name, name) == 0)
            return &inv->collections[i];
    return NULL;
}

/* Segment rows of a collection the user filtered out are not this run's. */
static void drop_skipped_of(mm_inventory *inv, const mm_collection_info *c)
{
    size_t out = 0;
    for (size_t i = 0; i < inv->n_skipped; i++) {
        bool ours = false;
        for (size_t j = 0; j < c->n_partitions && !ours; j++)
            ours = strcmp(inv->skipped[i].table_id, c->partitions[j].table_id) == 0;
        if (ours) {
            inv->skipped_rows -= inv->skipped[i].rows;
            free(inv->skipped[i].table_id);
            free(inv->skipped[i].segment_id);
        } else {
            inv->skipped[out++] = inv->skipped[i];
        }
    }
    inv->n_skipped = out;
}

/* Warnings about a collection the user filtered out are noise for this run. */
static void drop_warnings_about(mm_inventory *inv, const char *name)
{
    char *prefix = mm_asprintf("collection '%s'", name);
    char *renamed = mm_asprintf("collection name '%s'", name);
    size_t out = 0;
    for (size_t i = 0; i < inv->n_warnings; i++) {
        const char *w = inv->warnings[i];
        bool about = prefix && renamed &&
                     ((strncmp(w, prefix, strlen(prefix)) == 0 && (w[strlen(prefix)] == ':' || w[strlen(prefix)] == ' ')) ||
                      strncmp(w, renamed, strlen(renamed)) == 0);
        if (about)
            free(inv->warnings[i]);
        else
            inv->warnings[out++] = inv->warnings[i];
    }
    inv->n_warnings = out;
    free(prefix);
    free(renamed);
}

int mm_inventory_filter(mm_inventory *inv, const char *names_csv, mm_error *err)
{
    if (!names_csv || !names_csv[0])
        return 0;
    char *list = mm_strdup(names_csv);
    bool *keep = calloc(inv->n_collections + 1, sizeof *keep);
    if (!list || !keep) {
        free(list);
        free(keep);
        return mm_error_set(err, MM_ERR_NOMEM, "filter collections: out of memory");
    }
    int rc = 0;
    char *save = NULL;
    for (char *name = strtok_r(list, ",", &save); name && rc == 0; name = strtok_r(NULL, ",", &save)) {
        while (*name == ' ')
            name++;
        size_t len = strlen(name);
        while (len && name[len - 1] == ' ')
            name[--len] = '\0';
        if (!len)
            continue;
        bool found = false;
        for (size_t i = 0; i < inv->n_collections; i++)
            if (strcmp(inv->collections[i].name, name) == 0)
                keep[i] = found = true;
        if (!found) {
            mm_strbuf known;
            mm_strbuf_init(&known);
            for (size_t i = 0; i < inv->n_collections; i++)
                mm_strbuf_appendf(&known, "%s%s", i ? ", " : "", inv->collections[i].name);
            rc = mm_error_set(err, MM_ERR_NOT_FOUND, "no collection named '%s' in %s; collections there: %s",
                              name, inv->origin, known.len ? known.data : "(none)");
            mm_strbuf_free(&known);
        }
    }
    if (rc == 0) {
        size_t out = 0;
        for (size_t i = 0; i < inv->n_collections; i++) {
            if (keep[i]) {
                inv->collections[out++] = inv->collections[i];
                continue;
            }
            drop_warnings_about(inv, inv->collections[i].name);
            drop_skipped_of(inv, &inv->collections[i]);
            char **grown = realloc(inv->filtered_out, (inv->n_filtered_out + 1) * sizeof *grown);
            if (grown) {
                inv->filtered_out = grown;
                inv->filtered_out[inv->n_filtered_out] = inv->collections[i].name;
                inv->collections[i].name = NULL;
                inv->n_filtered_out++;
            } else if (rc == 0) {
                rc = mm_error_set(err, MM_ERR_NOMEM, "filter collections: out of memory");
            }
            free_collection(&inv->collections[i]);
        }
        inv->n_collections = out;
    }
    free(list);
    free(keep);
    return rc;
}
