/* The S3 backend of mm_storage: each operation is the mm_s3 call of the
 * same name. */
#include "storage/storage.h"
#include "storage/s3.h"

#include <stdlib.h>

typedef struct s3_storage {
    mm_storage base;
    mm_s3 *s3;
} s3_storage;

static mm_s3 *client(const mm_storage *st)
{
    return ((const s3_storage *)st)->s3;
}

static const char *describe(const mm_storage *st)
{
    return mm_s3_describe(client(st));
}

static int check(mm_storage *st, mm_error *err)
{
    return mm_s3_check_bucket(client(st), err);
}

static int put_file(mm_storage *st, const char *key, const char *path, const mm_part_digest *digest, mm_error *err)
{
    return mm_s3_put_file(client(st), key, path, digest, err);
}

static int put_source(mm_storage *st, const char *key, const mm_storage_source *src, const mm_part_digest *digest,
                      mm_error *err)
{
    return mm_s3_put_range(client(st), key, src->head, src->head_len, src->fd, src->offset, src->length, src->path,
                           digest, err);
}

static uint64_t digest_part_size(const mm_storage *st)
{
    return mm_s3_part_size(client(st));
}

static int head(mm_storage *st, const char *key, mm_storage_object *out, mm_error *err)
{
    return mm_s3_head(client(st), key, &out->size, out->etag, sizeof out->etag, err);
}

static int remove_key(mm_storage *st, const char *key, mm_error *err)
{
    return mm_s3_delete(client(st), key, err);
}

static int get_file(mm_storage *st, const char *key, const char *path, mm_error *err)
{
    return mm_s3_get_file(client(st), key, path, err);
}

static int list(mm_storage *st, const char *prefix, mm_storage_list_fn fn, void *ctx, mm_error *err)
{
    return mm_s3_list(client(st), prefix, fn, ctx, err);
}

static void close_storage(mm_storage *st)
{
    if (st)
        mm_s3_close(client(st));
    free(st);
}

static const mm_storage_ops s3_ops = {
    .describe = describe, .check = check, .put_file = put_file, .put_source = put_source, .digest_part_size = digest_part_size,
    .head = head, .remove = remove_key,
    .get_file = get_file, .list = list, .close = close_storage,
};

int mm_storage_s3_open(const mm_s3_options *opt, struct mm_storage **out, mm_error *err)
{
    *out = NULL;
    s3_storage *st = calloc(1, sizeof *st);
    if (!st)
        return mm_error_set(err, MM_ERR_NOMEM, "S3: out of memory");
    st->base.ops = &s3_ops;
    if (mm_s3_open(opt, &st->s3, err) != 0) {
        free(st);
        return -1;
    }
    *out = &st->base;
    return 0;
}
