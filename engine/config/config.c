/* The configuration model: defaults, lifetime, single-key access for the
 * wizard, conditions between keys and derived values. Values are handled
 * through the per-type operations (config_types.h). */
#include "config/config_internal.h"

#include "config/config_parse.h"
#include "config/dsn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void mm_config_init_defaults(mm_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    size_t n;
    const mm_config_key *keys = mm_config_keys(&n);
    for (size_t i = 0; i < n; i++) {
        mm_config_value v;
        mm_cfg_default(&keys[i], &v);
        mm_cfg_store(cfg, &keys[i], &v);
    }
}

void mm_config_free(mm_config *cfg)
{
    if (!cfg)
        return;
    size_t n;
    const mm_config_key *keys = mm_config_keys(&n);
    for (size_t i = 0; i < n; i++)
        mm_cfg_type(keys[i].type)->free_field(mm_cfg_field(cfg, &keys[i]));
    free(cfg->origin);
    free(cfg->config_dir);
    memset(cfg, 0, sizeof *cfg);
}

int mm_config_copy(mm_config *dst, const mm_config *src, mm_error *err)
{
    mm_config tmp;
    mm_config_init_defaults(&tmp);
    size_t n;
    const mm_config_key *keys = mm_config_keys(&n);
    bool oom = false;
    for (size_t i = 0; i < n; i++) {
        mm_config_value v;
        memset(&v, 0, sizeof v);
        oom |= mm_cfg_type(keys[i].type)->get(mm_cfg_field_const(src, &keys[i]), &v) != 0;
        mm_cfg_store(&tmp, &keys[i], &v);
    }
    tmp.origin = mm_strdup(src->origin);
    tmp.config_dir = mm_strdup(src->config_dir);
    memcpy(tmp.where, src->where, sizeof tmp.where);
    memcpy(tmp.given, src->given, sizeof tmp.given);
    if (oom) {
        mm_config_free(&tmp);
        return mm_error_set(err, MM_ERR_NOMEM, "copy configuration: out of memory");
    }
    mm_config_free(dst);
    *dst = tmp;
    return 0;
}

bool mm_config_equal(const mm_config *a, const mm_config *b)
{
    size_t n;
    const mm_config_key *keys = mm_config_keys(&n);
    for (size_t i = 0; i < n; i++)
        if (!mm_cfg_field_equal(&keys[i], mm_cfg_field_const(a, &keys[i]),
                                mm_cfg_field_const(b, &keys[i])))
            return false;
    return true;
}

/* ---- warnings -------------------------------------------------------------- */

void mm_config_warnings_add(mm_config_warnings *w, const char *fmt, ...)
{
    if (!w)
        return;
    char *text = NULL;
    va_list ap;
    va_start(ap, fmt);
    int rc = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (rc < 0)
        return;
    char **items = realloc(w->items, (w->count + 1) * sizeof *items);
    if (!items) {
        free(text);
        return;
    }
    w->items = items;
    w->items[w->count++] = text;
}

void mm_config_warnings_free(mm_config_warnings *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->count; i++)
        free(w->items[i]);
    free(w->items);
    w->items = NULL;
    w->count = 0;
}

/* ---- single keys -------------------------------------------------------------- */

int mm_config_get_string(const mm_config *cfg, const mm_config_key *key, char *buf, size_t n)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_cfg_field_text(key, mm_cfg_field_const(cfg, key), false, &sb);
    const char *text = sb.data ? sb.data : "";
    int len = snprintf(buf, n, "%s", text);
    mm_strbuf_free(&sb);
    return len;
}

char *mm_config_get_display(const mm_config *cfg, const mm_config_key *key)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_cfg_field_text(key, mm_cfg_field_const(cfg, key), false, &sb);
    char *text = mm_strbuf_take(&sb);
    if (text && *text && (key->flags & MM_CFG_F_SECRET)) {
        free(text);
        return mm_strdup("***");
    }
    if (text && (key->flags & MM_CFG_F_DSN)) {
        char *masked = mm_config_mask_dsn(text);
        free(text);
        return masked;
    }
    return text ? text : mm_strdup("");
}

