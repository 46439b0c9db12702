#include "textwidth.h"

#include <stdbool.h>
#include <stdint.h>

/* The engine cannot rely on the process locale for wcwidth (it is a
 * library, and the headless commands may run under LANG=C), and these
 * ranges are all a fixed-width report needs. */
static bool is_wide(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

size_t mm_text_columns(const char *s)
{
    size_t w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp = *p;
        size_t len = 1;
        if (*p >= 0xF0) {
            cp = *p & 0x07;
            len = 4;
        } else if (*p >= 0xE0) {
            cp = *p & 0x0F;
            len = 3;
        } else if (*p >= 0xC0) {
            cp = *p & 0x1F;
            len = 2;
        }
        for (size_t i = 1; i < len && (p[i] & 0xC0) == 0x80; i++)
            cp = (cp << 6) | (p[i] & 0x3F);
        for (size_t i = 0; i < len && *p; i++)
            p++;
        w += is_wide(cp) ? 2 : 1;
    }
    return w;
}

void mm_strbuf_append_left(mm_strbuf *sb, const char *text, size_t width)
{
    mm_strbuf_append(sb, text);
    size_t w = mm_text_columns(text);
    if (w < width)
        mm_strbuf_pad(sb, ' ', width - w);
}
