/* MySQL connection strings as users have them: the reference tool's Go DSN
 * `user:pass@tcp(host:port)/db?param=value&...` (also `unix(/path)`), and
 * Milvus 1.x's own `mysql://user:pass@host:port/db` URLs. */
#ifndef MM_DSN_H
#define MM_DSN_H

#include "base/error.h"

typedef struct mm_mysql_dsn {
    char *user;
    char *password;     /* never printed; see mm_dsn_masked */
    char *host;         /* NULL when unix_socket is set */
    unsigned port;      /* 3306 when absent */
    char *unix_socket;
    char *database;     /* required */
    char *charset;      /* from ?charset=, NULL if absent */
    unsigned connect_timeout; /* seconds, from ?timeout=30s or 10 by default */
} mm_mysql_dsn;

int mm_dsn_parse(const char *text, mm_mysql_dsn *out, mm_error *err);
void mm_dsn_free(mm_mysql_dsn *dsn);
/* The same text with the password replaced by "***" (malloc'd). */
char *mm_dsn_masked(const char *text);

#endif
