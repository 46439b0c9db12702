/* 1.x meta tables in MySQL/MariaDB (specs/milvus1x-format.md §1.3), read
 * with plain SELECTs in a read-only session. */
#include "source/meta_mysql.h"

#include "config/dsn.h"
#include "base/strbuf.h"

#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <stdlib.h>
#include <string.h>

static char *where_of(const mm_mysql_dsn *d)
{
    if (d->unix_socket)
        return mm_asprintf("socket %s", d->unix_socket);
    return mm_asprintf("%s:%u", d->host, d->port);
}

static int connect_error(MYSQL *conn, const mm_mysql_dsn *d, const char *where, mm_error *err)
{
    unsigned code = mysql_errno(conn);
    const char *why = mysql_error(conn);
    switch (code) {
    case ER_ACCESS_DENIED_ERROR:
        return mm_error_set(err, MM_ERR_AUTH, "MySQL at %s refused user '%s' (%s); check the user and password in the DSN",
                            where, d->user, why);
    case ER_DBACCESS_DENIED_ERROR:
        return mm_error_set(err, MM_ERR_AUTH, "MySQL at %s refused user '%s' access to database '%s' (%s); check the "
                            "database name in the DSN, or grant the user SELECT on it", where, d->user, d->database,
                            why);
    case ER_BAD_DB_ERROR:
        return mm_error_set(err, MM_ERR_DB, "MySQL at %s has no database '%s'; give the database of the Milvus 1.x "
                            "meta (general.meta_uri in its server_config.yaml)", where, d->database);
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_UNKNOWN_HOST:
    case CR_SERVER_LOST:
    case CR_SERVER_GONE_ERROR:
        return mm_error_set(err, MM_ERR_NETWORK, "cannot reach MySQL at %s (%s); check that the server runs and "
                            "the host and port in the DSN", where, why);
    default:
        return mm_error_set(err, MM_ERR_DB, "connect to MySQL at %s: %s", where, why);
    }
}

static char *cell(MYSQL_ROW row, unsigned long *lengths, unsigned i)
{
    return row[i] ? mm_strndup(row[i], lengths[i]) : mm_strdup("");
}

static int64_t cell_int(MYSQL_ROW row, unsigned i)
{
    return row[i] ? strtoll(row[i], NULL, 10) : 0;
}

/* The cell when it is not a plain integer ("NULL", "'abc'"), else NULL. */
static char *non_integer_cell(MYSQL_ROW row, unsigned long *lengths, unsigned i)
{
    if (!row[i])
        return mm_strdup("NULL");
    char *end = NULL;
    (void)strtoll(row[i], &end, 10);
    if (lengths[i] && end == row[i] + lengths[i])
        return NULL;
    return mm_asprintf("'%.*s'", (int)lengths[i], row[i]);
}

static int query(MYSQL *conn, const char *sql, const char *table, const char *where, const mm_mysql_dsn *d,
                 MYSQL_RES **res, mm_error *err)
{
    if (mysql_query(conn, sql) != 0) {
        if (mysql_errno(conn) == ER_NO_SUCH_TABLE)
            return mm_error_set(err, MM_ERR_META, "table %s not found in database %s at %s: is this the Milvus "
                                "1.x meta database?", table, d->database, where);
        return mm_error_set(err, MM_ERR_DB, "read table %s of database %s at %s: %s", table, d->database, where,
                            mysql_error(conn));
    }
    *res = mysql_store_result(conn);
    if (!*res)
        return mm_error_set(err, MM_ERR_DB, "read table %s of database %s at %s: %s", table, d->database, where,
                            mysql_error(conn));
    return 0;
}

