/* Shared Key: the string to sign of the Blob service and its HMAC, plus the
 * encoding helpers every Azure request needs. */
#include "storage/azure_internal.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *mm_azure_encode(const char *text, bool keep_slash)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_append(&sb, "");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
            *p == '_' || *p == '.' || *p == '~' || (keep_slash && *p == '/'))
            mm_strbuf_append_n(&sb, (const char *)p, 1);
        else
            mm_strbuf_appendf(&sb, "%%%02X", *p);
    }
    return mm_strbuf_take(&sb);
}

static int by_name(const void *a, const void *b)
{
    const mm_azure_pair *x = a, *y = b;
    int c = strcasecmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

/* Sorted copy of pairs (canonical order: by lower-cased name). */
static mm_azure_pair *sorted(const mm_azure_pair *pairs, size_t n)
{
    mm_azure_pair *copy = malloc((n ? n : 1) * sizeof *copy);
    if (!copy)
        return NULL;
    if (n)
        memcpy(copy, pairs, n * sizeof *copy);
    qsort(copy, n, sizeof *copy, by_name);
    return copy;
}

static void append_lower(mm_strbuf *sb, const char *s)
{
    for (; *s; s++) {
        char c = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
        mm_strbuf_append_n(sb, &c, 1);
    }
}

char *mm_azure_string_to_sign(const char *account, const mm_azure_signing *s)
{
    mm_azure_pair *headers = sorted(s->headers, s->n_headers);
    mm_azure_pair *query = sorted(s->query, s->n_query);
    if (!headers || !query) {
        free(headers);
        free(query);
        return NULL;
    }
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_appendf(&sb, "%s\n\n\n", s->method); /* Content-Encoding, Content-Language */
    if (s->content_length)
        mm_strbuf_appendf(&sb, "%llu", (unsigned long long)s->content_length);
    mm_strbuf_appendf(&sb, "\n%s\n%s\n", s->content_md5 ? s->content_md5 : "", s->content_type ? s->content_type : "");
    /* Date (x-ms-date is signed instead), If-Modified-Since, If-Match,
     * If-None-Match, If-Unmodified-Since, Range: none of them sent. */
    mm_strbuf_append(&sb, "\n\n\n\n\n\n");
    for (size_t i = 0; i < s->n_headers; i++) {
        append_lower(&sb, headers[i].name);
        mm_strbuf_appendf(&sb, ":%s\n", headers[i].value);
    }
    mm_strbuf_appendf(&sb, "/%s%s", account, s->path);
    /* Parameters with the same name are joined by ',' in value order. */
    for (size_t i = 0; i < s->n_query; i++) {
        if (i > 0 && strcasecmp(query[i].name, query[i - 1].name) == 0) {
            mm_strbuf_appendf(&sb, ",%s", query[i].value);
            continue;
        }
        mm_strbuf_append(&sb, "\n");
        append_lower(&sb, query[i].name);
        mm_strbuf_appendf(&sb, ":%s", query[i].value);
    }
    free(headers);
    free(query);
    return mm_strbuf_take(&sb);
}

int mm_azure_authorization(const unsigned char *key, size_t key_len, const char *account, const mm_azure_signing *s,
                           char *out, size_t n)
{
    char *text = mm_azure_string_to_sign(account, s);
    if (!text)
        return -1;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    bool ok = HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)text, strlen(text), mac, &mac_len) != NULL;
    free(text);
    if (!ok)
        return -1;
    char sig[4 * EVP_MAX_MD_SIZE / 3 + 8];
    EVP_EncodeBlock((unsigned char *)sig, mac, (int)mac_len);
    int len = snprintf(out, n, "SharedKey %s:%s", account, sig);
    return len > 0 && (size_t)len < n ? 0 : -1;
}

int mm_azure_decode_key(const char *b64, unsigned char *out, size_t cap)
{
    size_t len = strlen(b64);
    if (len == 0 || len % 4 != 0 || len / 4 * 3 > cap)
        return -1;
    int n = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)len);
    if (n < 0)
        return -1;
    /* EVP_DecodeBlock counts the bytes the '=' padding stands for. */
    for (size_t i = len; i > 0 && b64[i - 1] == '='; i--)
        n--;
    return n;
}

/* Entities of XML 1.0: the five named ones and numeric references. */
static void decode_entities(mm_strbuf *sb, const char *s, size_t len)
{
    static const struct {
        const char *name;
        char c;
    } named[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    for (size_t i = 0; i < len;) {
        if (s[i] != '&') {
            mm_strbuf_append_n(sb, s + i, 1);
            i++;
            continue;
        }
        bool done = false;
        for (size_t k = 0; k < sizeof named / sizeof named[0] && !done; k++) {
            size_t nl = strlen(named[k].name);
            if (i + nl <= len && strncmp(s + i, named[k].name, nl) == 0) {
                mm_strbuf_append_n(sb, &named[k].c, 1);
                i += nl;
                done = true;
            }
        }
        if (!done && i + 2 < len && s[i + 1] == '#') {
            char *end = NULL;
            bool hex = s[i + 2] == 'x' || s[i + 2] == 'X';
            unsigned long cp = strtoul(s + i + (hex ? 3 : 2), &end, hex ? 16 : 10);
            if (end && (size_t)(end - s) < len && *end == ';' && cp > 0 && cp < 0x110000) {
                unsigned char u[4];
                size_t un = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                if (un == 1) {
                    u[0] = (unsigned char)cp;
                } else {
                    for (size_t b = un - 1; b > 0; b--, cp >>= 6)
                        u[b] = (unsigned char)(0x80 | (cp & 0x3F));
                    u[0] = (unsigned char)((0xF00u >> un) | cp);
                }
                mm_strbuf_append_n(sb, (const char *)u, un);
                i = (size_t)(end - s) + 1;
                done = true;
            }
        }
        if (!done) {
            mm_strbuf_append_n(sb, s + i, 1);
            i++;
        }
    }
}

/* The listings we read are flat, fixed-shape documents and no XML library
 * is among our dependencies: finding the next element by name and decoding
 * its entities is all they need. */
char *mm_azure_xml_next(const char **from, const char *end, const char *tag)
{
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *a = memmem(*from, (size_t)(end - *from), open, strlen(open));
    if (!a)
        return NULL;
    a += strlen(open);
    const char *b = memmem(a, (size_t)(end - a), close, strlen(close));
    if (!b)
        return NULL;
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_append(&sb, "");
    decode_entities(&sb, a, (size_t)(b - a));
    *from = b + strlen(close);
    return mm_strbuf_take(&sb);
}
