#include "config_form.h"

#include "base/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The form's field kind for a key's type (secret keys are secret whatever
 * their type). */
static const mm_field_kind kind_of_type[] = {
    [MM_CFG_STRING] = MM_FIELD_TEXT,   [MM_CFG_PATH] = MM_FIELD_TEXT,  [MM_CFG_SECRET] = MM_FIELD_SECRET,
    [MM_CFG_INT] = MM_FIELD_NUMBER,    [MM_CFG_SIZE] = MM_FIELD_NUMBER, [MM_CFG_BOOL] = MM_FIELD_TOGGLE,
    [MM_CFG_CHOICE] = MM_FIELD_CHOICE, [MM_CFG_LIST] = MM_FIELD_TEXT,
};

static mm_field_kind kind_of(const mm_config_key *key)
{
    return (key->flags & MM_CFG_F_SECRET) ? MM_FIELD_SECRET : kind_of_type[key->type];
}

static char *get(void *ctx, const void *id)
{
    const mm_config_form *cf = ctx;
    int len = mm_config_get_string(cf->cfg, id, NULL, 0);
    char *text = malloc((size_t)len + 1);
    if (text)
        mm_config_get_string(cf->cfg, id, text, (size_t)len + 1);
    return text;
}

static char *display(void *ctx, const void *id)
{
    const mm_config_form *cf = ctx;
    /* An empty value is not asked for in display form: the engine's
     * mm_strbuf_take leaves an empty buffer unterminated. */
    if (mm_config_get_string(cf->cfg, id, NULL, 0) == 0)
        return mm_strdup("");
    return mm_config_get_display(cf->cfg, id);
}

static int set(void *ctx, const void *id, const char *text, char **problem)
{
    mm_config_form *cf = ctx;
    const mm_config_key *key = id;
    mm_error err;
    mm_error_clear(&err);
    if (mm_config_set_string(cf->cfg, key, text, &err) != 0) {
        *problem = mm_strdup(err.message);
        return -1;
    }
    /* 0 or less stands for the default (the reference tool's rule): stored
     * as that, and said, so the value shown is not a surprise. */
    char *end;
    long long v = strtoll(text, &end, 10);
    if ((key->flags & MM_CFG_F_NONPOSITIVE_DEFAULT) && end != text && v <= 0)
        *problem = mm_asprintf("%s: %s is 0 or less, which means the default, %s (as in the reference tool); "
                               "%s is stored.", key->name, text, key->default_text, key->default_text);
    return 0;
}

static void reset(void *ctx, const void *id)
{
    mm_config_form *cf = ctx;
    mm_config_reset_key(cf->cfg, id);
}

/* The next choice that may be written (no aliases, nothing refused). */
static const char *next_choice(void *ctx, const void *id)
{
    const mm_config_form *cf = ctx;
    const mm_config_key *key = id;
    char current[128];
    mm_config_get_string(cf->cfg, key, current, sizeof current);
    const mm_config_choice *first = NULL, *found = NULL;
    bool after = false;
    for (const mm_config_choice *c = key->choices; c && c->name; c++) {
        if (c->alias || c->value == MM_CFG_CHOICE_REJECTED)
            continue;
        if (!first)
            first = c;
        if (after && !found)
            found = c;
        if (strcasecmp(c->name, current) == 0)
            after = true;
    }
    found = found ? found : first;
    return found ? found->name : NULL;
}

static void add_key(mm_form *f, const mm_config_key *key, size_t label_offset)
{
    char expect[256];
    char *title = mm_asprintf("%s: %s", key->name, key->doc ? key->doc : "");
    char *help = mm_asprintf("%s Expected: %s.", key->help ? key->help : "",
                             mm_config_key_expectation(key, expect, sizeof expect));
    mm_form_field field = {
        .kind = kind_of(key), .id = key, .name = (char *)key->name, .label = (char *)key->name + label_offset,
        .title = title, .help = help,
        .mask = kind_of(key) == MM_FIELD_SECRET ? MM_MASK_ALL : (key->flags & MM_CFG_F_DSN) ? MM_MASK_SHAPE
                                                                                              : MM_MASK_NONE,
        .masker = (key->flags & MM_CFG_F_DSN) ? mm_config_mask_dsn : NULL,
        .path = key->type == MM_CFG_PATH,
    };
    mm_form_add_field(f, &field);
    free(title);
    free(help);
}

static void list_spec(const mm_config_form *cf, mm_form *f)
{
    const char *heading = NULL;
    for (size_t i = 0; i < cf->n_spec; i++) {
        const mm_config_form_entry *e = &cf->spec[i];
        if (!e->key) {
            heading = e->heading;
            continue;
        }
        const mm_config_key *key = mm_config_find_key(e->key);
        if (!key || !mm_config_key_shown(cf->cfg, key))
            continue;
        if (heading) {
            mm_form_add_heading(f, heading);
            heading = NULL;
        }
        add_key(f, key, strcspn(key->name, ".") + 1);
    }
}

static void list_sections(const mm_config_form *cf, mm_form *f)
{
    size_t n;
    const mm_config_key *keys = mm_config_keys(&n);
    char last[32] = "";
    for (size_t i = 0; i < n; i++) {
        const mm_config_key *key = &keys[i];
        if (!mm_config_key_shown(cf->cfg, key) || key->ignored)
            continue;
        size_t section_len = strcspn(key->name, ".");
        if (strlen(last) != section_len || strncmp(last, key->name, section_len) != 0) {
            snprintf(last, sizeof last, "%.*s", (int)section_len, key->name);
            mm_form_add_heading(f, last);
        }
        add_key(f, key, section_len + 1);
    }
}

static void list(void *ctx, mm_form *f)
{
    const mm_config_form *cf = ctx;
    if (cf->spec)
        list_spec(cf, f);
    else
        list_sections(cf, f);
}

static const mm_form_ops ops = {
    .get = get, .display = display, .set = set, .reset = reset, .next_choice = next_choice, .list = list,
};

void mm_config_form_init(mm_config_form *cf, mm_config *cfg, const mm_config_form_entry *spec, size_t n_spec)
{
    cf->cfg = cfg;
    cf->spec = spec;
    cf->n_spec = n_spec;
    mm_form_init(&cf->form, &ops, cf);
}

void mm_config_form_fini(mm_config_form *cf)
{
    mm_form_fini(&cf->form);
}
