/* Unary gRPC calls on the gRPC C core, with protobuf-c messages.
 *
 * The C core has no generated stubs for C; a unary call is one batch of six
 * operations on a call object. This module owns that, the channel (plain or
 * TLS), per-call metadata (authorization, dbname), deadlines and retries on
 * UNAVAILABLE, so the Milvus client above it only deals with messages. */
#ifndef MM_GRPC_CHANNEL_H
#define MM_GRPC_CHANNEL_H

#include "base/error.h"

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct mm_grpc_channel mm_grpc_channel;

typedef struct mm_grpc_options {
    const char *target;        /* host:port */
    const char *server_label;  /* how errors name the server, e.g. "Milvus at host:port" */
    bool tls;
    const char *ca_file;       /* PEM roots; NULL = the system's */
    const char *cert_file;     /* client certificate for mutual TLS, or NULL */
    const char *key_file;
    const char *server_name;   /* overrides the name checked in the server certificate */
    int timeout_ms;            /* per attempt */
    int max_retries;           /* on UNAVAILABLE */
    int retry_base_ms;         /* doubles per retry */
    uint64_t max_recv_bytes;   /* 0 = unlimited */
    uint64_t max_send_bytes;
} mm_grpc_options;

/* A header sent with every call. Values may be secrets: they never appear
 * in errors. */
typedef struct mm_grpc_header {
    const char *key;
    const char *value;
} mm_grpc_header;

int mm_grpc_open(const mm_grpc_options *opt, const mm_grpc_header *headers, size_t n_headers,
                 mm_grpc_channel **out, mm_error *err);
void mm_grpc_close(mm_grpc_channel *ch);

/* gRPC status of the last failed call (GRPC_STATUS_OK when the failure was
 * not a gRPC status), so callers can tell UNIMPLEMENTED apart. */
typedef struct mm_grpc_result {
    int status;        /* grpc_status_code */
    int attempts;
    char details[512]; /* the server's status message ("" when none) */
} mm_grpc_result;

/* Calls /<service>/<method> with `request`; on success *response is a
 * message of `response_desc` to be freed with protobuf_c_message_free_unpacked.
 * Errors are "<method> on <server>: <cause>; <fix>".
 *
 * `idempotent` calls are retried on UNAVAILABLE. Others (Import) are not: an
 * UNAVAILABLE can come after the server acted, and a second Import would
 * load the rows twice. */
int mm_grpc_unary(mm_grpc_channel *ch, const char *method_path, const ProtobufCMessage *request,
                  const ProtobufCMessageDescriptor *response_desc, bool idempotent,
                  ProtobufCMessage **response, mm_grpc_result *result, mm_error *err);

/* The same with a deadline of its own (milliseconds; 0: the channel's). */
int mm_grpc_unary_deadline(mm_grpc_channel *ch, const char *method_path, const ProtobufCMessage *request,
                           const ProtobufCMessageDescriptor *response_desc, bool idempotent, int timeout_ms,
                           ProtobufCMessage **response, mm_grpc_result *result, mm_error *err);

/* The gRPC status name ("UNAVAILABLE", ...) of a status code. */
const char *mm_grpc_status_name(int status);

#endif
