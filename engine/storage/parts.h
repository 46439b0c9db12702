/* ONE runner for uploads in parts, shared by the S3 multipart upload and
 * the Azure block upload: the object's parts are sent on a few threads at
 * once (one TCP stream rarely fills the link to an object store), then the
 * upload is committed. An upload that fails after it began is abandoned
 * (abort), so nothing half-written ever becomes a visible object. */
#ifndef MM_STORAGE_PARTS_H
#define MM_STORAGE_PARTS_H

#include "base/error.h"

#include <stdint.h>

enum { MM_PARTS_THREADS = 4 };

typedef struct mm_parts_upload {
    uint64_t size, part_size;   /* the object's bytes, cut into parts of part_size (the last shorter) */
    /* Before any part: start the upload (S3: CreateMultipartUpload) or
     * refuse it (too many parts). May be NULL. */
    int (*begin)(void *ctx, uint64_t parts, mm_error *err);
    /* Part n (from 1) of the object: length bytes at offset. Called on
     * several threads at once. */
    int (*send)(void *ctx, uint64_t n, uint64_t offset, uint64_t length, mm_error *err);
    /* After every part arrived: make the object visible. */
    int (*commit)(void *ctx, uint64_t parts, mm_error *err);
    /* After begin succeeded and something failed. May be NULL. */
    void (*abort)(void *ctx);
    void *ctx;
} mm_parts_upload;

/* Runs the upload; 0, or -1 with the first failure in err. */
int mm_parts_run(const mm_parts_upload *u, mm_error *err);

#endif
