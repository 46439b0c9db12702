/* Shared by the Milvus 2.x client's files: client.c (the gRPC plumbing
 * and connecting) and client_ops.c (the calls). */
#ifndef MM_MILVUS2_CLIENT_INTERNAL_H
#define MM_MILVUS2_CLIENT_INTERNAL_H

#include "milvus2/client.h"

#include "milvus.pb-c.h"
#include "milvus2/grpc_channel.h"
#include "schema.pb-c.h"

#include <stdbool.h>

struct mm_milvus {
    mm_grpc_channel *ch;
    char *endpoint;
    char *label;
    char *database;
    char *user;              /* "" without authorization */
    char *version;
    int generation;
    int timeout_seconds;     /* per call */
};

typedef Milvus__Proto__Common__Status pb_status;
typedef Milvus__Proto__Common__KeyValuePair pb_kv;

/* One unary call of MilvusService.<method>; response is freed with
 * mm_milvus_release. A response whose Status says the rate limiter refused
 * the call is waited out and the call repeated, a few times (a refused
 * call did nothing, so this holds for Import too); PERMISSION_DENIED
 * becomes one message naming the privilege. */
int mm_milvus_call(mm_milvus *m, const char *method, const void *request, const ProtobufCMessageDescriptor *desc,
                   bool idempotent, void *response, mm_grpc_result *result, mm_error *err);
/* The same without repeating a rate-limited call (its caller reports it). */
int mm_milvus_call_once(mm_milvus *m, const char *method, const void *request, const ProtobufCMessageDescriptor *desc,
                        bool idempotent, void *response, mm_grpc_result *result, mm_error *err);
/* The same with another deadline (seconds) than the client's. */
int mm_milvus_call_deadline(mm_milvus *m, const char *method, const void *request,
                            const ProtobufCMessageDescriptor *desc, int deadline_seconds, void *response,
                            mm_grpc_result *result, mm_error *err);
void mm_milvus_release(void *msg);
/* Success is error_code == 0 and code == 0 (the second exists from 2.3). */
bool mm_milvus_status_ok(const pb_status *st);
int mm_milvus_status_code(const pb_status *st);
/* An error for a failed status: "<what> on <server>: <reason> (code N)"; -1. */
int mm_milvus_status_error(const mm_milvus *m, const pb_status *st, mm_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
const char *mm_milvus_kv_get(pb_kv **kvs, size_t n, const char *key);
/* The database the client works in ("" = default). */
char *mm_milvus_db_name(mm_milvus *m);

#endif
