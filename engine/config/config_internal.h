/* What the configuration's own modules share beyond config.h: the typed
 * values (config_types.h), the text scanners (config_parse.h), key
 * suggestions (config_suggest.h) and the conditions between keys, which
 * config.c implements. Layered so that no module calls back up:
 * config_parse <- config_types <- config.c <- config_yaml, config_render,
 * config_validate, config_man; config_suggest is used by config_types and
 * config_yaml. Not part of the engine's interface. */
#ifndef MM_CONFIG_INTERNAL_H
#define MM_CONFIG_INTERNAL_H

#include "base/strbuf.h"
#include "config/config.h"
#include "config/config_parse.h"
#include "config/config_suggest.h"
#include "config/config_types.h"

#include <stdbool.h>

bool mm_cfg_cond_holds(const mm_config *cfg, const mm_config_cond *cond);
/* "meta.mode is sqlite" / "source.remote.cloud is minio" (every value of the mask). */
void mm_cfg_cond_describe(const mm_config_cond *cond, mm_strbuf *out);

#endif
