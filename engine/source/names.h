/* Milvus 2.x identifier rules applied to 1.x names. 1.x partition tags are
 * free-form UTF-8 while 2.x names must match [A-Za-z_][A-Za-z0-9_]* (at
 * most 255 bytes), so each name gets a deterministic, collision-free 2.x
 * name and every change is reported. */
#ifndef MM_NAMES_H
#define MM_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#define MM_MAX_NAME_LEN 255

bool mm_name_valid_2x(const char *name);

/* The 2.x spelling of a 1.x name: ASCII letters, digits and '_' kept, other
 * ASCII bytes become '_', other bytes are written as two hex digits (so
 * distinct UTF-8 names stay distinct and readable in reports), a leading
 * digit gets a '_' prefix, and the result is cut to the length limit.
 * malloc'd. */
char *mm_name_sanitize(const char *name);

/* Makes `candidate` unique against taken[0..n): appends _2, _3, ... as
 * needed (keeping within the length limit). malloc'd. */
char *mm_name_unique(const char *candidate, const char *const *taken, size_t n);

/* Escapes a name for one-line display and the canonical TSV: '\\', tab,
 * newline, other control bytes and invalid UTF-8 become \\, \t, \n, \xHH.
 * malloc'd. */
char *mm_name_escape(const char *name);

/* The name for text that must be UTF-8 (JSON files, object keys, Milvus
 * requests): the name itself when it is valid UTF-8, else its escaped form
 * as above (1.x tags and hand-edited metas may hold any bytes). malloc'd. */
char *mm_name_utf8(const char *name);

#endif
