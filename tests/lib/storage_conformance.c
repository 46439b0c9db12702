#include "storage_conformance.h"

#include "base/strbuf.h"
#include "testlib.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const mm_conformance *suite;

char *mm_conformance_pattern(const char *dir, const char *name, size_t size)
{
    unsigned char *data = malloc(size ? size : 1);
    for (size_t i = 0; i < size; i++)
        data[i] = (unsigned char)((i * 131 + i / 4096) & 0xFF);
    mm_test_write_file(dir, name, data, size);
    free(data);
    return mm_asprintf("%s/%s", dir, name);
}

bool mm_conformance_same_file(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    char *da = mm_test_read_file(a, &la), *db = mm_test_read_file(b, &lb);
    bool same = da && db && la == lb && memcmp(da, db, la) == 0;
    free(da);
    free(db);
    return same;
}

void mm_conformance_round_trip(mm_storage *st, const char *dir, const char *key, size_t size)
{
    char name[64];
    snprintf(name, sizeof name, "up-%zu", size);
    char *up = mm_conformance_pattern(dir, name, size);
    char *down = mm_asprintf("%s/down-%zu", dir, size);
    mm_error err;
    mm_error_clear(&err);
    MM_CHECK_INT(mm_storage_put_file(st, key, up, &err), 0);
    int64_t got = -2;
    MM_CHECK_INT(mm_storage_head(st, key, &got, &err), 0);
    MM_CHECK_INT(got, (int64_t)size);
    MM_CHECK_INT(mm_storage_get_file(st, key, down, &err), 0);
    MM_CHECK(mm_conformance_same_file(up, down));
    /* The ETag the dump records after an upload; an object written again
     * under the same key has another. */
    mm_storage_object before, after;
    MM_CHECK_INT(mm_storage_stat(st, key, &before, &err), 0);
    MM_CHECK(before.etag[0] != '\0');
    MM_CHECK_INT(before.size, (int64_t)size);
    char *other = mm_asprintf("%s/other-%zu", dir, size);
    FILE *f = fopen(other, "wb");
    MM_CHECK(f && fputs("another object", f) >= 0);
    if (f)
        fclose(f);
    MM_CHECK_INT(mm_storage_put_file(st, key, other, &err), 0);
    MM_CHECK_INT(mm_storage_stat(st, key, &after, &err), 0);
    MM_CHECK_INT(after.size, 14);
    MM_CHECK(after.etag[0] && strcmp(after.etag, before.etag) != 0);
    unlink(other);
    free(other);
    MM_CHECK_INT(mm_storage_put_file(st, key, up, &err), 0);
    char *partial = mm_asprintf("%s.partial", down);
    MM_CHECK(access(partial, F_OK) != 0);
    if (err.message[0])
        fprintf(stderr, "%s: %s\n", key, err.message);
    unlink(down);
    free(partial);
    free(up);
    free(down);
}

/* The four objects the cases put under dir/, in key order. */
typedef struct object {
    const char *key;
    size_t size;
} object;

static int by_key(const void *a, const void *b)
{
    return strcmp(((const object *)a)->key, ((const object *)b)->key);
}

static void objects(object out[4])
{
    out[0] = (object){suite->escaped_key, 1000};
    out[1] = (object){"dir/empty.npy", 0};
    out[2] = (object){"dir/exact.npy", suite->part_size};
    out[3] = (object){suite->parts_key, suite->parts_size};
    qsort(out, 4, sizeof *out, by_key);
}

/* "key=size;" for the objects whose key starts with prefix, at most `max`. */
static char *listing(const char *prefix, int max)
{
    object o[4];
    objects(o);
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (int i = 0, shown = 0; i < 4 && (max < 0 || shown < max); i++)
        if (strncmp(o[i].key, prefix, strlen(prefix)) == 0) {
            mm_strbuf_appendf(&sb, "%s=%zu;", o[i].key, o[i].size);
            shown++;
        }
    return mm_strbuf_take(&sb);
}

int mm_conformance_collect(void *ctx, const char *key, int64_t size)
{
    mm_conformance_seen *s = ctx;
    mm_strbuf_appendf(&s->text, "%s=%lld;", key, (long long)size);
    return --s->stop_after == 0 ? 7 : 0;
}

MM_TEST(whole_and_multipart_uploads_read_back_identically)
{
    mm_storage *st = suite->open();
    mm_error err;
    MM_CHECK_INT(mm_storage_check(st, &err), 0);
    mm_conformance_round_trip(st, suite->dir, "dir/empty.npy", 0);
    mm_conformance_round_trip(st, suite->dir, suite->escaped_key, 1000);
    mm_conformance_round_trip(st, suite->dir, "dir/exact.npy", suite->part_size); /* one part: a single request */
    mm_conformance_round_trip(st, suite->dir, suite->parts_key, suite->parts_size);
    mm_storage_close(st);
}

MM_TEST(listings_in_key_order_stop_when_asked)
{
    mm_storage *st = suite->open();
    mm_error err;
    mm_error_clear(&err);
    mm_conformance_seen s = {.stop_after = -1};
    mm_strbuf_init(&s.text);
    char *want = listing("dir/", -1);
    MM_CHECK_INT(mm_storage_list(st, "dir/", mm_conformance_collect, &s, &err), 0);
    MM_CHECK_STR(s.text.data, want);
    free(want);
    mm_strbuf_reset(&s.text);
    s.stop_after = suite->stop_after;
    want = listing("dir/", suite->stop_after);
    MM_CHECK_INT(mm_storage_list(st, "dir/", mm_conformance_collect, &s, &err), 7);
    MM_CHECK_STR(s.text.data, want);
    free(want);
    mm_strbuf_reset(&s.text);
    s.stop_after = -1;
    want = listing("dir/e", -1);
    MM_CHECK_INT(mm_storage_list(st, "dir/e", mm_conformance_collect, &s, &err), 0);
    MM_CHECK_STR(s.text.data, want);
    free(want);
    mm_strbuf_reset(&s.text);
    MM_CHECK_INT(mm_storage_list(st, "nothing/", mm_conformance_collect, &s, &err), 0);
    MM_CHECK(s.text.len == 0);
    mm_strbuf_free(&s.text);
    mm_storage_close(st);
}

MM_TEST(remove_head_and_missing_key)
{
    mm_storage *st = suite->open();
    mm_error err;
    mm_error_clear(&err);
    MM_CHECK_INT(mm_storage_remove(st, "dir/exact.npy", &err), 0);
    int64_t size = 0;
    MM_CHECK_INT(mm_storage_head(st, "dir/exact.npy", &size, &err), 0);
    MM_CHECK_INT(size, -1);
    MM_CHECK_INT(mm_storage_remove(st, "dir/exact.npy", &err), 0);

    char *down = mm_asprintf("%s/missing", suite->dir);
    MM_CHECK_INT(mm_storage_get_file(st, "dir/missing.npy", down, &err), -1);
    char *want = suite->missing_message();
    MM_CHECK_STR(err.message, want);
    char *partial = mm_asprintf("%s.partial", down);
    MM_CHECK(access(partial, F_OK) != 0 && access(down, F_OK) != 0);
    free(partial);
    free(want);
    free(down);
    mm_storage_close(st);
}

void mm_storage_conformance(const mm_conformance *c)
{
    suite = c;
    MM_RUN(whole_and_multipart_uploads_read_back_identically);
    MM_RUN(listings_in_key_order_stop_when_asked);
    MM_RUN(remove_head_and_missing_key);
}
