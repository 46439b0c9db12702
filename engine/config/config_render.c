/* Writing migration.yaml: rendering through libyaml's emitter (which gets
 * quoting right) and the atomic, mode 0600 save. */
#include "config/config_internal.h"
#include "base/fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- rendering ------------------------------------------------------------------ */

typedef struct render_ctx {
    yaml_emitter_t emitter;
    const mm_config *cfg;
    const bool *selected;
    bool redact;
    bool ok;
} render_ctx;

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
    mm_strbuf_append_n(data, (const char *)buffer, size);
    return mm_strbuf_ok(data);
}

static void emit(render_ctx *r, yaml_event_t *ev, int initialized)
{
    if (!initialized || !r->ok || !yaml_emitter_emit(&r->emitter, ev))
        r->ok = false;
}

static void emit_scalar(render_ctx *r, const char *text, yaml_scalar_style_t style)
{
    yaml_event_t ev;
    int init = yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text,
                                            (int)strlen(text), 1, 1, style);
    emit(r, &ev, init);
}

static void emit_value(render_ctx *r, const mm_config_key *key)
{
    const void *field = mm_cfg_field_const(r->cfg, key);
    yaml_event_t ev;
    mm_cfg_yaml_style style = mm_cfg_type(key->type)->yaml;
    if (style == MM_CFG_YAML_SEQUENCE) {
        const mm_config_list *l = field;
        emit(r, &ev,
             yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
        for (size_t i = 0; i < l->count; i++)
            emit_scalar(r, l->items[i], YAML_DOUBLE_QUOTED_SCALAR_STYLE);
        emit(r, &ev, yaml_sequence_end_event_initialize(&ev));
        return;
    }
    char *text;
    if (r->redact) {
        text = mm_config_get_display(r->cfg, key);
    } else {
        mm_strbuf sb;
        mm_strbuf_init(&sb);
        mm_cfg_field_text(key, field, true, &sb);
        text = mm_strbuf_take(&sb);
    }
    if (!text) {
        r->ok = false;
        return;
    }
    emit_scalar(r, text, style == MM_CFG_YAML_QUOTED ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE);
    free(text);
}

/* Emits the selected keys below prefix (canonical, ending in '.' or "") as
 * one mapping, nested maps in the order their first key appears. */
static void emit_mapping(render_ctx *r, const char *prefix)
{
    size_t n, plen = strlen(prefix);
    const mm_config_key *keys = mm_config_keys(&n);
    yaml_event_t ev;
    emit(r, &ev, yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
    for (size_t i = 0; i < n; i++) {
        if (!r->selected[i] || strncmp(keys[i].name, prefix, plen) != 0)
            continue;
        const char *seg = keys[i].name + plen;
        size_t slen = strcspn(seg, ".");
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = r->selected[j] && strncmp(keys[j].name, keys[i].name, plen + slen) == 0 &&
                   (keys[j].name[plen + slen] == '.' || keys[j].name[plen + slen] == '\0');
        if (seen)
            continue;
        char segment[128], sub[512];
        snprintf(segment, sizeof segment, "%.*s", (int)slen, seg);
        emit_scalar(r, segment, YAML_PLAIN_SCALAR_STYLE);
        if (seg[slen] == '\0') {
            emit_value(r, &keys[i]);
        } else {
            snprintf(sub, sizeof sub, "%.*s", (int)(plen + slen + 1), keys[i].name);
            emit_mapping(r, sub);
        }
    }
    emit(r, &ev, yaml_mapping_end_event_initialize(&ev));
}

static char *render(const mm_config *cfg, bool redact, const char *header)
{
    size_t n;
    const mm_config_key *keys = mm_config_keys(&n);
    bool selected[MM_CONFIG_KEY_MAX];
    for (size_t i = 0; i < n; i++)
        selected[i] = ((keys[i].flags & MM_CFG_F_ALWAYS_SAVE) && !mm_cfg_is_empty(cfg, &keys[i])) ||
                      !mm_config_is_default(cfg, &keys[i]);
    mm_strbuf out;
    mm_strbuf_init(&out);
    if (header)
        mm_strbuf_append(&out, header);
    render_ctx r = {.cfg = cfg, .selected = selected, .redact = redact, .ok = true};
    if (!yaml_emitter_initialize(&r.emitter)) {
        mm_strbuf_free(&out);
        return NULL;
    }
    yaml_emitter_set_output(&r.emitter, write_handler, &out);
    yaml_emitter_set_unicode(&r.emitter, 1);
    yaml_emitter_set_width(&r.emitter, -1);
    yaml_emitter_set_indent(&r.emitter, 2);
    yaml_event_t ev;
    emit(&r, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    emit(&r, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
    emit_mapping(&r, "");
    emit(&r, &ev, yaml_document_end_event_initialize(&ev, 1));
    emit(&r, &ev, yaml_stream_end_event_initialize(&ev));
    if (r.ok && !yaml_emitter_flush(&r.emitter))
        r.ok = false;
    yaml_emitter_delete(&r.emitter);
    if (!r.ok || !mm_strbuf_ok(&out)) {
        mm_strbuf_free(&out);
        return NULL;
    }
    return mm_strbuf_take(&out);
}

char *mm_config_render(const mm_config *cfg)
{
    return render(cfg, false, NULL);
}

char *mm_config_render_redacted(const mm_config *cfg)
{
    return render(cfg, true, NULL);
}

/* ---- saving ------------------------------------------------------------------------ */

int mm_config_save_file(const mm_config *cfg, const char *path, mm_error *err)
{
    char *text = render(cfg, false,
                        "# milvus-migrate configuration; the keys are described in "
                        "migration.yaml(5).\n");
    if (!text)
        return mm_error_set(err, MM_ERR_INTERNAL, "save %s: could not render the configuration",
                            path);
    int rc = mm_write_file_atomic(path, text, strlen(text), 0600, err);
    free(text);
    return rc;
}
