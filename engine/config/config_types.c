/* The per-type operations table (config_types.h) and the generic value
 * operations built on it. A type's row says how its values are parsed,
 * stored, freed, compared, written and described; adding a type is adding
 * a row. */
#include "config/config_types.h"

#include "config/config_parse.h"
#include "config/config_suggest.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- text: string, path, secret ---------------------------------------------- */

static int text_parse(const mm_config_key *key, const char *text, const char *got, mm_config_value *v, char *problem,
                      size_t n)
{
    (void)key;
    (void)got;
    if (!mm_cfg_valid_utf8(text)) {
        snprintf(problem, n, "expected UTF-8 text, got invalid bytes");
        return -1;
    }
    v->str = mm_strdup(text);
    return 0;
}

static void text_store(void *field, mm_config_value *v)
{
    free(*(char **)field);
    *(char **)field = v->str ? v->str : mm_strdup("");
}

static int text_get(const void *field, mm_config_value *v)
{
    const char *s = *(char *const *)field;
    v->str = mm_strdup(s ? s : "");
    return v->str ? 0 : -1;
}

static void text_free_value(mm_config_value *v)
{
    free(v->str);
    v->str = NULL;
}

static void text_free_field(void *field)
{
    free(*(char **)field);
    *(char **)field = NULL;
}

static bool text_equal(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    return strcmp(x ? x : "", y ? y : "") == 0;
}

static void text_text(const mm_config_key *key, const void *field, bool for_yaml, mm_strbuf *out)
{
    (void)key;
    (void)for_yaml;
    const char *s = *(char *const *)field;
    mm_strbuf_append(out, s ? s : "");
}

static void string_expect(const mm_config_key *key, char *buf, size_t n)
{
    (void)key;
    snprintf(buf, n, "a string");
}

static void path_expect(const mm_config_key *key, char *buf, size_t n)
{
    (void)key;
    snprintf(buf, n, "a path");
}

static bool text_empty(const mm_config_key *key, const void *field)
{
    (void)key;
    const char *s = *(char *const *)field;
    return !s || !*s;
}

/* ---- numbers: integer, size ----------------------------------------------------- */

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

static void int_expect(const mm_config_key *key, char *buf, size_t n)
{
    char bounds[96];
    bounds_text(key, bounds, sizeof bounds);
    /* The reference tool's rule for these keys, said wherever the range is. */
    if (key->flags & MM_CFG_F_NONPOSITIVE_DEFAULT)
        snprintf(buf, n, "an integer%s%s, or 0 or less for %s", *bounds ? " " : "", bounds, key->default_text);
    else
        snprintf(buf, n, "an integer%s%s", *bounds ? " " : "", bounds);
}

static int int_parse(const mm_config_key *key, const char *text, const char *got, mm_config_value *v, char *problem,
                     size_t n)
{
    if (mm_cfg_parse_int(text, &v->i) != 0) {
        snprintf(problem, n, "expected an integer, got %s", got);
        return -1;
    }
    if ((key->flags & MM_CFG_F_NONPOSITIVE_DEFAULT) && v->i <= 0)
        mm_cfg_default(key, v);
    int64_t lo = key->min, hi = key->max;
    if (lo == 0 && hi == 0)
        lo = INT_MIN, hi = INT_MAX;
    else if (hi == 0)
        hi = INT_MAX;
    if (v->i < lo || v->i > hi) {
        char expect[300];
        int_expect(key, expect, sizeof expect);
        snprintf(problem, n, "expected %s, got %lld", expect, (long long)v->i);
        return -1;
    }
    return 0;
}

static void int_store(void *field, mm_config_value *v)
{
    *(int *)field = (int)v->i;
}

static int int_get(const void *field, mm_config_value *v)
{
    v->i = *(const int *)field;
    return 0;
}

static bool int_equal(const void *a, const void *b)
{
    return *(const int *)a == *(const int *)b;
}

static void int_text(const mm_config_key *key, const void *field, bool for_yaml, mm_strbuf *out)
{
    (void)key;
    (void)for_yaml;
    mm_strbuf_appendf(out, "%d", *(const int *)field);
}

static int int_cond_value(const void *field)
{
    return *(const int *)field;
}

static void size_expect(const mm_config_key *key, char *buf, size_t n)
{
    char bounds[96];
    bounds_text(key, bounds, sizeof bounds);
    snprintf(buf, n, "a size%s%s", *bounds ? " " : "", bounds);
}

