/* Values of single keys as stored: the mm_config field a key's offset
 * names, defaults, comparison and canonical text. Parsing is in
 * config_parse.c. */
#include "config/config_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *mm_cfg_field(mm_config *cfg, const mm_config_key *key)
{
    return (char *)cfg + key->offset;
}

const void *mm_cfg_field_const(const mm_config *cfg, const mm_config_key *key)
{
    return (const char *)cfg + key->offset;
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
    if (mm_cfg_is_text_type(key->type))
        v->str = mm_strdup("");
}

void mm_cfg_value_free(const mm_config_key *key, mm_config_value *v)
{
    if (mm_cfg_is_text_type(key->type)) {
        free(v->str);
        v->str = NULL;
    } else if (key->type == MM_CFG_LIST) {
        mm_cfg_list_free(&v->list);
    }
}

void mm_cfg_store(mm_config *cfg, const mm_config_key *key, mm_config_value *v)
{
    void *field = mm_cfg_field(cfg, key);
    switch (key->type) {
    case MM_CFG_STRING:
    case MM_CFG_PATH:
    case MM_CFG_SECRET:
        free(*(char **)field);
        *(char **)field = v->str ? v->str : mm_strdup("");
        break;
    case MM_CFG_INT:
        *(int *)field = (int)v->i;
        break;
    case MM_CFG_SIZE:
        *(uint64_t *)field = v->size;
        break;
    case MM_CFG_BOOL:
        *(bool *)field = v->b;
        break;
    case MM_CFG_CHOICE:
        *(int *)field = v->choice;
        break;
    case MM_CFG_LIST:
        mm_cfg_list_free((mm_config_list *)field);
        *(mm_config_list *)field = v->list;
        break;
    }
    memset(v, 0, sizeof *v);
}

bool mm_cfg_field_equal(const mm_config_key *key, const void *a, const void *b)
{
    switch (key->type) {
    case MM_CFG_STRING:
    case MM_CFG_PATH:
    case MM_CFG_SECRET: {
        const char *x = *(char *const *)a, *y = *(char *const *)b;
        return strcmp(x ? x : "", y ? y : "") == 0;
    }
    case MM_CFG_INT:
    case MM_CFG_CHOICE:
        return *(const int *)a == *(const int *)b;
    case MM_CFG_SIZE:
        return *(const uint64_t *)a == *(const uint64_t *)b;
    case MM_CFG_BOOL:
        return *(const bool *)a == *(const bool *)b;
    case MM_CFG_LIST: {
        const mm_config_list *x = a, *y = b;
        if (x->count != y->count)
            return false;
        for (size_t i = 0; i < x->count; i++)
            if (strcmp(x->items[i], y->items[i]) != 0)
                return false;
        return true;
    }
    }
    return false;
}

/* A default value laid out like a field, so that field comparisons apply. */
static bool equals_default(const mm_config_key *key, const void *field)
{
    mm_config_value v;
    mm_cfg_default(key, &v);
    union {
        char *str;
        int i;
        uint64_t size;
        bool b;
        mm_config_list list;
    } as_field;
    memset(&as_field, 0, sizeof as_field);
    switch (key->type) {
    case MM_CFG_STRING:
    case MM_CFG_PATH:
    case MM_CFG_SECRET:
        as_field.str = v.str;
        break;
    case MM_CFG_INT:
        as_field.i = (int)v.i;
        break;
    case MM_CFG_CHOICE:
        as_field.i = v.choice;
        break;
    case MM_CFG_SIZE:
        as_field.size = v.size;
        break;
    case MM_CFG_BOOL:
        as_field.b = v.b;
        break;
    case MM_CFG_LIST:
        as_field.list = v.list;
        break;
    }
    bool eq = mm_cfg_field_equal(key, field, &as_field);
    mm_cfg_value_free(key, &v);
    return eq;
}

bool mm_config_is_default(const mm_config *cfg, const mm_config_key *key)
{
    return equals_default(key, mm_cfg_field_const(cfg, key));
}

const mm_config_choice *mm_cfg_choice_by_value(const mm_config_key *key, int value)
{
    for (const mm_config_choice *c = key->choices; c && c->name; c++)
        if (c->value == value && !c->alias)
            return c;
    return NULL;
}

void mm_cfg_field_text(const mm_config_key *key, const void *field, bool for_yaml,
                       mm_strbuf *out)
{
    char buf[64];
    switch (key->type) {
    case MM_CFG_STRING:
    case MM_CFG_PATH:
    case MM_CFG_SECRET: {
        const char *s = *(char *const *)field;
        mm_strbuf_append(out, s ? s : "");
        break;
    }
    case MM_CFG_INT:
        mm_strbuf_appendf(out, "%d", *(const int *)field);
        break;
    case MM_CFG_SIZE:
        if (for_yaml && (key->flags & MM_CFG_F_INT_OUTPUT))
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)*(const uint64_t *)field);
        else
            mm_cfg_format_size(*(const uint64_t *)field, buf, sizeof buf);
        mm_strbuf_append(out, buf);
        break;
    case MM_CFG_BOOL:
        mm_strbuf_append(out, *(const bool *)field ? "true" : "false");
        break;
    case MM_CFG_CHOICE: {
        const mm_config_choice *c = mm_cfg_choice_by_value(key, *(const int *)field);
        mm_strbuf_append(out, c ? c->name : "");
        break;
    }
    case MM_CFG_LIST: {
        const mm_config_list *l = field;
        for (size_t i = 0; i < l->count; i++) {
            if (i)
                mm_strbuf_append(out, ";");
            mm_strbuf_append(out, l->items[i]);
        }
        break;
    }
    }
}

bool mm_cfg_is_empty(const mm_config *cfg, const mm_config_key *key)
{
    const void *field = mm_cfg_field_const(cfg, key);
    switch (key->type) {
    case MM_CFG_STRING:
    case MM_CFG_PATH:
    case MM_CFG_SECRET: {
        const char *s = *(char *const *)field;
        return !s || !*s;
    }
    case MM_CFG_CHOICE:
        return mm_cfg_choice_by_value(key, *(const int *)field) == NULL;
    case MM_CFG_LIST:
        return ((const mm_config_list *)field)->count == 0;
    default:
        return false;
    }
}
