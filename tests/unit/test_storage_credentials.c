/* useIAM's credential chain with a fake HOME and environment: the
 * environment first, then the profile of the credentials file, and the
 * instance metadata service only when asked (a listening socket on
 * loopback stands in for it and tells whether it was contacted). */
#include "storage/credentials.h"
#include "base/strbuf.h"
#include "testlib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static char *home;

static void clear_env(void)
{
    const char *names[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                           "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_SERVICE_ENDPOINT"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unsetenv(names[i]);
    setenv("HOME", home, 1);
}

static const char credentials_file[] = "# written by aws configure\n"
                                       "[default]\n"
                                       "aws_access_key_id = AKIADEFAULT\n"
                                       "aws_secret_access_key = default-secret\n"
                                       "\n"
                                       "[ci]\n"
                                       "aws_access_key_id=AKIACI\r\n"
                                       "aws_secret_access_key=ci-secret\r\n"
                                       "aws_session_token = ci-token\n"
                                       "[broken]\n"
                                       "aws_access_key_id = AKIABROKEN\n";

static const mm_credentials_options opts = {.side = "target.remote"};

static int resolve(const mm_credentials_options *o, mm_credentials *c, mm_error *err)
{
    mm_error_clear(err);
    return mm_credentials_aws(o, c, err);
}

MM_TEST(environment_comes_first)
{
    clear_env();
    mm_test_write_file(home, ".aws/credentials", credentials_file, sizeof credentials_file - 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
    setenv("AWS_SESSION_TOKEN", "env-token", 1);
    mm_credentials c;
    mm_error err;
    MM_CHECK_INT(resolve(&opts, &c, &err), 0);
    MM_CHECK_STR(c.access_key, "AKIAENV");
    MM_CHECK_STR(c.secret_key, "env-secret");
    MM_CHECK_STR(c.session_token, "env-token");
    MM_CHECK_STR(c.source, "environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY with "
                           "AWS_SESSION_TOKEN (access key AKIAENV)");
    mm_credentials_free(&c);
}

MM_TEST(half_a_pair_in_the_environment_is_an_error)
{
    clear_env();
    setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
    mm_credentials c;
    mm_error err;
    MM_CHECK_INT(resolve(&opts, &c, &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_CONFIG);
    MM_CHECK_STR(err.message, "target.remote.useIAM: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; "
                              "set both, or neither to use the credentials file");
}

MM_TEST(default_profile_of_home)
{
    clear_env();
    mm_credentials c;
    mm_error err;
    MM_CHECK_INT(resolve(&opts, &c, &err), 0);
    MM_CHECK_STR(c.access_key, "AKIADEFAULT");
    MM_CHECK_STR(c.secret_key, "default-secret");
    MM_CHECK_STR(c.session_token, "");
    char want[512];
    snprintf(want, sizeof want, "profile 'default' of %s/.aws/credentials (access key AKIADEFAULT)", home);
    MM_CHECK_STR(c.source, want);
    mm_credentials_free(&c);
}

MM_TEST(aws_profile_and_file_override)
{
    clear_env();
    char *dir = mm_asprintf("%s/elsewhere", home);
    mm_test_write_file(dir, "creds", credentials_file, sizeof credentials_file - 1);
    char *file = mm_asprintf("%s/creds", dir);
    setenv("AWS_SHARED_CREDENTIALS_FILE", file, 1);
    setenv("AWS_PROFILE", "ci", 1);
    mm_credentials c;
    mm_error err;
    MM_CHECK_INT(resolve(&opts, &c, &err), 0);
    MM_CHECK_STR(c.access_key, "AKIACI");
    MM_CHECK_STR(c.secret_key, "ci-secret");
    MM_CHECK_STR(c.session_token, "ci-token");
    char want[512];
    snprintf(want, sizeof want, "profile 'ci' of %s with a session token (access key AKIACI)", file);
    MM_CHECK_STR(c.source, want);
    mm_credentials_free(&c);

    setenv("AWS_PROFILE", "nope", 1);
    MM_CHECK_INT(resolve(&opts, &c, &err), -1);
    snprintf(want, sizeof want, "target.remote.useIAM: AWS_PROFILE is 'nope' but %s has no such profile (it has "
             "'default', 'ci', 'broken'); fix AWS_PROFILE or add the profile", file);
    MM_CHECK_STR(err.message, want);

    setenv("AWS_PROFILE", "broken", 1);
    MM_CHECK_INT(resolve(&opts, &c, &err), -1);
    snprintf(want, sizeof want, "target.remote.useIAM: profile 'broken' of %s has no aws_secret_access_key; add it "
             "(with aws_access_key_id and aws_secret_access_key)", file);
    MM_CHECK_STR(err.message, want);
    MM_CHECK(!strstr(err.message, "secret-"));
    free(dir);
    free(file);
}

/* A loopback listener that accepts connections into its backlog but never
 * answers: whether a connection is waiting tells whether it was asked. */
static int listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    fcntl(fd, F_SETFL, O_NONBLOCK);
    *port = ntohs(a.sin_port);
    return fd;
}

static bool was_contacted(int fd)
{
    int c = accept(fd, NULL, NULL);
    if (c >= 0)
        close(c);
    return c >= 0;
}

MM_TEST(instance_metadata_only_when_asked)
{
    clear_env();
    setenv("HOME", "/nonexistent-home-for-test", 1);
    int port = 0;
    int fd = listener(&port);
    MM_CHECK(fd >= 0);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/", port);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint, 1);
    mm_credentials c;
    mm_error err;
    MM_CHECK_INT(resolve(&opts, &c, &err), -1);
    MM_CHECK_STR(err.message, "target.remote.useIAM: no AWS credentials found: AWS_ACCESS_KEY_ID and "
                              "AWS_SECRET_ACCESS_KEY are not set and /nonexistent-home-for-test/.aws/credentials does "
                              "not exist; set them, write that profile, or on an EC2 instance with a role set "
                              "target.remote.useIMDS: true");
    MM_CHECK(!was_contacted(fd));

    mm_credentials_options with_imds = {.side = "target.remote", .use_imds = true, .imds_timeout_ms = 300};
    MM_CHECK_INT(resolve(&with_imds, &c, &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_NETWORK);
    char want[256];
    snprintf(want, sizeof want, "target.remote.useIMDS: PUT http://127.0.0.1:%d/latest/api/token: ", port);
    MM_CHECK(strncmp(err.message, want, strlen(want)) == 0);
    MM_CHECK(was_contacted(fd));
    close(fd);
}

int main(void)
{
    home = mm_test_tmpdir("credentials");
    MM_RUN(environment_comes_first);
    MM_RUN(half_a_pair_in_the_environment_is_an_error);
    MM_RUN(default_profile_of_home);
    MM_RUN(aws_profile_and_file_override);
    MM_RUN(instance_metadata_only_when_asked);
    mm_test_rmtree(home);
    free(home);
    return MM_TEST_EXIT();
}
