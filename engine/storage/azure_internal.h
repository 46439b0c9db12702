/* Inside the Azure backend: Shared Key signing, the request loop, and the
 * small XML and encoding helpers the Blob REST answers need. Split from
 * azure.c so the signing can be checked against known vectors. */
#ifndef MM_AZURE_INTERNAL_H
#define MM_AZURE_INTERNAL_H

#include "storage/storage.h"
#include "storage/azure.h"
#include "storage/http_common.h"
#include "base/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The REST API version we speak (x-ms-version). */
#define MM_AZURE_API_VERSION "2021-08-06"

typedef struct mm_azure_pair {
    const char *name, *value;   /* query values raw (not percent-encoded) */
} mm_azure_pair;

/* What Shared Key signs of one request. */
typedef struct mm_azure_signing {
    const char *method;
    const char *path;             /* URL path as sent (percent-encoded), from the first '/' */
    const mm_azure_pair *query;
    size_t n_query;
    const mm_azure_pair *headers; /* the x-ms-* headers sent, any order, lower-case names */
    size_t n_headers;
    uint64_t content_length;      /* 0 signs as "" */
    const char *content_md5, *content_type;
} mm_azure_signing;

/* The string to sign of the Blob service's Shared Key scheme (2015-02-21 and
 * later). malloc'd. */
char *mm_azure_string_to_sign(const char *account, const mm_azure_signing *s);
/* "SharedKey <account>:<base64 HMAC-SHA256 of the string to sign>". */
int mm_azure_authorization(const unsigned char *key, size_t key_len, const char *account, const mm_azure_signing *s,
                           char *out, size_t n);
/* Decodes a base64 account key; -1 if it is not base64 or does not fit. */
int mm_azure_decode_key(const char *b64, unsigned char *out, size_t cap);
/* Percent-encodes all but unreserved characters (and '/' when keep_slash). */
char *mm_azure_encode(const char *text, bool keep_slash);
/* The text of the first <tag>...</tag> after *from, entity-decoded;
 * advances *from past it. NULL when absent. malloc'd. */
char *mm_azure_xml_next(const char **from, const char *end, const char *tag);

/* ---- the backend ---------------------------------------------------------- */

typedef struct mm_azure {
    mm_storage base;
    char *service_url;   /* scheme://host[:port][/account] */
    char *path_prefix;   /* "" or "/account": the part of service_url after the host */
    char *account, *container, *sas, *side, *label, *ca_file;
    unsigned char key[128];
    int key_len;         /* 0 = SAS or anonymous */
    uint64_t block_size;
    int max_retries, retry_base_ms;
    struct mm_http_pool *pool;  /* connections kept between requests */
} mm_azure;

/* digest holds the base64 Content-MD5. */
typedef mm_http_body mm_azure_body;

/* service_value holds x-ms-error-code (set by mm_azure_request). */
typedef mm_http_response mm_azure_response;

typedef struct mm_azure_call {
    const char *method;
    const char *key;                  /* blob name, NULL = the container */
    const mm_azure_pair *query;
    size_t n_query;
    const mm_azure_pair *headers;     /* extra x-ms-* headers */
    size_t n_headers;
    mm_azure_body *body;
    bool allow_404;
} mm_azure_call;

/* One request with retries; the caller frees r->text. The response is
 * initialised here (sink_fd from the caller is kept). */
int mm_azure_request(mm_azure *az, const mm_azure_call *call, mm_azure_response *r, mm_error *err);
/* Base64 Content-MD5 of b's file range into b->digest. */
int mm_azure_body_md5(mm_azure_body *b);
/* Uploads a local file (Put Blob, or Put Block + Put Block List). */
int mm_azure_put_file(mm_storage *st, const char *key, const char *path, const mm_part_digest *digest,
                      mm_error *err);

#endif
