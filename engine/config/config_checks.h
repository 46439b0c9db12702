/* Per-value checks the key table refers to (mm_config_key.check): endpoint
 * shapes, Milvus names, bucket prefixes. Each may normalise the value, and
 * writes "expected ..., got ..." and returns -1 when it refuses it. */
#ifndef MM_CONFIG_CHECKS_H
#define MM_CONFIG_CHECKS_H

#include "config/config.h"

#include <stddef.h>

int mm_cfg_check_milvus_endpoint(mm_config_value *v, char *problem, size_t n);
int mm_cfg_check_bucket_endpoint(mm_config_value *v, char *problem, size_t n);
int mm_cfg_check_strip_leading_slash(mm_config_value *v, char *problem, size_t n);
int mm_cfg_check_milvus_name(mm_config_value *v, char *problem, size_t n);
int mm_cfg_check_optional_milvus_name(mm_config_value *v, char *problem, size_t n);

#endif
