/* The live rows of a segment as runs (dropping what the NaN policy drops),
 * and the scan for NaN/Inf vectors. */
#include "dump/dump_internal.h"

#include "base/fsutil.h"

#include <stdlib.h>
#include <string.h>

void mm_dump_rows_init(mm_dump_rows *it, mm_segment_reader *r, const int64_t *dropped, size_t n_dropped)
{
    memset(it, 0, sizeof *it);
    it->r = r;
    it->dropped = dropped;
    it->n_dropped = n_dropped;
    mm_segment_rewind(r);
}

bool mm_dump_rows_next(mm_dump_rows *it, int64_t limit, int64_t *start, int64_t *count)
{
    for (;;) {
        if (it->count == 0 && !mm_segment_next_live_run(it->r, &it->start, &it->count))
            return false;
        while (it->next_dropped < it->n_dropped && it->dropped[it->next_dropped] < it->start)
            it->next_dropped++;
        int64_t n = it->count < limit ? it->count : limit;
        if (it->next_dropped < it->n_dropped && it->dropped[it->next_dropped] < it->start + n)
            n = it->dropped[it->next_dropped] - it->start;
        if (n == 0) {           /* the run starts with a dropped row */
            it->start++;
            it->count--;
            it->next_dropped++;
            continue;
        }
        *start = it->start;
        *count = n;
        it->start += n;
        it->count -= n;
        return true;
    }
}

/* First float that is NaN or infinite in a row, or -1. Bit test: exponent all ones. */
static int bad_float_index(const unsigned char *row, size_t dim)
{
    for (size_t j = 0; j < dim; j++) {
        uint32_t bits;
        memcpy(&bits, row + j * 4, 4);
        if ((bits & 0x7f800000u) == 0x7f800000u)
            return (int)j;
    }
    return -1;
}

int mm_dump_nan_error(mm_dump_files *f, int64_t row, int dim, mm_error *err)
{
    int64_t id = 0;
    mm_pread_full(f->uid, &id, 8, 8 + row * 8, f->uid_path, NULL);
    return mm_error_set(err, MM_ERR_FORMAT,
                        "%s: row %lld (id %lld) has a NaN or infinite value in dimension %d; Milvus "
                        "2.x rejects such vectors. Set dumper.nanPolicy: skip to leave these rows "
                        "out (they are counted in the report), or repair the source",
                        f->rv_path, (long long)row, (long long)id, dim);
}

/* Finds the rows holding NaN/Inf (float collections). */
int mm_dump_scan_nan(mm_dump_state *sh, const mm_dump_job *jb, mm_dump_files *f, mm_segment_reader *r, int64_t **out,
                         size_t *n_out, mm_error *err)
{
    *out = NULL;
    *n_out = 0;
    if (jb->c->binary)
        return 0;
    size_t cap = 0;
    size_t rows_per_block = MM_DUMP_IO_BLOCK / f->bpv;
    mm_dump_rows it;
    mm_dump_rows_init(&it, r, NULL, 0);
    int64_t start, count;
    while (mm_dump_rows_next(&it, (int64_t)rows_per_block, &start, &count)) {
        if (mm_dump_cancelled(sh))
            return mm_error_set(err, MM_ERR_CANCELLED, "dump cancelled");
        if (mm_pread_full(f->rv, f->buf, (size_t)count * f->bpv, 8 + (off_t)start * (off_t)f->bpv, f->rv_path, err) != 0)
            return -1;
        for (int64_t i = 0; i < count; i++) {
            int dim_index = bad_float_index((unsigned char *)f->buf + (size_t)i * f->bpv, (size_t)jb->c->dim);
            if (dim_index < 0)
                continue;
            if (sh->opt->nan_policy == MM_DUMP_NAN_FAIL) {
                free(*out);
                *out = NULL;
                return mm_dump_nan_error(f, start + i, dim_index, err);
            }
            if (*n_out == cap) {
                cap = cap ? cap * 2 : 64;
                int64_t *grown = realloc(*out, cap * sizeof *grown);
                if (!grown)
                    return mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
                *out = grown;
            }
            (*out)[(*n_out)++] = start + i;
        }
    }
    return 0;
}
