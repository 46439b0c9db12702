/* SHA-256 of a byte stream cut into parts of a fixed size, computed while
 * the stream is written. The dump hashes each .npy as it reads the 1.x
 * bytes, so the upload can sign every part (x-amz-content-sha256) without
 * a second pass over the staged file and without waiting for one before
 * the first byte goes out; a part damaged anywhere between the source
 * read and the bucket is then refused by the server. */
#ifndef MM_PART_DIGEST_H
#define MM_PART_DIGEST_H

#include <stddef.h>
#include <stdint.h>

typedef struct mm_part_digest mm_part_digest;

/* A new SHA-256 starts every part_size bytes (> 0). NULL when out of memory. */
mm_part_digest *mm_part_digest_new(uint64_t part_size);
/* -1 when out of memory or the hash failed; the digest is then unusable. */
int mm_part_digest_update(mm_part_digest *d, const void *bytes, size_t n);
/* Ends the last part; no update after this. */
int mm_part_digest_finish(mm_part_digest *d);
void mm_part_digest_free(mm_part_digest *d);

uint64_t mm_part_digest_part_size(const mm_part_digest *d);
/* Bytes hashed so far. */
uint64_t mm_part_digest_total(const mm_part_digest *d);
/* Finished parts: ceil(total / part_size) after finish. */
size_t mm_part_digest_count(const mm_part_digest *d);
/* Lower-case hex SHA-256 of part i (0-based), 64 characters. */
const char *mm_part_digest_hex(const mm_part_digest *d, size_t i);

/* Whether d, finished, describes a file of `size` bytes uploaded in parts
 * of part_size; a mismatch means the caller hashes the file itself. */
int mm_part_digest_fits(const mm_part_digest *d, uint64_t part_size, uint64_t size);

/* Hex SHA-256 of head[0..head_len) followed by `length` bytes of fd at
 * offset, into hex[65]. */
int mm_sha256_range(const void *head, size_t head_len, int fd, uint64_t offset, uint64_t length, char hex[65]);

#endif
