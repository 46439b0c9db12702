/* What the S3 and Azure clients share over libcurl: which failures are
 * worth another attempt, reading a header's value, writing a download
 * body into its file, and one pool of open connections per client. */
#ifndef MM_HTTP_COMMON_H
#define MM_HTTP_COMMON_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 5xx, 429 and connections that broke or never came up. */
bool mm_http_retryable(CURLcode rc, long status);
/* The value of a header line data[0..len) after its first `skip` bytes
 * (the name and colon), without surrounding blanks or the line end. */
void mm_http_header_value(const char *data, size_t len, size_t skip, char *out, size_t n);
/* " (after 1 attempt)" or " (after N attempts)": how every retried
 * request says how often it was tried, in one wording. */
void mm_http_attempts_text(int attempts, char *out, size_t n);
/* Writes len bytes at offset `at` of fd; 0, or the errno that stopped it. */
int mm_http_sink_write(int fd, const char *data, size_t len, uint64_t at);

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
