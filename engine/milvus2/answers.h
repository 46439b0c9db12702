/* What Milvus's answers mean for a migration, across server generations,
 * as plain functions of their fields so they can be tested on their own:
 * which failed Status says "try again later", which says "no such import
 * job", and which RBAC privilege a call needs.
 *
 * Codes (pkg/util/merr/errors.go): 2100 ErrImportFailed and, from 2.6.19
 * and 3.0 on, 2101 ErrImportSysFailed. Up to 2.6.18 and on 2.5 a missing
 * job and the job limit both answer 2100; from 2.6.19 they answer 2101,
 * and 2100 means an input error (bad files, schema). 8 is the rate limiter
 * (error_code RateLimit, 49, on servers without merr codes). So a Status is
 * matched on its code and its text together, never on one alone. */
#ifndef MM_MILVUS2_ANSWERS_H
#define MM_MILVUS2_ANSWERS_H

#include <stdbool.h>
#include <stddef.h>

enum {
    MM_MILVUS_CODE_RATE_LIMIT = 8,
    MM_MILVUS_CODE_IMPORT_FAILED = 2100,
    MM_MILVUS_CODE_IMPORT_SYS_FAILED = 2101,
    MM_MILVUS_ERROR_CODE_RATE_LIMIT = 49,   /* common.ErrorCode RateLimit */
};

typedef enum {
    MM_MILVUS_ANSWER_FAILED,       /* a real failure: report it */
    MM_MILVUS_ANSWER_BUSY,         /* refused before any work (rate limit, too many jobs): retry later */
    MM_MILVUS_ANSWER_JOB_MISSING,  /* the import job is unknown (expired, lost) */
} mm_milvus_answer;

/* Classifies a failed Status (code, error_code, reason). */
mm_milvus_answer mm_milvus_classify(int code, int error_code, const char *reason);
/* Only the rate limiter: code 8, or error_code RateLimit without a code. */
bool mm_milvus_rate_limited(int code, int error_code);

/* The RBAC privilege (its grant name, "Import") that MilvusService.<method>
 * needs, or NULL when the call needs none, and what milvus-migrate uses
 * the call for. */
const char *mm_milvus_privilege_of(const char *method);
const char *mm_milvus_privilege_use(const char *method);

/* Reads the proxy's denial, "PrivilegeImport: permission deny to alice in
 * the `default` database", into its privilege ("Import"), user and
 * database; false when the text has another shape. */
bool mm_milvus_parse_denial(const char *details, char *privilege, size_t privilege_size, char *user,
                            size_t user_size, char *db, size_t db_size);

#endif
