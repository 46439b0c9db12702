/* Uploads to Azure: a file up to the block size as one Put Blob, a larger
 * one as blocks sent on a few threads (Put Block, each with Content-MD5)
 * and committed by Put Block List. Blocks of a failed upload stay
 * uncommitted; the service discards them after a week and they are never
 * visible as a blob, so nothing half-written can be imported. */
#include "storage/azure_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { BLOCK_THREADS = 4, BLOCK_ID_CHARS = 24 };

/* Block ids must all have the same length: base64 of "mm-block-" and a
 * zero-padded number (17 bytes -> 24 characters). */
static void block_id(uint64_t n, char out[BLOCK_ID_CHARS + 1])
{
    char raw[18];
    /* Azure allows 50,000 blocks per blob, so n has at most 5 digits; the
     * modulo tells the compiler so too. */
    snprintf(raw, sizeof raw, "mm-block-%08u", (unsigned)(n % 100000000u));
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)raw, 17);
}

static int put_whole(mm_azure *az, const char *key, int fd, uint64_t size, mm_error *err)
{
    mm_azure_body b = {.fd = fd, .length = size};
    if (mm_azure_body_md5(&b) != 0)
        b.md5[0] = '\0';
    const mm_azure_pair h[] = {{"x-ms-blob-type", "BlockBlob"}};
    mm_azure_call call = {.method = "PUT", .key = key, .headers = h, .n_headers = 1, .body = &b};
    mm_azure_response r = {.sink_fd = -1};
    int rc = mm_azure_request(az, &call, &r, err);
    mm_strbuf_free(&r.text);
    return rc;
}

/* The blocks of one upload, shared by the threads that send them. */
typedef struct block_job {
    mm_azure *az;
    const char *key;
    int fd;
    uint64_t size, blocks;
    pthread_mutex_t lock;
    uint64_t next;
    bool failed;
    mm_error err;
} block_job;

static void *send_blocks(void *arg)
{
    block_job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->lock);
        uint64_t n = j->failed || j->next > j->blocks ? 0 : j->next++;
        pthread_mutex_unlock(&j->lock);
        if (n == 0)
            return NULL;
        uint64_t off = (n - 1) * j->az->block_size;
        uint64_t len = j->size - off < j->az->block_size ? j->size - off : j->az->block_size;
        mm_azure_body b = {.fd = j->fd, .offset = (off_t)off, .length = len};
        if (mm_azure_body_md5(&b) != 0)
            b.md5[0] = '\0';
        char id[BLOCK_ID_CHARS + 1];
        block_id(n, id);
        const mm_azure_pair q[] = {{"comp", "block"}, {"blockid", id}};
        mm_azure_call call = {.method = "PUT", .key = j->key, .query = q, .n_query = 2, .body = &b};
        mm_azure_response r = {.sink_fd = -1};
        mm_error err;
        mm_error_clear(&err);
        int rc = mm_azure_request(j->az, &call, &r, &err);
        mm_strbuf_free(&r.text);
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

/* Blocks go up on a few threads at once: one TCP stream rarely fills the
 * link to an object store. */
static int put_blocks(mm_azure *az, const char *key, int fd, uint64_t size, mm_error *err)
{
    block_job job = {.az = az, .key = key, .fd = fd, .size = size, .next = 1,
                     .blocks = (size + az->block_size - 1) / az->block_size};
    if (job.blocks > 50000)
        return mm_error_set(err, MM_ERR_CONFIG, "Azure upload of %s: %llu blocks exceed the limit of 50000; raise "
                            "dumper.partSize", key, (unsigned long long)job.blocks);
    pthread_mutex_init(&job.lock, NULL);
    pthread_t threads[BLOCK_THREADS];
    int started = 0;
    for (; started < BLOCK_THREADS && (uint64_t)started < job.blocks; started++)
        if (pthread_create(&threads[started], NULL, send_blocks, &job) != 0)
            break;
    if (started == 0)
        send_blocks(&job);
    for (int t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    pthread_mutex_destroy(&job.lock);
    if (job.failed) {
        if (err)
            *err = job.err;
        return -1;
    }
    mm_strbuf list;
    mm_strbuf_init(&list);
    mm_strbuf_append(&list, "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
    for (uint64_t n = 1; n <= job.blocks; n++) {
        char id[BLOCK_ID_CHARS + 1];
        block_id(n, id);
        mm_strbuf_appendf(&list, "<Latest>%s</Latest>", id);
    }
    mm_strbuf_append(&list, "</BlockList>");
    if (!mm_strbuf_ok(&list)) {
        mm_strbuf_free(&list);
        return mm_error_set(err, MM_ERR_NOMEM, "Azure upload: out of memory");
    }
    mm_azure_body b = {.data = list.data, .fd = -1, .length = list.len};
    const mm_azure_pair q[] = {{"comp", "blocklist"}};
    mm_azure_call call = {.method = "PUT", .key = key, .query = q, .n_query = 1, .body = &b};
    mm_azure_response r = {.sink_fd = -1};
    int rc = mm_azure_request(az, &call, &r, err);
    mm_strbuf_free(&r.text);
    mm_strbuf_free(&list);
    return rc;
}

/* Blocks carry their own Content-MD5, so the dump's SHA-256s are not used. */
int mm_azure_put_file(mm_storage *st, const char *key, const char *path, const mm_part_digest *digest,
                      mm_error *err)
{
    (void)digest;
    mm_azure *az = (mm_azure *)st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mm_error_errno(err, errno, "open for upload", path);
    struct stat sb;
    int rc = fstat(fd, &sb) == 0 ? 0 : mm_error_errno(err, errno, "stat", path);
    if (rc == 0)
        rc = (uint64_t)sb.st_size > az->block_size ? put_blocks(az, key, fd, (uint64_t)sb.st_size, err)
                                                   : put_whole(az, key, fd, (uint64_t)sb.st_size, err);
    close(fd);
    return rc;
}
