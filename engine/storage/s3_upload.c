/* Uploads: one PUT for small files, multipart with parts sent on a few
 * threads for large ones. Every body is signed with its SHA-256
 * (x-amz-content-sha256), so a byte damaged on the way is refused (and sent
 * again) instead of stored; SHA-256 rather than Content-MD5 because it is
 * part of the signature and, with the CPU's SHA extensions, several times
 * cheaper to compute. */
#include "storage/s3_internal.h"

#include <openssl/evp.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { HASH_BLOCK = 1 << 20 };

static int compute_sha256(mm_s3_body *b)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    char *buf = malloc(HASH_BLOCK);
    int rc = (ctx && buf && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1) ? 0 : -1;
    for (uint64_t done = 0; rc == 0 && done < b->length;) {
        size_t want = b->length - done < HASH_BLOCK ? (size_t)(b->length - done) : HASH_BLOCK;
        ssize_t got = pread(b->fd, buf, want, b->offset + (off_t)done);
        if (got <= 0 || EVP_DigestUpdate(ctx, buf, (size_t)got) != 1)
            rc = -1;
        else
            done += (uint64_t)got;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (rc == 0 && EVP_DigestFinal_ex(ctx, digest, &len) == 1 && len == 32)
        for (unsigned int i = 0; i < len; i++)
            snprintf(b->sha256 + 2 * i, 3, "%02x", digest[i]);
    else
        rc = -1;
    EVP_MD_CTX_free(ctx);
    free(buf);
    return rc;
}

static int put_single(mm_s3 *s3, const char *key, int fd, uint64_t size, mm_error *err)
{
    mm_s3_body b = {.fd = fd, .length = size};
    if (compute_sha256(&b) != 0)
        b.sha256[0] = '\0';
    mm_s3_response r = {.sink_fd = -1};
    mm_s3_call call = {.method = "PUT", .key = key, .in = &b, .content_type = "application/octet-stream"};
    int rc = mm_s3_request(s3, &call, &r, err);
    mm_strbuf_free(&r.text);
    return rc;
}

enum { PART_THREADS = 4 };

/* Parts of one multipart upload, shared by the threads that send them. */
typedef struct part_job {
    mm_s3 *s3;
    const char *key, *upload_id;
    int fd;
    uint64_t size, parts;
    char (*etags)[128];
    pthread_mutex_t lock;
    uint64_t next;
    bool failed;
    mm_error err;
} part_job;

static void *send_parts(void *arg)
{
    part_job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->lock);
        uint64_t n = j->failed || j->next > j->parts ? 0 : j->next++;
        pthread_mutex_unlock(&j->lock);
        if (n == 0)
            return NULL;
        uint64_t off = (n - 1) * j->s3->part_size;
        uint64_t len = j->size - off < j->s3->part_size ? j->size - off : j->s3->part_size;
        mm_s3_body b = {.fd = j->fd, .offset = (off_t)off, .length = len};
        if (compute_sha256(&b) != 0)
            b.sha256[0] = '\0';
        char *query = mm_asprintf("partNumber=%llu&uploadId=%s", (unsigned long long)n, j->upload_id);
        mm_s3_response r = {.sink_fd = -1};
        mm_error err;
        mm_error_clear(&err);
        mm_s3_call call = {.method = "PUT", .key = j->key, .query = query, .in = &b};
        int rc = query ? mm_s3_request(j->s3, &call, &r, &err)
                       : mm_error_set(&err, MM_ERR_NOMEM, "S3 upload: out of memory");
        if (rc == 0)
            memcpy(j->etags[n - 1], r.etag, sizeof r.etag);
        mm_strbuf_free(&r.text);
        free(query);
        if (rc != 0) {
            pthread_mutex_lock(&j->lock);
            if (!j->failed) {
                j->failed = true;
                j->err = err;
            }
            pthread_mutex_unlock(&j->lock);
        }
    }
}

