/* Errors carried out of the engine: a category (which the front ends map
 * to exit codes, cli/exit_status.h) and one message that names the
 * operation, the file, key or server involved, the cause and, where we
 * know it, the fix. */
#ifndef MM_ERROR_H
#define MM_ERROR_H

#include <stddef.h>

typedef enum {
    MM_OK = 0,
    MM_ERR_IO,          /* reading or writing a file or object failed */
    MM_ERR_FORMAT,      /* an input file is malformed */
    MM_ERR_META,        /* the 1.x metadata is inconsistent or unreadable */
    MM_ERR_DB,          /* a database connection or query failed */
    MM_ERR_CONFIG,      /* migration.yaml is wrong */
    MM_ERR_ARGUMENT,    /* a value the caller gave cannot be used (a path, a script) */
    MM_ERR_NOT_FOUND,   /* a name the caller gave matches nothing (a collection) */
    MM_ERR_UNFLUSHED,   /* the 1.x install has data that never reached segments */
    MM_ERR_SOURCE_LIVE, /* a 1.x server still uses the source, or it changed while read */
    MM_ERR_LOCKED,      /* another milvus-migrate runs the same migration */
    MM_ERR_NETWORK,     /* a server could not be reached or answered badly */
    MM_ERR_AUTH,        /* credentials were refused */
    MM_ERR_MISMATCH,    /* verification found different counts */
    MM_ERR_CANCELLED,   /* the user or a signal cancelled the job */
    MM_ERR_NOMEM,
    MM_ERR_INTERNAL,
    MM_ERR_CODE_COUNT   /* the first code a front end may use for its own errors */
} mm_error_code;

typedef struct mm_error {
    mm_error_code code;
    char message[2048];
} mm_error;

void mm_error_clear(mm_error *err);

/* Sets the error and returns -1 so callers can write `return mm_error_set(...)`.
 * A NULL err is allowed and ignored. */
int mm_error_set(mm_error *err, mm_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes existing context: "<prefix>: <previous message>". Returns -1. */
int mm_error_wrap(mm_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets an MM_ERR_IO error for errno `errnum`: "<what> <path>: <strerror>". */
int mm_error_errno(mm_error *err, int errnum, const char *what, const char *path);

const char *mm_error_code_name(mm_error_code code);

#endif
