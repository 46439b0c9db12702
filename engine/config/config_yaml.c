/* Loading migration.yaml through libyaml's document API, which gives every
 * node its line and column for messages. */
#include "config/config_internal.h"

#include "base/fsutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define MAX_CONFIG_BYTES (1024 * 1024)

/* ---- loading ------------------------------------------------------------------ */

typedef struct load_ctx {
    yaml_document_t *doc;
    const char *origin;
    mm_config *cfg;
    mm_config_warnings *warn;
    mm_error *err;
    size_t mappings_walked;
} load_ctx;

/* Merge keys can name lists of aliases whose mappings merge lists of
 * aliases again: a few hundred bytes expand to billions of mappings. Real
 * configs walk a few dozen. */
#define MAX_MAPPINGS_WALKED 1000

/* "<file>:<line>:<column>: <key>: <problem>" */
static int fail_at(load_ctx *c, yaml_mark_t mark, const char *key, const char *problem)
{
    return mm_error_set(c->err, MM_ERR_CONFIG, "%s:%zu:%zu: %s: %s", c->origin, mark.line + 1,
                        mark.column + 1, key, problem);
}

static const char *node_kind(const yaml_node_t *node)
{
    return node->type == YAML_MAPPING_NODE ? "a mapping" : "a sequence";
}