static int size_parse(const mm_config_key *key, const char *text, const char *got, mm_config_value *v, char *problem,
                      size_t n)
{
    if (mm_cfg_parse_size(text, &v->size) != 0) {
        snprintf(problem, n, "expected a size such as 16GiB, 512MiB or 1048576 (bytes), got %s", got);
        return -1;
    }
    if ((key->min != 0 && v->size < (uint64_t)key->min) || (key->max != 0 && v->size > (uint64_t)key->max)) {
        char expect[300];
        size_expect(key, expect, sizeof expect);
        snprintf(problem, n, "expected %s, got %s", expect, got);
        return -1;
    }
    return 0;
}

static void size_store(void *field, mm_config_value *v)
{
    *(uint64_t *)field = v->size;
}

static int size_get(const void *field, mm_config_value *v)
{
    v->size = *(const uint64_t *)field;
    return 0;
}

static bool size_equal(const void *a, const void *b)
{
    return *(const uint64_t *)a == *(const uint64_t *)b;
}

static void size_text(const mm_config_key *key, const void *field, bool for_yaml, mm_strbuf *out)
{
    char buf[64];
    if (for_yaml && (key->flags & MM_CFG_F_INT_OUTPUT))
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)*(const uint64_t *)field);
    else
        mm_cfg_format_size(*(const uint64_t *)field, buf, sizeof buf);
    mm_strbuf_append(out, buf);
}

/* ---- boolean -------------------------------------------------------------------- */

static int bool_parse(const mm_config_key *key, const char *text, const char *got, mm_config_value *v, char *problem,
                      size_t n)
{
    (void)key;
    if (mm_cfg_parse_bool(text, &v->b) != 0) {
        snprintf(problem, n, "expected true or false, got %s", got);
        return -1;
    }
    return 0;
}

static void bool_store(void *field, mm_config_value *v)
{
    *(bool *)field = v->b;
}

static int bool_get(const void *field, mm_config_value *v)
{
    v->b = *(const bool *)field;
    return 0;
}

static bool bool_equal(const void *a, const void *b)
{
    return *(const bool *)a == *(const bool *)b;
}

static void bool_text(const mm_config_key *key, const void *field, bool for_yaml, mm_strbuf *out)
{
    (void)key;
    (void)for_yaml;
    mm_strbuf_append(out, *(const bool *)field ? "true" : "false");
}

static void bool_expect(const mm_config_key *key, char *buf, size_t n)
{
    (void)key;
    snprintf(buf, n, "true or false");
}

static int bool_cond_value(const void *field)
{
    return *(const bool *)field ? 1 : 0;
}

static const char *bool_cond_text(const mm_config_key *key, int value)
{
    (void)key;
    return value ? "true" : "false";
}

/* ---- choice --------------------------------------------------------------------- */

const mm_config_choice *mm_cfg_choice_by_value(const mm_config_key *key, int value)
{
    for (const mm_config_choice *c = key->choices; c && c->name; c++)
        if (c->value == value && !c->alias)
            return c;
    return NULL;
}

static void choice_expect(const mm_config_key *key, char *buf, size_t n)
{
    char list[256];
    size_t used = 0;
    list[0] = '\0';
    for (const mm_config_choice *c = key->choices; c && c->name; c++) {
        if (c->alias || c->value == MM_CFG_CHOICE_REJECTED)
            continue;
        int w = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", c->name);
        if (w < 0 || (size_t)w >= sizeof list - used)
            break;
        used += (size_t)w;
    }
    if (strchr(list, ','))
        snprintf(buf, n, "one of %s", list);
    else
        snprintf(buf, n, "%s", list);
}

