/* ASCII spellings of Latin letters with diacritics (U+00C0..U+017F:
 * Latin-1 Supplement and Latin Extended-A), for readable 2.x names:
 * "café" -> "cafe", "Łódź" -> "Lodz", "straße" -> "strasse". */
#ifndef MM_NAME_TRANSLIT_H
#define MM_NAME_TRANSLIT_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one UTF-8 character at p: returns its length (1..4) and sets
 * *cp, or 0 when the bytes there are not a valid UTF-8 sequence. */
size_t mm_utf8_decode(const unsigned char *p, uint32_t *cp);

/* The ASCII letters for code point cp, or NULL when it has none (not a
 * Latin letter, or outside the table). */
const char *mm_translit_ascii(uint32_t cp);

#endif
