/* The Azure backend against Microsoft's emulator Azurite (started here on
 * loopback through tests/lib/azurite.sh, stopped by PID): whole and block
 * uploads read back byte for byte, head, list, remove, a missing container,
 * a wrong key and SAS tokens, each with its exact message. */
#include "storage/storage.h"
#include "storage/azure.h"
#include "base/strbuf.h"
#include "testlib.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static pid_t azurite_pid;
static char endpoint[64], account_key[128], sas_all[512], sas_read[512], *dir;

static void stop_azurite(void)
{
    if (azurite_pid > 0)
        kill(azurite_pid, SIGTERM);
    azurite_pid = 0;
}

static int start_azurite(void)
{
    char *helper = mm_test_source_path("tests/lib/azurite.sh");
    char *cmd = mm_asprintf("bash -c 'export MM_SOURCE_DIR=\"$1\"; source \"$1/tests/lib/azurite.sh\" && "
                            "mm_azurite_start \"$2\" && mm_azurite_create_container milvus && "
                            "echo \"$AZURITE_ENDPOINT $AZURITE_PID $AZURITE_KEY\" && mm_azurite_sas && "
                            "mm_azurite_sas rl' _ \"%.*s\" \"%s\"",
                            (int)(strlen(helper) - strlen("/tests/lib/azurite.sh")), helper, dir);
    FILE *p = popen(cmd, "r");
    char line[1024] = "";
    int pid = 0;
    bool ok = p && fgets(line, sizeof line, p) && sscanf(line, "%63s %d %127s", endpoint, &pid, account_key) == 3 &&
              fgets(sas_all, sizeof sas_all, p) && fgets(sas_read, sizeof sas_read, p);
    azurite_pid = pid;
    if (p)
        pclose(p);
    sas_all[strcspn(sas_all, "\n")] = '\0';
    sas_read[strcspn(sas_read, "\n")] = '\0';
    free(cmd);
    free(helper);
    atexit(stop_azurite);
    return ok ? 0 : -1;
}

static mm_storage *open_azure(const char *container, const char *key, const char *sas)
{
    char *url = mm_asprintf("http://%s/mmacct", endpoint);
    mm_azure_options o = {
        .account = "mmacct", .account_key = key, .sas_token = sas, .service_url = url, .container = container,
        .side = "target.remote", .block_size = 1u << 20, .max_retries = 1, .retry_base_ms = 10,
    };
    mm_storage *st = NULL;
    mm_error err;
    if (mm_storage_azure_open(&o, &st, &err) != 0)
        fprintf(stderr, "open: %s\n", err.message);
    free(url);
    return st;
}

static char *write_pattern(const char *name, size_t size)
{
    unsigned char *data = malloc(size ? size : 1);
    for (size_t i = 0; i < size; i++)
        data[i] = (unsigned char)((i * 131 + i / 4096) & 0xFF);
    mm_test_write_file(dir, name, data, size);
    free(data);
    return mm_asprintf("%s/%s", dir, name);
}

static bool same_file(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    char *da = mm_test_read_file(a, &la), *db = mm_test_read_file(b, &lb);
    bool same = da && db && la == lb && memcmp(da, db, la) == 0;
    free(da);
    free(db);
    return same;
}

static void round_trip(mm_storage *st, const char *key, size_t size)
{
    char name[64];
    snprintf(name, sizeof name, "up-%zu", size);
    char *up = write_pattern(name, size);
    char *down = mm_asprintf("%s/down-%zu", dir, size);
    mm_error err;
    mm_error_clear(&err);
    MM_CHECK_INT(mm_storage_put_file(st, key, up, &err), 0);
    int64_t got = -2;
    MM_CHECK_INT(mm_storage_head(st, key, &got, &err), 0);
    MM_CHECK_INT(got, (int64_t)size);
    MM_CHECK_INT(mm_storage_get_file(st, key, down, &err), 0);
    MM_CHECK(same_file(up, down));
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
        fprintf(stderr, "%s\n", err.message);
    free(partial);
    free(up);
    free(down);
}

MM_TEST(whole_and_block_uploads_read_back_identically)
{
    mm_storage *st = open_azure("milvus", account_key, NULL);
    mm_error err;
    MM_CHECK_INT(mm_storage_check(st, &err), 0);
    round_trip(st, "dir/empty.npy", 0);
    round_trip(st, "dir/a b+c=d.npy", 1000);
    round_trip(st, "dir/exact.npy", 1u << 20);            /* one block size: a single Put Blob */
    round_trip(st, "dir/blocks.npy", (7u << 19) + 12345);  /* 3.5 MiB: four blocks */
    mm_storage_close(st);
}

typedef struct seen {
    mm_strbuf text;
    int stop_after;
} seen;

static int collect(void *ctx, const char *key, int64_t size)
{
    seen *s = ctx;
    mm_strbuf_appendf(&s->text, "%s=%lld;", key, (long long)size);
    return --s->stop_after == 0 ? 7 : 0;
}