static bool scalar_is_null(const yaml_node_t *node)
{
    if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = (const char *)node->data.scalar.value;
    return node->data.scalar.length == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* "got ..." for a node where a scalar of another kind was expected. */
static void describe_node(const yaml_node_t *node, char *buf, size_t n)
{
    if (node->type == YAML_SCALAR_NODE)
        snprintf(buf, n, "\"%.60s%s\"", (const char *)node->data.scalar.value,
                 node->data.scalar.length > 60 ? "..." : "");
    else
        snprintf(buf, n, "%s", node_kind(node));
}

static void warn_at(load_ctx *c, yaml_mark_t mark, const char *text)
{
    mm_config_warnings_add(c->warn, "%s:%zu:%zu: %s", c->origin, mark.line + 1, mark.column + 1,
                           text);
}

static int set_leaf(load_ctx *c, const mm_config_key *key, yaml_node_t *value)
{
    char problem[1024], expect[300], got[128];
    mm_config_value v;
    if (value->type == YAML_SCALAR_NODE) {
        const char *text = (const char *)value->data.scalar.value;
        if (strlen(text) != value->data.scalar.length)
            return fail_at(c, value->start_mark, key->name,
                           "expected text without NUL characters");
        if (mm_cfg_parse(key, text, scalar_is_null(value), &v, problem, sizeof problem) != 0)
            return fail_at(c, value->start_mark, key->name, problem);
    } else if (value->type == YAML_SEQUENCE_NODE && mm_cfg_type(key->type)->yaml == MM_CFG_YAML_SEQUENCE) {
        memset(&v, 0, sizeof v);
        for (yaml_node_item_t *it = value->data.sequence.items.start;
             it < value->data.sequence.items.top; it++) {
            yaml_node_t *item = yaml_document_get_node(c->doc, *it);
            if (!item || item->type != YAML_SCALAR_NODE) {
                mm_cfg_value_free(key, &v);
                snprintf(problem, sizeof problem, "expected a path in each list item, got %s",
                         item ? node_kind(item) : "nothing");
                return fail_at(c, item ? item->start_mark : value->start_mark, key->name,
                               problem);
            }
            mm_config_value one;
            if (mm_cfg_parse(key, (const char *)item->data.scalar.value, false, &one, problem,
                             sizeof problem) != 0) {
                mm_cfg_value_free(key, &v);
                return fail_at(c, item->start_mark, key->name, problem);
            }
            /* One item may itself be "a;b": keep what the parser split. */
            for (size_t i = 0; i < one.list.count; i++) {
                char **items = realloc(v.list.items, (v.list.count + 1) * sizeof *items);
                if (!items) {
                    mm_cfg_value_free(key, &one);
                    mm_cfg_value_free(key, &v);
                    return mm_error_set(c->err, MM_ERR_NOMEM, "%s: out of memory", c->origin);
                }
                v.list.items = items;
                v.list.items[v.list.count++] = one.list.items[i];
                one.list.items[i] = NULL;
            }
            mm_cfg_value_free(key, &one);
        }
        if (mm_cfg_finish(key, &v, problem, sizeof problem) != 0)
            return fail_at(c, value->start_mark, key->name, problem);
    } else {
        describe_node(value, got, sizeof got);
        snprintf(problem, sizeof problem, "expected %s, got %s",
                 mm_config_key_expectation(key, expect, sizeof expect), got);
        return fail_at(c, value->start_mark, key->name, problem);
    }
    mm_cfg_store(c->cfg, key, &v);
    if (key->ignored && !mm_config_is_default(c->cfg, key)) {
        char text[768];
        snprintf(text, sizeof text, "%s is ignored: %s", key->name, key->ignored);
        warn_at(c, value->start_mark, text);
    }
    return 0;
}

static void lower_copy(char *dst, const char *src, size_t n)
{
    size_t i = 0;
    for (; src[i] && i + 1 < n; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = '\0';
}

static bool is_merge_key(const yaml_node_t *knode)
{
    return knode && knode->type == YAML_SCALAR_NODE &&
           knode->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           strcmp((const char *)knode->data.scalar.value, "<<") == 0;
}

static int walk_mapping(load_ctx *c, yaml_node_t *map, const char *prefix, bool merging,
                        int depth);

/* YAML merge keys (`<<: *defaults`), which viper honours too: the merged
 * mappings fill in only what the mapping itself does not set, earlier ones
 * first. */
static int merge_into(load_ctx *c, yaml_node_t *knode, yaml_node_t *value, const char *prefix,
                      int depth)
{
    yaml_node_t *single[1] = {value};
    yaml_node_t **maps = single;
    size_t count = 1;
    yaml_node_t *items[64];
    if (value->type == YAML_SEQUENCE_NODE) {
        count = 0;
        for (yaml_node_item_t *it = value->data.sequence.items.start;
             it < value->data.sequence.items.top && count < 64; it++)
            items[count++] = yaml_document_get_node(c->doc, *it);
        maps = items;
    }
    for (size_t i = 0; i < count; i++) {
        if (!maps[i] || maps[i]->type != YAML_MAPPING_NODE)
            return fail_at(c, maps[i] ? maps[i]->start_mark : knode->start_mark,
                           *prefix ? prefix : "top level",
                           "expected a mapping (or a list of mappings) after <<");
        if (walk_mapping(c, maps[i], prefix, true, depth + 1) != 0)
            return -1;
    }
    return 0;
}

static int walk_mapping(load_ctx *c, yaml_node_t *map, const char *prefix, bool merging,
                        int depth)
{
    /* Only known maps are entered, so real configs nest 5 deep at most;
     * more means an alias that refers to itself. */
    if (depth > 16)
        return fail_at(c, map->start_mark, *prefix ? prefix : "top level",
                       "nested too deeply (an alias that refers to itself?)");
    if (++c->mappings_walked > MAX_MAPPINGS_WALKED)
        return fail_at(c, map->start_mark, *prefix ? prefix : "top level",
                       "merge keys (<<) expand to more than 1000 mappings; merge each "
                       "mapping once instead of through nested lists of aliases");
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        yaml_node_t *knode = yaml_document_get_node(c->doc, pair->key);
        yaml_node_t *value = yaml_document_get_node(c->doc, pair->value);
        char got[128], problem[1024], full[512], lower[512], canonical[512];
        if (!knode || !value || is_merge_key(knode))
            continue;
        if (knode->type != YAML_SCALAR_NODE) {
            snprintf(problem, sizeof problem, "expected a key name, got %s", node_kind(knode));
            return fail_at(c, knode->start_mark, *prefix ? prefix : "top level", problem);
        }
        const char *name = (const char *)knode->data.scalar.value;
        snprintf(full, sizeof full, "%s%s%s", prefix, *prefix ? "." : "", name);

        /* Keys are case-insensitive, so Mode and mode are the same key. */
        for (yaml_node_pair_t *prev = map->data.mapping.pairs.start; prev < pair; prev++) {
            yaml_node_t *pk = yaml_document_get_node(c->doc, prev->key);
            if (pk && pk->type == YAML_SCALAR_NODE &&
                strcasecmp((const char *)pk->data.scalar.value, name) == 0) {
                const mm_config_key *k = mm_config_find_key(full);
                snprintf(problem, sizeof problem, "duplicate key (first at line %zu)",
                         pk->start_mark.line + 1);
                return fail_at(c, knode->start_mark, k ? k->name : full, problem);
            }
        }

        lower_copy(lower, full, sizeof lower);
        const mm_config_key *key = mm_config_find_key(lower);
        if (key) {
            /* The same key again under another spelling (meta.mode: at the
             * top level and mode: under meta:). */
            struct mm_config_pos *where = &c->cfg->where[mm_cfg_key_index(key)];
            if (where->line && merging)
                continue;
            if (where->line) {
                snprintf(problem, sizeof problem, "duplicate key (first at line %d)",
                         where->line);
                return fail_at(c, knode->start_mark, key->name, problem);
            }
            where->line = (int)knode->start_mark.line + 1;
            c->cfg->given[mm_cfg_key_index(key)] = true;
            where->column = (int)knode->start_mark.column + 1;
            if (set_leaf(c, key, value) != 0)
                return -1;
        } else if (mm_cfg_group(lower, canonical, sizeof canonical)) {
            if (value->type == YAML_MAPPING_NODE) {
                if (walk_mapping(c, value, canonical, merging, depth + 1) != 0)
                    return -1;
            } else if (!(value->type == YAML_SCALAR_NODE && scalar_is_null(value))) {
                describe_node(value, got, sizeof got);
                snprintf(problem, sizeof problem, "expected a mapping of keys (%s.*), got %s",
                         canonical, got);
                return fail_at(c, value->start_mark, canonical, problem);
            }
        } else {
            char suggestion[256], text[1024];
            mm_cfg_suggest_key(full, suggestion, sizeof suggestion);
            snprintf(text, sizeof text, "unknown key %s (ignored)%s%s%s", full,
                     *suggestion ? "; did you mean " : "", suggestion, *suggestion ? "?" : "");
            warn_at(c, knode->start_mark, text);
        }
    }
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        yaml_node_t *knode = yaml_document_get_node(c->doc, pair->key);
        yaml_node_t *value = yaml_document_get_node(c->doc, pair->value);
        if (is_merge_key(knode) && value && merge_into(c, knode, value, prefix, depth) != 0)
            return -1;
    }
    return 0;
}

