/* The S3 backend of mm_storage against a real S3 server (Swift + s3api on
 * loopback, started through tests/lib/swift.sh and stopped by its PIDs):
 * the storage conformance suite (tests/lib/storage_conformance.h: single
 * and multipart uploads read back byte for byte, listings across pages
 * with XML-escaped keys, head, remove), then path style and virtual host,
 * the part SHA-256s a dump hands over (used, so a staged file that differs
 * from what was hashed is refused; ignored when they do not fit), and the
 * exact messages for a missing key and a missing bucket. */
#include "base/strbuf.h"
#include "storage/s3.h"
#include "storage/storage.h"
#include "storage_conformance.h"
#include "testlib.h"

#include <stdlib.h>
#include <unistd.h>

static char port[16], swift_dir[512], *dir;

static char *source_root(void)
{
    char *helper = mm_test_source_path("tests/lib/swift.sh");
    char *root = mm_strndup(helper, strlen(helper) - strlen("/tests/lib/swift.sh"));
    free(helper);
    return root;
}

static void stop_swift(void)
{
    if (!swift_dir[0])
        return;
    char *root = source_root();
    char *cmd = mm_asprintf("bash '%s/tests/lib/swift/stop-swift-s3.sh' --purge '%s' >/dev/null 2>&1", root, swift_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "stopping swift in %s failed\n", swift_dir);
    swift_dir[0] = '\0';
    free(cmd);
    free(root);
}

static int start_swift(void)
{
    char *root = source_root();
    char *cmd = mm_asprintf("bash -c 'export MM_SOURCE_DIR=\"$1\"; source \"$1/tests/lib/swift.sh\" && "
                            "mm_swift_start \"$2\" >&2 && curl_s3 -sf -X PUT \"$S3_ENDPOINT/bkt\" >&2 && "
                            "echo \"$SWIFT_S3_PORT $swift_dir\"' _ '%s' '%s'", root, dir);
    FILE *p = popen(cmd, "r");
    char line[1024] = "";
    bool ok = p && fgets(line, sizeof line, p) && sscanf(line, "%15s %511s", port, swift_dir) == 2;
    if (p)
        pclose(p);
    atexit(stop_swift);
    free(cmd);
    free(root);
    return ok ? 0 : -1;
}

static mm_storage *open_s3(const char *endpoint, bool virtual_host, const char *bucket, const char *side)
{
    mm_s3_options o = {
        .endpoint = endpoint, .virtual_host = virtual_host, .region = "us-east-1", .bucket = bucket,
        .access_key = "test:tester", .secret_key = "Sw1ftSecret", .side = side, .part_size = 5u << 20,
        .max_retries = 1, .retry_base_ms = 10, .list_page_keys = 2,
    };
    mm_storage *st = NULL;
    mm_error err;
    if (mm_storage_s3_open(&o, &st, &err) != 0)
        fprintf(stderr, "open: %s\n", err.message);
    return st;
}

static char *endpoint(const char *host)
{
    return mm_asprintf("%s:%s", host, port);
}

static char *write_pattern(const char *name, size_t size)
{
    return mm_conformance_pattern(dir, name, size);
}

static bool same_file(const char *a, const char *b)
{
    return mm_conformance_same_file(a, b);
}

static void round_trip(mm_storage *st, const char *key, size_t size)
{
    mm_conformance_round_trip(st, dir, key, size);
}

/* The backend as the conformance suite (storage_conformance.h) sees it:
 * path style on 127.0.0.1, parts of 5 MiB, two keys per listing page. */
static mm_storage *open_conformance(void)
{
    char *ep = endpoint("127.0.0.1");
    mm_storage *st = open_s3(ep, false, "bkt", NULL);
    free(ep);
    return st;
}

static char *missing_message(void)
{
    return mm_asprintf("S3 GET s3://bkt/dir/missing.npy at http://127.0.0.1:%s: 404 NoSuchKey: The specified key "
                       "does not exist.", port);
}

static mm_part_digest *digest_of(const char *path, uint64_t part_size, long flip_at)
{
    size_t len = 0;
    char *bytes = mm_test_read_file(path, &len);
    if (flip_at >= 0)
        bytes[flip_at] ^= 1;
    mm_part_digest *d = mm_part_digest_new(part_size);
    mm_part_digest_update(d, bytes, len);
    mm_part_digest_finish(d);
    free(bytes);
    return d;
}