MM_TEST(list_head_and_remove)
{
    mm_storage *st = open_azure("milvus", account_key, NULL);
    mm_error err;
    mm_error_clear(&err);
    seen s = {.stop_after = -1};
    mm_strbuf_init(&s.text);
    MM_CHECK_INT(mm_storage_list(st, "dir/", collect, &s, &err), 0);
    MM_CHECK_STR(s.text.data, "dir/a b+c=d.npy=1000;dir/blocks.npy=3682361;dir/empty.npy=0;dir/exact.npy=1048576;");
    mm_strbuf_reset(&s.text);
    s.stop_after = 2;
    MM_CHECK_INT(mm_storage_list(st, "dir/", collect, &s, &err), 7);
    MM_CHECK_STR(s.text.data, "dir/a b+c=d.npy=1000;dir/blocks.npy=3682361;");
    mm_strbuf_reset(&s.text);
    MM_CHECK_INT(mm_storage_list(st, "nothing/", collect, &s, &err), 0);
    MM_CHECK(s.text.len == 0);
    mm_strbuf_free(&s.text);

    MM_CHECK_INT(mm_storage_remove(st, "dir/exact.npy", &err), 0);
    int64_t size = 0;
    MM_CHECK_INT(mm_storage_head(st, "dir/exact.npy", &size, &err), 0);
    MM_CHECK_INT(size, -1);
    MM_CHECK_INT(mm_storage_remove(st, "dir/exact.npy", &err), 0);

    char *down = mm_asprintf("%s/missing", dir);
    MM_CHECK_INT(mm_storage_get_file(st, "dir/missing.npy", down, &err), -1);
    char *want = mm_asprintf("Azure GET azure://milvus/dir/missing.npy at http://%s/mmacct: 404 BlobNotFound: The "
                             "specified blob does not exist.", endpoint);
    MM_CHECK_STR(err.message, want);
    char *partial = mm_asprintf("%s.partial", down);
    MM_CHECK(access(partial, F_OK) != 0 && access(down, F_OK) != 0);
    free(partial);
    free(want);
    free(down);
    mm_storage_close(st);
}

MM_TEST(missing_container_is_named)
{
    mm_storage *st = open_azure("nosuch", account_key, NULL);
    mm_error err;
    MM_CHECK_INT(mm_storage_check(st, &err), -1);
    char *want = mm_asprintf("Azure container azure://nosuch at http://%s/mmacct does not exist (ContainerNotFound); "
                             "create it or fix target.remote.bucket", endpoint);
    MM_CHECK_STR(err.message, want);
    free(want);
    mm_storage_close(st);
}

MM_TEST(wrong_key_fails_clearly_without_the_key)
{
    const char *wrong = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    mm_storage *st = open_azure("milvus", wrong, NULL);
    mm_error err;
    MM_CHECK_INT(mm_storage_check(st, &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_AUTH);
    char *want = mm_asprintf("Azure GET azure://milvus at http://%s/mmacct: 403 AuthorizationFailure: Server failed "
                             "to authenticate the request. Make sure the value of the Authorization header is formed "
                             "correctly including the signature.; check target.remote.ak (the storage account name, "
                             "'mmacct') and target.remote.sk (one of its access keys)", endpoint);
    MM_CHECK_STR(err.message, want);
    MM_CHECK(!strstr(err.message, wrong) && !strstr(err.message, account_key));
    free(want);
    mm_storage_close(st);
}

MM_TEST(sas_tokens_grant_what_they_say)
{
    char *with_mark = mm_asprintf("?%s", sas_all);
    mm_storage *st = open_azure("milvus", NULL, with_mark);
    mm_error err;
    MM_CHECK_INT(mm_storage_check(st, &err), 0);
    round_trip(st, "sas/blocks.npy", (5u << 19) + 1);
    mm_storage_close(st);
    free(with_mark);

    mm_storage *ro = open_azure("milvus", NULL, sas_read);
    MM_CHECK_INT(mm_storage_check(ro, &err), 0);
    char *up = write_pattern("ro", 10);
    MM_CHECK_INT(mm_storage_put_file(ro, "sas/ro.npy", up, &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_AUTH);
    char *want = mm_asprintf("Azure PUT azure://milvus/sas/ro.npy at http://%s/mmacct: 403 "
                             "AuthorizationPermissionMismatch: This request is not authorized to perform this "
                             "operation using this permission.; check that target.remote.sasToken is for account "
                             "'mmacct', unexpired, and grants the rights this needs", endpoint);
    MM_CHECK_STR(err.message, want);
    MM_CHECK(!strstr(err.message, "sig="));
    free(want);
    free(up);
    mm_storage_close(ro);
}

int main(void)
{
    dir = mm_test_tmpdir("azurite");
    if (start_azurite() != 0) {
        fprintf(stderr, "cannot start Azurite (see %s/azurite/azurite.log)\n", dir);
        stop_azurite();
        return 1;
    }
    MM_RUN(whole_and_block_uploads_read_back_identically);
    MM_RUN(list_head_and_remove);
    MM_RUN(missing_container_is_named);
    MM_RUN(wrong_key_fails_clearly_without_the_key);
    MM_RUN(sas_tokens_grant_what_they_say);
    stop_azurite();
    int rc = MM_TEST_EXIT();
    if (rc == 0)
        mm_test_rmtree(dir);
    free(dir);
    return rc;
}
