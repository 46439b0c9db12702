/* Uploads: one PUT for small objects, multipart with parts sent on a few
 * threads for large ones. An object's bytes are a few bytes from memory (an
 * .npy header, or nothing) followed by a range of a file, so the dump can
 * send a batch straight from the 1.x segment file without staging a copy.
 * Every body is signed with its SHA-256 (x-amz-content-sha256), so a byte
 * damaged on the way is refused (and sent again) instead of stored;
 * SHA-256 rather than Content-MD5 because it is part of the signature and,
 * with the CPU's SHA extensions, several times cheaper to compute. The dump
 * hands over the hashes it computed while reading the bytes
 * (part_digest.h); other callers' files are hashed here. */
#include "storage/part_digest.h"
#include "storage/parts.h"
#include "storage/s3_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What one upload sends: head[0..head_len) then `length` bytes of fd at
 * offset; path names the file in messages. */
typedef struct source {
    const char *head;
    size_t head_len;
    int fd;
    uint64_t offset, length;
    const char *path;
    const mm_part_digest *given;    /* fits this object's parts, or NULL */
} source;

static uint64_t source_size(const source *s)
{
    return s->head_len + s->length;
}

/* The body for bytes [from, from + len) of the object. */
static mm_s3_body body_of(const source *s, uint64_t from, uint64_t len)
{
    mm_s3_body b = {.fd = s->fd, .length = len};
    if (from < s->head_len) {
        b.head = s->head + from;
        b.head_len = s->head_len - from < len ? (size_t)(s->head_len - from) : (size_t)len;
        b.offset = (off_t)s->offset;
    } else {
        b.offset = (off_t)(s->offset + (from - s->head_len));
    }
    return b;
}

/* The part's SHA-256 from the digest the caller computed while reading
 * the bytes, else from a pass over them; "" (UNSIGNED-PAYLOAD) if neither
 * works, which still uploads. */
static void body_sha256(mm_s3_body *b, const source *s, uint64_t part)
{
    if (s->given)
        memcpy(b->digest, mm_part_digest_hex(s->given, part), sizeof b->digest);
    else if (mm_sha256_range(b->head, b->head_len, b->fd, (uint64_t)b->offset, b->length - b->head_len,
                             b->digest) != 0)
        b->digest[0] = '\0';
}

static int put_single(mm_s3 *s3, const char *key, const source *s, bool *refused, mm_error *err)
{
    mm_s3_body b = body_of(s, 0, source_size(s));
    body_sha256(&b, s, 0);
    mm_s3_response r = {.sink_fd = -1};
    mm_s3_call call = {.method = "PUT", .key = key, .in = &b, .content_type = "application/octet-stream"};
    int rc = mm_s3_request(s3, &call, &r, err);
    *refused = rc != 0 && r.body_refused;
    mm_strbuf_free(&r.text);
    return rc;
}

/* One multipart upload, as the parts runner (parts.h) drives it. */
typedef struct multipart {
    mm_s3 *s3;
    const char *key;
    const source *src;
    char *upload_id;            /* percent-encoded */
    char (*etags)[128];
    pthread_mutex_t lock;       /* guards refused */
    bool failed, refused;       /* the first failed part's body was refused */
} multipart;

static void abort_upload(void *ctx)
{
    multipart *m = ctx;
    /* Leave no half upload accruing storage; the error already says why. */
    char *query = mm_asprintf("uploadId=%s", m->upload_id ? m->upload_id : "");
    mm_s3_response r = {.sink_fd = -1};
    mm_s3_call abort_call = {.method = "DELETE", .key = m->key, .query = query, .allow_404 = true};
    mm_s3_request(m->s3, &abort_call, &r, NULL);
    mm_strbuf_free(&r.text);
    free(query);
}

static int begin_upload(void *ctx, uint64_t parts, mm_error *err)
{
    multipart *m = ctx;
    mm_s3_response r = {.sink_fd = -1};
    /* libcurl 7.88 signs the query as written: bare subresources need "=". */
    mm_s3_call start = {.method = "POST", .key = m->key, .query = "uploads="};
    if (mm_s3_request(m->s3, &start, &r, err) != 0) {
        mm_strbuf_free(&r.text);
        return -1;
    }
    char upload_id[512];
    mm_s3_xml_text(r.text.data, r.text.len, "UploadId", upload_id, sizeof upload_id);
    mm_strbuf_free(&r.text);
    if (!upload_id[0])
        return mm_error_set(err, MM_ERR_IO, "S3 POST s3://%s/%s: no UploadId in the answer", m->s3->bucket, m->key);
    m->upload_id = mm_s3_percent_encode(upload_id, false);
    m->etags = calloc(parts, sizeof *m->etags);
    if (m->upload_id && m->etags)
        return 0;
    abort_upload(m);
    return mm_error_set(err, MM_ERR_NOMEM, "S3 upload: out of memory");
}

