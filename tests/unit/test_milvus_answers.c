/* What Milvus's answers mean across server generations (milvus2/answers.h):
 * the texts and codes are those of pkg/util/merr and the proxy's RBAC
 * interceptor on 2.5, 2.6.18, 2.6.19+ and 3.0, as the emulator plays them. */
#include "milvus2/answers.h"
#include "testlib.h"

#include <string.h>

static const char job_limit[] = "The number of jobs has reached the limit, please try again later. If your request "
                                "is set to only import a single file, please consider importing multiple files in "
                                "one request for better efficiency.";

MM_TEST(a_missing_job_is_2100_up_to_2_6_18_and_2101_after)
{
    MM_CHECK_INT(mm_milvus_classify(2100, 1, "import job does not exist, jobID=5"), MM_MILVUS_ANSWER_JOB_MISSING);
    MM_CHECK_INT(mm_milvus_classify(2101, 1, "import job does not exist, jobID=5: importing data failed on server side"),
                 MM_MILVUS_ANSWER_JOB_MISSING);
    /* 2.3's import manager, and 2.2 without merr codes. */
    MM_CHECK_INT(mm_milvus_classify(2100, 1, "import task id doesn't exist"), MM_MILVUS_ANSWER_JOB_MISSING);
    MM_CHECK_INT(mm_milvus_classify(0, 1, "import task id doesn't exist"), MM_MILVUS_ANSWER_JOB_MISSING);
}

MM_TEST(the_job_limit_is_busy_in_both_generations)
{
    MM_CHECK_INT(mm_milvus_classify(2100, 1, job_limit), MM_MILVUS_ANSWER_BUSY);
    char chain[512];
    snprintf(chain, sizeof chain, "failed to broadcast import: failed to validate import request: %s: importing data "
             "failed on server side", job_limit);
    MM_CHECK_INT(mm_milvus_classify(2101, 1, chain), MM_MILVUS_ANSWER_BUSY);
}

MM_TEST(the_rate_limiter_is_busy_by_code_alone)
{
    MM_CHECK_INT(mm_milvus_classify(8, 49, "request is rejected by grpc RateLimiter middleware, please retry later: "
                                           "rate limit exceeded[rate=0.1]"), MM_MILVUS_ANSWER_BUSY);
    MM_CHECK(mm_milvus_rate_limited(8, 49));
    MM_CHECK(mm_milvus_rate_limited(0, 49));          /* no merr code (2.2) */
    MM_CHECK(!mm_milvus_rate_limited(9, 48));         /* quota exceeded: a real failure */
    MM_CHECK(!mm_milvus_rate_limited(2100, 49));
}

MM_TEST(input_errors_and_other_codes_are_failures)
{
    /* 2100 from 2.6.19 on: bad files, wrong schema. */
    MM_CHECK_INT(mm_milvus_classify(2100, 1, "no file for field: data, files: [id.npy]: importing data failed"),
                 MM_MILVUS_ANSWER_FAILED);
    /* "does not exist" under another code is not about the job. */
    MM_CHECK_INT(mm_milvus_classify(100, 4, "collection not found[collection=x] does not exist"),
                 MM_MILVUS_ANSWER_FAILED);
    MM_CHECK_INT(mm_milvus_classify(2101, 1, "failed to get segment: importing data failed on server side"),
                 MM_MILVUS_ANSWER_FAILED);
    MM_CHECK_INT(mm_milvus_classify(2100, 1, NULL), MM_MILVUS_ANSWER_FAILED);
}

MM_TEST(privileges_of_the_calls_a_migration_makes)
{
    MM_CHECK_STR(mm_milvus_privilege_of("Import"), "Import");
    MM_CHECK_STR(mm_milvus_privilege_of("CreateCollection"), "CreateCollection");
    MM_CHECK_STR(mm_milvus_privilege_of("GetCollectionStatistics"), "GetStatistics");
    MM_CHECK_STR(mm_milvus_privilege_of("DescribeIndex"), "IndexDetail");
    MM_CHECK(mm_milvus_privilege_of("GetImportState") == NULL);
    MM_CHECK(mm_milvus_privilege_of("HasCollection") == NULL);
    MM_CHECK(mm_milvus_privilege_of(NULL) == NULL);
    MM_CHECK_STR(mm_milvus_privilege_use("Import"), "bulk-import the staged files");
}

MM_TEST(the_proxys_denial_is_read_into_its_parts)
{
    char privilege[64], user[64], db[64];
    MM_CHECK(mm_milvus_parse_denial("PrivilegeImport: permission deny to alice in the `default` database", privilege,
                                    sizeof privilege, user, sizeof user, db, sizeof db));
    MM_CHECK_STR(privilege, "Import");
    MM_CHECK_STR(user, "alice");
    MM_CHECK_STR(db, "default");
    /* An API-key user is named with a space. */
    MM_CHECK(mm_milvus_parse_denial("PrivilegeLoad: permission deny to apikey user in the `sales` database", privilege,
                                    sizeof privilege, user, sizeof user, db, sizeof db));
    MM_CHECK_STR(user, "apikey user");
    MM_CHECK_STR(db, "sales");
    MM_CHECK(!mm_milvus_parse_denial("permission denied", privilege, sizeof privilege, user, sizeof user, db,
                                     sizeof db));
    MM_CHECK(!mm_milvus_parse_denial("PrivilegeImport: permission deny to alice in the `default` database!", privilege,
                                     sizeof privilege, user, sizeof user, db, sizeof db));
    MM_CHECK(!mm_milvus_parse_denial("PrivilegeImport: permission deny to alice", privilege, sizeof privilege, user,
                                     sizeof user, db, sizeof db));
    MM_CHECK(!mm_milvus_parse_denial("PrivilegeImport: permission deny to alice in the `default` database", privilege,
                                     4, user, sizeof user, db, sizeof db));
    MM_CHECK(!mm_milvus_parse_denial(NULL, privilege, sizeof privilege, user, sizeof user, db, sizeof db));
}

int main(void)
{
    MM_RUN(a_missing_job_is_2100_up_to_2_6_18_and_2101_after);
    MM_RUN(the_job_limit_is_busy_in_both_generations);
    MM_RUN(the_rate_limiter_is_busy_by_code_alone);
    MM_RUN(input_errors_and_other_codes_are_failures);
    MM_RUN(privileges_of_the_calls_a_migration_makes);
    MM_RUN(the_proxys_denial_is_read_into_its_parts);
    return MM_TEST_EXIT();
}
