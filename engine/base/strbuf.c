#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mm_strbuf_init(mm_strbuf *sb)
{
    sb->data = NULL;
    sb->len = 0;
    sb->cap = 0;
    sb->oom = false;
}

void mm_strbuf_free(mm_strbuf *sb)
{
    free(sb->data);
    mm_strbuf_init(sb);
}

void mm_strbuf_reset(mm_strbuf *sb)
{
    sb->len = 0;
    if (sb->data)
        sb->data[0] = '\0';
}

bool mm_strbuf_ok(const mm_strbuf *sb)
{
    return !sb->oom;
}

static bool reserve(mm_strbuf *sb, size_t extra)
{
    if (sb->oom)
        return false;
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap)
        return true;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(sb->data, cap);
    if (!p) {
        sb->oom = true;
        return false;
    }
    sb->data = p;
    sb->cap = cap;
    return true;
}

void mm_strbuf_append_n(mm_strbuf *sb, const char *s, size_t n)
{
    if (!reserve(sb, n))
        return;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void mm_strbuf_append(mm_strbuf *sb, const char *s)
{
    mm_strbuf_append_n(sb, s, strlen(s));
}

void mm_strbuf_appendf(mm_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(sb, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void mm_strbuf_pad(mm_strbuf *sb, char c, size_t n)
{
    if (!reserve(sb, n))
        return;
    memset(sb->data + sb->len, c, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

char *mm_strbuf_take(mm_strbuf *sb)
{
    if (sb->oom) {
        mm_strbuf_free(sb);
        return NULL;
    }
    if (!sb->data) {
        if (!reserve(sb, 0))
            return NULL;
        sb->data[0] = '\0';
    }
    char *p = sb->data;
    mm_strbuf_init(sb);
    return p;
}

char *mm_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

char *mm_strndup(const char *s, size_t n)
{
    return s ? strndup(s, n) : NULL;
}

char *mm_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = malloc((size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

char *mm_vasprintf(const char *fmt, va_list ap)
{
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0)
        return NULL;
    return text;
}

void mm_format_cut(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, n, fmt, ap);
    va_end(ap);
}

void mm_emit_line(void (*fn)(void *ctx, const char *line), void *ctx, const char *fmt, ...)
{
    if (!fn)
        return;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fn(ctx, line);
}

const char *mm_format_count(char *buf, size_t n, int64_t v)
{
    char digits[32], out[48];
    /* The magnitude as unsigned, so INT64_MIN has one too. */
    uint64_t mag = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)mag);
    size_t o = 0;
    if (v < 0)
        out[o++] = '-';
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, n, "%s", out);
    return buf;
}
