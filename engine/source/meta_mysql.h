/* Reads the 1.x meta tables from MySQL/MariaDB (read-only queries). */
#ifndef MM_META_MYSQL_H
#define MM_META_MYSQL_H

#include "base/error.h"
#include "source/meta_rows.h"

/* dsn_text: Go DSN or mysql:// URL (see dsn.h). */
int mm_meta_read_mysql(const char *dsn_text, mm_meta_rows *out, mm_error *err);

#endif
