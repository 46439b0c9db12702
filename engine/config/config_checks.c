/* Per-value checks the key table refers to: endpoint shapes, Milvus names,
 * bucket prefixes. Each writes "expected ..., got ..." and returns -1. */
#include "config/config_checks.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool valid_port(const char *p)
{
    if (!*p || strlen(p) > 5)
        return false;
    for (const char *c = p; *c; c++)
        if (!isdigit((unsigned char)*c))
            return false;
    long port = strtol(p, NULL, 10);
    return port >= 1 && port <= 65535;
}

/* host:port, [v6]:port; with port_required false also a bare host. */
static bool valid_host_port(const char *s, bool port_required)
{
    if (!*s || strpbrk(s, " \t/?#@"))
        return false;
    const char *port = NULL;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close || close == s + 1)
            return false;
        if (close[1] == ':')
            port = close + 2;
        else if (close[1] != '\0')
            return false;
    } else {
        const char *colon = strchr(s, ':');
        if (colon) {
            if (colon == s || strchr(colon + 1, ':'))
                return false;
            port = colon + 1;
        }
    }
    if (!port)
        return !port_required;
    return valid_port(port);
}

int mm_cfg_check_milvus_endpoint(mm_config_value *v, char *problem, size_t n)
{
    const char *s = v->str;
    if (!*s)
        return 0;
    if (strncasecmp(s, "https://", 8) == 0)
        s += 8;
    else if (strncasecmp(s, "http://", 7) == 0)
        s += 7;
    if (valid_host_port(s, true))
        return 0;
    snprintf(problem, n,
             "expected host:port such as 127.0.0.1:19530 (optionally after http:// or https://), "
             "got \"%s\"",
             v->str);
    return -1;
}

int mm_cfg_check_bucket_endpoint(mm_config_value *v, char *problem, size_t n)
{
    if (!*v->str)
        return 0;
    if (strstr(v->str, "://")) {
        snprintf(problem, n,
                 "expected host[:port] without a scheme (useSSL chooses https), got \"%s\"",
                 v->str);
        return -1;
    }
    if (valid_host_port(v->str, false))
        return 0;
    snprintf(problem, n, "expected host[:port] such as minio.local:9000, got \"%s\"", v->str);
    return -1;
}

/* Milvus 2.x keys import files by their path relative to the bucket root. */
int mm_cfg_check_strip_leading_slash(mm_config_value *v, char *problem, size_t n)
{
    size_t skip = strspn(v->str, "/");
    if (skip)
        memmove(v->str, v->str + skip, strlen(v->str + skip) + 1);
    return 0;
}

/* Milvus 2.x names: a letter or '_' first, then letters, digits, '_'. */
static bool valid_milvus_name(const char *s)
{
    if (!(isalpha((unsigned char)*s) || *s == '_') || strlen(s) > 255)
        return false;
    for (const char *c = s; *c; c++)
        if (!(isalnum((unsigned char)*c) || *c == '_'))
            return false;
    return true;
}

int mm_cfg_check_milvus_name(mm_config_value *v, char *problem, size_t n)
{
    if (valid_milvus_name(v->str))
        return 0;
    snprintf(problem, n,
             "expected a name of letters, digits and '_' starting with a letter or '_', got \"%s\"",
             v->str);
    return -1;
}

int mm_cfg_check_optional_milvus_name(mm_config_value *v, char *problem, size_t n)
{
    return *v->str ? mm_cfg_check_milvus_name(v, problem, n) : 0;
}
