#include "source/names.h"

#include "source/name_translit.h"
#include "base/strbuf.h"

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

/* "_x" and the bytes of one character (or one stray byte) in hex. */
static void append_escape(mm_strbuf *sb, const unsigned char *p, size_t len)
{
    mm_strbuf_append(sb, "_x");
    for (size_t i = 0; i < len; i++)
        mm_strbuf_appendf(sb, "%02x", p[i]);
}

static char *spell(const char *name, bool readable)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    if (name[0] >= '0' && name[0] <= '9')
        mm_strbuf_append(&sb, "_");
    const unsigned char *p = (const unsigned char *)name;
    while (*p) {
        if (is_word_byte(*p)) {
            mm_strbuf_append_n(&sb, (const char *)p, 1);
            p++;
            continue;
        }
        uint32_t cp = 0;
        size_t len = mm_utf8_decode(p, &cp);
        const char *ascii = readable && len > 1 ? mm_translit_ascii(cp) : NULL;
        if (readable && len == 1)
            mm_strbuf_append(&sb, "_");
        else if (ascii)
            mm_strbuf_append(&sb, ascii);
        else
            append_escape(&sb, p, len ? len : 1);
        p += len ? len : 1;
    }
    if (sb.len == 0)
        mm_strbuf_append(&sb, "_");
    if (sb.len > MM_MAX_NAME_LEN) {
        sb.len = MM_MAX_NAME_LEN;
        sb.data[sb.len] = '\0';
    }
    return mm_strbuf_take(&sb);
}

char *mm_name_sanitize(const char *name)
{
    return spell(name, true);
}

char *mm_name_sanitize_escaped(const char *name)
{
    return spell(name, false);
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

/* Owned names first: a rewrite must never take a name a valid one has. */
int mm_names_assign(const char *const *names, size_t n, const char *reserved, char **out, char **displaced)
{
    const char **taken = calloc(n + 2, sizeof *taken);
    if (!taken)
        return -1;
    size_t n_taken = 0;
    if (reserved)
        taken[n_taken++] = reserved;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        out[i] = NULL;
        if (displaced)
            displaced[i] = NULL;
        if (mm_name_valid_2x(names[i]) && !(reserved && strcmp(names[i], reserved) == 0)) {
            out[i] = mm_strdup(names[i]);
            ok = ok && out[i];
        }
    }
    /* taken[] holds the reserved name, then the names chosen so far. */
    const char **chosen = taken + n_taken;
    for (size_t i = 0; i < n && ok; i++)
        chosen[i] = out[i];
    for (size_t i = 0; i < n && ok; i++) {
        if (out[i])
            continue;
        char *readable = mm_name_sanitize(names[i]);
        if (!readable) {
            ok = false;
            break;
        }
        if (!name_taken(readable, taken, n_taken + n)) {
            out[i] = readable;
        } else {
            char *escaped = mm_name_sanitize_escaped(names[i]);
            out[i] = escaped ? mm_name_unique(escaped, taken, n_taken + n) : NULL;
            free(escaped);
            if (displaced)
                displaced[i] = readable;
            else
                free(readable);
        }
        chosen[i] = out[i];
        ok = out[i] != NULL;
    }
    free(taken);
    if (!ok) {
        for (size_t i = 0; i < n; i++) {
            free(out[i]);
            out[i] = NULL;
            if (displaced) {
                free(displaced[i]);
                displaced[i] = NULL;
            }
        }
        return -1;
    }
    return 0;
}

char *mm_name_escape(const char *name)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    const unsigned char *p = (const unsigned char *)name;
    while (*p) {
        uint32_t cp;
        size_t len;
        if (*p == '\\') {
            mm_strbuf_append(&sb, "\\\\");
            p++;
        } else if (*p == '\t') {
            mm_strbuf_append(&sb, "\\t");
            p++;
        } else if (*p == '\n') {
            mm_strbuf_append(&sb, "\\n");
            p++;
        } else if (*p < 0x20 || *p == 0x7f || (len = mm_utf8_decode(p, &cp)) == 0) {
            mm_strbuf_appendf(&sb, "\\x%02x", *p);
            p++;
        } else {
            mm_strbuf_append_n(&sb, (const char *)p, len);
            p += len;
        }
    }
    if (!sb.data)
        mm_strbuf_append(&sb, "");
    return mm_strbuf_take(&sb);
}

char *mm_name_utf8(const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p;) {
        uint32_t cp;
        size_t len = mm_utf8_decode(p, &cp);
        if (len == 0)
            return mm_name_escape(name);
        p += len;
    }
    return mm_strdup(name);
}

char *mm_name_path_component(const char *name)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (is_word_byte(*p) || *p == '-')
            mm_strbuf_append_n(&sb, (const char *)p, 1);
        else
            mm_strbuf_appendf(&sb, "%%%02X", *p);
    }
    if (sb.len == 0)
        mm_strbuf_append(&sb, "%");
    return mm_strbuf_take(&sb);
}

bool mm_name_safe_component(const char *name)
{
    return name[0] && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}
