/* Shared by the journal's two files: journal.c (opening, the job's
 * identity, the SQL plumbing) and journal_records.c (the records). */
#ifndef MM_JOURNAL_INTERNAL_H
#define MM_JOURNAL_INTERNAL_H

#include "journal.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>

struct mm_journal {
    sqlite3 *db;
    char *path;
    char *job_id, *fingerprint;
    /* Dump workers record batches concurrently; one connection, serialised. */
    pthread_mutex_t lock;
};

/* An error naming the journal and what was done, with SQLite's reason; -1. */
int mm_journal_db_error(mm_journal *j, mm_error *err, const char *what);
/* Runs SQL without results under the lock. */
int mm_journal_exec(mm_journal *j, const char *sql, mm_error *err);
/* A text column as a malloc'd string ("" for NULL). */
char *mm_journal_column_dup(sqlite3_stmt *st, int col);

/* One SELECT that yields zero or one row: binds the text keys (and the
 * batch number when has_batch), runs it under the lock and lets `read`
 * copy the row out. */
typedef struct one_row_query {
    const char *sql, *what;
    const char *keys[2];
    bool has_batch;
    int batch;
    void (*read)(sqlite3_stmt *st, void *out);
    void *out;
} one_row_query;

int mm_journal_query_one(mm_journal *j, const one_row_query *q, bool *found, mm_error *err);
/* Runs one prepared statement to completion under the lock; bind fills it. */
int mm_journal_run(mm_journal *j, const char *sql, const char *what, void (*bind)(sqlite3_stmt *, const void *),
                   const void *ctx, mm_error *err);

#endif
