/* The value types of migration.yaml keys: ONE operations table per type
 * (mm_cfg_type_ops, in the manner of redis's typeInterface) and the
 * generic operations on a key's value built on it. Everything that treats
 * values differently by type (parsing, storing, freeing, defaults,
 * comparison, text for YAML and the wizard, the "expected ..." phrase and
 * the man page's type) goes through the table; callers never switch on
 * mm_config_type. */
#ifndef MM_CONFIG_TYPES_H
#define MM_CONFIG_TYPES_H

#include "base/strbuf.h"
#include "config/config.h"

#include <stdbool.h>
#include <stddef.h>

/* How a value is written as YAML. */
typedef enum { MM_CFG_YAML_PLAIN, MM_CFG_YAML_QUOTED, MM_CFG_YAML_SEQUENCE } mm_cfg_yaml_style;

typedef struct mm_cfg_type_ops {
    const char *name;               /* "string", "size", ... (mm_config_type_name) */
    /* The type in migration.yaml(5); NULL: the expectation without its
     * article ("integer from 1 to 256"). */
    const char *man_name;
    mm_cfg_yaml_style yaml;
    /* Non-blank text -> value, bounds included; "expected ..., got ..."
     * into problem on failure (v then holds nothing). got is the text
     * quoted for a message. */
    int (*parse)(const mm_config_key *key, const char *text, const char *got, mm_config_value *v, char *problem,
                 size_t n);
    /* Moves v into the field (freeing what it held); v is left empty. */
    void (*store)(void *field, mm_config_value *v);
    /* A copy of the field as a value (owned); -1 when out of memory. */
    int (*get)(const void *field, mm_config_value *v);
    void (*free_value)(mm_config_value *v);
    void (*free_field)(void *field);
    bool (*equal)(const void *a, const void *b);
    /* Canonical text of the field; for_yaml: as written to the file. */
    void (*text)(const mm_config_key *key, const void *field, bool for_yaml, mm_strbuf *out);
    /* "an integer from 1 to 256", "one of sqlite, mysql". */
    void (*expect)(const mm_config_key *key, char *buf, size_t n);
    /* Holds nothing (required-key checks); NULL: never empty. */
    bool (*empty)(const mm_config_key *key, const void *field);
    /* The value a condition tests (bit index of mm_config_cond.mask);
     * NULL: the type cannot be tested. */
    int (*cond_value)(const void *field);
    /* A tested value in words ("true", "sqlite"). */
    const char *(*cond_text)(const mm_config_key *key, int value);
} mm_cfg_type_ops;

const mm_cfg_type_ops *mm_cfg_type(mm_config_type type);

/* The field of cfg a key stores its value in. */
void *mm_cfg_field(mm_config *cfg, const mm_config_key *key);
const void *mm_cfg_field_const(const mm_config *cfg, const mm_config_key *key);
/* Index of a key in the table (for mm_config.where). */
size_t mm_cfg_key_index(const mm_config_key *key);

/* Text -> value for the key's type, then the key's check. is_null: the
 * YAML value was empty/null (means the default), as is blank text for a
 * type that is not text. A LIST from a single string is split at ';'. On
 * error problem holds "expected ..., got ..." and v holds nothing. */
int mm_cfg_parse(const mm_config_key *key, const char *text, bool is_null, mm_config_value *v, char *problem,
                 size_t n);
/* The key's check for an already typed value (lists from a YAML sequence
 * come here). */
int mm_cfg_finish(const mm_config_key *key, mm_config_value *v, char *problem, size_t n);
/* Frees the old field content and moves v into the field. */
void mm_cfg_store(mm_config *cfg, const mm_config_key *key, mm_config_value *v);
void mm_cfg_value_free(const mm_config_key *key, mm_config_value *v);
/* The default as a value (owned). */
void mm_cfg_default(const mm_config_key *key, mm_config_value *v);
bool mm_cfg_field_equal(const mm_config_key *key, const void *a, const void *b);
/* Canonical text of a field, as written to YAML (sizes as 16GiB unless the
 * key is read as an int by the reference tool). */
void mm_cfg_field_text(const mm_config_key *key, const void *field, bool for_yaml, mm_strbuf *out);
bool mm_cfg_is_empty(const mm_config *cfg, const mm_config_key *key);
const mm_config_choice *mm_cfg_choice_by_value(const mm_config_key *key, int value);

#endif
