/* meta.json: the reference tool's schema (specs/milvus-migration-reference.md
 * §3.1), read and written compatibly, extended with partitions, metric,
 * index type/params and the binary flag. */
#ifndef MM_META_JSON_H
#define MM_META_JSON_H

#include "base/error.h"
#include "source/inventory.h"
#include "source/meta_rows.h"

#include <stddef.h>

/* Parses meta.json text into meta rows (a Tables row per collection and
 * partition, a RAW TableFiles row per segment). origin names the file or
 * object in error messages. */
int mm_meta_json_parse(const char *text, size_t len, const char *origin, mm_meta_rows *out,
                       mm_error *err);
int mm_meta_read_json(const char *path, mm_meta_rows *out, mm_error *err);

/* Renders an inventory as meta.json (compact, reference field order first,
 * then our extensions). Returns malloc'd text or NULL with err set. */
char *mm_meta_json_render(const mm_inventory *inv, mm_error *err);

#endif
