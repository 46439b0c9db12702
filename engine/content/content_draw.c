/* Drawing the content sample from the 1.x segments (content.h). */
#include "content/content.h"

#include "base/strbuf.h"
#include "source/remote_fetch.h"
#include "source/segment.h"

#include <stdlib.h>
#include <string.h>

enum { READ_BLOCK_ROWS = 4096 };

/* ---- a reproducible random stream ------------------------------------------------- */

/* SplitMix64 (Steele, Lea, Flood 2014), written out because the sample must
 * be the same on every platform and libc: random(3) and rand_r(3) are not
 * specified bit for bit, and no library here offers a seeded generator. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, bound), without modulo bias. */
static uint64_t random_below(uint64_t *state, uint64_t bound)
{
    uint64_t threshold = -bound % bound;
    for (;;) {
        uint64_t r = next_random(state);
        if (r >= threshold)
            return r % bound;
    }
}

/* FNV-1a, to fold names into the seed. */
static uint64_t fold(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    return (h ^ 0xff) * 0x100000001b3ULL; /* a separator: "ab"+"c" differs from "a"+"bc" */
}

uint64_t mm_content_seed(uint64_t seed, const char *collection, const char *tag)
{
    uint64_t state = seed ^ fold(fold(0xcbf29ce484222325ULL, collection), tag);
    return next_random(&state);
}

/* ---- how many rows each segment gives ------------------------------------------- */

void mm_content_allocate(const int64_t *live, size_t n_segments, int64_t n, int64_t *out)
{
    int64_t total = 0;
    for (size_t i = 0; i < n_segments; i++)
        total += live[i] > 0 ? live[i] : 0;
    for (size_t i = 0; i < n_segments; i++)
        out[i] = live[i] > 0 ? live[i] : 0;
    if (n >= total)
        return;
    /* n * live can pass 2^63 for huge segments: 128-bit products. */
    __extension__ typedef unsigned __int128 wide;
    int64_t given = 0;
    for (size_t i = 0; i < n_segments; i++) {
        out[i] = live[i] > 0 ? (int64_t)((wide)n * (wide)live[i] / (wide)total) : 0;
        given += out[i];
    }
    /* Fewer than n_segments rows are left; they go one each to the
     * segments with the largest remainders, ties to the earlier segment
     * (each has room for one more). Each pass takes the best segment
     * ranked after the one the pass before took. */
    uint64_t last_rem = UINT64_MAX;
    size_t last = 0;
    bool any = false;
    while (given < n) {
        size_t best = n_segments;
        uint64_t best_rem = 0;
        for (size_t i = 0; i < n_segments; i++) {
            uint64_t rem = live[i] > 0 ? (uint64_t)((wide)n * (wide)live[i] % (wide)total) : 0;
            bool after_last = !any || rem < last_rem || (rem == last_rem && i > last);
            if (rem > 0 && after_last && (best == n_segments || rem > best_rem)) {
                best = i;
                best_rem = rem;
            }
        }
        if (best == n_segments)
            break; /* cannot happen: the remainders add up to what is left */
        out[best]++;
        given++;
        last = best;
        last_rem = best_rem;
        any = true;
    }
}

/* ---- which live rows of a segment ------------------------------------------------- */

/* A set of row ordinals for Floyd's algorithm: open addressing, written
 * out because no library here has one; it only ever holds k values. */
typedef struct ordinal_set {
    uint64_t *slots;        /* ordinal + 1; 0 = empty */
    size_t mask;
} ordinal_set;

static int set_init(ordinal_set *s, size_t k)
{
    size_t cap = 16;
    while (cap < 2 * k)
        cap *= 2;
    s->slots = calloc(cap, sizeof *s->slots);
    s->mask = cap - 1;
    return s->slots ? 0 : -1;
}

/* Adds v; false when it was there already. */
static bool set_add(ordinal_set *s, uint64_t v)
{
    size_t i = (size_t)((v * 0x9e3779b97f4a7c15ULL) >> 17) & s->mask;
    while (s->slots[i]) {
        if (s->slots[i] == v + 1)
            return false;
        i = (i + 1) & s->mask;
    }
    s->slots[i] = v + 1;
    return true;
}

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* k distinct ordinals in [0, live), ascending: Floyd's algorithm, which
 * draws exactly k numbers whatever k is. */
