#include "exit_status.h"

#include <stdarg.h>
#include <stdio.h>

/* Categories that mean "the request was wrong", not "the work failed". */
static const struct {
    int code;
    int status;
} statuses[] = {
    {MM_OK, MM_EXIT_OK},
    {MM_ERR_CONFIG, MM_EXIT_USAGE},
    {MM_ERR_ARGUMENT, MM_EXIT_USAGE},
    {MM_ERR_NOT_FOUND, MM_EXIT_USAGE},
    {MM_ERR_USAGE, MM_EXIT_USAGE},
    {MM_ERR_MISMATCH, MM_EXIT_MISMATCH},
};

int mm_cli_exit_status(int code)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (statuses[i].code == code)
            return statuses[i].status;
    return MM_EXIT_FAILED;
}

int mm_cli_fail(const char *command, const mm_error *err)
{
    fprintf(stderr, "milvus-migrate %s: %s\n", command, err->message);
    return mm_cli_exit_status(err->code);
}

int mm_cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "milvus-migrate %s: ", command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'milvus-migrate %s --help'.\n", command);
    return MM_EXIT_USAGE;
}
