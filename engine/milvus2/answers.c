/* What Milvus's answers mean (answers.h). */
#include "milvus2/answers.h"

#include <stdio.h>
#include <string.h>

bool mm_milvus_rate_limited(int code, int error_code)
{
    return code == MM_MILVUS_CODE_RATE_LIMIT || (code == 0 && error_code == MM_MILVUS_ERROR_CODE_RATE_LIMIT);
}

mm_milvus_answer mm_milvus_classify(int code, int error_code, const char *reason)
{
    const char *r = reason ? reason : "";
    if (mm_milvus_rate_limited(code, error_code))
        return MM_MILVUS_ANSWER_BUSY;
    /* Servers before merr codes (2.2) answer both with error_code 1 and
     * these texts only. */
    bool import_code = code == MM_MILVUS_CODE_IMPORT_FAILED || code == MM_MILVUS_CODE_IMPORT_SYS_FAILED || code == 0;
    if (!import_code)
        return MM_MILVUS_ANSWER_FAILED;
    /* import_util.go ValidateMaxImportJobExceed: "The number of jobs has
     * reached the limit, please try again later. ..." */
    if (strstr(r, "please try again later") || strstr(r, "number of jobs has reached the limit"))
        return MM_MILVUS_ANSWER_BUSY;
    /* services.go GetImportProgress: "import job does not exist, jobID=N";
     * 2.2/2.3's import manager: "import task id doesn't exist". */
    if (strstr(r, "does not exist") || strstr(r, "doesn't exist"))
        return MM_MILVUS_ANSWER_JOB_MISSING;
    return MM_MILVUS_ANSWER_FAILED;
}

/* The privilege each request message names in its milvus-proto
 * `privilege_ext_obj` option (proto/milvus.proto, branches 2.5, 2.6 and
 * 3.0; object type Collection). HasCollection, GetImportState and
 * ListImportTasks carry none, so any authenticated user may call them;
 * GetPartitionStatistics carries GetStatistics only on the proto branch
 * tips after 2026-08-06, in no release up to v2.6.22 and v3.0.0. */
static const struct privilege {
    const char *method, *privilege, *use;
} privileges[] = {
    {"CreateCollection", "CreateCollection", "create the 2.x collections"},
    {"DescribeCollection", "DescribeCollection", "check the schema of a collection it appends to"},
    {"DropCollection", "DropCollection",
     "drop a collection (existingCollection: drop) and the scratch collection of the staging probe"},
    {"HasPartition", "HasPartition", "find the partitions that already exist"},
    {"CreatePartition", "CreatePartition", "create the 2.x partitions"},
    {"ShowPartitions", "ShowPartitions", "list the partitions of a collection"},
    {"Import", "Import", "bulk-import the staged files"},
    {"GetCollectionStatistics", "GetStatistics", "read row counts to reconcile and verify"},
    {"GetPartitionStatistics", "GetStatistics", "read row counts to reconcile and verify"},
    {"CreateIndex", "CreateIndex", "build the index (createIndex: true)"},
    {"DescribeIndex", "IndexDetail", "read the index of a collection"},
};

static const struct privilege *find_privilege(const char *method)
{
    for (size_t i = 0; method && i < sizeof privileges / sizeof privileges[0]; i++)
        if (strcmp(privileges[i].method, method) == 0)
            return &privileges[i];
    return NULL;
}

const char *mm_milvus_privilege_of(const char *method)
{
    const struct privilege *p = find_privilege(method);
    return p ? p->privilege : NULL;
}

const char *mm_milvus_privilege_use(const char *method)
{
    const struct privilege *p = find_privilege(method);
    return p ? p->use : "call it";
}

/* Copies [from, to) into buf; false when it does not fit or is empty. */
static bool take(const char *from, const char *to, char *buf, size_t size)
{
    size_t n = (size_t)(to - from);
    if (!from || !to || to <= from || n >= size)
        return false;
    memcpy(buf, from, n);
    buf[n] = '\0';
    return true;
}

/* The proxy's text (internal/proxy/privilege_interceptor.go 179-180 on
 * 2.6): "%s: permission deny to %s in the `%s` database", the privilege
 * named as its proto enum value. */
bool mm_milvus_parse_denial(const char *details, char *privilege, size_t privilege_size, char *user,
                            size_t user_size, char *db, size_t db_size)
{
    static const char prefix[] = "Privilege", deny[] = ": permission deny to ", in[] = " in the `";
    if (!details || strncmp(details, prefix, sizeof prefix - 1) != 0)
        return false;
    const char *name = details + sizeof prefix - 1;
    const char *colon = strstr(name, deny);
    const char *who = colon ? colon + sizeof deny - 1 : NULL;
    const char *where = who ? strstr(who, in) : NULL;
    const char *db_start = where ? where + sizeof in - 1 : NULL;
    const char *db_end = db_start ? strchr(db_start, '`') : NULL;
    return take(name, colon, privilege, privilege_size) && take(who, where, user, user_size) &&
           take(db_start, db_end, db, db_size) && strcmp(db_end, "` database") == 0;
}
