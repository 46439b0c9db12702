/* Reading a bucket: downloads that appear under their name only when
 * complete and durable, and listings (ListObjectsV2 with continuation
 * tokens). Listing pages are parsed with libxml2: keys come XML-escaped
 * and may hold any character. */
#include "storage/s3_internal.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int mm_s3_get_file(mm_s3 *s3, const char *key, const char *path, mm_error *err)
{
    char *partial = mm_asprintf("%s.partial", path);
    if (!partial)
        return mm_error_set(err, MM_ERR_NOMEM, "S3 GET: out of memory");
    int fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int rc = mm_error_errno(err, errno, "create", partial);
        free(partial);
        return rc;
    }
    mm_s3_response r = {.sink_fd = fd};
    mm_s3_call call = {.method = "GET", .key = key};
    int rc = mm_s3_request(s3, &call, &r, err);
    /* A connection that ends early without an error still leaves the file short. */
    if (rc == 0 && r.content_length >= 0 && r.sunk != (uint64_t)r.content_length) {
        char *target = mm_s3_target(s3, key);
        rc = mm_error_set(err, MM_ERR_IO, "S3 GET %s: got %llu of %lld bytes", target ? target : key,
                          (unsigned long long)r.sunk, (long long)r.content_length);
        free(target);
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = mm_error_errno(err, errno, "fsync", partial);
    if (close(fd) != 0 && rc == 0)
        rc = mm_error_errno(err, errno, "close", partial);
    if (rc == 0 && rename(partial, path) != 0)
        rc = mm_error_errno(err, errno, "rename into place", path);
    if (rc != 0)
        unlink(partial);
    mm_strbuf_free(&r.text);
    free(partial);
    return rc;
}

static const xmlNode *child(const xmlNode *parent, const char *name)
{
    for (const xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0)
            return n;
    return NULL;
}

/* Text of parent's child element name, malloc'd ("" when absent). */
static char *child_text(const xmlNode *parent, const char *name)
{
    const xmlNode *n = child(parent, name);
    xmlChar *text = n ? xmlNodeGetContent(n) : NULL;
    char *copy = mm_strdup(text ? (const char *)text : "");
    xmlFree(text);
    return copy;
}

typedef struct list_page {
    int stop;           /* what fn returned, when non-zero */
    bool truncated;
    char *next_token;
} list_page;

/* Hands every <Contents> of one page to fn. Returns -1 (err set) when the
 * answer is not a listing. */
static int read_page(const mm_s3 *s3, const mm_s3_response *r, int (*fn)(void *, const char *, int64_t), void *ctx,
                     list_page *page, mm_error *err)
{
    xmlDoc *doc = xmlReadMemory(r->text.data ? r->text.data : "", (int)r->text.len, NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE);
    const xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || strcmp((const char *)root->name, "ListBucketResult") != 0) {
        xmlFreeDoc(doc);
        return mm_error_set(err, MM_ERR_IO, "S3 list s3://%s at %s: the answer is not a ListBucketResult (%zu bytes); "
                            "is %s.endpoint an S3 server?", s3->bucket, s3->base, r->text.len, s3->side);
    }
    int rc = 0;
    for (const xmlNode *n = root->children; n && rc == 0 && !page->stop; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "Contents") != 0)
            continue;
        char *key = child_text(n, "Key"), *size = child_text(n, "Size");
        if (!key || !size)
            rc = mm_error_set(err, MM_ERR_NOMEM, "S3 list: out of memory");
        else
            page->stop = fn(ctx, key, size[0] ? strtoll(size, NULL, 10) : -1);
        free(key);
        free(size);
    }
    char *truncated = rc == 0 ? child_text(root, "IsTruncated") : NULL;
    page->truncated = truncated && strcmp(truncated, "true") == 0;
    page->next_token = rc == 0 ? child_text(root, "NextContinuationToken") : NULL;
    free(truncated);
    xmlFreeDoc(doc);
    if (rc == 0 && !page->next_token)
        rc = mm_error_set(err, MM_ERR_NOMEM, "S3 list: out of memory");
    return rc;
}

int mm_s3_list(mm_s3 *s3, const char *prefix, int (*fn)(void *ctx, const char *key, int64_t size), void *ctx,
               mm_error *err)
{
    char *encoded_prefix = mm_s3_percent_encode(prefix ? prefix : "", false);
    char *token = NULL;
    int rc = encoded_prefix ? 0 : mm_error_set(err, MM_ERR_NOMEM, "S3 list: out of memory");
    while (rc == 0) {
        /* libcurl 7.88 signs the query as written: names sorted, values %XX-encoded. */
        char *encoded_token = token ? mm_s3_percent_encode(token, false) : NULL;
        char *query = mm_asprintf("%s%s%slist-type=2&max-keys=%d&prefix=%s", token ? "continuation-token=" : "",
                                  encoded_token ? encoded_token : "", token ? "&" : "", s3->list_page_keys,
                                  encoded_prefix);
        free(encoded_token);
        if (!query || (token && !encoded_token)) {
            free(query);
            rc = mm_error_set(err, MM_ERR_NOMEM, "S3 list: out of memory");
            break;
        }
        mm_s3_response r = {.sink_fd = -1, .text_cap = (size_t)64 << 20};
        mm_s3_call call = {.method = "GET", .query = query};
        list_page page = {0};
        rc = mm_s3_request(s3, &call, &r, err);
        if (rc == 0)
            rc = read_page(s3, &r, fn, ctx, &page, err);
        mm_strbuf_free(&r.text);
        free(query);
        free(token);
        token = page.next_token;
        if (rc == 0 && page.stop)
            rc = page.stop;
        if (rc != 0 || !page.truncated)
            break;
        if (!token[0]) {
            rc = mm_error_set(err, MM_ERR_IO, "S3 list s3://%s at %s: a truncated page without "
                              "NextContinuationToken; the server does not page ListObjectsV2 correctly",
                              s3->bucket, s3->base);
            break;
        }
    }
    free(token);
    free(encoded_prefix);
    return rc;
}
