/* Reading the drawn rows back through Query and comparing them (content.h).
 *
 * Drawn rows gather in a chunk; a full chunk is read back with one Query
 * of its distinct keys. A key whose rows in Milvus all equal one of its
 * rows in the chunk passes at once. Otherwise the key is a suspect: the
 * 1.x partition may hold more rows under it than the chunk (duplicate keys,
 * of which Milvus answers one). Once the partition is drawn, one pass over
 * its segments finds every row of the suspects, and only a row Milvus
 * answers that equals none of them, or more rows than 1.x has, is a
 * mismatch. */
#include "content/content.h"

#include "base/strbuf.h"
#include "milvus2/query.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum {
    DEFAULT_ANSWER_BYTES = 16 << 20, /* far below Milvus's 100 MiB maxOutputSize */
    MAX_CHUNK_ROWS = 4096,
};

/* Suspects keep their vectors until the partition is drawn; past this
 * much, a key is judged against the chunk's rows alone (and says so). */
static const uint64_t SUSPECT_BYTES_MAX = 64u << 20;

typedef struct suspect {
    int64_t id;
    uint8_t *sampled;       /* one drawn 1.x row of the key */
    int64_t n_sampled;      /* drawn rows under the key, not yet counted as matched */
    uint8_t *returned;      /* Milvus's rows under the key */
    size_t n_returned;
} suspect;

typedef struct checker {
    const mm_content_check *chk;
    mm_content_result *out;
    mm_milvus_query query;
    size_t bpv;
    size_t cap, n;          /* chunk: capacity and rows in it */
    int64_t *ids;
    uint8_t *vectors;
    int64_t *keys;          /* every key read back */
    size_t n_keys, cap_keys;
    suspect *suspects;
    size_t n_suspects, cap_suspects;
    uint64_t suspect_bytes;
    bool partition_missing;
    int64_t done;
} checker;

void mm_content_result_free(mm_content_result *r)
{
    for (size_t i = 0; i < r->n_mismatches; i++)
        free(r->mismatches[i].what);
    free(r->mismatches);
    free(r->ids);
    free(r->note);
    memset(r, 0, sizeof *r);
}

bool mm_content_result_ok(const mm_content_result *r)
{
    return r->state != MM_CONTENT_CHECKED || r->n_mismatches == 0;
}

/* ---- what differs --------------------------------------------------------------------- */

