/* MySQL DSNs in the two forms users have: the Go driver's (used by the
 * reference tool's meta.mysqlUrl) and Milvus 1.x's mysql:// meta_uri. */
#include "config/dsn.h"

#include "base/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char expected_forms[] =
    "expected user:password@tcp(host:port)/database or mysql://user:password@host:port/database";

static int dsn_error(mm_error *err, const char *text, const char *what)
{
    char *masked = mm_dsn_masked(text);
    mm_error_set(err, MM_ERR_CONFIG, "parse MySQL DSN \"%s\": %s; %s", masked ? masked : "?", what, expected_forms);
    free(masked);
    return -1;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes [s, s+n); NULL if an escape is malformed. */
static char *percent_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < n ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(out);
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

static bool parse_port(const char *s, size_t n, unsigned *port)
{
    if (n == 0 || n > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v == 0 || v > 65535)
        return false;
    *port = v;
    return true;
}

/* host or host:port (IPv6 in brackets). */
static int parse_host_port(const char *s, size_t n, mm_mysql_dsn *out)
{
    const char *colon = NULL;
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close)
            return -1;
        out->host = mm_strndup(s + 1, (size_t)(close - s - 1));
        if ((size_t)(close - s + 1) < n) {
            if (close[1] != ':')
                return -1;
            colon = close + 1;
        }
    } else {
        colon = memchr(s, ':', n);
        out->host = mm_strndup(s, colon ? (size_t)(colon - s) : n);
    }
    if (!out->host)
        return -1;
    if (!out->host[0]) {
        free(out->host);
        out->host = mm_strdup("127.0.0.1");
    }
    if (colon && !parse_port(colon + 1, n - (size_t)(colon + 1 - s), &out->port))
        return -1;
    return 0;
}

static void parse_params(const char *q, mm_mysql_dsn *out)
{
    char *copy = mm_strdup(q);
    char *save = NULL;
    for (char *kv = copy ? strtok_r(copy, "&", &save) : NULL; kv; kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq)
            continue;
        *eq = '\0';
        const char *value = eq + 1;
        if (strcmp(kv, "charset") == 0) {
            free(out->charset);
            /* The Go driver accepts a fallback list; the first entry is what it tries. */
            out->charset = mm_strndup(value, strcspn(value, ","));
        } else if (strcmp(kv, "timeout") == 0) {
            unsigned long secs = strtoul(value, NULL, 10);
            if (strstr(value, "ms"))
                secs = (secs + 999) / 1000;
            else if (strchr(value, 'm') && !strchr(value, 's'))
                secs *= 60;
            if (secs > 0)
                out->connect_timeout = (unsigned)secs;
        }
    }
    free(copy);
}

static int parse_url(const char *text, mm_mysql_dsn *out, mm_error *err)
{
    const char *rest = text + strlen("mysql://");
    const char *slash = strchr(rest, '/');
    if (!slash)
        return dsn_error(err, text, "no /database after the host");
    const char *at = NULL;
    for (const char *p = rest; p < slash; p++)
        if (*p == '@')
            at = p;
    const char *hostpart = rest;
    if (at) {
        const char *colon = memchr(rest, ':', (size_t)(at - rest));
        out->user = percent_decode(rest, colon ? (size_t)(colon - rest) : (size_t)(at - rest));
        out->password = colon ? percent_decode(colon + 1, (size_t)(at - colon - 1)) : mm_strdup("");
        if (!out->user || !out->password)
            return dsn_error(err, text, "bad %-escape in the user or password");
        hostpart = at + 1;
    }
    if (parse_host_port(hostpart, (size_t)(slash - hostpart), out) != 0)
        return dsn_error(err, text, "bad host or port");
    const char *q = strchr(slash, '?');
    out->database = percent_decode(slash + 1, q ? (size_t)(q - slash - 1) : strlen(slash + 1));
    if (q)
        parse_params(q + 1, out);
    return 0;
}

