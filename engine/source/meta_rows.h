/* The rows of a Milvus 1.x metadata store, as read, before any
 * interpretation. Every meta backend (SQLite, MySQL, meta.json) fills this
 * one shape; engine/source/liveset turns it into an inventory. Column
 * meanings: specs/milvus1x-format.md §1.4. */
#ifndef MM_META_ROWS_H
#define MM_META_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Tables.state */
enum { MM_TABLE_NORMAL = 0, MM_TABLE_TO_DELETE = 1 };

/* TableFiles.file_type */
enum {
    MM_FILE_NEW = 0,
    MM_FILE_RAW = 1,
    MM_FILE_TO_INDEX = 2,
    MM_FILE_INDEX = 3,
    MM_FILE_TO_DELETE = 4,
    MM_FILE_NEW_MERGE = 5,
    MM_FILE_NEW_INDEX = 6,
    MM_FILE_BACKUP = 7
};

/* One row of `Tables` (a collection, or a partition when owner_table != ""). */
typedef struct mm_table_row {
    int64_t id;
    char *table_id;
    int state;
    int64_t dimension;
    /* The dimension cell when it is not a plain integer ("NULL", "'abc'"),
     * else NULL: a hand-edited meta must not pass for dimension 0. */
    char *dimension_text;
    int64_t created_on;
    int64_t flag;
    int64_t index_file_size;
    int engine_type;
    char *index_params;   /* JSON text, "{}" when none */
    int metric_type;
    char *owner_table;    /* "" for a collection */
    char *partition_tag;  /* "" for a collection */
    char *version;
    int64_t flush_lsn;
} mm_table_row;

/* One row of `TableFiles`. */
typedef struct mm_file_row {
    int64_t id;
    char *table_id;
    bool table_id_null;   /* the cell was NULL (table_id is then "") */
    char *segment_id;
    int engine_type;
    char *file_id;
    int file_type;
    int64_t file_size;
    int64_t row_count;
    int64_t updated_time;
    int64_t created_on;
    int64_t date;
    int64_t flush_lsn;
} mm_file_row;

typedef enum {
    MM_META_KIND_SQLITE,
    MM_META_KIND_MYSQL,
    MM_META_KIND_JSON
} mm_meta_kind;

typedef struct mm_meta_rows {
    mm_meta_kind kind;
    char *origin;             /* path or DSN with the password masked, for messages */
    char *ddl_era;            /* "sqlite_orm (0.9.0-0.10.3)", "native (0.10.4+)", "mysql", "meta.json" */
    mm_table_row *tables;
    size_t n_tables;
    mm_file_row *files;       /* every TableFiles row, all file types */
    size_t n_files;
    bool has_global_lsn;      /* Environment has a row */
    int64_t global_lsn;
    /* meta.json written by `milvus-migrate export`: its "walCheck" record
     * (what the export found in the WAL), as JSON text; NULL otherwise. */
    char *wal_check_json;
    /* meta.json written by `milvus-migrate export` from a 0.9 install with
     * more than one storage root: its "storageRoots" record, the
     * server_config.yaml that named them and their tables directories. */
    char *roots_config;
    char **secondary_tables_dirs;
    size_t n_secondary_tables_dirs;
} mm_meta_rows;

void mm_meta_rows_init(mm_meta_rows *rows);
void mm_meta_rows_free(mm_meta_rows *rows);

/* Appends a zeroed row and returns it (NULL on allocation failure). String
 * members must be heap-allocated; mm_meta_rows_free releases them. */
mm_table_row *mm_meta_rows_add_table(mm_meta_rows *rows);
mm_file_row *mm_meta_rows_add_file(mm_meta_rows *rows);

#endif