static int draw_ordinals(uint64_t *state, int64_t live, int64_t k, int64_t *out)
{
    ordinal_set set;
    if (set_init(&set, (size_t)k) != 0)
        return -1;
    size_t n = 0;
    for (int64_t j = live - k; j < live; j++) {
        uint64_t t = random_below(state, (uint64_t)j + 1);
        if (!set_add(&set, t)) {
            set_add(&set, (uint64_t)j);
            t = (uint64_t)j;
        }
        out[n++] = (int64_t)t;
    }
    free(set.slots);
    qsort(out, n, sizeof *out, compare_i64);
    return 0;
}

/* ---- reading the rows -------------------------------------------------------------- */

typedef struct segment_pass {
    const mm_content_source *src;
    const mm_collection_info *c;
    const mm_partition_info *p;
    const mm_segment_info *s;
    mm_segment_reader *reader;
    bool fetched;
} segment_pass;

static int open_segment(segment_pass *sp, mm_error *err)
{
    const mm_segment_info *s = sp->s;
    if (sp->src->remote) {
        if (mm_remote_source_fetch_segment(sp->src->remote, s, err) != 0)
            return -1;
        sp->fetched = true;
    }
    mm_segment_source ss = {
        .tables_dirs = sp->src->tables_dirs, .n_tables_dirs = sp->src->n_tables_dirs, .table_id = s->table_id,
        .segment_id = s->segment_id, .file_id = s->file_id, .dim = sp->c->dim, .binary = sp->c->binary,
        .missing_deleted_docs_ok = sp->src->missing_deleted_docs_ok,
    };
    if (mm_segment_open(&ss, &sp->reader, err) != 0) {
        if (sp->src->remote)
            mm_remote_source_name_objects(sp->src->remote, err);
        return -1;
    }
    if (mm_segment_live(sp->reader) != s->live)
        return mm_error_set(err, MM_ERR_SOURCE_LIVE, "segment %s/%s of collection %s holds %lld live rows, but %lld "
                            "when the source was read; the 1.x source changed: stop the 1.x server and run the "
                            "migration again", s->table_id, s->segment_id, sp->c->name,
                            (long long)mm_segment_live(sp->reader), (long long)s->live);
    return 0;
}

static void close_segment(segment_pass *sp)
{
    mm_segment_close(sp->reader);
    sp->reader = NULL;
    if (sp->fetched)
        mm_remote_source_release_segment(sp->src->remote, sp->s);
    sp->fetched = false;
}

/* NaN or an infinity in a float row: dumper.nanPolicy: skip never migrated it. */
static bool left_out_by_nan(const segment_pass *sp, const uint8_t *vector)
{
    if (sp->c->binary || !sp->src->nan_skip)
        return false;
    for (int64_t j = 0; j < sp->c->dim; j++) {
        uint32_t bits;
        memcpy(&bits, vector + j * 4, 4);
        if ((bits & 0x7f800000u) == 0x7f800000u)
            return true;
    }
    return false;
}

static int pass_row(segment_pass *sp, int64_t id, const uint8_t *vector, mm_content_row_fn fn, void *ctx,
                    int64_t *nan_left_out, mm_error *err)
{
    if (left_out_by_nan(sp, vector)) {
        (*nan_left_out)++;
        return 0;
    }
    return fn(ctx, id, vector, err);
}

/* Every live row, in blocks. */
static int read_all(segment_pass *sp, uint8_t *block, int64_t *ids, mm_content_row_fn fn, void *ctx,
                    int64_t *nan_left_out, mm_error *err)
{
    size_t bpv = (size_t)mm_collection_vector_bytes(sp->c);
    for (;;) {
        size_t n = 0;
        if (mm_segment_read_live(sp->reader, READ_BLOCK_ROWS, ids, block, NULL, &n, err) != 0)
            return -1;
        if (n == 0)
            return 0;
        for (size_t i = 0; i < n; i++)
            if (pass_row(sp, ids[i], block + i * bpv, fn, ctx, nan_left_out, err) != 0)
                return -1;
    }
}

/* The rows at the live ordinals (ascending): their offsets come from the
 * runs of live rows between the deleted ones. */
static int read_ordinals(segment_pass *sp, const int64_t *ordinals, int64_t k, uint8_t *vector,
                         mm_content_row_fn fn, void *ctx, int64_t *nan_left_out, mm_error *err)
{
    int64_t before = 0, start, count, i = 0;
    mm_segment_rewind(sp->reader);
    while (i < k && mm_segment_next_live_run(sp->reader, &start, &count)) {
        for (; i < k && ordinals[i] < before + count; i++) {
            int64_t id;
            if (mm_segment_read_row(sp->reader, start + ordinals[i] - before, &id, vector, err) != 0 ||
                pass_row(sp, id, vector, fn, ctx, nan_left_out, err) != 0)
                return -1;
        }
        before += count;
    }
    return 0;
}

