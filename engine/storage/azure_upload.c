/* Uploads to Azure: a file up to the block size as one Put Blob, a larger
 * one as blocks sent on a few threads (Put Block, each with Content-MD5)
 * and committed by Put Block List. Blocks of a failed upload stay
 * uncommitted; the service discards them after a week and they are never
 * visible as a blob, so nothing half-written can be imported. */
#include "storage/azure_internal.h"
#include "storage/parts.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { BLOCK_ID_CHARS = 24 };

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
        b.digest[0] = '\0';
    const mm_azure_pair h[] = {{"x-ms-blob-type", "BlockBlob"}};
    mm_azure_call call = {.method = "PUT", .key = key, .headers = h, .n_headers = 1, .body = &b};
    mm_azure_response r = {.sink_fd = -1};
    int rc = mm_azure_request(az, &call, &r, err);
    mm_strbuf_free(&r.text);
    return rc;
}

/* One block upload, as the parts runner (parts.h) drives it. */
typedef struct blocks {
    mm_azure *az;
    const char *key;
    int fd;
} blocks;

static int check_count(void *ctx, uint64_t n, mm_error *err)
{
    const blocks *b = ctx;
    if (n > 50000)
        return mm_error_set(err, MM_ERR_CONFIG, "Azure upload of %s: %llu blocks exceed the limit of 50000; raise "
                            "dumper.partSize", b->key, (unsigned long long)n);
    return 0;
}

static int put_block(void *ctx, uint64_t n, uint64_t off, uint64_t len, mm_error *err)
{
    const blocks *bl = ctx;
    mm_azure_body b = {.fd = bl->fd, .offset = (off_t)off, .length = len};
    if (mm_azure_body_md5(&b) != 0)
        b.digest[0] = '\0';
    char id[BLOCK_ID_CHARS + 1];
    block_id(n, id);
    const mm_azure_pair q[] = {{"comp", "block"}, {"blockid", id}};
    mm_azure_call call = {.method = "PUT", .key = bl->key, .query = q, .n_query = 2, .body = &b};
    mm_azure_response r = {.sink_fd = -1};
    int rc = mm_azure_request(bl->az, &call, &r, err);
    mm_strbuf_free(&r.text);
    return rc;
}

static int put_block_list(void *ctx, uint64_t blocks_total, mm_error *err)
{
    const blocks *bl = ctx;
    mm_strbuf list;
    mm_strbuf_init(&list);
    mm_strbuf_append(&list, "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
    for (uint64_t n = 1; n <= blocks_total; n++) {
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
    mm_azure_call call = {.method = "PUT", .key = bl->key, .query = q, .n_query = 1, .body = &b};
    mm_azure_response r = {.sink_fd = -1};
    int rc = mm_azure_request(bl->az, &call, &r, err);
    mm_strbuf_free(&r.text);
    mm_strbuf_free(&list);
    return rc;
}

/* Blocks go up through the parts runner (parts.h): several at once. The
 * blocks of a failed upload are never committed, so nothing to abort. */
static int put_blocks(mm_azure *az, const char *key, int fd, uint64_t size, mm_error *err)
{
    blocks b = {az, key, fd};
    mm_parts_upload u = {.size = size, .part_size = az->block_size, .begin = check_count, .send = put_block,
                         .commit = put_block_list, .ctx = &b};
    return mm_parts_run(&u, err);
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
