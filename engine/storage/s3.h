/* S3-compatible object storage over libcurl (AWS, MinIO, GCS interop,
 * Alibaba OSS, Tencent COS, OpenStack Swift s3api): SigV4 signing by
 * libcurl (CURLOPT_AWS_SIGV4), path-style or virtual-host addressing, https
 * with the system CAs or a CA file, known Content-Length, multipart upload
 * for large files, downloads that appear only when complete, listings
 * (ListObjectsV2), retries with backoff on 5xx/429 and connection failures.
 * Secrets never appear in errors. */
#ifndef MM_S3_H
#define MM_S3_H

#include "base/error.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct mm_s3_options {
    const char *endpoint;     /* host[:port]; NULL/"" = s3.<region>.amazonaws.com */
    bool use_ssl;
    bool virtual_host;        /* bucket.host/key instead of host/bucket/key */
    const char *ca_file;      /* PEM bundle for https; NULL/"" = system CAs */
    const char *side;         /* "source.remote" or "target.remote" (default): names keys in messages */
    const char *region;       /* "" = us-east-1 */
    const char *bucket;
    const char *access_key;
    const char *secret_key;
    const char *session_token; /* temporary credentials: sent as x-amz-security-token */
    /* Where useIAM found the credentials ("environment variables ...",
     * "profile 'x' of ..."), or NULL when they are <side>.ak and <side>.sk:
     * what a refusal tells the user to fix. */
    const char *iam_source;
    uint64_t part_size;       /* multipart above this; >= 5 MiB */
    int max_retries;          /* per request */
    int retry_base_ms;        /* first backoff; doubles */
    int list_page_keys;       /* keys per ListObjectsV2 page; 0 = 1000 (tests use small pages) */
} mm_s3_options;

typedef struct mm_s3 mm_s3;

int mm_s3_open(const mm_s3_options *opt, mm_s3 **out, mm_error *err);
void mm_s3_close(mm_s3 *s3);
/* "s3://bucket at http://host:port" for messages. */
const char *mm_s3_describe(const mm_s3 *s3);

/* HEAD bucket: reachable, credentials accepted, bucket exists. */
int mm_s3_check_bucket(mm_s3 *s3, mm_error *err);
/* Uploads a local file to key (single PUT or multipart). digest (may be
 * NULL) holds the SHA-256s of its parts of mm_s3_part_size bytes; one that
 * does not fit the file is ignored. */
struct mm_part_digest;
int mm_s3_put_file(mm_s3 *s3, const char *key, const char *path, const struct mm_part_digest *digest,
                   mm_error *err);
/* The same for an object made of head_len bytes of head followed by
 * `length` bytes of fd at offset (path names the file in messages). */
int mm_s3_put_range(mm_s3 *s3, const char *key, const void *head, size_t head_len, int fd, uint64_t offset,
                    uint64_t length, const char *path, const struct mm_part_digest *digest, mm_error *err);
uint64_t mm_s3_part_size(const mm_s3 *s3);
/* DELETE of one object; a missing object is not an error. */
int mm_s3_delete(mm_s3 *s3, const char *key, mm_error *err);
/* *size = -1 when the object does not exist; etag (etag_len bytes, may
 * be NULL) receives the ETag header, "" when none. */
int mm_s3_head(mm_s3 *s3, const char *key, int64_t *size, char *etag, size_t etag_len, mm_error *err);
/* Downloads key into <path>.partial, checks its length, fsyncs it and
 * renames it to path; a failed download leaves neither file. */
int mm_s3_get_file(mm_s3 *s3, const char *key, const char *path, mm_error *err);
/* Calls fn(ctx, key, size) for every object whose key starts with prefix,
 * in key order, a page of ListObjectsV2 at a time. fn returning non-zero
 * stops the listing; that value is returned and err is left alone. */
int mm_s3_list(mm_s3 *s3, const char *prefix, int (*fn)(void *ctx, const char *key, int64_t size), void *ctx,
               mm_error *err);

/* The S3 backend of engine/storage/storage.h. */
struct mm_storage;
int mm_storage_s3_open(const mm_s3_options *opt, struct mm_storage **out, mm_error *err);

#endif
