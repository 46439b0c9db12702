/* Text -> typed value, with the same rules for the file and the wizard's
 * forms: integers, sizes with units, booleans, choices with aliases and
 * refused names, lists; then bounds, the reference tool's "<= 0 means the
 * default" and the key's own check. */
#include "config/config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool mm_cfg_is_text_type(mm_config_type t)
{
    return t == MM_CFG_STRING || t == MM_CFG_PATH || t == MM_CFG_SECRET;
}

const char *mm_config_type_name(mm_config_type type)
{
    static const char *const names[] = {
        [MM_CFG_STRING] = "string", [MM_CFG_PATH] = "path",     [MM_CFG_SECRET] = "secret",
        [MM_CFG_INT] = "integer",   [MM_CFG_SIZE] = "size",     [MM_CFG_BOOL] = "boolean",
        [MM_CFG_CHOICE] = "choice", [MM_CFG_LIST] = "list",
    };
    return (size_t)type < sizeof names / sizeof names[0] ? names[type] : "?";
}

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

/* Bounds as text: "from 1 to 256", "of at least 1MiB", "up to 2147483647". */
static void bounds_text(const mm_config_key *key, char *buf, size_t n)
{
    char lo[32], hi[32];
    if (key->type == MM_CFG_SIZE) {
        mm_cfg_format_size((uint64_t)key->min, lo, sizeof lo);
        if (key->flags & MM_CFG_F_INT_OUTPUT)
            snprintf(hi, sizeof hi, "%lld", (long long)key->max);
        else
            mm_cfg_format_size((uint64_t)key->max, hi, sizeof hi);
    } else {
        snprintf(lo, sizeof lo, "%lld", (long long)key->min);
        snprintf(hi, sizeof hi, "%lld", (long long)key->max);
    }
    if (key->max != 0 && (key->min != 0 || key->type == MM_CFG_INT))
        snprintf(buf, n, "from %s to %s", lo, hi);
    else if (key->max != 0)
        snprintf(buf, n, "up to %s", hi);
    else if (key->min != 0)
        snprintf(buf, n, "of at least %s", lo);
    else
        buf[0] = '\0';
}

static void choice_list(const mm_config_key *key, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const mm_config_choice *c = key->choices; c && c->name; c++) {
        if (c->alias || c->value == MM_CFG_CHOICE_REJECTED)
            continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", c->name);
        if (w < 0 || (size_t)w >= n - used)
            return;
        used += (size_t)w;
    }
}

const char *mm_config_key_expectation(const mm_config_key *key, char *buf, size_t n)
{
    char bounds[96], list[256];
    switch (key->type) {
    case MM_CFG_STRING:
    case MM_CFG_SECRET:
        snprintf(buf, n, "a string");
        break;
    case MM_CFG_PATH:
        snprintf(buf, n, "a path");
        break;
    case MM_CFG_INT:
        bounds_text(key, bounds, sizeof bounds);
        snprintf(buf, n, "an integer%s%s", *bounds ? " " : "", bounds);
        break;
    case MM_CFG_SIZE:
        bounds_text(key, bounds, sizeof bounds);
        snprintf(buf, n, "a size%s%s", *bounds ? " " : "", bounds);
        break;
    case MM_CFG_BOOL:
        snprintf(buf, n, "true or false");
        break;
    case MM_CFG_CHOICE:
        choice_list(key, list, sizeof list);
        if (strchr(list, ','))
            snprintf(buf, n, "one of %s", list);
        else
            snprintf(buf, n, "%s", list);
        break;
    case MM_CFG_LIST:
        snprintf(buf, n, "a list");
        break;
    }
    return buf;
}

/* `got "..."` part of a message: quoted, control characters escaped, long
 * values cut. */
static void quote_got(const char *text, char *buf, size_t n)
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

/* libyaml rejects invalid UTF-8 when writing; refuse it on input instead. */
static bool valid_utf8(const char *s)
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

static char *trimmed_copy(const char *text)
{
    while (isspace((unsigned char)*text))
        text++;
    size_t len = strlen(text);
    while (len && isspace((unsigned char)text[len - 1]))
        len--;
    return mm_strndup(text, len);
}

static int parse_int(const char *text, int64_t *out)
{
    char *t = trimmed_copy(text);
    char *end = NULL;
    errno = 0;
    long long v = t && *t ? strtoll(t, &end, 10) : 0;
    bool ok = t && *t && end && *end == '\0' && errno == 0 && !isspace((unsigned char)t[0]);
    free(t);
    *out = v;
    return ok ? 0 : -1;
}

/* Sizes: an integer number of bytes, or a number (up to 3 decimals) with a
 * unit: K/KiB=1024, KB=1000 and so on to T/TiB/TB (the GNU coreutils
 * convention); case-insensitive, optional space before the unit. */
static int parse_size(const char *text, uint64_t *out)
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