static int choice_parse(const mm_config_key *key, const char *text, const char *got_raw, mm_config_value *v,
                        char *problem, size_t n)
{
    (void)got_raw;
    char *t = mm_cfg_trimmed(text);
    char got[128], expect[300];
    mm_cfg_quote_got(t ? t : text, got, sizeof got);
    for (const mm_config_choice *c = key->choices; t && c->name; c++) {
        if (strcasecmp(c->name, t) != 0)
            continue;
        free(t);
        if (c->value == MM_CFG_CHOICE_REJECTED) {
            snprintf(problem, n, "%s is not supported: %s", c->name, c->note);
            return -1;
        }
        v->choice = c->value;
        return 0;
    }
    choice_expect(key, expect, sizeof expect);
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

static void choice_store(void *field, mm_config_value *v)
{
    *(int *)field = v->choice;
}

static int choice_get(const void *field, mm_config_value *v)
{
    v->choice = *(const int *)field;
    return 0;
}

static void choice_text(const mm_config_key *key, const void *field, bool for_yaml, mm_strbuf *out)
{
    (void)for_yaml;
    const mm_config_choice *c = mm_cfg_choice_by_value(key, *(const int *)field);
    mm_strbuf_append(out, c ? c->name : "");
}

static const char *choice_cond_text(const mm_config_key *key, int value)
{
    const mm_config_choice *c = mm_cfg_choice_by_value(key, value);
    return c ? c->name : "?";
}

static bool choice_empty(const mm_config_key *key, const void *field)
{
    return mm_cfg_choice_by_value(key, *(const int *)field) == NULL;
}

/* ---- list ----------------------------------------------------------------------- */

static int list_parse(const mm_config_key *key, const char *text, const char *got, mm_config_value *v, char *problem,
                      size_t n)
{
    (void)key;
    (void)got;
    if (!mm_cfg_valid_utf8(text)) {
        snprintf(problem, n, "expected UTF-8 text, got invalid bytes");
        return -1;
    }
    if (mm_cfg_split_list(text, &v->list) != 0) {
        snprintf(problem, n, "out of memory");
        return -1;
    }
    return 0;
}

static void list_store(void *field, mm_config_value *v)
{
    mm_cfg_list_free((mm_config_list *)field);
    *(mm_config_list *)field = v->list;
}

static int list_get(const void *field, mm_config_value *v)
{
    const mm_config_list *l = field;
    memset(&v->list, 0, sizeof v->list);
    if (!l->count)
        return 0;
    v->list.items = calloc(l->count, sizeof(char *));
    if (!v->list.items)
        return -1;
    v->list.count = l->count;
    for (size_t j = 0; j < l->count; j++)
        if (!(v->list.items[j] = mm_strdup(l->items[j])))
            return -1;
    return 0;
}

static void list_free_value(mm_config_value *v)
{
    mm_cfg_list_free(&v->list);
}

static void list_free_field(void *field)
{
    mm_cfg_list_free((mm_config_list *)field);
}

static bool list_equal(const void *a, const void *b)
{
    const mm_config_list *x = a, *y = b;
    if (x->count != y->count)
        return false;
    for (size_t i = 0; i < x->count; i++)
        if (strcmp(x->items[i], y->items[i]) != 0)
            return false;
    return true;
}

static void list_text(const mm_config_key *key, const void *field, bool for_yaml, mm_strbuf *out)
{
    (void)key;
    (void)for_yaml;
    const mm_config_list *l = field;
    for (size_t i = 0; i < l->count; i++) {
        if (i)
            mm_strbuf_append(out, ";");
        mm_strbuf_append(out, l->items[i]);
    }
}

static void list_expect(const mm_config_key *key, char *buf, size_t n)
{
    (void)key;
    snprintf(buf, n, "a list");
}

static bool list_empty(const mm_config_key *key, const void *field)
{
    (void)key;
    return ((const mm_config_list *)field)->count == 0;
}

/* ---- the table -------------------------------------------------------------------- */

static void no_free_value(mm_config_value *v)
{
    (void)v;
}

static void no_free_field(void *field)
{
    (void)field;
}

#define TEXT_OPS .parse = text_parse, .store = text_store, .get = text_get, .free_value = text_free_value, \
                 .free_field = text_free_field, .equal = text_equal, .text = text_text, .empty = text_empty, \
                 .yaml = MM_CFG_YAML_QUOTED
#define SCALAR_FREE .free_value = no_free_value, .free_field = no_free_field

static const mm_cfg_type_ops types[] = {
    [MM_CFG_STRING] = {.name = "string", .man_name = "string", .expect = string_expect, TEXT_OPS},
    [MM_CFG_PATH] = {.name = "path", .man_name = "path", .expect = path_expect, TEXT_OPS},
    [MM_CFG_SECRET] = {.name = "secret", .man_name = "secret string", .expect = string_expect, TEXT_OPS},
    [MM_CFG_INT] = {.name = "integer", .parse = int_parse, .store = int_store, .get = int_get, SCALAR_FREE,
                    .equal = int_equal, .text = int_text, .expect = int_expect, .cond_value = int_cond_value},
    [MM_CFG_SIZE] = {.name = "size", .parse = size_parse, .store = size_store, .get = size_get, SCALAR_FREE,
                     .equal = size_equal, .text = size_text, .expect = size_expect},
    [MM_CFG_BOOL] = {.name = "boolean", .man_name = "boolean", .parse = bool_parse, .store = bool_store,
                     .get = bool_get, SCALAR_FREE, .equal = bool_equal, .text = bool_text, .expect = bool_expect,
                     .cond_value = bool_cond_value, .cond_text = bool_cond_text},
    [MM_CFG_CHOICE] = {.name = "choice", .parse = choice_parse, .store = choice_store, .get = choice_get,
                       SCALAR_FREE, .equal = int_equal, .text = choice_text, .expect = choice_expect,
                       .empty = choice_empty, .cond_value = int_cond_value,
                       .cond_text = choice_cond_text},
    [MM_CFG_LIST] = {.name = "list", .man_name = "list", .parse = list_parse, .store = list_store, .get = list_get,
                     .free_value = list_free_value, .free_field = list_free_field, .equal = list_equal,
                     .text = list_text, .expect = list_expect, .empty = list_empty, .yaml = MM_CFG_YAML_SEQUENCE},
};

const mm_cfg_type_ops *mm_cfg_type(mm_config_type type)
{
    return &types[type];
}

const char *mm_config_type_name(mm_config_type type)
{
    return (size_t)type < sizeof types / sizeof types[0] ? types[type].name : "?";
}

const char *mm_config_key_expectation(const mm_config_key *key, char *buf, size_t n)
{
    mm_cfg_type(key->type)->expect(key, buf, n);
    return buf;
}

/* ---- generic operations ----------------------------------------------------------- */

void *mm_cfg_field(mm_config *cfg, const mm_config_key *key)
{
    return (char *)cfg + key->offset;
}

const void *mm_cfg_field_const(const mm_config *cfg, const mm_config_key *key)
{
    return (const char *)cfg + key->offset;
}

static bool is_text(const mm_config_key *key)
{
    return mm_cfg_type(key->type)->yaml == MM_CFG_YAML_QUOTED;
}

void mm_cfg_default(const mm_config_key *key, mm_config_value *v)
{
    memset(v, 0, sizeof *v);
    if (key->default_text && *key->default_text) {
        char problem[256];
        /* Defaults go through the input parser so that they obey the same
         * rules; the unit test asserts that none of them fails. */
        if (mm_cfg_parse(key, key->default_text, false, v, problem, sizeof problem) == 0)
            return;
        memset(v, 0, sizeof *v);
    }
    if (is_text(key))
        v->str = mm_strdup("");
}

void mm_cfg_value_free(const mm_config_key *key, mm_config_value *v)
{
    mm_cfg_type(key->type)->free_value(v);
}

int mm_cfg_finish(const mm_config_key *key, mm_config_value *v, char *problem, size_t n)
{
    if (!key->check || key->check(v, problem, n) == 0)
        return 0;
    mm_cfg_value_free(key, v);
    return -1;
}

int mm_cfg_parse(const mm_config_key *key, const char *text, bool is_null, mm_config_value *v, char *problem,
                 size_t n)
{
    memset(v, 0, sizeof *v);
    if (is_null || (mm_cfg_blank(text) && !is_text(key))) {
        mm_cfg_default(key, v);
        return 0;
    }
    char got[128];
    mm_cfg_quote_got(text, got, sizeof got);
    if (mm_cfg_type(key->type)->parse(key, text, got, v, problem, n) != 0)
        return -1;
    return mm_cfg_finish(key, v, problem, n);
}

void mm_cfg_store(mm_config *cfg, const mm_config_key *key, mm_config_value *v)
{
    mm_cfg_type(key->type)->store(mm_cfg_field(cfg, key), v);
    memset(v, 0, sizeof *v);
}

bool mm_cfg_field_equal(const mm_config_key *key, const void *a, const void *b)
{
    return mm_cfg_type(key->type)->equal(a, b);
}

void mm_cfg_field_text(const mm_config_key *key, const void *field, bool for_yaml, mm_strbuf *out)
{
    mm_cfg_type(key->type)->text(key, field, for_yaml, out);
}

bool mm_cfg_is_empty(const mm_config *cfg, const mm_config_key *key)
{
    const mm_cfg_type_ops *t = mm_cfg_type(key->type);
    return t->empty && t->empty(key, mm_cfg_field_const(cfg, key));
}

bool mm_config_is_default(const mm_config *cfg, const mm_config_key *key)
{
    /* The default stored in a scratch configuration, so that the type's
     * field comparison applies. */
    mm_config scratch;
    memset(&scratch, 0, sizeof scratch);
    mm_config_value v;
    mm_cfg_default(key, &v);
    mm_cfg_store(&scratch, key, &v);
    const mm_cfg_type_ops *t = mm_cfg_type(key->type);
    bool eq = t->equal(mm_cfg_field_const(cfg, key), mm_cfg_field_const(&scratch, key));
    t->free_field(mm_cfg_field(&scratch, key));
    return eq;
}
