/* The configuration model: defaults, lifetime, single-key access for the
 * wizard, conditions between keys, derived values and key suggestions. */
#include "config/config_internal.h"
#include "source/dsn.h"

#include <ctype.h>
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
    for (size_t i = 0; i < n; i++) {
        void *field = mm_cfg_field(cfg, &keys[i]);
        if (keys[i].type == MM_CFG_LIST) {
            mm_config_list *l = field;
            for (size_t j = 0; j < l->count; j++)
                free(l->items[j]);
            free(l->items);
        } else if (keys[i].type == MM_CFG_STRING || keys[i].type == MM_CFG_PATH ||
                   keys[i].type == MM_CFG_SECRET) {
            free(*(char **)field);
        }
    }
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
        const void *from = mm_cfg_field_const(src, &keys[i]);
        mm_config_value v;
        memset(&v, 0, sizeof v);
        switch (keys[i].type) {
        case MM_CFG_STRING:
        case MM_CFG_PATH:
        case MM_CFG_SECRET:
            v.str = mm_strdup(*(char *const *)from ? *(char *const *)from : "");
            oom |= v.str == NULL;
            break;
        case MM_CFG_INT:
            v.i = *(const int *)from;
            break;
        case MM_CFG_CHOICE:
            v.choice = *(const int *)from;
            break;
        case MM_CFG_SIZE:
            v.size = *(const uint64_t *)from;
            break;
        case MM_CFG_BOOL:
            v.b = *(const bool *)from;
            break;
        case MM_CFG_LIST: {
            const mm_config_list *l = from;
            v.list.items = l->count ? calloc(l->count, sizeof(char *)) : NULL;
            oom |= l->count && !v.list.items;
            for (size_t j = 0; v.list.items && j < l->count; j++) {
                v.list.items[j] = mm_strdup(l->items[j]);
                oom |= v.list.items[j] == NULL;
            }
            v.list.count = v.list.items ? l->count : 0;
            break;
        }
        }
        mm_cfg_store(&tmp, &keys[i], &v);
    }
    tmp.origin = mm_strdup(src->origin);
    tmp.config_dir = mm_strdup(src->config_dir);
    memcpy(tmp.where, src->where, sizeof tmp.where);
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
    bool blank = true;
    for (const char *p = text; *p; p++)
        if (!isspace((unsigned char)*p))
            blank = false;
    if (mm_cfg_parse(key, text, blank, &v, problem, sizeof problem) != 0)
        return mm_error_set(err, MM_ERR_CONFIG, "%s: %s", key->name, problem);
    mm_cfg_store(cfg, key, &v);
    cfg->where[mm_cfg_key_index(key)] = (struct mm_config_pos){0, 0};
    return 0;
}

void mm_config_reset_key(mm_config *cfg, const mm_config_key *key)
{
    mm_config_value v;
    mm_cfg_default(key, &v);
    mm_cfg_store(cfg, key, &v);
    cfg->where[mm_cfg_key_index(key)] = (struct mm_config_pos){0, 0};
}

/* ---- conditions --------------------------------------------------------------- */

static int cond_value(const mm_config *cfg, const mm_config_key *key)
{
    const void *field = mm_cfg_field_const(cfg, key);
    if (key->type == MM_CFG_BOOL)
        return *(const bool *)field ? 1 : 0;
    return *(const int *)field;
}

bool mm_cfg_cond_holds(const mm_config *cfg, const mm_config_cond *cond)
{
    if (!cond->key)
        return true;
    const mm_config_key *key = mm_config_find_key(cond->key);
    if (!key)
        return false;
    int value = cond_value(cfg, key);
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
        const char *name = NULL;
        if (key->type == MM_CFG_BOOL) {
            name = value ? "true" : "false";
        } else {
            const mm_config_choice *c = mm_cfg_choice_by_value(key, value);
            name = c ? c->name : "?";
        }
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

/* ---- suggestions ----------------------------------------------------------------- */

size_t mm_cfg_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 128 || lb > 128)
        return SIZE_MAX;
    size_t rows[3][129];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t cost = ca == cb ? 0 : 1;
            size_t best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (prev[j - 1] + cost < best)
                best = prev[j - 1] + cost;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

bool mm_cfg_group(const char *lower_prefix, char *canonical, size_t n)
{
    size_t len = strlen(lower_prefix), count;
    const mm_config_key *keys = mm_config_keys(&count);
    for (size_t i = 0; i < count; i++) {
        if (strncasecmp(keys[i].name, lower_prefix, len) == 0 && keys[i].name[len] == '.') {
            snprintf(canonical, n, "%.*s", (int)len, keys[i].name);
            return true;
        }
    }
    return false;
}

static const char *last_segment(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot ? dot + 1 : name;
}

void mm_cfg_suggest_key(const char *unknown, char *out, size_t n)
{
    size_t count;
    const mm_config_key *keys = mm_config_keys(&count);
    char best[128] = "";
    size_t best_d = SIZE_MAX, unknown_len = strlen(unknown);
    size_t limit = 1 + unknown_len / 8;
    if (limit > 3)
        limit = 3;
    /* Whole keys and the maps above them are both candidates, so that a
     * misspelt map name (soruce:) is matched too. */
    for (size_t i = 0; i < count; i++) {
        const char *name = keys[i].name;
        for (const char *p = name;; p++) {
            if (*p != '.' && *p != '\0')
                continue;
            char cand[128];
            size_t cand_len = (size_t)(p - name);
            /* The distance is at least the length difference: skip what
             * cannot be close, which keeps a file full of unknown keys
             * (or aliases merging them) from taking seconds. */
            bool too_far = (cand_len > unknown_len ? cand_len - unknown_len : unknown_len - cand_len) > limit;
            if (too_far && *p == '\0')
                break;
            if (too_far)
                continue;
            snprintf(cand, sizeof cand, "%.*s", (int)cand_len, name);
            size_t d = mm_cfg_edit_distance(cand, unknown);
            if (d < best_d) {
                best_d = d;
                snprintf(best, sizeof best, "%s", cand);
            }
            if (*p == '\0')
                break;
        }
    }
    if (best_d <= limit) {
        snprintf(out, n, "%s", best);
        return;
    }
    /* Right name at the wrong place (sqliteFile: at the top level). */
    const char *leaf = last_segment(unknown);
    const char *found[3];
    size_t nfound = 0;
    for (size_t i = 0; i < count && nfound < 3; i++)
        if (strcasecmp(last_segment(keys[i].name), leaf) == 0)
            found[nfound++] = keys[i].name;
    out[0] = '\0';
    if (nfound == 1)
        snprintf(out, n, "%s", found[0]);
    else if (nfound == 2)
        snprintf(out, n, "%s or %s", found[0], found[1]);
    else if (nfound == 3)
        snprintf(out, n, "%s, %s or %s", found[0], found[1], found[2]);
}
