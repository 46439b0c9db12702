/* One conformance suite for every storage backend (storage/storage.h),
 * run against a real server by each backend's test (Swift s3api for S3,
 * Azurite for Azure Blob): the same cases, the same assertions. Each test
 * adds the cases only its backend has (signing, credentials, addressing). */
#ifndef MM_STORAGE_CONFORMANCE_H
#define MM_STORAGE_CONFORMANCE_H

#include "base/strbuf.h"
#include "storage/storage.h"

#include <stddef.h>

typedef struct mm_conformance {
    /* A backend on its test bucket or container, which exists. */
    mm_storage *(*open)(void);
    const char *dir;            /* scratch directory */
    /* Four objects under dir/: empty.npy (0 bytes), exact.npy (one part:
     * a single request), a key that needs escaping (1000 bytes) and one
     * of several parts. */
    const char *escaped_key;
    size_t part_size;
    const char *parts_key;
    size_t parts_size;
    int stop_after;             /* a listing stopped after this many keys (across a page boundary) */
    /* The exact message of a GET of dir/missing.npy. malloc'd. */
    char *(*missing_message)(void);
} mm_conformance;

/* Runs the cases (MM_RUN), in order: uploads, listings, removal. */
void mm_storage_conformance(const mm_conformance *c);

/* A listing as text ("key=size;" each), stopped (the callback returns 7)
 * after stop_after keys; -1: never. For mm_storage_list with
 * mm_conformance_collect. */
typedef struct mm_conformance_seen {
    mm_strbuf text;
    int stop_after;
} mm_conformance_seen;

int mm_conformance_collect(void *ctx, const char *key, int64_t size);

/* Writes a file of `size` patterned bytes into dir; its path, malloc'd. */
char *mm_conformance_pattern(const char *dir, const char *name, size_t size);
/* The two files hold the same bytes. */
bool mm_conformance_same_file(const char *a, const char *b);
/* Uploads a patterned file to key, reads it back (head, get, stat) and
 * checks that writing other bytes under the key changes its ETag. */
void mm_conformance_round_trip(mm_storage *st, const char *dir, const char *key, size_t size);

#endif