int mm_content_draw(const mm_content_source *src, const mm_collection_info *c, const mm_partition_info *p, int64_t n,
                    uint64_t seed, mm_content_row_fn fn, void *ctx, int64_t *nan_left_out, mm_error *err)
{
    *nan_left_out = 0;
    size_t bpv = (size_t)mm_collection_vector_bytes(c);
    int64_t *live = calloc(p->n_segments ? p->n_segments : 1, sizeof *live);
    int64_t *take = calloc(p->n_segments ? p->n_segments : 1, sizeof *take);
    uint8_t *block = malloc(READ_BLOCK_ROWS * bpv);
    int64_t *ids = malloc(READ_BLOCK_ROWS * sizeof *ids);
    int rc = live && take && block && ids ? 0 : mm_error_set(err, MM_ERR_NOMEM, "content sample: out of memory");
    for (size_t i = 0; rc == 0 && i < p->n_segments; i++)
        live[i] = p->segments[i].live;
    if (rc == 0)
        mm_content_allocate(live, p->n_segments, n, take);
    uint64_t partition_seed = mm_content_seed(seed, c->name, p->tag);
    for (size_t i = 0; rc == 0 && i < p->n_segments; i++) {
        if (take[i] == 0)
            continue;
        segment_pass sp = {.src = src, .c = c, .p = p, .s = &p->segments[i]};
        rc = open_segment(&sp, err);
        if (rc == 0 && take[i] == live[i]) {
            rc = read_all(&sp, block, ids, fn, ctx, nan_left_out, err);
        } else if (rc == 0) {
            /* Each segment has its own stream, so a segment's rows do not
             * depend on how many rows the segments before it gave. */
            uint64_t state = partition_seed ^ fold(0x84222325cbf29ce4ULL, p->segments[i].segment_id);
            int64_t *ordinals = malloc((size_t)take[i] * sizeof *ordinals);
            if (!ordinals || draw_ordinals(&state, live[i], take[i], ordinals) != 0)
                rc = mm_error_set(err, MM_ERR_NOMEM, "content sample: out of memory for %lld rows",
                                  (long long)take[i]);
            else
                rc = read_ordinals(&sp, ordinals, take[i], block, fn, ctx, nan_left_out, err);
            free(ordinals);
        }
        close_segment(&sp);
    }
    free(live);
    free(take);
    free(block);
    free(ids);
    return rc;
}

/* ---- every row of some keys ---------------------------------------------------------- */

int mm_content_find(const mm_content_source *src, const mm_collection_info *c, const mm_partition_info *p,
                    const int64_t *keys, size_t n_keys, mm_content_row_fn fn, void *ctx, mm_error *err)
{
    size_t bpv = (size_t)mm_collection_vector_bytes(c);
    int64_t *ids = malloc(READ_BLOCK_ROWS * sizeof *ids), *rows = malloc(READ_BLOCK_ROWS * sizeof *rows);
    uint8_t *vector = malloc(bpv);
    int rc = ids && rows && vector ? 0 : mm_error_set(err, MM_ERR_NOMEM, "content sample: out of memory");
    for (size_t i = 0; rc == 0 && n_keys && i < p->n_segments; i++) {
        if (p->segments[i].live == 0)
            continue;
        segment_pass sp = {.src = src, .c = c, .p = p, .s = &p->segments[i]};
        rc = open_segment(&sp, err);
        /* Only the keys are read through; a vector only for a key asked for. */
        for (size_t n = 1; rc == 0 && n > 0;) {
            rc = mm_segment_read_live(sp.reader, READ_BLOCK_ROWS, ids, NULL, rows, &n, err);
            for (size_t j = 0; rc == 0 && j < n; j++) {
                if (!bsearch(&ids[j], keys, n_keys, sizeof *keys, compare_i64))
                    continue;
                rc = mm_segment_read_row(sp.reader, rows[j], NULL, vector, err);
                if (rc == 0)
                    rc = fn(ctx, ids[j], vector, err);
            }
        }
        close_segment(&sp);
    }
    free(ids);
    free(rows);
    free(vector);
    return rc;
}
