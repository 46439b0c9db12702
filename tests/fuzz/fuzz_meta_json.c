/* meta.json reader (engine/source/meta_json.c) on arbitrary text, followed
 * by the live-set rules (mm_inventory_build) and the meta.json writer.
 * Properties: no raw segment is listed twice in the inventory (it would be
 * imported twice); no segment row is left out silently: each is in the
 * inventory or recorded as skipped with its rows, and a warning names it;
 * what we write reads back to the same inventory (render is a fixed point
 * after one round). */
#include "fuzz_targets.h"

#include "source/inventory.h"
#include "source/meta_json.h"
#include "source/names.h"

#include <stdbool.h>
#include <string.h>

static size_t count_segments(const mm_inventory *inv)
{
    size_t total = 0;
    for (size_t i = 0; i < inv->n_collections; i++)
        for (size_t j = 0; j < inv->collections[i].n_partitions; j++)
            total += inv->collections[i].partitions[j].n_segments;
    return total;
}

static void check_each_segment_once(const mm_inventory *inv)
{
    size_t n = count_segments(inv), k = 0;
    const mm_segment_info **all = calloc(n + 1, sizeof *all);
    FUZZ_CHECK(all);
    for (size_t i = 0; i < inv->n_collections; i++)
        for (size_t j = 0; j < inv->collections[i].n_partitions; j++)
            for (size_t s = 0; s < inv->collections[i].partitions[j].n_segments; s++)
                all[k++] = &inv->collections[i].partitions[j].segments[s];
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++)
            FUZZ_CHECK(strcmp(all[a]->table_id, all[b]->table_id) != 0 ||
                       strcmp(all[a]->segment_id, all[b]->segment_id) != 0);
    free(all);
}

static bool find_segment(const mm_inventory *inv, const char *table_id, const char *segment_id)
{
    for (size_t i = 0; i < inv->n_collections; i++)
        for (size_t j = 0; j < inv->collections[i].n_partitions; j++) {
            const mm_partition_info *p = &inv->collections[i].partitions[j];
            for (size_t s = 0; s < p->n_segments; s++)
                if (strcmp(p->segments[s].table_id, table_id) == 0 &&
                    strcmp(p->segments[s].segment_id, segment_id) == 0)
                    return true;
        }
    return false;
}

static const mm_skipped_segment *find_skipped(const mm_inventory *inv, int64_t file_row)
{
    for (size_t i = 0; i < inv->n_skipped; i++)
        if (inv->skipped[i].file_row == file_row)
            return &inv->skipped[i];
    return NULL;
}

/* A warning names the skipped row: by its TableFiles id, its segment, or
 * the table it belongs to. */
static bool warned_about(const mm_inventory *inv, const mm_skipped_segment *s)
{
    char row[64], segment[512];
    snprintf(row, sizeof row, "row id %lld", (long long)s->file_row);
    char *seg = mm_name_escape(s->segment_id), *table = mm_name_escape(s->table_id);
    FUZZ_CHECK(seg && table);
    snprintf(segment, sizeof segment, "segment %s", seg);
    bool found = false;
    for (size_t i = 0; i < inv->n_warnings && !found; i++)
        found = strstr(inv->warnings[i], row) || strstr(inv->warnings[i], segment) ||
                (table[0] && strstr(inv->warnings[i], table));
    free(seg);
    free(table);
    return found;
}

static bool unknown_type(int file_type)
{
    return file_type < 0 || file_type > 7;
}

/* Every partition table_id is owned by exactly one collection. */
static void check_tables_unique(const mm_inventory *inv)
{
    for (size_t i = 0; i < inv->n_collections; i++)
        for (size_t j = 0; j < inv->collections[i].n_partitions; j++)
            for (size_t i2 = i; i2 < inv->n_collections; i2++)
                for (size_t j2 = i2 == i ? j + 1 : 0; j2 < inv->collections[i2].n_partitions; j2++)
                    FUZZ_CHECK(strcmp(inv->collections[i].partitions[j].table_id,
                                      inv->collections[i2].partitions[j2].table_id) != 0);
}

/* INDEX rows without raw data are recorded as skipped too (meta.json
 * writes no such rows, but a fuzzed one may hold them). */
static size_t count_index_only(const mm_meta_rows *rows, const mm_inventory *inv)
{
    size_t n = 0;
    for (size_t i = 0; i < rows->n_files; i++)
        n += rows->files[i].file_type == 3 && find_skipped(inv, rows->files[i].id);
    return n;
}

static int64_t index_only_rows(const mm_meta_rows *rows, const mm_inventory *inv)
{
    int64_t n = 0;
    for (size_t i = 0; i < rows->n_files; i++)
        if (rows->files[i].file_type == 3 && find_skipped(inv, rows->files[i].id))
            n += rows->files[i].row_count;
    return n;
}

/* Parses text and builds its inventory; returns the rendering, or NULL when
 * the text is refused (which it must not be when the text is ours). */
