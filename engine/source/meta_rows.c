#include "source/meta_rows.h"

#include <stdlib.h>
#include <string.h>

void mm_meta_rows_init(mm_meta_rows *rows)
{
    memset(rows, 0, sizeof *rows);
}

void mm_meta_rows_free(mm_meta_rows *rows)
{
    for (size_t i = 0; i < rows->n_tables; i++) {
        mm_table_row *t = &rows->tables[i];
        free(t->table_id);
        free(t->index_params);
        free(t->owner_table);
        free(t->partition_tag);
        free(t->version);
        free(t->dimension_text);
    }
    for (size_t i = 0; i < rows->n_files; i++) {
        mm_file_row *f = &rows->files[i];
        free(f->table_id);
        free(f->segment_id);
        free(f->file_id);
    }
    free(rows->tables);
    free(rows->files);
    free(rows->origin);
    free(rows->ddl_era);
    free(rows->wal_check_json);
    free(rows->roots_config);
    for (size_t i = 0; i < rows->n_secondary_tables_dirs; i++)
        free(rows->secondary_tables_dirs[i]);
    free(rows->secondary_tables_dirs);
    mm_meta_rows_init(rows);
}

/* Grows an array by one zeroed element. Capacity is implied by the count
 * (8, then powers of two), so the row structs need no capacity field. */
static void *grow_one(void *array, size_t count, size_t elem)
{
    bool full = count == 0 || (count >= 8 && (count & (count - 1)) == 0);
    if (full) {
        size_t cap = count < 8 ? 8 : count * 2;
        void *p = realloc(array, cap * elem);
        if (!p)
            return NULL;
        array = p;
    }
    memset((char *)array + count * elem, 0, elem);
    return array;
}

mm_table_row *mm_meta_rows_add_table(mm_meta_rows *rows)
{
    void *p = grow_one(rows->tables, rows->n_tables, sizeof *rows->tables);
    if (!p)
        return NULL;
    rows->tables = p;
    return &rows->tables[rows->n_tables++];
}

mm_file_row *mm_meta_rows_add_file(mm_meta_rows *rows)
{
    void *p = grow_one(rows->files, rows->n_files, sizeof *rows->files);
    if (!p)
        return NULL;
    rows->files = p;
    return &rows->files[rows->n_files++];
}
