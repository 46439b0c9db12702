/* Terminal columns of UTF-8 text, for the fixed-width tables the engine
 * renders (inventory, verification). */
#ifndef MM_TEXTWIDTH_H
#define MM_TEXTWIDTH_H

#include "strbuf.h"

#include <stddef.h>

/* Columns taken by UTF-8 text: East Asian wide and fullwidth characters
 * count two, everything else one. */
size_t mm_text_columns(const char *s);

/* Appends text left-aligned in a field of `width` columns (wider text is
 * appended whole, as printf's %-*s does). */
void mm_strbuf_append_left(mm_strbuf *sb, const char *text, size_t width);

#endif