MM_TEST(given_part_digests_sign_the_upload)
{
    char *ep = endpoint("127.0.0.1");
    mm_storage *st = open_s3(ep, false, "bkt", NULL);
    MM_CHECK_INT((int)(mm_storage_digest_part_size(st) >> 20), 5);
    char *up = write_pattern("digested", (11u << 20) + 7);
    char *down = mm_asprintf("%s/digested-down", dir);
    mm_error err;
    mm_error_clear(&err);
    mm_part_digest *good = digest_of(up, 5u << 20, -1);
    MM_CHECK_INT(mm_storage_put_file_digested(st, "dg/good.npy", up, good, &err), 0);
    MM_CHECK_INT(mm_storage_get_file(st, "dg/good.npy", down, &err), 0);
    MM_CHECK(same_file(up, down));
    unlink(down);

    /* Hashed before a byte of the second part changed on disk: that part is
     * refused (after the retries) and no object appears. */
    mm_part_digest *stale = digest_of(up, 5u << 20, (5l << 20) + 3);
    MM_CHECK_INT(mm_storage_put_file_digested(st, "dg/stale.npy", up, stale, &err), -1);
    char *want = mm_asprintf("S3 PUT s3://bkt/dg/stale.npy at http://127.0.0.1:%s: 400 BadDigest: The Content-MD5 "
                             "you specified did not match what we received.; %s changed after its "
                             "bytes were hashed for this upload (modified, or damaged on disk): check that disk and "
                             "that nothing writes to the file, then run the command again", port, up);
    MM_CHECK_STR(err.message, want);
    free(want);
    int64_t size = 0;
    MM_CHECK_INT(mm_storage_head(st, "dg/stale.npy", &size, &err), 0);
    MM_CHECK_INT(size, -1);

    /* Parts of another size than the client's: not used, the file is hashed. */
    mm_part_digest *other = digest_of(up, 6u << 20, 0);
    mm_error_clear(&err);
    MM_CHECK_INT(mm_storage_put_file_digested(st, "dg/other.npy", up, other, &err), 0);
    MM_CHECK_INT(mm_storage_get_file(st, "dg/other.npy", down, &err), 0);
    MM_CHECK(same_file(up, down));
    unlink(down);

    /* A single PUT signed with a stale digest is refused too. */
    char *small = write_pattern("digested-small", 1000);
    mm_part_digest *stale_small = digest_of(small, 5u << 20, 999);
    MM_CHECK_INT(mm_storage_put_file_digested(st, "dg/small.npy", small, stale_small, &err), -1);
    want = mm_asprintf("S3 PUT s3://bkt/dg/small.npy at http://127.0.0.1:%s: 400 BadDigest: The Content-MD5 you "
                       "specified did not match what we received.; %s changed after its bytes "
                       "were hashed for this upload (modified, or damaged on disk): check that disk and that nothing "
                       "writes to the file, then run the command again", port, small);
    MM_CHECK_STR(err.message, want);
    free(want);
    for (const char *k = "dg/good.npy"; k; k = strcmp(k, "dg/good.npy") == 0 ? "dg/other.npy" : NULL)
        MM_CHECK_INT(mm_storage_remove(st, k, &err), 0);
    mm_part_digest_free(good);
    mm_part_digest_free(stale);
    mm_part_digest_free(other);
    mm_part_digest_free(stale_small);
    free(small);
    free(up);
    free(down);
    mm_storage_close(st);
    free(ep);
}

MM_TEST(missing_bucket_names_the_side)
{
    char *ep = endpoint("127.0.0.1");
    mm_storage *st = open_s3(ep, false, "nosuch", "source.remote");
    mm_error err;
    mm_conformance_seen s = {.stop_after = -1};
    mm_strbuf_init(&s.text);
    MM_CHECK_INT(mm_storage_list(st, "tables/", mm_conformance_collect, &s, &err), -1);
    char *want = mm_asprintf("S3 GET s3://nosuch at http://127.0.0.1:%s: 404 NoSuchBucket: The specified bucket does "
                             "not exist.; fix source.remote.bucket", port);
    MM_CHECK_STR(err.message, want);
    free(want);
    MM_CHECK_INT(mm_storage_check(st, &err), -1);
    want = mm_asprintf("S3 bucket s3://nosuch at http://127.0.0.1:%s does not exist; fix source.remote.bucket", port);
    MM_CHECK_STR(err.message, want);
    free(want);
    mm_strbuf_free(&s.text);
    mm_storage_close(st);
    free(ep);
}

/* Swift serves buckets as virtual hosts under localhost (storage_domain),
 * and libcurl resolves <bucket>.localhost to loopback. */
MM_TEST(virtual_host_round_trip_and_listing)
{
    char *ep = endpoint("localhost");
    mm_storage *st = open_s3(ep, true, "bkt", NULL);
    mm_error err;
    MM_CHECK_INT(mm_storage_check(st, &err), 0);
    round_trip(st, "vh/one.npy", 3000);
    round_trip(st, "vh/two three.npy", 10);
    mm_conformance_seen s = {.stop_after = -1};
    mm_strbuf_init(&s.text);
    MM_CHECK_INT(mm_storage_list(st, "vh/", mm_conformance_collect, &s, &err), 0);
    MM_CHECK_STR(s.text.data, "vh/one.npy=3000;vh/two three.npy=10;");
    mm_strbuf_free(&s.text);
    char *want = mm_asprintf("s3://bkt at http://localhost:%s", port);
    MM_CHECK_STR(mm_storage_describe(st), want);
    free(want);
    mm_storage_close(st);
    free(ep);
}

int main(void)
{
    dir = mm_test_tmpdir("storage-s3");
    if (start_swift() != 0) {
        fprintf(stderr, "cannot start Swift (python3-swift installed?)\n");
        return 1;
    }
    /* Two keys per listing page: a stop after three crosses a page, and
     * the continuation tokens carry '=' and '/'. */
    mm_conformance suite = {
        .open = open_conformance, .dir = dir, .escaped_key = "dir/a b+c=d&e<f>\xc3\xbc.npy", .part_size = 5u << 20,
        .parts_key = "dir/parts.npy", .parts_size = (11u << 20) + 12345, /* three parts */
        .stop_after = 3, .missing_message = missing_message,
    };
    mm_storage_conformance(&suite);
    MM_RUN(given_part_digests_sign_the_upload);
    MM_RUN(missing_bucket_names_the_side);
    MM_RUN(virtual_host_round_trip_and_listing);
    stop_swift();
    mm_test_rmtree(dir);
    free(dir);
    return MM_TEST_EXIT();
}