int mm_config_set_string(mm_config *cfg, const mm_config_key *key, const char *text,
                         mm_error *err)
{
    char problem[1024];
    mm_config_value v;
    if (mm_cfg_parse(key, text, mm_cfg_blank(text), &v, problem, sizeof problem) != 0)
        return mm_error_set(err, MM_ERR_CONFIG, "%s: %s", key->name, problem);
    mm_cfg_store(cfg, key, &v);
    cfg->where[mm_cfg_key_index(key)] = (struct mm_config_pos){0, 0};
    cfg->given[mm_cfg_key_index(key)] = !mm_cfg_blank(text);
    return 0;
}

bool mm_config_given(const mm_config *cfg, const char *name)
{
    const mm_config_key *key = mm_config_find_key(name);
    return key && cfg->given[mm_cfg_key_index(key)];
}

void mm_config_reset_key(mm_config *cfg, const mm_config_key *key)
{
    mm_config_value v;
    mm_cfg_default(key, &v);
    mm_cfg_store(cfg, key, &v);
    cfg->where[mm_cfg_key_index(key)] = (struct mm_config_pos){0, 0};
    cfg->given[mm_cfg_key_index(key)] = false;
}

/* ---- conditions --------------------------------------------------------------- */

bool mm_cfg_cond_holds(const mm_config *cfg, const mm_config_cond *cond)
{
    if (!cond->key)
        return true;
    const mm_config_key *key = mm_config_find_key(cond->key);
    const mm_cfg_type_ops *type = key ? mm_cfg_type(key->type) : NULL;
    if (!type || !type->cond_value)
        return false;
    int value = type->cond_value(mm_cfg_field_const(cfg, key));
    return value >= 0 && value < 32 && (cond->mask & (1u << value));
}

void mm_cfg_cond_describe(const mm_config_cond *cond, mm_strbuf *out)
{
    const mm_config_key *key = mm_config_find_key(cond->key);
    mm_strbuf_appendf(out, "%s is ", cond->key);
    bool first = true;
    for (int value = 0; key && value < 32; value++) {
        if (!(cond->mask & (1u << value)))
            continue;
        const mm_cfg_type_ops *type = mm_cfg_type(key->type);
        const char *name = type->cond_text ? type->cond_text(key, value) : "?";
        mm_strbuf_appendf(out, "%s%s", first ? "" : " or ", name);
        first = false;
    }
}

bool mm_config_key_shown(const mm_config *cfg, const mm_config_key *key)
{
    return mm_cfg_cond_holds(cfg, &key->shown_if);
}

/* ---- derived values ------------------------------------------------------------- */

char *mm_config_state_dir(const mm_config *cfg)
{
    if (cfg->state.dir && *cfg->state.dir)
        return mm_strdup(cfg->state.dir);
    if (cfg->config_dir && *cfg->config_dir)
        return mm_asprintf("%s/.milvus-migrate", cfg->config_dir);
    return mm_strdup("./.milvus-migrate");
}

bool mm_config_tls_enabled(const mm_config *cfg)
{
    const char *ep = cfg->target.milvus2x.endpoint;
    return cfg->target.milvus2x.tls.enabled || (ep && strncasecmp(ep, "https://", 8) == 0);
}

const char *mm_config_meta_json_path(const mm_config *cfg)
{
    if (cfg->meta.mode == MM_META_LOCAL)
        return cfg->meta.local_file;
    if (cfg->meta.mode == MM_META_MOCK)
        return cfg->meta.mock_file;
    return NULL;
}

/* The Go driver finds the password between the first ':' and the last '@'
 * before the last '/'; a mysql:// URL ends its authority at the first '/'. */
char *mm_config_mask_dsn(const char *dsn)
{
    return mm_dsn_masked(dsn);
}