static int parse_bool(const char *text, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    char *t = trimmed_copy(text);
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

/* 0.9's secondary_path style: "a;b;c", blanks around items ignored. */
static int split_list(const char *text, mm_config_list *out)
{
    const char *p = text;
    while (*p) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *raw = mm_strndup(p, len);
        char *item = raw ? trimmed_copy(raw) : NULL;
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

static int parse_choice(const mm_config_key *key, const char *text, int *out, char *problem,
                        size_t n)
{
    char *t = trimmed_copy(text);
    char got[128], expect[300];
    quote_got(t ? t : text, got, sizeof got);
    for (const mm_config_choice *c = key->choices; t && c->name; c++) {
        if (strcasecmp(c->name, t) != 0)
            continue;
        free(t);
        if (c->value == MM_CFG_CHOICE_REJECTED) {
            snprintf(problem, n, "%s is not supported: %s", c->name, c->note);
            return -1;
        }
        *out = c->value;
        return 0;
    }
    mm_config_key_expectation(key, expect, sizeof expect);
    const mm_config_choice *best = NULL;
    size_t best_d = SIZE_MAX;
    for (const mm_config_choice *c = key->choices; t && c->name; c++) {
        size_t d = mm_cfg_edit_distance(c->name, t);
        if (c->value != MM_CFG_CHOICE_REJECTED && !c->alias && d < best_d)
            best = c, best_d = d;
    }
    if (best && best_d <= 2 && best_d < strlen(best->name))
        snprintf(problem, n, "expected %s, got %s; did you mean %s?", expect, got, best->name);
    else
        snprintf(problem, n, "expected %s, got %s", expect, got);
    free(t);
    return -1;
}

static bool in_bounds(const mm_config_key *key, int64_t lo_value, uint64_t value, bool is_size)
{
    if (is_size) {
        if (key->min != 0 && value < (uint64_t)key->min)
            return false;
        return key->max == 0 || value <= (uint64_t)key->max;
    }
    int64_t lo = key->min, hi = key->max;
    if (lo == 0 && hi == 0)
        lo = INT_MIN, hi = INT_MAX;
    else if (hi == 0)
        hi = INT_MAX;
    return lo_value >= lo && lo_value <= hi;
}

int mm_cfg_finish(const mm_config_key *key, mm_config_value *v, char *problem, size_t n)
{
    if (!key->check || key->check(v, problem, n) == 0)
        return 0;
    mm_cfg_value_free(key, v);
    return -1;
}

int mm_cfg_parse(const mm_config_key *key, const char *text, bool is_null, mm_config_value *v,
                 char *problem, size_t n)
{
    memset(v, 0, sizeof *v);
    char got[128], expect[300];
    bool blank = true;
    for (const char *p = text; *p; p++)
        if (!isspace((unsigned char)*p))
            blank = false;
    if (is_null || (blank && !mm_cfg_is_text_type(key->type))) {
        mm_cfg_default(key, v);
        return 0;
    }
    quote_got(text, got, sizeof got);
    switch (key->type) {
    case MM_CFG_STRING:
    case MM_CFG_PATH:
    case MM_CFG_SECRET:
        if (!valid_utf8(text)) {
            snprintf(problem, n, "expected UTF-8 text, got invalid bytes");
            return -1;
        }
        v->str = mm_strdup(text);
        break;
    case MM_CFG_INT:
        if (parse_int(text, &v->i) != 0) {
            snprintf(problem, n, "expected an integer, got %s", got);
            return -1;
        }
        if ((key->flags & MM_CFG_F_NONPOSITIVE_DEFAULT) && v->i <= 0)
            mm_cfg_default(key, v);
        if (!in_bounds(key, v->i, 0, false)) {
            mm_config_key_expectation(key, expect, sizeof expect);
            snprintf(problem, n, "expected %s, got %lld", expect, (long long)v->i);
            return -1;
        }
        break;
    case MM_CFG_SIZE:
        if (parse_size(text, &v->size) != 0) {
            snprintf(problem, n,
                     "expected a size such as 16GiB, 512MiB or 1048576 (bytes), got %s", got);
            return -1;
        }
        if (!in_bounds(key, 0, v->size, true)) {
            mm_config_key_expectation(key, expect, sizeof expect);
            snprintf(problem, n, "expected %s, got %s", expect, got);
            return -1;
        }
        break;
    case MM_CFG_BOOL:
        if (parse_bool(text, &v->b) != 0) {
            snprintf(problem, n, "expected true or false, got %s", got);
            return -1;
        }
        break;
    case MM_CFG_CHOICE:
        if (parse_choice(key, text, &v->choice, problem, n) != 0)
            return -1;
        break;
    case MM_CFG_LIST:
        if (!valid_utf8(text)) {
            snprintf(problem, n, "expected UTF-8 text, got invalid bytes");
            return -1;
        }
        if (split_list(text, &v->list) != 0) {
            snprintf(problem, n, "out of memory");
            return -1;
        }
        break;
    }
    return mm_cfg_finish(key, v, problem, n);
}
