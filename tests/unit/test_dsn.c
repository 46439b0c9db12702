#include "config/dsn.h"
#include "testlib.h"

#include <stdlib.h>

static const char expected_forms[] =
    "expected user:password@tcp(host:port)/database or mysql://user:password@host:port/database";

MM_TEST(go_dsn_forms)
{
    mm_mysql_dsn d;
    mm_error err;
    MM_CHECK_INT(mm_dsn_parse("root:123456@tcp(10.0.0.5:3307)/milvus?charset=utf8mb4&parseTime=True&loc=Local&timeout=30s", &d, &err), 0);
    MM_CHECK_STR(d.user, "root");
    MM_CHECK_STR(d.password, "123456");
    MM_CHECK_STR(d.host, "10.0.0.5");
    MM_CHECK_INT(d.port, 3307);
    MM_CHECK_STR(d.database, "milvus");
    MM_CHECK_STR(d.charset, "utf8mb4");
    MM_CHECK_INT(d.connect_timeout, 30);
    MM_CHECK(d.unix_socket == NULL);
    mm_dsn_free(&d);

    MM_CHECK_INT(mm_dsn_parse("mm:s3cr:t@pw@tcp(127.0.0.1)/db", &d, &err), 0);
    MM_CHECK_STR(d.user, "mm");
    MM_CHECK_STR(d.password, "s3cr:t@pw");
    MM_CHECK_INT(d.port, 3306);
    MM_CHECK_INT(d.connect_timeout, 10);
    mm_dsn_free(&d);

    MM_CHECK_INT(mm_dsn_parse("u@unix(/run/mysqld/mysqld.sock)/m", &d, &err), 0);
    MM_CHECK_STR(d.unix_socket, "/run/mysqld/mysqld.sock");
    MM_CHECK_STR(d.password, "");
    MM_CHECK(d.host == NULL);
    mm_dsn_free(&d);

    MM_CHECK_INT(mm_dsn_parse("u:p@/m", &d, &err), 0);
    MM_CHECK_STR(d.host, "127.0.0.1");
    mm_dsn_free(&d);
}

MM_TEST(milvus_url_form)
{
    mm_mysql_dsn d;
    mm_error err;
    MM_CHECK_INT(mm_dsn_parse("mysql://root:p%40ss@db.example:3306/milvus", &d, &err), 0);
    MM_CHECK_STR(d.user, "root");
    MM_CHECK_STR(d.password, "p@ss");
    MM_CHECK_STR(d.host, "db.example");
    MM_CHECK_INT(d.port, 3306);
    MM_CHECK_STR(d.database, "milvus");
    mm_dsn_free(&d);
    MM_CHECK_INT(mm_dsn_parse("mysql://u:p@[::1]:3310/x", &d, &err), 0);
    MM_CHECK_STR(d.host, "::1");
    MM_CHECK_INT(d.port, 3310);
    mm_dsn_free(&d);
}

static void check_error(const char *dsn, const char *message)
{
    mm_mysql_dsn d;
    mm_error err;
    MM_CHECK_INT(mm_dsn_parse(dsn, &d, &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_CONFIG);
    MM_CHECK_STR(err.message, message);
    MM_CHECK(strstr(err.message, "hunter2") == NULL);
}

MM_TEST(errors_never_show_the_password)
{
    char msg[512];
    snprintf(msg, sizeof msg, "parse MySQL DSN \"root:***@tcp(h:99999)/m\": bad host or port in tcp(...); %s", expected_forms);
    check_error("root:hunter2@tcp(h:99999)/m", msg);
    snprintf(msg, sizeof msg, "parse MySQL DSN \"root:***@udp(h:1)/m\": unknown protocol (use tcp or unix); %s", expected_forms);
    check_error("root:hunter2@udp(h:1)/m", msg);
    snprintf(msg, sizeof msg, "parse MySQL DSN \"root:***@tcp(h:1)/\": no database name; %s", expected_forms);
    check_error("root:hunter2@tcp(h:1)/", msg);
    snprintf(msg, sizeof msg, "parse MySQL DSN \"mysql://root:***@h:1\": no /database after the host; %s", expected_forms);
    check_error("mysql://root:hunter2@h:1", msg);
    snprintf(msg, sizeof msg, "parse MySQL DSN \"root:***@h:1\": no /database; %s", expected_forms);
    check_error("root:hunter2@h:1", msg);
    snprintf(msg, sizeof msg, "MySQL DSN is empty; %s", expected_forms);
    check_error("", msg);
}

MM_TEST(masking)
{
    char *m = mm_dsn_masked("root:hunter2@tcp(h:1)/milvus?charset=utf8");
    MM_CHECK_STR(m, "root:***@tcp(h:1)/milvus?charset=utf8");
    free(m);
    m = mm_dsn_masked("mysql://root:hunter2@h:1/milvus");
    MM_CHECK_STR(m, "mysql://root:***@h:1/milvus");
    free(m);
    m = mm_dsn_masked("mm:s3cr:t@pw@tcp(127.0.0.1:5)/db");
    MM_CHECK_STR(m, "mm:***@tcp(127.0.0.1:5)/db");
    free(m);
    m = mm_dsn_masked("root@tcp(h:1)/milvus");
    MM_CHECK_STR(m, "root@tcp(h:1)/milvus");
    free(m);
}

int main(void)
{
    MM_RUN(go_dsn_forms);
    MM_RUN(milvus_url_form);
    MM_RUN(errors_never_show_the_password);
    MM_RUN(masking);
    return MM_TEST_EXIT();
}