static int syntax_error(const yaml_parser_t *parser, const char *origin, mm_error *err)
{
    if (parser->error == YAML_MEMORY_ERROR)
        return mm_error_set(err, MM_ERR_NOMEM, "%s: out of memory while parsing", origin);
    char context[256] = "";
    if (parser->context)
        snprintf(context, sizeof context, " (%s at line %zu)", parser->context,
                 parser->context_mark.line + 1);
    return mm_error_set(err, MM_ERR_CONFIG, "%s:%zu:%zu: invalid YAML: %s%s", origin,
                        parser->problem_mark.line + 1, parser->problem_mark.column + 1,
                        parser->problem ? parser->problem : "unreadable input", context);
}

static int load_document(yaml_parser_t *parser, const char *origin, mm_config *tmp,
                         mm_config_warnings *warn, mm_error *err)
{
    yaml_document_t doc;
    if (!yaml_parser_load(parser, &doc))
        return syntax_error(parser, origin, err);
    int rc = 0;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || (root->type == YAML_SCALAR_NODE && scalar_is_null(root))) {
        rc = mm_error_set(err, MM_ERR_CONFIG,
                          "%s: the file is empty (expected a mapping with keys such as "
                          "meta.mode, source.mode and target.mode)",
                          origin);
    } else if (root->type != YAML_MAPPING_NODE) {
        char got[128];
        describe_node(root, got, sizeof got);
        rc = mm_error_set(err, MM_ERR_CONFIG,
                          "%s:%zu:%zu: expected a mapping of keys at the top level, got %s",
                          origin, root->start_mark.line + 1, root->start_mark.column + 1, got);
    } else {
        load_ctx c = {.doc = &doc, .origin = origin, .cfg = tmp, .warn = warn, .err = err};
        rc = walk_mapping(&c, root, "", false, 0);
    }
    yaml_document_delete(&doc);
    if (rc != 0)
        return rc;

    yaml_document_t next;
    if (!yaml_parser_load(parser, &next))
        return syntax_error(parser, origin, err);
    yaml_node_t *extra = yaml_document_get_root_node(&next);
    if (extra) {
        rc = mm_error_set(err, MM_ERR_CONFIG,
                          "%s:%zu:%zu: a second YAML document is not supported; keep one "
                          "document per file",
                          origin, extra->start_mark.line + 1, extra->start_mark.column + 1);
    }
    yaml_document_delete(&next);
    return rc;
}

/* libyaml builds documents of any depth, in time that grows with the
 * square of the depth (100,000 levels take most of a minute). A config
 * nests five levels deep; the events are read first, and the file is
 * refused at the first collection nested deeper than this, after work
 * bounded by this depth. */
#define MAX_NESTING 32