static int parse_go(const char *text, mm_mysql_dsn *out, mm_error *err)
{
    /* The database starts after the last '/' that follows the address part;
     * passwords may contain '@', ':' and even '/' in theory, so locate the
     * address by its protocol marker first. */
    const char *q = strchr(text, '?');
    size_t len = q ? (size_t)(q - text) : strlen(text);
    const char *slash = NULL;
    for (const char *p = text + len; p > text; p--)
        if (p[-1] == '/') {
            slash = p - 1;
            break;
        }
    if (!slash)
        return dsn_error(err, text, "no /database");
    const char *at = NULL;
    for (const char *p = text; p < slash; p++)
        if (*p == '@')
            at = p;
    const char *addr = text;
    if (at) {
        const char *colon = memchr(text, ':', (size_t)(at - text));
        out->user = mm_strndup(text, colon ? (size_t)(colon - text) : (size_t)(at - text));
        out->password = colon ? mm_strndup(colon + 1, (size_t)(at - colon - 1)) : mm_strdup("");
        addr = at + 1;
    }
    size_t addr_len = (size_t)(slash - addr);
    if (addr_len == 0) {
        out->host = mm_strdup("127.0.0.1");
    } else {
        const char *open = memchr(addr, '(', addr_len);
        if (!open || addr[addr_len - 1] != ')')
            return dsn_error(err, text, "the address must be tcp(host:port) or unix(/path/to/socket)");
        size_t proto_len = (size_t)(open - addr);
        const char *inner = open + 1;
        size_t inner_len = addr_len - proto_len - 2;
        if (proto_len == 3 && strncmp(addr, "tcp", 3) == 0) {
            if (parse_host_port(inner, inner_len, out) != 0)
                return dsn_error(err, text, "bad host or port in tcp(...)");
        } else if (proto_len == 4 && strncmp(addr, "unix", 4) == 0) {
            out->unix_socket = mm_strndup(inner, inner_len);
        } else {
            return dsn_error(err, text, "unknown protocol (use tcp or unix)");
        }
    }
    out->database = mm_strndup(slash + 1, len - (size_t)(slash + 1 - text));
    if (q)
        parse_params(q + 1, out);
    return 0;
}

int mm_dsn_parse(const char *text, mm_mysql_dsn *out, mm_error *err)
{
    memset(out, 0, sizeof *out);
    out->port = 3306;
    out->connect_timeout = 10;
    if (!text || !*text)
        return mm_error_set(err, MM_ERR_CONFIG, "MySQL DSN is empty; %s", expected_forms);
    int rc = strncasecmp(text, "mysql://", 8) == 0 ? parse_url(text, out, err) : parse_go(text, out, err);
    if (rc == 0 && (!out->database || !out->database[0]))
        rc = dsn_error(err, text, "no database name");
    if (rc == 0 && !out->user)
        out->user = mm_strdup("root");
    if (rc == 0 && !out->password)
        out->password = mm_strdup("");
    if (rc != 0)
        mm_dsn_free(out);
    return rc;
}

void mm_dsn_free(mm_mysql_dsn *dsn)
{
    if (dsn->password)
        memset(dsn->password, 0, strlen(dsn->password));
    free(dsn->user);
    free(dsn->password);
    free(dsn->host);
    free(dsn->unix_socket);
    free(dsn->database);
    free(dsn->charset);
    memset(dsn, 0, sizeof *dsn);
}

char *mm_dsn_masked(const char *text)
{
    if (!text)
        return NULL;
    bool url = strncasecmp(text, "mysql://", 8) == 0;
    const char *start = url ? text + 8 : text;
    const char *end = strchr(start, url ? '/' : '?');
    if (!url) {
        /* Only the part before the database slash holds credentials. */
        const char *last_slash = NULL;
        for (const char *p = start; *p && p != end; p++)
            if (*p == '/')
                last_slash = p;
        end = last_slash;
    }
    if (!end)
        end = start + strlen(start);
    const char *at = NULL;
    for (const char *p = start; p < end; p++)
        if (*p == '@')
            at = p;
    if (!at)
        return mm_strdup(text);
    const char *colon = memchr(start, ':', (size_t)(at - start));
    if (!colon)
        return mm_strdup(text);
    return mm_asprintf("%.*s:***%s", (int)(colon - text), text, at);
}
