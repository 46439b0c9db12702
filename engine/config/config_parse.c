/* Text scanners for migration.yaml values (config_parse.h): integers,
 * sizes with units, booleans, ';'-separated lists, UTF-8 checks and the
 * quoting of a bad value in a message. Keys and types are not known here;
 * config_types.c applies them. */
#include "config/config_parse.h"

#include "base/strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The shortest exact spelling: 16GiB, 1536MiB, 10GB, 1000000007. Binary
 * units win ties. */
void mm_cfg_format_size(uint64_t bytes, char *buf, size_t n)
{
    static const struct {
        const char *suffix;
        uint64_t factor;
    } units[] = {{"TiB", 1ULL << 40},         {"GiB", 1ULL << 30}, {"MiB", 1ULL << 20},
                 {"KiB", 1ULL << 10},         {"TB", 1000000000000ULL}, {"GB", 1000000000ULL},
                 {"MB", 1000000ULL},          {"KB", 1000ULL}};
    snprintf(buf, n, "%llu", (unsigned long long)bytes);
    size_t best = strlen(buf);
    for (size_t i = 0; bytes && i < sizeof units / sizeof units[0]; i++) {
        if (bytes % units[i].factor != 0)
            continue;
        char cand[32];
        snprintf(cand, sizeof cand, "%llu", (unsigned long long)(bytes / units[i].factor));
        if (strlen(cand) < best) {
            best = strlen(cand);
            snprintf(buf, n, "%s%s", cand, units[i].suffix);
        }
    }
}

/* `got "..."` part of a message: quoted, control characters escaped, long
 * values cut. */
void mm_cfg_quote_got(const char *text, char *buf, size_t n)
{
    size_t used = 0;
    if (n < 8) {
        buf[0] = '\0';
        return;
    }
    buf[used++] = '"';
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (used + 8 >= n || p - (const unsigned char *)text >= 80) {
            memcpy(buf + used, "...", 3);
            used += 3;
            break;
        }
        if (*p == '"' || *p == '\\') {
            buf[used++] = '\\';
            buf[used++] = (char)*p;
        } else if (*p < 0x20 || *p == 0x7f) {
            used += (size_t)snprintf(buf + used, n - used, "\\x%02x", *p);
        } else {
            buf[used++] = (char)*p;
        }
    }
    buf[used++] = '"';
    buf[used] = '\0';
}

bool mm_cfg_valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int extra;
        uint32_t cp;
        if (*p < 0x80) {
            p++;
            continue;
        } else if ((*p & 0xe0) == 0xc0) {
            extra = 1, cp = *p & 0x1f;
        } else if ((*p & 0xf0) == 0xe0) {
            extra = 2, cp = *p & 0x0f;
        } else if ((*p & 0xf8) == 0xf0) {
            extra = 3, cp = *p & 0x07;
        } else {
            return false;
        }
        p++;
        for (int i = 0; i < extra; i++, p++) {
            if ((*p & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (*p & 0x3f);
        }
        static const uint32_t min_cp[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
    }
    return true;
}

char *mm_cfg_trimmed(const char *text)
{
    while (isspace((unsigned char)*text))
        text++;
    size_t len = strlen(text);
    while (len && isspace((unsigned char)text[len - 1]))
        len--;
    return mm_strndup(text, len);
}

bool mm_cfg_blank(const char *text)
{
    for (const char *p = text; *p; p++)
        if (!isspace((unsigned char)*p))
            return false;
    return true;
}

int mm_cfg_parse_int(const char *text, int64_t *out)
{
    char *t = mm_cfg_trimmed(text);
    char *end = NULL;
    errno = 0;
    long long v = t && *t ? strtoll(t, &end, 10) : 0;
    bool ok = t && *t && end && *end == '\0' && errno == 0 && !isspace((unsigned char)t[0]);
    free(t);
    *out = v;
    return ok ? 0 : -1;
}

int mm_cfg_parse_size(const char *text, uint64_t *out)
{
    static const struct {
        const char *unit;
        uint64_t factor;
    } units[] = {
        {"", 1},
        {"b", 1},
        {"k", 1ULL << 10},
        {"kib", 1ULL << 10},
        {"kb", 1000ULL},
        {"m", 1ULL << 20},
        {"mib", 1ULL << 20},
        {"mb", 1000000ULL},
        {"g", 1ULL << 30},
        {"gib", 1ULL << 30},
        {"gb", 1000000000ULL},
        {"t", 1ULL << 40},
        {"tib", 1ULL << 40},
        {"tb", 1000000000000ULL},
    };
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    if (!isdigit((unsigned char)*p))
        return -1;
    uint64_t whole = 0;
    for (; isdigit((unsigned char)*p); p++) {
        if (whole > (UINT64_MAX - 9) / 10)
            return -1;
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    uint64_t frac = 0, frac_scale = 1;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        for (; isdigit((unsigned char)*p); p++) {
            if (frac_scale == 1000)
                return -1;
            frac = frac * 10 + (uint64_t)(*p - '0');
            frac_scale *= 10;
        }
    }
    while (*p == ' ')
        p++;
    size_t ulen = strlen(p);
    while (ulen && isspace((unsigned char)p[ulen - 1]))
        ulen--;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strlen(units[i].unit) != ulen || strncasecmp(p, units[i].unit, ulen) != 0)
            continue;
        uint64_t f = units[i].factor;
        if (whole > UINT64_MAX / f)
            return -1;
        uint64_t bytes = whole * f;
        /* frac < 1000 and f <= 2^40, so frac * f cannot overflow. */
        if ((frac * f) % frac_scale != 0)
            return -1;
        uint64_t part = frac * f / frac_scale;
        if (bytes > UINT64_MAX - part)
            return -1;
        *out = bytes + part;
        return 0;
    }
    return -1;
}

int mm_cfg_parse_bool(const char *text, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    char *t = mm_cfg_trimmed(text);
    int rc = -1;
    for (size_t i = 0; t && i < 4; i++) {
        if (strcasecmp(t, yes[i]) == 0)
            *out = true, rc = 0;
        else if (strcasecmp(t, no[i]) == 0)
            *out = false, rc = 0;
    }
    free(t);
    return rc;
}

static int list_append(mm_config_list *list, const char *item)
{
    char **items = realloc(list->items, (list->count + 1) * sizeof *items);
    if (!items)
        return -1;
    list->items = items;
    list->items[list->count] = mm_strdup(item);
    if (!list->items[list->count])
        return -1;
    list->count++;
    return 0;
}

void mm_cfg_list_free(mm_config_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

int mm_cfg_split_list(const char *text, mm_config_list *out)
{
    const char *p = text;
    while (*p) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *raw = mm_strndup(p, len);
        char *item = raw ? mm_cfg_trimmed(raw) : NULL;
        free(raw);
        if (!item || (*item && list_append(out, item) != 0)) {
            free(item);
            mm_cfg_list_free(out);
            return -1;
        }
        free(item);
        p += len;
        if (*p == ';')
            p++;
    }
    return 0;
}
