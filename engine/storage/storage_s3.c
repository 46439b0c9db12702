/* PLACEHOLDER until the full S3 adapter (get_file, list) replaces this file
 * whole: mm_storage over the existing mm_s3 calls, so the build links. */
#include "storage.h"
#include "storage/s3.h"

#include <stdlib.h>

typedef struct s3_storage {
    mm_storage base;
    mm_s3 *s3;
} s3_storage;

static const char *describe(const mm_storage *st) { return mm_s3_describe(((const s3_storage *)st)->s3); }
static int check(mm_storage *st, mm_error *err) { return mm_s3_check_bucket(((s3_storage *)st)->s3, err); }
static int put_file(mm_storage *st, const char *key, const char *path, mm_error *err)
{
    return mm_s3_put_file(((s3_storage *)st)->s3, key, path, err);
}
static int head(mm_storage *st, const char *key, int64_t *size, mm_error *err)
{
    return mm_s3_head(((s3_storage *)st)->s3, key, size, err);
}
static int remove_key(mm_storage *st, const char *key, mm_error *err)
{
    return mm_s3_delete(((s3_storage *)st)->s3, key, err);
}
static int get_file(mm_storage *st, const char *key, const char *path, mm_error *err)
{
    (void)path;
    return mm_error_set(err, MM_ERR_INTERNAL, "S3 GET %s/%s: not available in this build", describe(st), key);
}
static int list(mm_storage *st, const char *prefix, mm_storage_list_fn fn, void *ctx, mm_error *err)
{
    (void)fn, (void)ctx;
    return mm_error_set(err, MM_ERR_INTERNAL, "S3 list %s/%s: not available in this build", describe(st), prefix);
}
static void close_storage(mm_storage *st)
{
    if (st)
        mm_s3_close(((s3_storage *)st)->s3);
    free(st);
}

static const mm_storage_ops ops = {describe, check, put_file, head, remove_key, get_file, list, close_storage};

int mm_storage_s3_open(const mm_s3_options *opt, struct mm_storage **out, mm_error *err)
{
    *out = NULL;
    s3_storage *st = calloc(1, sizeof *st);
    if (!st)
        return mm_error_set(err, MM_ERR_NOMEM, "S3: out of memory");
    st->base.ops = &ops;
    if (mm_s3_open(opt, &st->s3, err) != 0) {
        free(st);
        return -1;
    }
    *out = &st->base;
    return 0;
}
