/* What the S3 and Azure clients share over libcurl: which failures are
 * worth another attempt, the response of a request (status, headers, the
 * body kept as text or written to a download file), and one pool of open
 * connections per client. */
#ifndef MM_HTTP_COMMON_H
#define MM_HTTP_COMMON_H

#include "base/strbuf.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* 5xx, 429 and connections that broke or never came up. */
bool mm_http_retryable(CURLcode rc, long status);
/* " (after 1 attempt)" or " (after N attempts)": how every retried
 * request says how often it was tried, in one wording. */
void mm_http_attempts_text(int attempts, char *out, size_t n);

/* What a request sends: bytes from memory (data), or head_len bytes of
 * head followed by the rest of `length` from fd at offset. */
typedef struct mm_http_body {
    const char *data;
    const char *head;
    size_t head_len;
    int fd;
    off_t offset;
    uint64_t length, sent;
    /* The body's checksum as the service's header carries it: S3 the hex
     * SHA-256 (x-amz-content-sha256, signed, so the server refuses a body
     * that does not match; "" = UNSIGNED-PAYLOAD), Azure the base64 MD5
     * (Content-MD5; "" = none). */
    char digest[65];
} mm_http_body;

/* Makes handle c send b, from its start (again after a kept connection
 * turned out closed). */
void mm_http_body_attach(CURL *c, mm_http_body *b);

/* What one attempt of a request got back. The caller sets sink_fd (-1 for
 * none) and may set text_cap; the request sets service_header; the rest is
 * filled by the callbacks mm_http_response_attach installs. */
typedef struct mm_http_response {
    long status;                /* of the last status line (after 100 Continue, a redirect) */
    char etag[128];
    int64_t content_length;     /* -1: not said */
    /* One header of the service's own, kept by name with its colon
     * ("x-amz-bucket-region:", which AWS sends with a refusal;
     * "x-ms-error-code:", Azure's reason); NULL keeps none. */
    const char *service_header;
    char service_value[96];
    mm_strbuf text;             /* a body not written to sink_fd, up to text_cap: error documents, listings */
    size_t text_cap;            /* 0 = 64 KiB */
    /* Downloads: a 2xx body goes to this file (-1 = none) from offset 0 on
     * every attempt; sunk counts the bytes written, sink_errno says why
     * writing stopped (the transfer then stops too). */
    int sink_fd;
    uint64_t sunk;
    int sink_errno;
    /* The server kept refusing the body as not matching its checksum. */
    bool body_refused;
} mm_http_response;

/* Clears what an attempt fills, the text freed (r zero-initialised, or
 * reset before, is fine); the caller frees r->text after the request. */
void mm_http_response_reset(mm_http_response *r);
/* Makes handle c fill r with the response's head and body. */
void mm_http_response_attach(CURL *c, mm_http_response *r);

/* Connections, DNS answers and TLS sessions kept between requests and
 * shared by every thread of one client: thousands of small requests (the
 * resume checks of a dump of many batches) then pay one connect per
 * worker, not one each. libcurl's share interface does the pooling; this
 * only adds the locks its threads need. */
typedef struct mm_http_pool mm_http_pool;

mm_http_pool *mm_http_pool_new(void);   /* NULL when out of memory */
void mm_http_pool_free(mm_http_pool *pool);
/* Makes request c draw its connection from the pool (pool may be NULL). */
void mm_http_pool_use(mm_http_pool *pool, CURL *c);

#endif
