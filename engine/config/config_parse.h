/* Text scanners for migration.yaml values: they know text, not keys, so
 * every per-type operation (config_types.h) can use them. */
#ifndef MM_CONFIG_PARSE_H
#define MM_CONFIG_PARSE_H

#include "config/config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A whole integer, surrounding blanks allowed. 0 or -1. */
int mm_cfg_parse_int(const char *text, int64_t *out);
/* An integer number of bytes, or a number (up to 3 decimals) with a unit:
 * K/KiB=1024, KB=1000 and so on to T/TiB/TB (the GNU coreutils convention);
 * case-insensitive, optional space before the unit. 0 or -1. */
int mm_cfg_parse_size(const char *text, uint64_t *out);
/* true/yes/on/1, false/no/off/0, any case. 0 or -1. */
int mm_cfg_parse_bool(const char *text, bool *out);
/* 0.9's secondary_path style: "a;b;c", blanks around items ignored, empty
 * items dropped. Appends to out; -1 (out freed) when out of memory. */
int mm_cfg_split_list(const char *text, mm_config_list *out);
void mm_cfg_list_free(mm_config_list *list);
/* libyaml refuses invalid UTF-8 when writing, so it is refused on input. */
bool mm_cfg_valid_utf8(const char *s);
/* The text between leading and trailing blanks. malloc'd. */
char *mm_cfg_trimmed(const char *text);
/* `got "..."` part of a message: quoted, control characters escaped, long
 * values cut. */
void mm_cfg_quote_got(const char *text, char *buf, size_t n);
/* 16GiB, 64MiB, 1000 (largest binary unit that divides exactly). */
void mm_cfg_format_size(uint64_t bytes, char *buf, size_t n);
/* Whether text holds nothing but blanks. */
bool mm_cfg_blank(const char *text);

#endif
