/* A growable, always NUL-terminated byte string. Allocation failure is
 * remembered (oom flag) instead of being reported at every append, so
 * formatting code stays linear; check mm_strbuf_ok() once at the end. */
#ifndef MM_STRBUF_H
#define MM_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mm_strbuf {
    char *data;
    size_t len;
    size_t cap;
    bool oom;
} mm_strbuf;

void mm_strbuf_init(mm_strbuf *sb);
void mm_strbuf_free(mm_strbuf *sb);
void mm_strbuf_reset(mm_strbuf *sb);
bool mm_strbuf_ok(const mm_strbuf *sb);
void mm_strbuf_append(mm_strbuf *sb, const char *s);
void mm_strbuf_append_n(mm_strbuf *sb, const char *s, size_t n);
void mm_strbuf_appendf(mm_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends n copies of c. */
void mm_strbuf_pad(mm_strbuf *sb, char c, size_t n);
/* Hands the buffer to the caller (never NULL unless oom) and resets sb. */
char *mm_strbuf_take(mm_strbuf *sb);

/* strdup that accepts NULL (returns NULL). */
char *mm_strdup(const char *s);
char *mm_strndup(const char *s, size_t n);
/* malloc'd printf; NULL on allocation failure. */
/* A count with thousands separators ("4,206": 8984845 is easy to misread);
 * buf of 32 bytes holds any int64. Returns buf. */
const char *mm_format_count(char *buf, size_t n, int64_t v);
char *mm_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *mm_vasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* printf into a fixed buffer where a cut text is better than a failure
 * (descriptions shown to the user). */
void mm_format_cut(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Formats one event line (cut at 2 KiB) and hands it to fn; nothing when
 * fn is NULL. For the engine's "log" callbacks. */
void mm_emit_line(void (*fn)(void *ctx, const char *line), void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Whether s holds text (not NULL, not empty). */
static inline bool mm_has_text(const char *s)
{
    return s && *s;
}

#endif
