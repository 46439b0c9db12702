#include "source/scan.h"

#include "source/names.h"
#include "source/segment.h"
#include "base/strbuf.h"

#include <stdlib.h>
#include <string.h>

enum { ID_BLOCK_ROWS = 65536 };

typedef struct id_set {
    int64_t *ids;
    size_t n;
    size_t cap;
    bool overflow;   /* exceeded the limit; check abandoned */
    size_t limit;
} id_set;

static void id_set_add(id_set *set, const int64_t *ids, size_t n)
{
    if (set->overflow)
        return;
    if (set->n + n > set->limit) {
        set->overflow = true;
        free(set->ids);
        set->ids = NULL;
        return;
    }
    if (set->n + n > set->cap) {
        size_t cap = set->cap ? set->cap : 4096;
        while (cap < set->n + n)
            cap *= 2;
        int64_t *p = realloc(set->ids, cap * sizeof *p);
        if (!p) {
            set->overflow = true;
            free(set->ids);
            set->ids = NULL;
            return;
        }
        set->ids = p;
        set->cap = cap;
    }
    memcpy(set->ids + set->n, ids, n * sizeof *ids);
    set->n += n;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Live ids that occur more than once count once per extra occurrence. */
static int64_t count_duplicates(id_set *set)
{
    if (set->n < 2)
        return 0;
    qsort(set->ids, set->n, sizeof *set->ids, cmp_i64);
    int64_t dups = 0;
    for (size_t i = 1; i < set->n; i++)
        if (set->ids[i] == set->ids[i - 1])
            dups++;
    return dups;
}

static int collect_ids(mm_segment_reader *r, id_set *set, int64_t *block, mm_error *err)
{
    for (;;) {
        size_t n = 0;
        if (mm_segment_read_live(r, ID_BLOCK_ROWS, block, NULL, NULL, &n, err) != 0)
            return -1;
        if (n == 0)
            return 0;
        id_set_add(set, block, n);
        if (set->overflow)
            return 0;
    }
}

static char *describe_partition(const mm_collection_info *c, const mm_partition_info *p)
{
    if (!p->tag[0])
        return mm_asprintf("collection '%s'", c->name);
    char *tag = mm_name_escape(p->tag);
    char *text = mm_asprintf("collection '%s' partition '%s'", c->name, tag ? tag : "?");
    free(tag);
    return text;
}

mm_rows_verdict mm_segment_rows_verdict(const mm_segment_info *s)
{
    if (s->live == s->meta_row_count)
        return MM_ROWS_AGREE;
    if (s->live > s->meta_row_count && s->live - s->meta_row_count <= s->duplicate_offsets)
        return MM_ROWS_EXPLAINED;
    return MM_ROWS_CONTRADICTED;
}

/* Compares what the files say with TableFiles.row_count (spec §4 step 5). */
static int cross_check(mm_inventory *inv, const char *where, mm_segment_info *s, bool *contradicted, mm_error *err)
{
    switch (mm_segment_rows_verdict(s)) {
    case MM_ROWS_AGREE:
        return 0;
    case MM_ROWS_EXPLAINED:
        if (mm_inventory_warn(inv, "%s: segment %s: meta row_count is %lld but %lld rows are live; deleted_docs "
                              "repeats %lld offset(s) (Milvus <= 1.0 counted them twice); the files are trusted",
                              where, s->segment_id, (long long)s->meta_row_count, (long long)s->live,
                              (long long)s->duplicate_offsets) != 0)
            return mm_error_set(err, MM_ERR_NOMEM, "scan: out of memory");
        return 0;
    case MM_ROWS_CONTRADICTED:
    default:
        s->scanned = false;
        *contradicted = true;
        return mm_error_set(err, MM_ERR_FORMAT, "segment %s/%s: the meta (TableFiles row_count) says %lld live row(s) "
                            "but the files hold %lld (%lld row(s) in .uid/.rv, %lld deleted): the segment files do not match the "
                            "meta (truncated or replaced copy?); copy the segment directory and the meta again from "
                            "the stopped 1.x server", s->table_id, s->segment_id, (long long)s->meta_row_count, (long long)s->live,
                            (long long)s->rows, (long long)s->deleted);
    }
}

static int scan_segment(mm_inventory *inv, const mm_collection_info *c, const char *where,
                        mm_segment_info *s, const mm_scan_options *opt, id_set *ids, int64_t *block,
                        bool *contradicted, mm_error *err)
{
    mm_segment_source src = {
        .tables_dirs = opt->tables_dirs,
        .n_tables_dirs = opt->n_tables_dirs,
        .table_id = s->table_id,
        .segment_id = s->segment_id,
        .file_id = s->file_id,
        .dim = c->dim,
        .binary = c->binary,
        .missing_deleted_docs_ok = opt->missing_deleted_docs_ok,
        .missing_hint = opt->missing_hint,
    };
    mm_segment_reader *r = NULL;
    if (mm_segment_open(&src, &r, err) != 0)
        return -1;
    s->rows = mm_segment_rows(r);
    s->deleted = mm_segment_deleted(r);
    s->live = mm_segment_live(r);
    s->duplicate_offsets = mm_segment_duplicate_offsets(r);
    s->out_of_range_offsets = mm_segment_out_of_range_offsets(r);
    s->bytes = (uint64_t)s->rows * (mm_segment_vector_bytes(r) + 8);
    s->scanned = true;
    int rc = 0;
    if (ids && !ids->overflow)
        rc = collect_ids(r, ids, block, err);
    mm_segment_close(r);
    if (rc != 0)
        return -1;
    if (s->out_of_range_offsets &&
        mm_inventory_warn(inv, "%s: segment %s: deleted_docs holds %lld offset(s) outside 0..%lld, which delete "
                          "no row; they are ignored and the segment's %lld live row(s) are migrated",
                          where, s->segment_id, (long long)s->out_of_range_offsets, (long long)s->rows - 1,
                          (long long)s->live) != 0)
        return mm_error_set(err, MM_ERR_NOMEM, "scan: out of memory");
    return cross_check(inv, where, s, contradicted, err);
}

int mm_inventory_scan(mm_inventory *inv, const mm_scan_options *opt, mm_error *err)
{
    size_t total = 0, done = 0;
    for (size_t i = 0; i < inv->n_collections; i++)
        for (size_t j = 0; j < inv->collections[i].n_partitions; j++)
            total += inv->collections[i].partitions[j].n_segments;

    int64_t *block = opt->check_duplicate_ids ? malloc(ID_BLOCK_ROWS * sizeof *block) : NULL;
    if (opt->check_duplicate_ids && !block)
        return mm_error_set(err, MM_ERR_NOMEM, "scan: out of memory");
    size_t limit = opt->duplicate_check_max_ids > 0 ? (size_t)opt->duplicate_check_max_ids : (size_t)32 << 20;

    mm_error first;
    mm_error_clear(&first);
    int rc = 0;
    for (size_t i = 0; i < inv->n_collections && rc == 0; i++) {
        mm_collection_info *c = &inv->collections[i];
        if (c->schema_problem) {
            for (size_t j = 0; j < c->n_partitions; j++)
                done += c->partitions[j].n_segments;
            continue;
        }
        id_set ids = {.limit = limit};
        bool ids_complete = opt->check_duplicate_ids;
        for (size_t j = 0; j < c->n_partitions && rc == 0; j++) {
            mm_partition_info *p = &c->partitions[j];
            char *where = describe_partition(c, p);
            if (!where) {
                rc = mm_error_set(err, MM_ERR_NOMEM, "scan: out of memory");
                break;
            }
            for (size_t k = 0; k < p->n_segments && rc == 0; k++) {
                mm_error seg_err;
                mm_error_clear(&seg_err);
                bool contradicted = false;
                if (scan_segment(inv, c, where, &p->segments[k], opt,
                                 opt->check_duplicate_ids ? &ids : NULL, block, &contradicted, &seg_err) != 0) {
                    if (seg_err.code == MM_ERR_NOMEM) {
                        *err = seg_err;
                        rc = -1;
                        break;
                    }
                    ids_complete = false;
                    if (first.code == MM_OK)
                        first = seg_err;
                    /* Read, but contradicting the meta: the message says so. */
                    if (contradicted)
                        mm_inventory_warn(inv, "%s: %s", where, seg_err.message);
                    else
                        mm_inventory_warn(inv, "%s: segment %s cannot be read: %s", where,
                                          p->segments[k].segment_id, seg_err.message);
                }
                done++;
                if (opt->progress && !opt->progress(opt->progress_ctx, done, total))
                    rc = mm_error_set(err, MM_ERR_CANCELLED, "scan cancelled after %zu of %zu segments",
                                      done, total);
            }
            free(where);
        }
        if (rc == 0 && ids_complete && !ids.overflow) {
            c->duplicate_ids = count_duplicates(&ids);
            if (c->duplicate_ids > 0)
                mm_inventory_warn(inv,
                                  "collection '%s': %lld live row(s) repeat an id already used by "
                                  "another row (1.x allows this; 2.x keeps both rows, but later "
                                  "upsert/delete by id affects all of them)",
                                  c->name, (long long)c->duplicate_ids);
        } else if (rc == 0 && ids.overflow) {
            mm_inventory_warn(inv, "collection '%s': more than %zu live rows; duplicate-id check skipped",
                              c->name, limit);
        }
        free(ids.ids);
    }
    free(block);
    if (rc == 0 && first.code != MM_OK) {
        *err = first;
        rc = -1;
    }
    return rc;
}
