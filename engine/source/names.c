#include "source/names.h"

#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_word_byte(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool mm_name_valid_2x(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > MM_MAX_NAME_LEN)
        return false;
    if (name[0] >= '0' && name[0] <= '9')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_word_byte((unsigned char)name[i]))
            return false;
    return true;
}

char *mm_name_sanitize(const char *name)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    if (name[0] >= '0' && name[0] <= '9')
        mm_strbuf_append(&sb, "_");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (is_word_byte(*p))
            mm_strbuf_append_n(&sb, (const char *)p, 1);
        else if (*p < 0x80)
            mm_strbuf_append(&sb, "_");
        else
            mm_strbuf_appendf(&sb, "%02x", *p);
    }
    if (sb.len == 0)
        mm_strbuf_append(&sb, "_");
    if (sb.len > MM_MAX_NAME_LEN) {
        sb.len = MM_MAX_NAME_LEN;
        sb.data[sb.len] = '\0';
    }
    return mm_strbuf_take(&sb);
}

static bool name_taken(const char *name, const char *const *taken, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (taken[i] && strcmp(taken[i], name) == 0)
            return true;
    return false;
}

char *mm_name_unique(const char *candidate, const char *const *taken, size_t n)
{
    if (!name_taken(candidate, taken, n))
        return mm_strdup(candidate);
    for (unsigned suffix = 2;; suffix++) {
        char tail[16];
        int tail_len = snprintf(tail, sizeof tail, "_%u", suffix);
        size_t keep = strlen(candidate);
        if (keep + (size_t)tail_len > MM_MAX_NAME_LEN)
            keep = MM_MAX_NAME_LEN - (size_t)tail_len;
        char *name = mm_asprintf("%.*s%s", (int)keep, candidate, tail);
        if (!name || !name_taken(name, taken, n))
            return name;
        free(name);
    }
}

/* Length of the valid UTF-8 sequence at p, or 0 if the bytes are not one. */
static size_t utf8_sequence_length(const unsigned char *p)
{
    size_t len;
    uint32_t cp;
    if (p[0] < 0x80)
        return 1;
    if ((p[0] & 0xE0) == 0xC0) {
        len = 2;
        cp = p[0] & 0x1F;
    } else if ((p[0] & 0xF0) == 0xE0) {
        len = 3;
        cp = p[0] & 0x0F;
    } else if ((p[0] & 0xF8) == 0xF0) {
        len = 4;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    static const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

char *mm_name_escape(const char *name)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    const unsigned char *p = (const unsigned char *)name;
    while (*p) {
        if (*p == '\\') {
            mm_strbuf_append(&sb, "\\\\");
            p++;
        } else if (*p == '\t') {
            mm_strbuf_append(&sb, "\\t");
            p++;
        } else if (*p == '\n') {
            mm_strbuf_append(&sb, "\\n");
            p++;
        } else if (*p < 0x20 || *p == 0x7f) {
            mm_strbuf_appendf(&sb, "\\x%02x", *p);
            p++;
        } else {
            size_t len = utf8_sequence_length(p);
            if (len == 0) {
                mm_strbuf_appendf(&sb, "\\x%02x", *p);
                p++;
            } else {
                mm_strbuf_append_n(&sb, (const char *)p, len);
                p += len;
            }
        }
    }
    if (!sb.data)
        mm_strbuf_append(&sb, "");
    return mm_strbuf_take(&sb);
}

char *mm_name_utf8(const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p;) {
        size_t len = utf8_sequence_length(p);
        if (len == 0)
            return mm_name_escape(name);
        p += len;
    }
    return mm_strdup(name);
}
