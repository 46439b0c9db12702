/* What the S3 and Azure clients share over libcurl: which failures are
 * worth another attempt, reading a header's value, and writing a download
 * body into its file. */
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

#endif
