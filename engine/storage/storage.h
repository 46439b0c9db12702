/* One interface over the object stores we stage on and read 1.x segments
 * from: S3-compatible (AWS, MinIO, GCS interop, Alibaba OSS, Tencent COS,
 * Swift s3api) and Azure Blob. Each backend fills an ops table; callers
 * only see mm_storage. Keys are object names inside the bucket/container,
 * without a leading '/'. Secrets never appear in errors. */
#ifndef MM_STORAGE_H
#define MM_STORAGE_H

#include "config/config.h"
#include "base/error.h"
#include "storage/part_digest.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct mm_storage mm_storage;

/* An object's bytes taken from where they already are: head_len bytes of
 * head (an .npy header), then `length` bytes of fd at offset. path names
 * the file in messages. */
typedef struct mm_storage_source {
    const void *head;
    size_t head_len;
    int fd;
    uint64_t offset, length;
    const char *path;
} mm_storage_source;

/* What HEAD tells about an object. */
typedef struct mm_storage_object {
    int64_t size;          /* -1 when the object does not exist */
    char etag[128];        /* as the server sent it, quotes included; "" if none */
} mm_storage_object;

/* Called once per object found by list; return non-zero to stop early
 * (list then returns that value without setting err). */
typedef int (*mm_storage_list_fn)(void *ctx, const char *key, int64_t size);

typedef struct mm_storage_ops {
    /* "s3://bucket at http://host:port", "azure://container at https://acct.blob...". */
    const char *(*describe)(const mm_storage *st);
    /* Reachable, credentials accepted, bucket/container exists. */
    int (*check)(mm_storage *st, mm_error *err);
    /* Uploads a local file to key, whole or in parts, with retries.
     * digest: SHA-256s of the file's parts of digest_part_size bytes,
     * computed while it was written, or NULL; backends that sign or check
     * bodies some other way ignore it. */
    int (*put_file)(mm_storage *st, const char *key, const char *path, const mm_part_digest *digest,
                    mm_error *err);
    /* The same for an object sent from a mm_storage_source; NULL = the
     * backend uploads files only. */
    int (*put_source)(mm_storage *st, const char *key, const mm_storage_source *src, const mm_part_digest *digest,
                      mm_error *err);
    /* The part size whose SHA-256s put_file uses; NULL = none. */
    uint64_t (*digest_part_size)(const mm_storage *st);
    /* Size and ETag of an object; size -1 when it does not exist. */
    int (*head)(mm_storage *st, const char *key, mm_storage_object *out, mm_error *err);
    /* A missing object is not an error. */
    int (*remove)(mm_storage *st, const char *key, mm_error *err);
    /* Downloads key to path: written as <path>.partial, fsynced, renamed,
     * so an interrupted download never looks complete. */
    int (*get_file)(mm_storage *st, const char *key, const char *path, mm_error *err);
    /* Every object whose key starts with prefix, in key order. */
    int (*list)(mm_storage *st, const char *prefix, mm_storage_list_fn fn, void *ctx, mm_error *err);
    void (*close)(mm_storage *st);
} mm_storage_ops;

/* Backends embed this as their first member (and leave credentials
 * zeroed: mm_storage_open fills it). */
struct mm_storage {
    const mm_storage_ops *ops;
    /* How the bucket is accessed, for the user, never a secret: "access key
     * AKIA... from ...", "Shared Key of account ...", "SAS token", ... */
    char credentials[256];
};

typedef struct mm_storage_tuning {
    uint64_t part_size;    /* multipart/block size; 0 = backend default */
    int max_retries;       /* per request; 0 = 5 */
    int retry_base_ms;     /* first backoff; 0 = 200 */
} mm_storage_tuning;

/* Opens the bucket described by source.remote.* or target.remote.*:
 * `cloud` picks the backend and its default endpoint and addressing.
 * `side` ("source.remote" or "target.remote") names the keys in errors.
 * Does not check the bucket; call mm_storage_check. */
int mm_storage_open(const mm_config_remote *remote, const char *side, const mm_storage_tuning *tuning,
                    mm_storage **out, mm_error *err);

/* What mm_storage_describe says of the bucket once it is open, without
 * opening it: no credentials are looked for (useIAM reads nothing), no
 * request is sent. malloc'd; NULL with err set for a config that names no
 * bucket. */
char *mm_storage_label(const mm_config_remote *remote, const char *side, mm_error *err);

static inline const char *mm_storage_describe(const mm_storage *st) { return st->ops->describe(st); }
static inline const char *mm_storage_credentials(const mm_storage *st) { return st->credentials; }
static inline int mm_storage_check(mm_storage *st, mm_error *err) { return st->ops->check(st, err); }
static inline int mm_storage_put_file(mm_storage *st, const char *key, const char *path, mm_error *err)
{
    return st->ops->put_file(st, key, path, NULL, err);
}
static inline int mm_storage_put_file_digested(mm_storage *st, const char *key, const char *path,
                                               const mm_part_digest *digest, mm_error *err)
{
    return st->ops->put_file(st, key, path, digest, err);
}
static inline bool mm_storage_can_put_source(const mm_storage *st)
{
    return st->ops->put_source != NULL;
}
static inline int mm_storage_put_source(mm_storage *st, const char *key, const mm_storage_source *src,
                                        const mm_part_digest *digest, mm_error *err)
{
    return st->ops->put_source(st, key, src, digest, err);
}
/* 0 when the backend has no use for part digests. */
static inline uint64_t mm_storage_digest_part_size(const mm_storage *st)
{
    return st->ops->digest_part_size ? st->ops->digest_part_size(st) : 0;
}
static inline int mm_storage_stat(mm_storage *st, const char *key, mm_storage_object *out, mm_error *err)
{
    return st->ops->head(st, key, out, err);
}
/* *size = -1 when the object does not exist. */
static inline int mm_storage_head(mm_storage *st, const char *key, int64_t *size, mm_error *err)
{
    mm_storage_object o;
    int rc = st->ops->head(st, key, &o, err);
    *size = rc == 0 ? o.size : -1;
    return rc;
}
static inline int mm_storage_remove(mm_storage *st, const char *key, mm_error *err)
{
    return st->ops->remove(st, key, err);
}
static inline int mm_storage_get_file(mm_storage *st, const char *key, const char *path, mm_error *err)
{
    return st->ops->get_file(st, key, path, err);
}
static inline int mm_storage_list(mm_storage *st, const char *prefix, mm_storage_list_fn fn, void *ctx,
                                  mm_error *err)
{
    return st->ops->list(st, prefix, fn, ctx, err);
}
static inline void mm_storage_close(mm_storage *st)
{
    if (st)
        st->ops->close(st);
}

#endif
