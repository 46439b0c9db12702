#include "storage/parts.h"

#include "base/pool.h"

typedef struct parts_run {
    const mm_parts_upload *u;
    uint64_t parts;
} parts_run;

static int send_part(void *ctx, void *local, size_t item, mm_error *err)
{
    (void)local;
    const parts_run *r = ctx;
    uint64_t off = (uint64_t)item * r->u->part_size;
    uint64_t len = r->u->size - off < r->u->part_size ? r->u->size - off : r->u->part_size;
    return r->u->send(r->u->ctx, (uint64_t)item + 1, off, len, err);
}

int mm_parts_run(const mm_parts_upload *u, mm_error *err)
{
    parts_run r = {u, (u->size + u->part_size - 1) / u->part_size};
    if (u->begin && u->begin(u->ctx, r.parts, err) != 0)
        return -1;
    mm_pool_options o = {.items = (size_t)r.parts, .threads = MM_PARTS_THREADS, .run = send_part, .ctx = &r};
    int rc = mm_pool_run(&o, err);
    if (rc == 0)
        rc = u->commit(u->ctx, r.parts, err);
    if (rc != 0 && u->abort)
        u->abort(u->ctx);
    return rc;
}
