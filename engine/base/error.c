#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mm_error_clear(mm_error *err)
{
    if (!err)
        return;
    err->code = MM_OK;
    err->message[0] = '\0';
}

int mm_error_set(mm_error *err, mm_error_code code, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->code = code;
    return -1;
}

int mm_error_wrap(mm_error *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    char prefix[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* Shift the old message right to make room; truncation at the end of a
     * 2 KiB message is acceptable, losing the prefix is not. */
    size_t cap = sizeof err->message;
    size_t plen = strnlen(prefix, cap - 3);
    size_t olen = strnlen(err->message, cap - 1);
    if (plen + 2 + olen > cap - 1)
        olen = cap - 1 - plen - 2;
    memmove(err->message + plen + 2, err->message, olen);
    memcpy(err->message, prefix, plen);
    err->message[plen] = ':';
    err->message[plen + 1] = ' ';
    err->message[plen + 2 + olen] = '\0';
    if (err->code == MM_OK)
        err->code = MM_ERR_INTERNAL;
    return -1;
}

int mm_error_errno(mm_error *err, int errnum, const char *what, const char *path)
{
    return mm_error_set(err, MM_ERR_IO, "%s %s: %s", what, path, strerror(errnum));
}

static const char *const code_names[] = {
    [MM_OK] = "ok",
    [MM_ERR_IO] = "I/O error",
    [MM_ERR_FORMAT] = "malformed input",
    [MM_ERR_META] = "metadata error",
    [MM_ERR_DB] = "database error",
    [MM_ERR_CONFIG] = "configuration error",
    [MM_ERR_ARGUMENT] = "invalid argument",
    [MM_ERR_NOT_FOUND] = "not found",
    [MM_ERR_UNFLUSHED] = "unflushed data",
    [MM_ERR_SOURCE_LIVE] = "the 1.x source is in use",
    [MM_ERR_LOCKED] = "migration in use",
    [MM_ERR_NETWORK] = "network error",
    [MM_ERR_AUTH] = "authentication failed",
    [MM_ERR_MISMATCH] = "verification mismatch",
    [MM_ERR_CANCELLED] = "cancelled",
    [MM_ERR_NOMEM] = "out of memory",
    [MM_ERR_INTERNAL] = "internal error",
};

const char *mm_error_code_name(mm_error_code code)
{
    if ((size_t)code < sizeof code_names / sizeof code_names[0] && code_names[code])
        return code_names[code];
    return "error";
}