static int send_part(void *ctx, uint64_t n, uint64_t off, uint64_t len, mm_error *err)
{
    multipart *m = ctx;
    mm_s3_body b = body_of(m->src, off, len);
    body_sha256(&b, m->src, n - 1);
    char *query = mm_asprintf("partNumber=%llu&uploadId=%s", (unsigned long long)n, m->upload_id);
    mm_s3_response r = {.sink_fd = -1};
    mm_s3_call call = {.method = "PUT", .key = m->key, .query = query, .in = &b};
    int rc = query ? mm_s3_request(m->s3, &call, &r, err) : mm_error_set(err, MM_ERR_NOMEM, "S3 upload: out of memory");
    if (rc == 0)
        memcpy(m->etags[n - 1], r.etag, sizeof r.etag);
    if (rc != 0) {
        pthread_mutex_lock(&m->lock);
        if (!m->failed) {
            m->failed = true;
            m->refused = r.body_refused;
        }
        pthread_mutex_unlock(&m->lock);
    }
    mm_strbuf_free(&r.text);
    free(query);
    return rc;
}

static int complete_upload(void *ctx, uint64_t parts, mm_error *err)
{
    multipart *m = ctx;
    mm_strbuf complete;
    mm_strbuf_init(&complete);
    mm_strbuf_append(&complete, "<CompleteMultipartUpload>");
    for (uint64_t n = 1; n <= parts; n++)
        mm_strbuf_appendf(&complete, "<Part><PartNumber>%llu</PartNumber><ETag>%s</ETag></Part>",
                          (unsigned long long)n, m->etags[n - 1]);
    mm_strbuf_append(&complete, "</CompleteMultipartUpload>");
    char *query = mm_asprintf("uploadId=%s", m->upload_id);
    mm_s3_body b = {.data = complete.data, .length = complete.len};
    mm_s3_response r = {.sink_fd = -1};
    mm_s3_call finish = {.method = "POST", .key = m->key, .query = query, .in = &b, .content_type = "application/xml"};
    int rc = query && mm_strbuf_ok(&complete) ? mm_s3_request(m->s3, &finish, &r, err)
                                               : mm_error_set(err, MM_ERR_NOMEM, "S3 upload: out of memory");
    mm_strbuf_free(&r.text);
    mm_strbuf_free(&complete);
    free(query);
    return rc;
}

/* Parts go up through the parts runner (parts.h): several at once. */
static int put_multipart(mm_s3 *s3, const char *key, const source *s, bool *refused, mm_error *err)
{
    multipart m = {.s3 = s3, .key = key, .src = s};
    pthread_mutex_init(&m.lock, NULL);
    mm_parts_upload u = {.size = source_size(s), .part_size = s3->part_size, .begin = begin_upload,
                         .send = send_part, .commit = complete_upload, .abort = abort_upload, .ctx = &m};
    int rc = mm_parts_run(&u, err);
    *refused = rc != 0 && m.refused;
    pthread_mutex_destroy(&m.lock);
    free(m.etags);
    free(m.upload_id);
    return rc;
}

static int put_source(mm_s3 *s3, const char *key, source *s, const mm_part_digest *digest, mm_error *err)
{
    uint64_t size = source_size(s);
    /* A digest of other bytes than these would only be refused. */
    s->given = mm_part_digest_fits(digest, s3->part_size, size) ? digest : NULL;
    bool refused = false;
    int rc = size > s3->part_size ? put_multipart(s3, key, s, &refused, err) : put_single(s3, key, s, &refused, err);
    if (rc != 0 && refused && s->given && err) {
        size_t n = strlen(err->message);
        snprintf(err->message + n, sizeof err->message - n, "; %s changed after its bytes were hashed for this "
                 "upload (modified, or damaged on disk): check that disk and that nothing writes to the file, then "
                 "run the command again", s->path);
    }
    return rc;
}

int mm_s3_put_file(mm_s3 *s3, const char *key, const char *path, const mm_part_digest *digest, mm_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mm_error_errno(err, errno, "open for upload", path);
    struct stat st;
    int rc = fstat(fd, &st) == 0 ? 0 : mm_error_errno(err, errno, "stat", path);
    source s = {.fd = fd, .length = rc == 0 ? (uint64_t)st.st_size : 0, .path = path};
    if (rc == 0)
        rc = put_source(s3, key, &s, digest, err);
    close(fd);
    return rc;
}

int mm_s3_put_range(mm_s3 *s3, const char *key, const void *head, size_t head_len, int fd, uint64_t offset,
                    uint64_t length, const char *path, const mm_part_digest *digest, mm_error *err)
{
    source s = {.head = head, .head_len = head_len, .fd = fd, .offset = offset, .length = length, .path = path};
    return put_source(s3, key, &s, digest, err);
}
