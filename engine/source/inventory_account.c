/* Everything the meta holds that the migration leaves out, except what the
 * user dropped in 1.x, is named here with its rows: a Tables row of a state
 * 1.x never writes, a partition without a live collection to belong to, a
 * table_id that is not a directory name, a TableFiles row whose table does
 * not exist or whose file_type is unknown. A user can then tell skipped
 * from lost, in inspect, the Plan, the dump summary and the report. */
#include "source/inventory_internal.h"

#include "source/names.h"
#include "base/strbuf.h"

#include <stdlib.h>
#include <string.h>

typedef struct tally {
    int64_t rows;
    size_t segments;
} tally;

static bool unknown_file_type(int file_type)
{
    return file_type < MM_FILE_NEW || file_type > MM_FILE_BACKUP;
}

/* "NULL", "''" or "'name'" (escaped), as a warning shows a table_id. */
static char *shown_table_id(const mm_file_row *f)
{
    if (f->table_id_null)
        return mm_strdup("NULL");
    char *name = mm_name_escape(f->table_id);
    char *text = name ? mm_asprintf("'%s'", name) : NULL;
    free(name);
    return text;
}

static int account_file(const mm_meta_rows *rows, const mm_file_row *f, tally *tallies, mm_inventory *inv)
{
    const mm_table_row *t = f->table_id_null ? NULL : mm_meta_find_table(rows, f->table_id);
    if (!t) {
        char *table = shown_table_id(f);
        int rc = table ? mm_inventory_warn(inv, "TableFiles row id %lld (segment %s, %lld row(s)) has table_id %s, "
                                           "which is no collection or partition in Tables; its rows are skipped",
                                           (long long)f->id, f->segment_id, (long long)f->row_count, table)
                       : -1;
        free(table);
        return rc == 0 ? mm_inventory_skip(inv, f) : -1;
    }
    if (t->state == MM_TABLE_TO_DELETE)
        return 0; /* dropped in 1.x, with its table */
    if (mm_table_is_collection(t) || mm_table_is_partition(rows, t)) {
        /* A live table's raw rows are all in the inventory: this row's
         * file_type is one 1.x never writes. Worded as a warning about the
         * collection, so --col drops it with the collection. */
        bool partition = t->owner_table[0] != '\0';
        char *name = mm_name_escape(partition ? t->owner_table : t->table_id), *tag = mm_name_escape(t->partition_tag);
        char *where = !name || !tag ? NULL
                      : partition ? mm_asprintf("collection '%s' partition '%s'", name, tag)
                                  : mm_asprintf("collection '%s'", name);
        int rc = where ? mm_inventory_warn(inv, "%s: TableFiles row id %lld (segment %s) has file_type %d, which "
                                           "Milvus 1.x never writes (0..7); its %lld row(s) are skipped", where,
                                           (long long)f->id, f->segment_id, f->file_type, (long long)f->row_count)
                       : -1;
        free(name);
        free(tag);
        free(where);
        return rc == 0 ? mm_inventory_skip(inv, f) : -1;
    }
    tally *ty = &tallies[t - rows->tables];
    ty->rows += f->row_count;
    ty->segments++;
    return mm_inventory_skip(inv, f);
}

/* Why a partition row that is live itself has no collection to go to. */
static char *orphan_reason(const mm_meta_rows *rows, const mm_table_row *t)
{
    if (strcmp(t->owner_table, t->table_id) == 0)
        return mm_strdup("names itself as its owner collection");
    const mm_table_row *owner = mm_meta_find_table(rows, t->owner_table);
    char *name = mm_name_escape(t->owner_table);
    char *text = NULL;
    if (!name)
        return NULL;
    if (!owner)
        text = mm_asprintf("belongs to collection '%s', which does not exist", name);
    else if (owner->owner_table[0]) {
        char *tag = mm_name_escape(owner->partition_tag);
        text = tag ? mm_asprintf("names partition '%s' (table_id %s) as its owner, but 1.x partitions belong to "
                                 "collections, never to other partitions", tag, name)
                   : NULL;
        free(tag);
    } else if (owner->state == MM_TABLE_TO_DELETE)
        text = mm_asprintf("belongs to collection '%s', which is dropped", name);
    else if (owner->state != MM_TABLE_NORMAL)
        text = mm_asprintf("belongs to collection '%s', whose state is %d", name, owner->state);
    else if (!mm_name_safe_component(t->table_id))
        text = mm_asprintf("of collection '%s' has a table_id that is not a plain directory name (empty, '.', '..' "
                           "or holding '/'), so its segment files cannot be located safely", name);
    else
        text = mm_asprintf("belongs to collection '%s', which cannot be migrated (see its warning)", name);
    free(name);
    return text;
}

static int account_table(const mm_meta_rows *rows, const mm_table_row *t, const tally *ty, mm_inventory *inv)
{
    if (mm_table_is_collection(t) || mm_table_is_partition(rows, t))
        return 0;
    bool partition = t->owner_table[0] != '\0';
    if (t->state == MM_TABLE_TO_DELETE) {
        const mm_table_row *owner = partition ? mm_meta_find_table(rows, t->owner_table) : NULL;
        if (!partition)
            inv->dropped_collections++;
        else if (owner && mm_table_is_collection(owner))
            inv->dropped_partitions++;
        return 0;
    }
    char *id = mm_name_escape(t->table_id), *tag = mm_name_escape(t->partition_tag);
    char *owner = mm_name_escape(t->owner_table);
    char *reason = NULL;
    if (id && tag && owner) {
        if (t->state != MM_TABLE_NORMAL && partition)
            reason = mm_asprintf("partition '%s' (table_id %s) of collection '%s' has state %d, which Milvus 1.x "
                                 "never writes (0 normal, 1 dropped)", tag, id, owner, t->state);
        else if (t->state != MM_TABLE_NORMAL)
            reason = mm_asprintf("collection '%s' has state %d, which Milvus 1.x never writes (0 normal, 1 dropped)",
                                 id, t->state);
        else if (!partition)
            reason = mm_asprintf("collection '%s': its table_id is not a plain directory name (empty, '.', '..' or "
                                 "holding '/'), so its segment files cannot be located safely", id);
        else {
            char *why = orphan_reason(rows, t);
            reason = why ? mm_asprintf("partition '%s' (table_id %s) %s", tag, id, why) : NULL;
            free(why);
        }
    }
    int rc = -1;
    if (reason && ty->segments)
        rc = mm_inventory_warn(inv, "%s; its %lld row(s) in %zu segment(s) are skipped", reason, (long long)ty->rows,
                               ty->segments);
    else if (reason)
        rc = mm_inventory_warn(inv, "%s; it holds no segment; skipped", reason);
    free(reason);
    free(id);
    free(tag);
    free(owner);
    return rc;
}

int mm_inventory_account(const mm_meta_rows *rows, const bool *accounted, mm_inventory *inv)
{
    tally *tallies = calloc(rows->n_tables + 1, sizeof *tallies);
    if (!tallies)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < rows->n_files && rc == 0; i++) {
        const mm_file_row *f = &rows->files[i];
        if (!accounted[i] && (mm_is_raw_file_type(f->file_type) || unknown_file_type(f->file_type)))
            rc = account_file(rows, f, tallies, inv);
    }
    for (size_t i = 0; i < rows->n_tables && rc == 0; i++)
        rc = account_table(rows, &rows->tables[i], &tallies[i], inv);
    free(tallies);
    return rc;
}
