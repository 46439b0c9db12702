#include "storage/part_digest.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct mm_part_digest {
    uint64_t part_size, total, in_part;
    EVP_MD_CTX *ctx;        /* the part being hashed, NULL between parts */
    char (*hex)[65];
    size_t count, cap;
    bool broken, finished;
};

mm_part_digest *mm_part_digest_new(uint64_t part_size)
{
    if (part_size == 0)
        return NULL;
    mm_part_digest *d = calloc(1, sizeof *d);
    if (d)
        d->part_size = part_size;
    return d;
}

static int end_part(mm_part_digest *d)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    int ok = EVP_DigestFinal_ex(d->ctx, digest, &len) == 1 && len == 32;
    EVP_MD_CTX_free(d->ctx);
    d->ctx = NULL;
    d->in_part = 0;
    if (ok && d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        char (*grown)[65] = realloc(d->hex, cap * sizeof *grown);
        if (grown) {
            d->hex = grown;
            d->cap = cap;
        }
        else
            ok = 0;
    }
    if (!ok)
        return -1;
    for (unsigned int i = 0; i < len; i++)
        snprintf(d->hex[d->count] + 2 * i, 3, "%02x", digest[i]);
    d->count++;
    return 0;
}

int mm_part_digest_update(mm_part_digest *d, const void *bytes, size_t n)
{
    const unsigned char *p = bytes;
    while (!d->broken && !d->finished && n > 0) {
        if (!d->ctx) {
            d->ctx = EVP_MD_CTX_new();
            if (!d->ctx || EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1) {
                d->broken = true;
                break;
            }
        }
        uint64_t room = d->part_size - d->in_part;
        size_t take = n < room ? n : (size_t)room;
        if (EVP_DigestUpdate(d->ctx, p, take) != 1) {
            d->broken = true;
            break;
        }
        d->in_part += take;
        d->total += take;
        p += take;
        n -= take;
        if (d->in_part == d->part_size && end_part(d) != 0)
            d->broken = true;
    }
    return d->broken || d->finished ? -1 : 0;
}

int mm_part_digest_finish(mm_part_digest *d)
{
    if (!d->broken && !d->finished && d->ctx && end_part(d) != 0)
        d->broken = true;
    d->finished = true;
    return d->broken ? -1 : 0;
}

void mm_part_digest_free(mm_part_digest *d)
{
    if (!d)
        return;
    EVP_MD_CTX_free(d->ctx);
    free(d->hex);
    free(d);
}

uint64_t mm_part_digest_part_size(const mm_part_digest *d) { return d->part_size; }
uint64_t mm_part_digest_total(const mm_part_digest *d) { return d->total; }
size_t mm_part_digest_count(const mm_part_digest *d) { return d->count; }
const char *mm_part_digest_hex(const mm_part_digest *d, size_t i) { return d->hex[i]; }

int mm_part_digest_fits(const mm_part_digest *d, uint64_t part_size, uint64_t size)
{
    return d && d->finished && !d->broken && d->part_size == part_size && d->total == size &&
           d->count == (size_t)((size + part_size - 1) / part_size);
}

enum { HASH_BLOCK = 1 << 20 };

int mm_sha256_range(const void *head, size_t head_len, int fd, uint64_t offset, uint64_t length, char hex[65])
{
    /* One part as large as everything: its digest is the whole SHA-256. */
    mm_part_digest *d = mm_part_digest_new(head_len + length + 1);
    char *buf = malloc(HASH_BLOCK);
    int rc = d && buf ? 0 : -1;
    if (rc == 0 && head_len)
        rc = mm_part_digest_update(d, head, head_len);
    for (uint64_t done = 0; rc == 0 && done < length;) {
        size_t want = length - done < HASH_BLOCK ? (size_t)(length - done) : HASH_BLOCK;
        ssize_t got = pread(fd, buf, want, (off_t)(offset + done));
        if (got <= 0 || mm_part_digest_update(d, buf, (size_t)got) != 0)
            rc = -1;
        else
            done += (uint64_t)got;
    }
    if (rc == 0)
        rc = mm_part_digest_finish(d);
    if (rc == 0 && mm_part_digest_count(d) == 1)
        memcpy(hex, mm_part_digest_hex(d, 0), 65);
    else if (rc == 0 && head_len + length == 0)
        /* SHA-256 of no bytes: the parts loop never starts one. */
        memcpy(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 65);
    else
        rc = -1;
    free(buf);
    mm_part_digest_free(d);
    return rc;
}
