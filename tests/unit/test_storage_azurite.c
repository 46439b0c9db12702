/* The Azure backend against Microsoft's emulator Azurite (started here on
 * loopback through tests/lib/azurite.sh, stopped by PID): the storage
 * conformance suite (tests/lib/storage_conformance.h: whole and block
 * uploads read back byte for byte, head, list, remove), then a missing
 * container, a wrong key and SAS tokens, each with its exact message. */
#include "base/strbuf.h"
#include "storage/azure.h"
#include "storage/storage.h"
#include "storage_conformance.h"
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
    return mm_conformance_pattern(dir, name, size);
}

static void round_trip(mm_storage *st, const char *key, size_t size)
{
    mm_conformance_round_trip(st, dir, key, size);
}

/* The backend as the conformance suite (storage_conformance.h) sees it:
 * Shared Key on container milvus, blocks of 1 MiB. */
static mm_storage *open_conformance(void)
{
    return open_azure("milvus", account_key, NULL);
}

static char *missing_message(void)
{
    return mm_asprintf("Azure GET azure://milvus/dir/missing.npy at http://%s/mmacct: 404 BlobNotFound: The "
                       "specified blob does not exist.", endpoint);
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
    mm_conformance suite = {
        .open = open_conformance, .dir = dir, .escaped_key = "dir/a b+c=d.npy", .part_size = 1u << 20,
        .parts_key = "dir/blocks.npy", .parts_size = (7u << 19) + 12345, /* 3.5 MiB: four blocks */
        .stop_after = 2, .missing_message = missing_message,
    };
    mm_storage_conformance(&suite);
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