/* Parts go up on a few threads at once: one TCP stream rarely fills the
 * link to an object store. */
static int put_multipart(mm_s3 *s3, const char *key, int fd, uint64_t size, mm_error *err)
{
    mm_s3_response r = {.sink_fd = -1};
    /* libcurl 7.88 signs the query as written: bare subresources need "=". */
    mm_s3_call start = {.method = "POST", .key = key, .query = "uploads="};
    if (mm_s3_request(s3, &start, &r, err) != 0) {
        mm_strbuf_free(&r.text);
        return -1;
    }
    char upload_id[512];
    mm_s3_xml_text(r.text.data, r.text.len, "UploadId", upload_id, sizeof upload_id);
    mm_strbuf_free(&r.text);
    if (!upload_id[0])
        return mm_error_set(err, MM_ERR_IO, "S3 POST s3://%s/%s: no UploadId in the answer", s3->bucket, key);
    char *id = mm_s3_percent_encode(upload_id, false);
    part_job job = {.s3 = s3, .key = key, .upload_id = id ? id : "", .fd = fd, .size = size, .next = 1,
                    .parts = (size + s3->part_size - 1) / s3->part_size};
    job.etags = calloc(job.parts, sizeof *job.etags);
    pthread_mutex_init(&job.lock, NULL);
    int rc = (id && job.etags) ? 0 : mm_error_set(err, MM_ERR_NOMEM, "S3 upload: out of memory");
    if (rc == 0) {
        pthread_t threads[PART_THREADS];
        int started = 0;
        for (; started < PART_THREADS && (uint64_t)started < job.parts; started++)
            if (pthread_create(&threads[started], NULL, send_parts, &job) != 0)
                break;
        if (started == 0)
            send_parts(&job);
        for (int t = 0; t < started; t++)
            pthread_join(threads[t], NULL);
        if (job.failed) {
            if (err)
                *err = job.err;
            rc = -1;
        }
    }
    mm_strbuf complete;
    mm_strbuf_init(&complete);
    mm_strbuf_append(&complete, "<CompleteMultipartUpload>");
    for (uint64_t n = 1; rc == 0 && n <= job.parts; n++)
        mm_strbuf_appendf(&complete, "<Part><PartNumber>%llu</PartNumber><ETag>%s</ETag></Part>",
                          (unsigned long long)n, job.etags[n - 1]);
    mm_strbuf_append(&complete, "</CompleteMultipartUpload>");
    char *query = mm_asprintf("uploadId=%s", id ? id : "");
    if (rc == 0) {
        mm_s3_body b = {.data = complete.data, .length = complete.len};
        mm_s3_call finish = {.method = "POST", .key = key, .query = query, .in = &b, .content_type = "application/xml"};
        rc = mm_s3_request(s3, &finish, &r, err);
        mm_strbuf_free(&r.text);
    }
    if (rc != 0) {
        /* Leave no half upload accruing storage; the error already says why. */
        mm_s3_call abort_upload = {.method = "DELETE", .key = key, .query = query, .allow_404 = true};
        mm_s3_request(s3, &abort_upload, &r, NULL);
        mm_strbuf_free(&r.text);
    }
    pthread_mutex_destroy(&job.lock);
    free(job.etags);
    free(query);
    free(id);
    mm_strbuf_free(&complete);
    return rc;
}

int mm_s3_put_file(mm_s3 *s3, const char *key, const char *path, mm_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mm_error_errno(err, errno, "open for upload", path);
    struct stat st;
    int rc = fstat(fd, &st) == 0 ? 0 : mm_error_errno(err, errno, "stat", path);
    if (rc == 0)
        rc = (uint64_t)st.st_size > s3->part_size ? put_multipart(s3, key, fd, (uint64_t)st.st_size, err)
                                                  : put_single(s3, key, fd, (uint64_t)st.st_size, err);
    close(fd);
    return rc;
}