static int add_mismatch(mm_content_result *out, int64_t id, char *what, mm_error *err)
{
    mm_content_mismatch *grown = what ? realloc(out->mismatches, (out->n_mismatches + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(what);
        return mm_error_set(err, MM_ERR_NOMEM, "content sample: out of memory");
    }
    out->mismatches = grown;
    out->mismatches[out->n_mismatches++] = (mm_content_mismatch){id, what};
    return 0;
}

/* "vector differs at dim k (...)": the first dimension that differs, with
 * both values and their bits, and how many dimensions differ. */
static char *describe_difference(const uint8_t *want, const uint8_t *got, bool binary, int64_t dim)
{
    int64_t first = -1, differing = 0;
    if (binary) {
        for (int64_t b = 0; b < dim / 8; b++) {
            unsigned x = want[b] ^ got[b];
            for (int bit = 7; bit >= 0; bit--)
                if (x >> bit & 1u) {
                    /* Dimension 8b is the byte's highest bit, as numpy.packbits packs them. */
                    if (first < 0)
                        first = b * 8 + (7 - bit);
                    differing++;
                }
        }
        if (first < 0)
            return mm_strdup("vector differs");
        size_t b = (size_t)(first / 8);
        return mm_asprintf("vector differs at dim %" PRId64 " (byte %zu: 1.x 0x%02x, Milvus 0x%02x); %" PRId64
                           " of %" PRId64 " dims differ", first, b, want[b], got[b], differing, dim);
    }
    for (int64_t j = 0; j < dim; j++)
        if (memcmp(want + j * 4, got + j * 4, 4) != 0) {
            if (first < 0)
                first = j;
            differing++;
        }
    if (first < 0)
        return mm_strdup("vector differs");
    uint32_t wb, gb;
    float wf, gf;
    memcpy(&wb, want + first * 4, 4);
    memcpy(&gb, got + first * 4, 4);
    memcpy(&wf, &wb, 4);
    memcpy(&gf, &gb, 4);
    return mm_asprintf("vector differs at dim %" PRId64 " (1.x %.9g = 0x%08x, Milvus %.9g = 0x%08x); %" PRId64
                       " of %" PRId64 " dims differ", first, (double)wf, (unsigned)wb, (double)gf, (unsigned)gb,
                       differing, dim);
}

/* ---- the chunk ---------------------------------------------------------------------------- */

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

typedef struct keyed_row {
    int64_t key;
    size_t index;
} keyed_row;

static int compare_keyed(const void *a, const void *b)
{
    const keyed_row *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Row indices ordered by key, then by position (groups come out in order). */
static size_t *order_by_key(const int64_t *keys, size_t n)
{
    keyed_row *rows = malloc((n ? n : 1) * sizeof *rows);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (rows && idx) {
        for (size_t i = 0; i < n; i++)
            rows[i] = (keyed_row){keys[i], i};
        qsort(rows, n, sizeof *rows, compare_keyed);
        for (size_t i = 0; i < n; i++)
            idx[i] = rows[i].index;
    } else {
        free(idx);
        idx = NULL;
    }
    free(rows);
    return idx;
}

static int add_suspect(checker *k, int64_t id, const uint8_t *sampled, int64_t n_sampled, const mm_milvus_rows *rows,
                       const size_t *returned, size_t n_returned, mm_error *err)
{
    uint64_t bytes = (uint64_t)(n_returned + 1) * k->bpv;
    if (k->suspect_bytes + bytes > SUSPECT_BYTES_MAX) {
        /* Too much to keep: judged against the chunk's rows only. */
        for (size_t r = 0; r < n_returned; r++) {
            char *what = describe_difference(sampled, rows->vectors + returned[r] * k->bpv, k->chk->c->binary,
                                             k->chk->c->dim);
            char *note = what ? mm_asprintf("%s; not compared with other 1.x rows of this key (too many differences "
                                            "in this partition)", what) : NULL;
            free(what);
            if (add_mismatch(k->out, id, note, err) != 0)
                return -1;
        }
        return 0;
    }
    if (k->n_suspects == k->cap_suspects) {
        size_t cap = k->cap_suspects ? k->cap_suspects * 2 : 16;
        suspect *grown = realloc(k->suspects, cap * sizeof *grown);
        if (!grown)
            return mm_error_set(err, MM_ERR_NOMEM, "content sample: out of memory");
        k->suspects = grown;
        k->cap_suspects = cap;
    }
    suspect *s = &k->suspects[k->n_suspects];
    s->id = id;
    s->n_sampled = n_sampled;
    s->n_returned = n_returned;
    s->sampled = malloc(k->bpv);
    s->returned = malloc(n_returned * k->bpv);
    if (!s->sampled || !s->returned) {
        free(s->sampled);
        free(s->returned);
        return mm_error_set(err, MM_ERR_NOMEM, "content sample: out of memory");
    }
    memcpy(s->sampled, sampled, k->bpv);
    for (size_t r = 0; r < n_returned; r++)
        memcpy(s->returned + r * k->bpv, rows->vectors + returned[r] * k->bpv, k->bpv);
    k->n_suspects++;
    k->suspect_bytes += bytes;
    return 0;
}

/* Every row Milvus answers under the key equals one of the drawn rows
 * under it, and there are no more of them. */
static bool group_passes(const checker *k, const size_t *drawn, size_t n_drawn, const mm_milvus_rows *rows,
                         const size_t *returned, size_t n_returned)
{
    if (n_returned > n_drawn)
        return false;
    for (size_t r = 0; r < n_returned; r++) {
        bool equal = false;
        for (size_t d = 0; d < n_drawn && !equal; d++)
            equal = memcmp(rows->vectors + returned[r] * k->bpv, k->vectors + drawn[d] * k->bpv, k->bpv) == 0;
        if (!equal)
            return false;
    }
    return true;
}

static int remember_keys(checker *k, const int64_t *keys, size_t n, mm_error *err)
{
    if (k->n_keys + n > k->cap_keys) {
        size_t cap = k->cap_keys ? k->cap_keys : 256;
        while (cap < k->n_keys + n)
            cap *= 2;
        int64_t *grown = realloc(k->keys, cap * sizeof *grown);
        if (!grown)
            return mm_error_set(err, MM_ERR_NOMEM, "content sample: out of memory");
        k->keys = grown;
        k->cap_keys = cap;
    }
    memcpy(k->keys + k->n_keys, keys, n * sizeof *keys);
    k->n_keys += n;
    return 0;
}

/* Reads the chunk back and judges each of its keys. */
static int flush(checker *k, mm_error *err)
{
    if (k->n == 0)
        return 0;
    if (k->chk->cancel && atomic_load(k->chk->cancel))
        return mm_error_set(err, MM_ERR_CANCELLED, "verify cancelled");
    size_t *drawn = order_by_key(k->ids, k->n);
    int64_t *keys = malloc(k->n * sizeof *keys);
    if (!drawn || !keys) {
        free(drawn);
        free(keys);
        return mm_error_set(err, MM_ERR_NOMEM, "content sample: out of memory");
    }
    size_t n_keys = 0;
    for (size_t i = 0; i < k->n; i++)
        if (n_keys == 0 || keys[n_keys - 1] != k->ids[drawn[i]])
            keys[n_keys++] = k->ids[drawn[i]];
    mm_milvus_rows rows;
    int code = 0;
    int rc = mm_milvus_query_by_ids(k->chk->milvus, &k->query, keys, n_keys, &rows, &code, err);
    if (rc != 0 && code == MM_MILVUS_CODE_PARTITION_MISSING)
        k->partition_missing = true;
    else if (rc != 0 && code == MM_MILVUS_CODE_NOT_LOADED)
        mm_error_wrap(err, "the content sample reads %s through Query, which needs it loaded (it was released while "
                      "the verification ran?)", k->query.collection);
    size_t *returned = rc == 0 ? order_by_key(rows.ids, rows.n) : NULL;
    if (rc == 0 && !returned)
        rc = mm_error_set(err, MM_ERR_NOMEM, "content sample: out of memory");
    /* Walk the drawn rows and Milvus's rows side by side, key by key. */
    for (size_t i = 0, r = 0; rc == 0 && i < k->n;) {
        int64_t id = k->ids[drawn[i]];
        size_t i_end = i, r_begin;
        while (i_end < k->n && k->ids[drawn[i_end]] == id)
            i_end++;
        while (r < rows.n && rows.ids[returned[r]] < id)
            r++; /* keys not asked for: not ours to judge */
        r_begin = r;
        while (r < rows.n && rows.ids[returned[r]] == id)
            r++;
        if (r == r_begin)
            rc = add_mismatch(k->out, id, mm_strdup("missing from Milvus"), err);
        else if (group_passes(k, drawn + i, i_end - i, &rows, returned + r_begin, r - r_begin))
            k->out->matched += (int64_t)(i_end - i);
        else
            rc = add_suspect(k, id, k->vectors + drawn[i] * k->bpv, (int64_t)(i_end - i), &rows, returned + r_begin,
                             r - r_begin, err);
        i = i_end;
    }
    if (rc == 0)
        rc = remember_keys(k, keys, n_keys, err);
    if (rc == 0) {
        k->out->sampled += (int64_t)k->n;
        k->done += (int64_t)k->n;
        k->n = 0;
        if (k->chk->progress)
            k->chk->progress(k->chk->ctx, k->done);
    }
    free(returned);
    free(drawn);
    free(keys);
    mm_milvus_rows_free(&rows);
    return rc;
}

static int take_row(void *ctx, int64_t id, const uint8_t *vector, mm_error *err)
{
    checker *k = ctx;
    k->ids[k->n] = id;
    memcpy(k->vectors + k->n * k->bpv, vector, k->bpv);
    return ++k->n == k->cap ? flush(k, err) : 0;
}

/* ---- the suspects, against every 1.x row of their keys ------------------------------ */

typedef struct found_rows {
    size_t bpv;
    int64_t *ids;
    uint8_t *vectors;
    size_t n, cap;
} found_rows;

static int keep_found(void *ctx, int64_t id, const uint8_t *vector, mm_error *err)
{
    found_rows *f = ctx;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        int64_t *ids = realloc(f->ids, cap * sizeof *ids);
        if (ids)
            f->ids = ids;
        uint8_t *vectors = ids ? realloc(f->vectors, cap * f->bpv) : NULL;
        if (!vectors)
            return mm_error_set(err, MM_ERR_NOMEM, "content sample: out of memory");
        f->vectors = vectors;
        f->cap = cap;
    }
    f->ids[f->n] = id;
    memcpy(f->vectors + f->n * f->bpv, vector, f->bpv);
    f->n++;
    return 0;
}

static int judge_suspect(checker *k, const suspect *s, const found_rows *f, mm_error *err)
{
    size_t n_found = 0;
    bool all_found = true;
    for (size_t j = 0; j < f->n; j++)
        n_found += f->ids[j] == s->id;
    for (size_t r = 0; r < s->n_returned; r++) {
        const uint8_t *got = s->returned + r * k->bpv;
        bool equal = false;
        for (size_t j = 0; j < f->n && !equal; j++)
            equal = f->ids[j] == s->id && memcmp(f->vectors + j * k->bpv, got, k->bpv) == 0;
        if (!equal) {
            all_found = false;
            if (add_mismatch(k->out, s->id, describe_difference(s->sampled, got, k->chk->c->binary, k->chk->c->dim),
                             err) != 0)
                return -1;
        }
    }
    if (s->n_returned > n_found) {
        all_found = false;
        if (add_mismatch(k->out, s->id, mm_asprintf("extra rows: Milvus answers %zu rows under this key, the 1.x "
                                                    "partition holds %zu", s->n_returned, n_found), err) != 0)
            return -1;
    }
    if (all_found)
        k->out->matched += s->n_sampled;
    return 0;
}

static int resolve_suspects(checker *k, mm_error *err)
{
    if (k->n_suspects == 0)
        return 0;
    int64_t *keys = malloc(k->n_suspects * sizeof *keys);
    found_rows f = {.bpv = k->bpv};
    if (!keys)
        return mm_error_set(err, MM_ERR_NOMEM, "content sample: out of memory");
    size_t n = 0;
    for (size_t i = 0; i < k->n_suspects; i++)
        keys[n++] = k->suspects[i].id;
    qsort(keys, n, sizeof *keys, compare_i64);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        if (distinct == 0 || keys[distinct - 1] != keys[i])
            keys[distinct++] = keys[i];
    int rc = mm_content_find(k->chk->src, k->chk->c, k->chk->p, keys, distinct, keep_found, &f, err);
    for (size_t i = 0; rc == 0 && i < k->n_suspects; i++)
        rc = judge_suspect(k, &k->suspects[i], &f, err);
    free(keys);
    free(f.ids);
    free(f.vectors);
    return rc;
}

/* ---- one partition -------------------------------------------------------------------- */

static int compare_mismatch(const void *a, const void *b)
{
    const mm_content_mismatch *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return strcmp(x->what, y->what);
}

/* Keys ascending, each once; mismatches by key, each once. */
static void finish(checker *k, mm_content_result *out)
{
    /* An empty partition has no keys and no array (qsort wants one). */
    if (k->n_keys)
        qsort(k->keys, k->n_keys, sizeof *k->keys, compare_i64);
    size_t n = 0;
    for (size_t i = 0; i < k->n_keys; i++)
        if (n == 0 || k->keys[n - 1] != k->keys[i])
            k->keys[n++] = k->keys[i];
    out->ids = k->keys;
    out->n_ids = n;
    k->keys = NULL;
    if (out->n_mismatches)
        qsort(out->mismatches, out->n_mismatches, sizeof *out->mismatches, compare_mismatch);
    size_t m = 0;
    for (size_t i = 0; i < out->n_mismatches; i++) {
        if (m > 0 && compare_mismatch(&out->mismatches[m - 1], &out->mismatches[i]) == 0) {
            free(out->mismatches[i].what);
            continue;
        }
        out->mismatches[m++] = out->mismatches[i];
    }
    out->n_mismatches = m;
}

int mm_content_check_partition(const mm_content_check *chk, mm_content_result *out, mm_error *err)
{
    memset(out, 0, sizeof *out);
    out->state = MM_CONTENT_CHECKED;
    out->seed = mm_content_seed(chk->seed, chk->c->name, chk->p->tag);
    checker k = {
        .chk = chk, .out = out, .bpv = (size_t)mm_collection_vector_bytes(chk->c),
        .query = {.collection = chk->collection, .partition = chk->partition, .id_field = chk->id_field,
                  .vector_field = chk->vector_field, .binary = chk->c->binary, .dim = chk->c->dim},
    };
    uint64_t budget = chk->max_answer_bytes ? chk->max_answer_bytes : DEFAULT_ANSWER_BYTES;
    /* Per row: the vector, the key, and a little framing. */
    k.cap = (size_t)(budget / (k.bpv + 32));
    k.cap = k.cap < 1 ? 1 : k.cap > MAX_CHUNK_ROWS ? MAX_CHUNK_ROWS : k.cap;
    k.ids = malloc(k.cap * sizeof *k.ids);
    k.vectors = malloc(k.cap * k.bpv);
    int rc = k.ids && k.vectors ? 0 : mm_error_set(err, MM_ERR_NOMEM, "content sample: out of memory");
    if (rc == 0)
        rc = mm_content_draw(chk->src, chk->c, chk->p, chk->sample, chk->seed, take_row, &k, &out->nan_left_out, err);
    if (rc == 0)
        rc = flush(&k, err);
    if (rc == 0)
        rc = resolve_suspects(&k, err);
    if (k.partition_missing) {
        mm_content_result_free(out);
        out->state = MM_CONTENT_NOT_CHECKED;
        out->note = mm_asprintf("Milvus has no partition %s in %s", chk->partition, chk->collection);
        rc = out->note ? 0 : mm_error_set(err, MM_ERR_NOMEM, "content sample: out of memory");
    } else if (rc == 0) {
        finish(&k, out);
    }
    for (size_t i = 0; i < k.n_suspects; i++) {
        free(k.suspects[i].sampled);
        free(k.suspects[i].returned);
    }
    free(k.suspects);
    free(k.keys);
    free(k.ids);
    free(k.vectors);
    return rc;
}
