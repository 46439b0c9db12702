/* libyaml events folded into dotted keys: the server config nests at most
 * two levels (section.key), a little depth to spare is kept. */
#include "source/server_config.h"

#include "base/fsutil.h"

#include "base/strbuf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

enum { MAX_DEPTH = 8 };

void mm_server_config_free(mm_server_config *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->keys[i]);
        free(c->values[i]);
    }
    free(c->keys);
    free(c->values);
    free(c->path);
    memset(c, 0, sizeof *c);
}

const char *mm_server_config_get(const mm_server_config *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->keys[i], key) == 0)
            return c->values[i];
    return NULL;
}

static void add_value(mm_server_config *c, char *const stack[], int depth, const char *value)
{
    mm_strbuf key;
    mm_strbuf_init(&key);
    for (int i = 1; i <= depth; i++)
        mm_strbuf_appendf(&key, "%s%s", i > 1 ? "." : "", stack[i] ? stack[i] : "");
    char **k = realloc(c->keys, (c->n + 1) * sizeof *k);
    if (k)
        c->keys = k;
    char **v = realloc(c->values, (c->n + 1) * sizeof *v);
    if (v)
        c->values = v;
    if (k && v) {
        c->keys[c->n] = mm_strbuf_take(&key);
        c->values[c->n++] = mm_strdup(value);
    } else {
        mm_strbuf_free(&key);
    }
}

int mm_server_config_read(const char *path, mm_server_config *out, mm_error *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = mm_fopen_regular(path, "name the 1.x server's server_config.yaml", err);
    if (!f)
        return -1;
    out->path = mm_strdup(path);
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    char *stack[MAX_DEPTH] = {0};
    bool expect_key[MAX_DEPTH] = {false};
    int depth = 0, rc = 0;
    for (bool done = false; !done && rc == 0;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = mm_error_set(err, MM_ERR_FORMAT, "%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
                              parser.problem_mark.column + 1, parser.problem ? parser.problem : "invalid YAML");
            break;
        }
        switch (ev.type) {
        case YAML_MAPPING_START_EVENT:
            if (depth < MAX_DEPTH - 1)
                expect_key[++depth] = true;
            break;
        case YAML_MAPPING_END_EVENT:
            if (depth > 0) {
                free(stack[depth]);
                stack[depth] = NULL;
                depth--;
                if (depth > 0)
                    expect_key[depth] = true;
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
            if (depth > 0)
                expect_key[depth] = true;
            break;
        case YAML_SCALAR_EVENT:
            if (depth == 0)
                break;
            if (expect_key[depth]) {
                free(stack[depth]);
                stack[depth] = mm_strdup((const char *)ev.data.scalar.value);
                expect_key[depth] = false;
            } else {
                add_value(out, stack, depth, (const char *)ev.data.scalar.value);
                expect_key[depth] = true;
            }
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    for (int i = 0; i < MAX_DEPTH; i++)
        free(stack[i]);
    yaml_parser_delete(&parser);
    fclose(f);
    if (rc != 0)
        mm_server_config_free(out);
    return rc;
}