static int read_rows(MYSQL *conn, const mm_mysql_dsn *d, const char *where, mm_meta_rows *out, mm_error *err)
{
    MYSQL_RES *res = NULL;
    if (query(conn,
              "SELECT id, table_id, state, dimension, created_on, flag, index_file_size, engine_type, "
              "index_params, metric_type, owner_table, partition_tag, version, flush_lsn FROM Tables ORDER BY id",
              "Tables", where, d, &res, err) != 0)
        return -1;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res))) {
        unsigned long *len = mysql_fetch_lengths(res);
        mm_table_row *t = mm_meta_rows_add_table(out);
        if (!t)
            break;
        t->id = cell_int(row, 0);
        t->table_id = cell(row, len, 1);
        t->state = (int)cell_int(row, 2);
        t->dimension = cell_int(row, 3);
        t->dimension_text = non_integer_cell(row, len, 3);
        t->created_on = cell_int(row, 4);
        t->flag = cell_int(row, 5);
        t->index_file_size = cell_int(row, 6);
        t->engine_type = (int)cell_int(row, 7);
        t->index_params = cell(row, len, 8);
        t->metric_type = (int)cell_int(row, 9);
        t->owner_table = cell(row, len, 10);
        t->partition_tag = cell(row, len, 11);
        t->version = cell(row, len, 12);
        t->flush_lsn = cell_int(row, 13);
    }
    mysql_free_result(res);

    if (query(conn,
              "SELECT id, table_id, segment_id, engine_type, file_id, file_type, file_size, row_count, "
              "updated_time, created_on, date, flush_lsn FROM TableFiles ORDER BY id",
              "TableFiles", where, d, &res, err) != 0)
        return -1;
    while ((row = mysql_fetch_row(res))) {
        unsigned long *len = mysql_fetch_lengths(res);
        mm_file_row *f = mm_meta_rows_add_file(out);
        if (!f)
            break;
        f->id = cell_int(row, 0);
        f->table_id = cell(row, len, 1);
        f->table_id_null = !row[1];
        f->segment_id = cell(row, len, 2);
        f->engine_type = (int)cell_int(row, 3);
        f->file_id = cell(row, len, 4);
        f->file_type = (int)cell_int(row, 5);
        f->file_size = cell_int(row, 6);
        f->row_count = cell_int(row, 7);
        f->updated_time = cell_int(row, 8);
        f->created_on = cell_int(row, 9);
        f->date = cell_int(row, 10);
        f->flush_lsn = cell_int(row, 11);
    }
    mysql_free_result(res);

    /* Environment is optional: without it the unflushed check is weaker. */
    if (mysql_query(conn, "SELECT global_lsn FROM Environment") == 0 && (res = mysql_store_result(conn))) {
        if ((row = mysql_fetch_row(res)) && row[0]) {
            out->has_global_lsn = true;
            out->global_lsn = strtoll(row[0], NULL, 10);
        }
        mysql_free_result(res);
    }
    return 0;
}

int mm_meta_read_mysql(const char *dsn_text, mm_meta_rows *out, mm_error *err)
{
    mm_meta_rows_init(out);
    mm_mysql_dsn d;
    if (mm_dsn_parse(dsn_text, &d, err) != 0)
        return -1;
    char *where = where_of(&d);
    MYSQL *conn = mysql_init(NULL);
    int rc = 0;
    if (!conn || !where) {
        rc = mm_error_set(err, MM_ERR_NOMEM, "connect to MySQL: out of memory");
        goto done;
    }
    unsigned timeout = d.connect_timeout;
    unsigned read_timeout = 60;
    mysql_options(conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(conn, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
    mysql_options(conn, MYSQL_SET_CHARSET_NAME, d.charset ? d.charset : "utf8mb4");
    if (!mysql_real_connect(conn, d.unix_socket ? NULL : d.host, d.user, d.password, d.database,
                            d.unix_socket ? 0 : d.port, d.unix_socket, 0)) {
        rc = connect_error(conn, &d, where, err);
        goto done;
    }
    /* Best effort: servers without READ ONLY transactions still only get SELECTs. */
    (void)mysql_query(conn, "SET SESSION TRANSACTION READ ONLY");
    out->kind = MM_META_KIND_MYSQL;
    out->origin = mm_dsn_masked(dsn_text);
    out->ddl_era = mm_strdup("mysql");
    rc = read_rows(conn, &d, where, out, err);
done:
    if (conn)
        mysql_close(conn);
    free(where);
    mm_dsn_free(&d);
    if (rc != 0)
        mm_meta_rows_free(out);
    return rc;
}
