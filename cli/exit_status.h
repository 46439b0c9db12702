/* The command line's exit statuses (DESIGN.md): 0 ok, 1 failed, 2 usage
 * or configuration error, 3 verification mismatch, and how a failure is
 * said: "milvus-migrate COMMAND: message" on stderr. The engine reports
 * error categories (base/error.h); mapping them to statuses is the
 * command line's policy. */
#ifndef MM_CLI_EXIT_STATUS_H
#define MM_CLI_EXIT_STATUS_H

#include "base/error.h"

/* A command-line mistake, found by the command line itself: an unknown
 * option, a missing value, options that do not go together. The engine
 * never reports it. */
#define MM_ERR_USAGE ((mm_error_code)MM_ERR_CODE_COUNT)

enum { MM_EXIT_OK = 0, MM_EXIT_FAILED = 1, MM_EXIT_USAGE = 2, MM_EXIT_MISMATCH = 3 };

/* The exit status for an error category (an mm_error_code or MM_ERR_USAGE). */
int mm_cli_exit_status(int code);
/* Prints "milvus-migrate <command>: <message>" to stderr and returns the
 * exit status for err's category. */
int mm_cli_fail(const char *command, const mm_error *err);
/* For usage mistakes: prints the message and a pointer to --help; returns 2. */
int mm_cli_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
