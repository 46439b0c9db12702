/* The KEYS section of migration.yaml(5), generated from the key table so
 * that the page cannot drift from the code (tests/integration/config_man.sh
 * compares the two). */
#include "config/config_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *group;
    const char *title;
} groups[] = {
    {"dumper", "Reading 1.x segments and writing .npy files"},
    {"loader", "Importing into Milvus 2.x"},
    {"meta", "The 1.x metadata"},
    {"source", "The 1.x segment files"},
    {"target", "Staging and the Milvus 2.x server"},
    {"verify", "Verification"},
    {"state", "Journal and reports"},
};

/* Roff-escapes one piece of running text. */
static void esc(mm_strbuf *out, const char *text)
{
    if (*text == '.' || *text == '\'')
        mm_strbuf_append(out, "\\&");
    for (const char *p = text; *p; p++) {
        if (*p == '\\')
            mm_strbuf_append(out, "\\e");
        else if (*p == '-')
            mm_strbuf_append(out, "\\-");
        else
            mm_strbuf_append_n(out, p, 1);
    }
}

static void type_text(const mm_config_key *key, mm_strbuf *out)
{
    char buf[300];
    const char *name = mm_cfg_type(key->type)->man_name;
    if (name) {
        mm_strbuf_append(out, name);
        return;
    }
    const char *e = mm_config_key_expectation(key, buf, sizeof buf);
    if (strncmp(e, "an ", 3) == 0)
        e += 3;
    else if (strncmp(e, "a ", 2) == 0)
        e += 2;
    mm_strbuf_append(out, e);
}

static void default_text(const mm_config_key *key, mm_strbuf *out)
{
    if (key->default_shown) {
        mm_strbuf_append(out, key->default_shown);
        return;
    }
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    if (!mm_cfg_is_empty(&cfg, key))
        mm_cfg_field_text(key, mm_cfg_field_const(&cfg, key), false, out);
    mm_config_free(&cfg);
}

static void key_entry(const mm_config_key *key, mm_strbuf *out)
{
    mm_strbuf t;
    mm_strbuf_init(&t);
    type_text(key, &t);
    mm_strbuf def;
    mm_strbuf_init(&def);
    default_text(key, &def);

    mm_strbuf_append(out, ".TP\n\\fB");
    esc(out, key->name);
    mm_strbuf_append(out, "\\fR (");
    esc(out, t.data ? t.data : "");
    if (def.len) {
        mm_strbuf_append(out, "; default \\fB");
        esc(out, def.data);
        mm_strbuf_append(out, "\\fR");
    }
    mm_strbuf_append(out, ")\n");
    mm_strbuf_free(&t);
    mm_strbuf_free(&def);

    esc(out, key->doc);
    mm_strbuf_append(out, ".\n");
    if (key->help && *key->help) {
        esc(out, key->help);
        mm_strbuf_append(out, "\n");
    }
    if (key->choices && key->choices[0].name && key->choices[1].name) {
        for (const mm_config_choice *c = key->choices; c->name; c++) {
            mm_strbuf_append(out, ".br\n");
            bool refused = c->value == MM_CFG_CHOICE_REJECTED;
            if (refused)
                mm_strbuf_append(out, "Refused: ");
            mm_strbuf_append(out, "\\fB");
            esc(out, c->name);
            /* Refused names sharing one reason are listed together. */
            while (refused && c[1].name && c[1].value == MM_CFG_CHOICE_REJECTED &&
                   strcmp(c[1].note, c->note) == 0) {
                c++;
                mm_strbuf_append(out, "\\fR, \\fB");
                esc(out, c->name);
            }
            mm_strbuf_append(out, "\\fR: ");
            esc(out, c->note);
            mm_strbuf_append(out, ".\n");
        }
    }

    mm_strbuf_append(out, ".br\n");
    if (key->flags & MM_CFG_F_REQUIRED) {
        const mm_config_cond *cond = key->required_if.key ? &key->required_if : &key->shown_if;
        if (cond->key) {
            mm_strbuf why;
            mm_strbuf_init(&why);
            mm_cfg_cond_describe(cond, &why);
            mm_strbuf_append(out, "Required when ");
            esc(out, why.data ? why.data : "");
            mm_strbuf_append(out, ". ");
            mm_strbuf_free(&why);
        } else {
            mm_strbuf_append(out, "Required. ");
        }
    }
    if (key->flags & (MM_CFG_F_SECRET | MM_CFG_F_DSN))
        mm_strbuf_append(out, "Masked in logs and reports. ");
    if (key->ignored) {
        mm_strbuf_append(out, "Ignored, with a warning: ");
        esc(out, key->ignored);
        mm_strbuf_append(out, ". ");
    }
    mm_strbuf_append(out, (key->flags & MM_CFG_F_OURS) ? "A milvus\\-migrate extension.\n"
                                                        : "A key of the reference tool.\n");
}

char *mm_config_man_section(void)
{
    mm_strbuf out;
    mm_strbuf_init(&out);
    size_t n;
    const mm_config_key *keys = mm_config_keys(&n);
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        size_t glen = strlen(groups[g].group);
        mm_strbuf_appendf(&out, ".SS %s: ", groups[g].group);
        esc(&out, groups[g].title);
        mm_strbuf_append(&out, "\n");
        for (size_t i = 0; i < n; i++)
            if (strncmp(keys[i].name, groups[g].group, glen) == 0 && keys[i].name[glen] == '.')
                key_entry(&keys[i], &out);
    }
    if (!mm_strbuf_ok(&out)) {
        mm_strbuf_free(&out);
        return NULL;
    }
    return mm_strbuf_take(&out);
}
