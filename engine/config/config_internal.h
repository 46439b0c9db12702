/* Shared between the config modules (model, table, YAML, validation, man
 * page); not part of the engine's interface. */
#ifndef MM_CONFIG_INTERNAL_H
#define MM_CONFIG_INTERNAL_H

#include "config/config.h"
#include "base/strbuf.h"

void *mm_cfg_field(mm_config *cfg, const mm_config_key *key);
const void *mm_cfg_field_const(const mm_config *cfg, const mm_config_key *key);
size_t mm_cfg_key_index(const mm_config_key *key);

bool mm_cfg_is_text_type(mm_config_type type);
void mm_cfg_list_free(mm_config_list *list);
/* Directory part of a path ("." when none). malloc'd. */
char *mm_cfg_dir_of(const char *path);

/* Text -> value for the key's type, then bounds, <=0 default and the key's
 * check. is_null: the YAML value was empty/null (means the default). A LIST
 * from a single string is split at ';'. On error problem holds
 * "expected ..., got ..." and v holds nothing. */
int mm_cfg_parse(const mm_config_key *key, const char *text, bool is_null, mm_config_value *v,
                 char *problem, size_t n);
/* Bounds, <=0 default and check for an already typed value (lists from a
 * YAML sequence come here). */
int mm_cfg_finish(const mm_config_key *key, mm_config_value *v, char *problem, size_t n);
/* Frees the old field content and moves v into the field. */
void mm_cfg_store(mm_config *cfg, const mm_config_key *key, mm_config_value *v);
void mm_cfg_value_free(const mm_config_key *key, mm_config_value *v);
/* The default as a value (owned). */
void mm_cfg_default(const mm_config_key *key, mm_config_value *v);
bool mm_cfg_field_equal(const mm_config_key *key, const void *a, const void *b);
/* Canonical text of a field, as written to YAML (sizes as 16GiB unless the
 * key is read as an int by the reference tool). */
void mm_cfg_field_text(const mm_config_key *key, const void *field, bool for_yaml,
                       mm_strbuf *out);

const mm_config_choice *mm_cfg_choice_by_value(const mm_config_key *key, int value);
bool mm_cfg_cond_holds(const mm_config *cfg, const mm_config_cond *cond);
/* "meta.mode is sqlite" / "source.remote.cloud is minio" (first value of the mask). */
void mm_cfg_cond_describe(const mm_config_cond *cond, mm_strbuf *out);
bool mm_cfg_is_empty(const mm_config *cfg, const mm_config_key *key);

/* Case-insensitive OSA edit distance (adjacent transpositions count 1). */
size_t mm_cfg_edit_distance(const char *a, const char *b);
/* For an unknown dotted key (any case): " did you mean X?" style suggestion
 * text ("X", "X or Y"), or "" when nothing is close. */
void mm_cfg_suggest_key(const char *unknown, char *out, size_t n);
/* Whether lower_prefix (lower-case dotted) names a map of keys; when it
 * does, its canonical spelling goes to canonical. */
bool mm_cfg_group(const char *lower_prefix, char *canonical, size_t n);

/* Checks used by the key table (config_checks.c). */
int mm_cfg_check_milvus_endpoint(mm_config_value *v, char *problem, size_t n);
int mm_cfg_check_bucket_endpoint(mm_config_value *v, char *problem, size_t n);
int mm_cfg_check_strip_leading_slash(mm_config_value *v, char *problem, size_t n);
int mm_cfg_check_milvus_name(mm_config_value *v, char *problem, size_t n);
int mm_cfg_check_optional_milvus_name(mm_config_value *v, char *problem, size_t n);

/* 16GiB, 64MiB, 1000 (largest binary unit that divides exactly). */
void mm_cfg_format_size(uint64_t bytes, char *buf, size_t n);

#endif
