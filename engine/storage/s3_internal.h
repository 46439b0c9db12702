/* What the parts of the S3 client share: the open client, one signed
 * request with retries (s3.c), and the XML of S3 answers. Uploads are in
 * s3_upload.c, downloads and listings in s3_read.c. */
#ifndef MM_S3_INTERNAL_H
#define MM_S3_INTERNAL_H

#include "storage/s3.h"
#include "storage/http_common.h"
#include "base/strbuf.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct mm_s3 {
    char *base;         /* scheme://endpoint, for messages */
    char *bucket_url;   /* scheme://endpoint/bucket (path style) or scheme://bucket.endpoint */
    bool virtual_host;
    char *bucket, *region, *ak, *sk, *sigv4, *label, *side, *ca_file;
    char *session_token;
    char *iam_source;   /* NULL: the keys are <side>.ak and <side>.sk */
    uint64_t part_size;
    int max_retries, retry_base_ms, list_page_keys;
    struct mm_http_pool *pool;  /* connections kept between requests */
};

/* digest holds the hex SHA-256 (x-amz-content-sha256). */
typedef mm_http_body mm_s3_body;

/* service_value holds x-amz-bucket-region (set by mm_s3_request). */
typedef mm_http_response mm_s3_response;

typedef struct mm_s3_call {
    const char *method;       /* GET, PUT, POST, HEAD, DELETE */
    const char *key;          /* NULL = the bucket itself */
    const char *query;        /* sorted, %XX-encoded; NULL = none */
    mm_s3_body *in;
    const char *content_type;
    bool allow_404;           /* 404 counts as success */
    bool range_first_byte;    /* GET of byte 0 only (Range: bytes=0-0) */
} mm_s3_call;

/* One request with retries (5xx, 429, connection failures, a body damaged
 * on the way). r must have sink_fd and text_cap set; the rest is reset. */
int mm_s3_request(mm_s3 *s3, const mm_s3_call *call, mm_s3_response *r, mm_error *err);

/* Uppercase %XX of every byte but unreserved ones ('/' kept in keys). */
char *mm_s3_percent_encode(const char *text, bool keep_slash);
/* "s3://bucket/key at scheme://endpoint" for messages. malloc'd. */
char *mm_s3_target(const mm_s3 *s3, const char *key);

/* The text of the first element named tag in an S3 XML answer, entities
 * decoded, cut to n-1 bytes; "" when absent or not XML. */
void mm_s3_xml_text(const char *xml, size_t len, const char *tag, char *out, size_t n);

#endif