static int check_nesting(const char *text, size_t len, const char *origin, mm_error *err)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return mm_error_set(err, MM_ERR_NOMEM, "%s: out of memory", origin);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int depth = 0, rc = 0;
    for (bool done = false; !done && rc == 0;) {
        yaml_event_t event;
        if (!yaml_parser_parse(&parser, &event)) {
            rc = syntax_error(&parser, origin, err);
            break;
        }
        if (event.type == YAML_MAPPING_START_EVENT || event.type == YAML_SEQUENCE_START_EVENT) {
            if (++depth > MAX_NESTING)
                rc = mm_error_set(err, MM_ERR_CONFIG, "%s:%zu:%zu: nested more than %d levels deep, "
                                  "where a migration.yaml nests 5 at most; is this really a migration.yaml?", origin, event.start_mark.line + 1,
                                  event.start_mark.column + 1, MAX_NESTING);
        } else if (event.type == YAML_MAPPING_END_EVENT || event.type == YAML_SEQUENCE_END_EVENT) {
            depth--;
        }
        done = event.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    return rc;
}

int mm_config_load_text(const char *text, size_t len, const char *origin, mm_config *cfg,
                        mm_config_warnings *warn, mm_error *err)
{
    if (!origin)
        origin = "migration.yaml";
    if (check_nesting(text, len, origin, err) != 0)
        return -1;
    mm_config tmp;
    mm_config_init_defaults(&tmp);
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        mm_config_free(&tmp);
        return mm_error_set(err, MM_ERR_NOMEM, "%s: out of memory", origin);
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int rc = load_document(&parser, origin, &tmp, warn, err);
    yaml_parser_delete(&parser);
    if (rc != 0) {
        mm_config_free(&tmp);
        return -1;
    }
    tmp.origin = mm_strdup(origin);
    mm_config_free(cfg);
    *cfg = tmp;
    return 0;
}

static bool has_secrets(const mm_config *cfg)
{
    size_t n;
    const mm_config_key *keys = mm_config_keys(&n);
    for (size_t i = 0; i < n; i++) {
        if (!(keys[i].flags & (MM_CFG_F_SECRET | MM_CFG_F_DSN)) || mm_cfg_is_empty(cfg, &keys[i]))
            continue;
        if (keys[i].flags & MM_CFG_F_SECRET)
            return true;
        /* A DSN holds a secret only if it has a password. */
        char *masked = mm_config_get_display(cfg, &keys[i]);
        bool differs = masked && strcmp(masked, *(char *const *)mm_cfg_field_const(cfg, &keys[i]));
        free(masked);
        if (differs)
            return true;
    }
    return false;
}

int mm_config_load_file(const char *path, mm_config *cfg, mm_config_warnings *warn,
                        mm_error *err)
{
    /* O_NONBLOCK: a FIFO in its place must not hang the open. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return mm_error_set(err, MM_ERR_CONFIG, "read %s: %s", path, strerror(errno));
    struct stat st;
    const char *problem = NULL;
    if (fstat(fd, &st) != 0)
        problem = strerror(errno);
    else if (!S_ISREG(st.st_mode))
        problem = "not a regular file";
    else if (st.st_size > MAX_CONFIG_BYTES)
        problem = "larger than 1 MiB; is this really a migration.yaml?";
    if (problem) {
        close(fd);
        return mm_error_set(err, MM_ERR_CONFIG, "read %s: %s", path, problem);
    }
    size_t size = (size_t)st.st_size, got = 0;
    char *text = malloc(size + 1);
    if (!text) {
        close(fd);
        return mm_error_set(err, MM_ERR_NOMEM, "read %s: out of memory", path);
    }
    while (got < size) {
        ssize_t r = read(fd, text + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int e = r < 0 ? errno : EIO;
            free(text);
            close(fd);
            return mm_error_set(err, MM_ERR_CONFIG, "read %s: %s", path, strerror(e));
        }
        got += (size_t)r;
    }
    close(fd);
    text[size] = '\0';
    mm_config tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc = mm_config_load_text(text, size, path, &tmp, warn, err);
    free(text);
    if (rc != 0)
        return -1;
    tmp.config_dir = mm_path_dir(path);
    if ((st.st_mode & 077) && has_secrets(&tmp))
        mm_config_warnings_add(warn,
                               "%s holds passwords or keys and can be read by other users (mode "
                               "%04o); run: chmod 600 %s",
                               path, (unsigned)(st.st_mode & 07777), path);
    mm_config_free(cfg);
    *cfg = tmp;
    return 0;
}
