/* A Milvus 2.x client for what a migration needs: collections, partitions,
 * bulk Import and its state, statistics and indexes.
 *
 * Every answer's Status is checked on both error_code (all versions) and
 * code (2.3+), and classified by answers.h. The server generation is
 * detected once with GetVersion, so callers can account for 2.4+ answering
 * Import through import v2 (no Persisted state, task ids that expire) and
 * 2.6+ creating an import job after a call that ended early. A call the
 * rate limiter refuses (code 8) is repeated after a pause, a few times; a
 * call RBAC refuses ends in one message naming the privilege. Thread-safe:
 * calls may be made from several threads on one client. */
#ifndef MM_MILVUS_CLIENT_H
#define MM_MILVUS_CLIENT_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mm_milvus mm_milvus;

typedef struct mm_milvus_options {
    const char *endpoint;    /* [http://|https://]host[:port]; port defaults to 19530 */
    const char *username;    /* "" = no authorization header */
    const char *password;
    const char *database;    /* "" = default */
    bool tls;                /* also implied by an https:// endpoint */
    const char *ca_file, *cert_file, *key_file, *server_name;
    int timeout_seconds;     /* per call */
    int max_retries;         /* on UNAVAILABLE, idempotent calls only */
    int retry_base_ms;
    uint64_t max_recv_bytes, max_send_bytes;
} mm_milvus_options;

/* Data types used by a migrated collection (milvus.proto.schema.DataType). */
enum { MM_MILVUS_INT64 = 5, MM_MILVUS_BINARY_VECTOR = 100, MM_MILVUS_FLOAT_VECTOR = 101 };

/* Import states (milvus.proto.common.ImportState). */
enum {
    MM_IMPORT_PENDING = 0,
    MM_IMPORT_FAILED = 1,
    MM_IMPORT_STARTED = 2,
    MM_IMPORT_PERSISTED = 5,
    MM_IMPORT_COMPLETED = 6,
    MM_IMPORT_FAILED_AND_CLEANED = 7,
    MM_IMPORT_FLUSHED = 8
};

typedef struct mm_milvus_field {
    char *name;
    int data_type;
    bool primary;
    bool auto_id;
    int64_t dim;             /* vectors; 0 otherwise */
    bool nullable;           /* 2.5+ */
    bool has_default;        /* a default value is set */
    bool function_output;    /* filled by a function (BM25, ...) */
    bool dynamic;            /* the hidden $meta field */
} mm_milvus_field;

typedef struct mm_milvus_collection {
    char *name;
    mm_milvus_field *fields;
    size_t n_fields;
    bool dynamic_field;
} mm_milvus_collection;

typedef struct mm_milvus_import_state {
    int state;
    int64_t rows;
    int progress;            /* percent, when the server says */
    char *failed_reason;     /* "" when none */
    bool missing;            /* the server no longer knows the task */
} mm_milvus_import_state;

/* Opens the channel, calls Connect (which validates the database) and
 * GetVersion. Refuses servers older than 2.2, whose Import differs. */
int mm_milvus_connect(const mm_milvus_options *opt, mm_milvus **out, mm_error *err);
void mm_milvus_close(mm_milvus *m);

const char *mm_milvus_endpoint(const mm_milvus *m);  /* host:port */
const char *mm_milvus_version(const mm_milvus *m);   /* e.g. "v2.5.4" */
/* 22, 23, 24, 25, 26, 30, ... from the version (major * 10 + minor). */
int mm_milvus_generation(const mm_milvus *m);
/* 2.6 and later create an import job in a callback that outlives the
 * Import call: a call that ended early (deadline, lost connection) may
 * still get its job, seconds or minutes later (late_jobs). */
bool mm_milvus_late_jobs(const mm_milvus *m);
/* The deadline of one Import call: the per-call timeout, and at least
 * MM_MILVUS_IMPORT_DEADLINE_LATE_JOBS seconds where jobs may come late, so
 * that a slow coordinator ends the call with an answer instead. */
enum { MM_MILVUS_IMPORT_DEADLINE_LATE_JOBS = 600 };
int mm_milvus_import_deadline_seconds(const mm_milvus *m);

int mm_milvus_has_collection(mm_milvus *m, const char *name, bool *exists, mm_error *err);
/* Creates `name` with an Int64 primary key (autoID off) and one vector
 * field, consistency Bounded, default shards. */
int mm_milvus_create_collection(mm_milvus *m, const char *name, const char *id_field,
                                const char *vector_field, bool binary, int64_t dim,
                                const char *description, mm_error *err);
int mm_milvus_describe_collection(mm_milvus *m, const char *name, mm_milvus_collection *out, mm_error *err);
void mm_milvus_collection_free(mm_milvus_collection *c);
int mm_milvus_drop_collection(mm_milvus *m, const char *name, mm_error *err);

int mm_milvus_has_partition(mm_milvus *m, const char *collection, const char *partition, bool *exists,
                            mm_error *err);
int mm_milvus_create_partition(mm_milvus *m, const char *collection, const char *partition, mm_error *err);

/* How one Import call ended. */
typedef enum {
    MM_IMPORT_SENT,       /* a task id was returned (the job exists) */
    MM_IMPORT_REFUSED,    /* an answer refused it: nothing was created */
    MM_IMPORT_BUSY,       /* refused before any work, to be sent again later: the
                           * rate limiter, or the cluster's limit of unfinished jobs */
    MM_IMPORT_UNCERTAIN,  /* no answer (transport, deadline): a job may exist, or
                           * appear later (mm_milvus_late_jobs) */
} mm_import_outcome;

/* One Import of a set of .npy files; never retried here (see
 * grpc_channel.h). Returns 0 only for MM_IMPORT_SENT; err says why
 * otherwise. The options never include auto_commit, whose false would make
 * a 3.0 job look failed to this API. */
int mm_milvus_import(mm_milvus *m, const char *collection, const char *partition, const char *const *files,
                     size_t n_files, int64_t *task, mm_import_outcome *outcome, mm_error *err);
/* A task the server has forgotten is not an error: out->missing is set. */
int mm_milvus_get_import_state(mm_milvus *m, int64_t task, mm_milvus_import_state *out, mm_error *err);
void mm_milvus_import_state_free(mm_milvus_import_state *s);
bool mm_milvus_import_state_final(int state);
const char *mm_milvus_import_state_name(int state);

/* The import tasks Milvus lists for a collection. 2.4+ lists them with
 * id 0 and no files, which is still enough to see whether any is running. */
typedef struct mm_milvus_task_info {
    int64_t id;
    int state;
    char *files;             /* comma-joined, "" when the server does not say */
} mm_milvus_task_info;
int mm_milvus_list_import_tasks(mm_milvus *m, const char *collection, mm_milvus_task_info **tasks, size_t *n,
                                mm_error *err);
void mm_milvus_task_infos_free(mm_milvus_task_info *tasks, size_t n);

/* row_count from GetCollectionStatistics / GetPartitionStatistics. */
int mm_milvus_collection_rows(mm_milvus *m, const char *collection, int64_t *rows, mm_error *err);
int mm_milvus_partition_rows(mm_milvus *m, const char *collection, const char *partition, int64_t *rows,
                             mm_error *err);

/* CreateIndex on `field` with index_type, metric_type and params (a JSON
 * object text such as {"nlist":1024}, or NULL). */
int mm_milvus_create_index(mm_milvus *m, const char *collection, const char *field, const char *index_type,
                           const char *metric_type, const char *params_json, mm_error *err);

#endif