static char *read_and_render(const char *text, size_t len, bool ours, mm_inventory *inv, size_t *raw_rows)
{
    mm_meta_rows rows;
    mm_error err = {0};
    if (mm_meta_json_parse(text, len, "fuzz.json", &rows, &err) != 0) {
        FUZZ_CHECK(err.code == MM_ERR_FORMAT && err.message[0]);
        if (ours)
            fprintf(stderr, "our own meta.json is refused: %s\n%s\n", err.message, text);
        FUZZ_CHECK(!ours);
        return NULL;
    }
    int rc = mm_inventory_build(&rows, inv, &err);
    FUZZ_CHECK(rc == 0);
    /* meta.json has no dropped tables: every raw row (and every row of a
     * type 1.x never writes) lands in the inventory (a second row for the
     * same segment is read once) or is recorded as skipped, with its rows
     * and a warning naming it. Nothing else is recorded as skipped. */
    size_t raw = 0, skipped = 0;
    int64_t skipped_rows = 0;
    for (size_t i = 0; i < rows.n_files; i++) {
        const mm_file_row *f = &rows.files[i];
        bool is_raw = f->file_type == 1 || f->file_type == 2 || f->file_type == 7;
        if (!is_raw && !unknown_type(f->file_type))
            continue;
        const mm_skipped_segment *s = find_skipped(inv, f->id);
        if (is_raw && !s)
            raw++;
        if (s) {
            skipped++;
            skipped_rows += f->row_count;
            FUZZ_CHECK(s->rows == f->row_count && strcmp(s->segment_id, f->segment_id) == 0);
            if (!warned_about(inv, s))
                fprintf(stderr, "segment %s of table %s is skipped without a warning\n", f->segment_id, f->table_id);
            FUZZ_CHECK(warned_about(inv, s));
            continue;
        }
        if (!find_segment(inv, f->table_id, f->segment_id))
            fprintf(stderr, "segment %s of table %s is lost\n", f->segment_id, f->table_id);
        FUZZ_CHECK(is_raw && find_segment(inv, f->table_id, f->segment_id));
    }
    FUZZ_CHECK(skipped + count_index_only(&rows, inv) == inv->n_skipped);
    FUZZ_CHECK(skipped_rows + index_only_rows(&rows, inv) == inv->skipped_rows);
    *raw_rows = raw;
    mm_meta_rows_free(&rows);
    check_each_segment_once(inv);
    check_tables_unique(inv);
    char *out = mm_meta_json_render(inv, &err);
    FUZZ_CHECK(out);
    return out;
}

/* Whether the writer keeps name as it is (mm_name_utf8 escapes a name that
 * is not UTF-8). */
static bool valid_utf8(const char *name)
{
    char *written = mm_name_utf8(name);
    FUZZ_CHECK(written);
    bool same = strcmp(written, name) == 0;
    free(written);
    return same;
}

/* Names that are not UTF-8 are written escaped (JSON is UTF-8), so their
 * first rendering is not read back byte for byte; every later one is. An
 * escaped name can even equal another name as written ("\xda" and the
 * byte 0xda), which the reader then refuses as a duplicate table id: loud,
 * not lost, and only for names no 1.x user can type. */
static bool names_are_utf8(const mm_inventory *inv)
{
    for (size_t i = 0; i < inv->n_collections; i++) {
        const mm_collection_info *c = &inv->collections[i];
        if (!valid_utf8(c->name))
            return false;
        for (size_t j = 0; j < c->n_partitions; j++) {
            const mm_partition_info *p = &c->partitions[j];
            if (!valid_utf8(p->tag) || !valid_utf8(p->table_id))
                return false;
            for (size_t k = 0; k < p->n_segments; k++)
                if (!valid_utf8(p->segments[k].segment_id) || !valid_utf8(p->segments[k].file_id))
                    return false;
        }
    }
    return true;
}

int mm_fuzz_meta_json(const uint8_t *data, size_t size)
{
    mm_inventory inv, inv2;
    size_t raw = 0, raw2 = 0;
    char *first = read_and_render((const char *)data, size, false, &inv, &raw);
    if (!first)
        return 0;
    bool utf8 = names_are_utf8(&inv);
    char *second = read_and_render(first, strlen(first), utf8, &inv2, &raw2);
    if (!second) {
        free(first);
        mm_inventory_free(&inv);
        return 0;
    }
    FUZZ_CHECK(count_segments(&inv) == count_segments(&inv2));
    FUZZ_CHECK(raw2 == count_segments(&inv));
    FUZZ_CHECK(raw >= count_segments(&inv));
    if (!utf8) {
        mm_inventory inv3;
        size_t raw3 = 0;
        char *third = read_and_render(second, strlen(second), true, &inv3, &raw3);
        FUZZ_CHECK(count_segments(&inv3) == count_segments(&inv2));
        free(first);
        first = second;
        second = third;
        mm_inventory_free(&inv3);
    }
    if (strcmp(first, second) != 0)
        fprintf(stderr, "render is not stable:\n%s\n%s\n", first, second);
    FUZZ_CHECK(strcmp(first, second) == 0);
    free(first);
    free(second);
    mm_inventory_free(&inv);
    mm_inventory_free(&inv2);
    return 0;
}

MM_FUZZ_ENTRY(mm_fuzz_meta_json)
