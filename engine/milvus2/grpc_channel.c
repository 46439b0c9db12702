#include "milvus2/grpc_channel.h"

#include "base/strbuf.h"
#include "base/timeutil.h"

#include <errno.h>
#include <pthread.h>
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/log.h>
#include <grpc/support/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct mm_grpc_channel {
    grpc_channel *channel;
    mm_grpc_options opt;
    char *target, *label;
    grpc_metadata *headers;
    size_t n_headers;
};

static const char *const status_names[] = {
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
    "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
};

const char *mm_grpc_status_name(int status)
{
    if (status >= 0 && (size_t)status < sizeof status_names / sizeof status_names[0])
        return status_names[status];
    return "UNKNOWN";
}

/* gRPC core writes its own diagnostics (TLS handshake failures above all)
 * straight to stderr, which would break the engine's rule of never
 * printing and bury our message. We take them over: the last error line is
 * kept, with when it was logged, so a failed call can quote it. */
static pthread_mutex_t grpc_log_lock = PTHREAD_MUTEX_INITIALIZER;
static char grpc_last_error[512];
static double grpc_last_error_at = -1;

static void capture_grpc_log(gpr_log_func_args *args)
{
    if (args->severity != GPR_LOG_SEVERITY_ERROR || !args->message)
        return;
    /* Only the text after the last "::" or ": " of an OpenSSL reason is
     * meaningful to a user ("certificate verify failed"). */
    const char *m = args->message;
    const char *ssl = strstr(m, "SSL routines::");
    if (ssl)
        m = ssl + strlen("SSL routines::");
    pthread_mutex_lock(&grpc_log_lock);
    snprintf(grpc_last_error, sizeof grpc_last_error, "%s", m);
    size_t n = strlen(grpc_last_error);
    while (n && strchr("\n .", grpc_last_error[n - 1]))
        grpc_last_error[--n] = '\0';
    grpc_last_error_at = mm_monotonic_seconds();
    pthread_mutex_unlock(&grpc_log_lock);
}

static void take_over_grpc_log(void)
{
    gpr_set_log_function(capture_grpc_log);
}

/* The last gRPC error logged at or after `since`, or "". */
static void grpc_error_since(double since, char *buf, size_t n)
{
    pthread_mutex_lock(&grpc_log_lock);
    snprintf(buf, n, "%s", grpc_last_error_at >= since ? grpc_last_error : "");
    pthread_mutex_unlock(&grpc_log_lock);
}

static char *read_pem(const char *path, const char *what, mm_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        mm_error_set(err, MM_ERR_CONFIG, "read %s %s: %s; check target.milvus2x.tls.*", what, path,
                     strerror(errno));
        return NULL;
    }
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        mm_strbuf_append_n(&sb, chunk, n);
    bool failed = ferror(f);
    fclose(f);
    if (failed || sb.len == 0) {
        mm_strbuf_free(&sb);
        mm_error_set(err, MM_ERR_CONFIG, "read %s %s: %s", what, path, failed ? "read error" : "file is empty");
        return NULL;
    }
    return mm_strbuf_take(&sb);
}

static grpc_channel_credentials *make_credentials(const mm_grpc_options *opt, mm_error *err)
{
    if (!opt->tls)
        return grpc_insecure_credentials_create();
    char *roots = NULL, *cert = NULL, *key = NULL;
    if (opt->ca_file && opt->ca_file[0] && !(roots = read_pem(opt->ca_file, "CA file", err)))
        return NULL;
    if (opt->cert_file && opt->cert_file[0]) {
        if (!opt->key_file || !opt->key_file[0]) {
            free(roots);
            mm_error_set(err, MM_ERR_CONFIG, "target.milvus2x.tls.certFile is set but tls.keyFile is not; "
                         "mutual TLS needs both");
            return NULL;
        }
        if (!(cert = read_pem(opt->cert_file, "client certificate", err)) ||
            !(key = read_pem(opt->key_file, "client key", err))) {
            free(roots);
            free(cert);
            return NULL;
        }
    }
    grpc_ssl_pem_key_cert_pair pair = {.private_key = key, .cert_chain = cert};
    grpc_channel_credentials *creds = grpc_ssl_credentials_create(roots, cert ? &pair : NULL, NULL, NULL);
    free(roots);
    free(cert);
    if (key) {
        memset(key, 0, strlen(key));
        free(key);
    }
    if (!creds)
        mm_error_set(err, MM_ERR_CONFIG, "TLS setup for %s failed; check target.milvus2x.tls.*", opt->target);
    return creds;
}

int mm_grpc_open(const mm_grpc_options *opt, const mm_grpc_header *headers, size_t n_headers,
                 mm_grpc_channel **out, mm_error *err)
{
    *out = NULL;
    mm_grpc_channel *ch = calloc(1, sizeof *ch);
    if (!ch)
        return mm_error_set(err, MM_ERR_NOMEM, "gRPC: out of memory");
    ch->opt = *opt;
    ch->target = mm_strdup(opt->target);
    ch->label = mm_strdup(opt->server_label ? opt->server_label : opt->target);
    ch->opt.target = ch->target;
    ch->opt.server_label = ch->label;
    ch->headers = calloc(n_headers ? n_headers : 1, sizeof *ch->headers);
    if (!ch->target || !ch->label || !ch->headers) {
        mm_grpc_close(ch);
        return mm_error_set(err, MM_ERR_NOMEM, "gRPC: out of memory");
    }
    static pthread_once_t log_once = PTHREAD_ONCE_INIT;
    pthread_once(&log_once, take_over_grpc_log);
    grpc_init();
    for (size_t i = 0; i < n_headers; i++) {
        ch->headers[i].key = grpc_slice_from_copied_string(headers[i].key);
        ch->headers[i].value = grpc_slice_from_copied_string(headers[i].value);
        ch->n_headers++;
    }
    grpc_channel_credentials *creds = make_credentials(opt, err);
    if (!creds) {
        mm_grpc_close(ch);
        return -1;
    }
    grpc_arg args[6];
    size_t n_args = 0;
    char recv_key[] = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, send_key[] = GRPC_ARG_MAX_SEND_MESSAGE_LENGTH;
    char retries_key[] = GRPC_ARG_ENABLE_RETRIES, agent_key[] = GRPC_ARG_PRIMARY_USER_AGENT_STRING;
    char name_key[] = GRPC_SSL_TARGET_NAME_OVERRIDE_ARG, agent[] = "milvus-migrate/" MM_VERSION;
    args[n_args++] = (grpc_arg){.type = GRPC_ARG_INTEGER, .key = recv_key,
                                .value.integer = opt->max_recv_bytes ? (int)opt->max_recv_bytes : -1};
    args[n_args++] = (grpc_arg){.type = GRPC_ARG_INTEGER, .key = send_key,
                                .value.integer = opt->max_send_bytes ? (int)opt->max_send_bytes : -1};
    /* Retries are ours, so that non-idempotent calls are never repeated. */
    args[n_args++] = (grpc_arg){.type = GRPC_ARG_INTEGER, .key = retries_key, .value.integer = 0};
    args[n_args++] = (grpc_arg){.type = GRPC_ARG_STRING, .key = agent_key, .value.string = agent};
    if (opt->tls && opt->server_name && opt->server_name[0])
        args[n_args++] = (grpc_arg){.type = GRPC_ARG_STRING, .key = name_key, .value.string = (char *)opt->server_name};
    grpc_channel_args channel_args = {.num_args = n_args, .args = args};
    ch->channel = grpc_channel_create(ch->target, creds, &channel_args);
    grpc_channel_credentials_release(creds);
    if (!ch->channel) {
        mm_grpc_close(ch);
        return mm_error_set(err, MM_ERR_CONFIG, "cannot create a gRPC channel to %s", opt->target);
    }
    *out = ch;
    return 0;
}

void mm_grpc_close(mm_grpc_channel *ch)
{
    if (!ch)
        return;
    bool initialised = ch->channel || ch->n_headers;
    if (ch->channel)
        grpc_channel_destroy(ch->channel);
    for (size_t i = 0; i < ch->n_headers; i++) {
        grpc_slice_unref(ch->headers[i].key);
        grpc_slice_unref(ch->headers[i].value);
    }
    free(ch->headers);
    free(ch->target);
    free(ch->label);
    free(ch);
    if (initialised)
        grpc_shutdown();
}

typedef struct attempt {
    grpc_status_code status;
    char *details;
    ProtobufCMessage *response;
} attempt;

static grpc_byte_buffer *pack_request(const ProtobufCMessage *request)
{
    size_t len = protobuf_c_message_get_packed_size(request);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return NULL;
    protobuf_c_message_pack(request, buf);
    grpc_slice slice = grpc_slice_from_copied_buffer((const char *)buf, len);
    free(buf);
    grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&slice, 1);
    grpc_slice_unref(slice);
    return bb;
}

static ProtobufCMessage *unpack_response(grpc_byte_buffer *bb, const ProtobufCMessageDescriptor *desc)
{
    grpc_byte_buffer_reader reader;
    if (!grpc_byte_buffer_reader_init(&reader, bb))
        return NULL;
    grpc_slice all = grpc_byte_buffer_reader_readall(&reader);
    ProtobufCMessage *msg = protobuf_c_message_unpack(desc, NULL, GRPC_SLICE_LENGTH(all), GRPC_SLICE_START_PTR(all));
    grpc_slice_unref(all);
    grpc_byte_buffer_reader_destroy(&reader);
    return msg;
}

/* One call attempt: the six operations of a unary call in one batch. */
static int call_once(mm_grpc_channel *ch, const char *method_path, grpc_byte_buffer *request,
                     const ProtobufCMessageDescriptor *response_desc, int timeout_ms, attempt *out)
{
    memset(out, 0, sizeof *out);
    grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
    gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_REALTIME), gpr_time_from_millis(timeout_ms, GPR_TIMESPAN));
    grpc_slice method = grpc_slice_from_copied_string(method_path);
    grpc_call *call = grpc_channel_create_call(ch->channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq, method, NULL,
                                               deadline, NULL);
    grpc_slice_unref(method);
    grpc_metadata_array initial, trailing;
    grpc_metadata_array_init(&initial);
    grpc_metadata_array_init(&trailing);
    grpc_byte_buffer *response = NULL;
    grpc_slice details = grpc_empty_slice();
    const char *error_string = NULL;
    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[0].data.send_initial_metadata.count = ch->n_headers;
    ops[0].data.send_initial_metadata.metadata = ch->headers;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = request;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &response;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &trailing;
    ops[5].data.recv_status_on_client.status = &out->status;
    ops[5].data.recv_status_on_client.status_details = &details;
    ops[5].data.recv_status_on_client.error_string = &error_string;
    int rc = 0;
    void *tag = ops;
    if (grpc_call_start_batch(call, ops, 6, tag, NULL) != GRPC_CALL_OK) {
        out->status = GRPC_STATUS_INTERNAL;
        out->details = mm_strdup("the call could not be started");
        rc = -1;
    } else {
        grpc_event ev = grpc_completion_queue_pluck(cq, tag, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        if (ev.type != GRPC_OP_COMPLETE || !ev.success) {
            out->status = GRPC_STATUS_INTERNAL;
            out->details = mm_strdup("the call did not complete");
            rc = -1;
        } else if (out->status != GRPC_STATUS_OK) {
            char *text = grpc_slice_to_c_string(details);
            out->details = mm_strdup(text && text[0] ? text : error_string ? error_string : "");
            gpr_free(text);
            rc = -1;
        } else if (!response || !(out->response = unpack_response(response, response_desc))) {
            out->status = GRPC_STATUS_INTERNAL;
            out->details = mm_asprintf("the answer is not a valid %s message", response_desc->name);
            rc = -1;
        }
    }
    if (response)
        grpc_byte_buffer_destroy(response);
    grpc_slice_unref(details);
    gpr_free((void *)error_string);
    grpc_metadata_array_destroy(&initial);
    grpc_metadata_array_destroy(&trailing);
    grpc_call_unref(call);
    grpc_completion_queue_shutdown(cq);
    grpc_completion_queue_destroy(cq);
    return rc;
}

static const char *method_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int describe_failure(const mm_grpc_channel *ch, const char *method_path, const attempt *a, int attempts,
                            double since, int timeout_ms, mm_error *err)
{
    const char *method = method_name(method_path);
    const char *details = a->details ? a->details : "";
    char logged[512];
    grpc_error_since(since, logged, sizeof logged);
    switch (a->status) {
    case GRPC_STATUS_UNAVAILABLE:
        if (ch->opt.tls && strstr(details, "is not in peer certificate"))
            return mm_error_set(err, MM_ERR_NETWORK, "%s on %s: the server's TLS certificate does not name this "
                                "host (%s); set target.milvus2x.tls.serverName to a name in the certificate",
                                method, ch->label, details);
        if (ch->opt.tls && logged[0])
            return mm_error_set(err, MM_ERR_NETWORK, "%s on %s: TLS handshake failed (%s); check "
                                "target.milvus2x.tls.caFile (the CA that signed the server's certificate), "
                                "tls.serverName (a name in that certificate) and, when the server requires "
                                "client certificates, tls.certFile and tls.keyFile",
                                method, ch->label, logged);
        if (!ch->opt.tls && strstr(details, "Socket closed"))
            return mm_error_set(err, MM_ERR_NETWORK, "%s on %s: the server closed the connection (%s); if it "
                                "serves TLS, set target.milvus2x.tls.enabled: true", method, ch->label, details);
        return mm_error_set(err, MM_ERR_NETWORK, "%s on %s: server unavailable after %d attempt%s (%s); check "
                            "target.milvus2x.endpoint and that Milvus is running and reachable",
                            method, ch->label, attempts, attempts == 1 ? "" : "s", details);
    case GRPC_STATUS_UNAUTHENTICATED:
        return mm_error_set(err, MM_ERR_AUTH, "%s on %s: authentication failed (%s); check "
                            "target.milvus2x.username and target.milvus2x.password",
                            method, ch->label, details);
    case GRPC_STATUS_PERMISSION_DENIED:
        return mm_error_set(err, MM_ERR_AUTH, "%s on %s: permission denied (%s); the user needs the "
                            "privileges to create collections and import", method, ch->label, details);
    case GRPC_STATUS_DEADLINE_EXCEEDED:
        return mm_error_set(err, MM_ERR_NETWORK, "%s on %s: no answer within %d s; raise "
                            "target.milvus2x.timeoutSeconds or check the server", method, ch->label,
                            timeout_ms / 1000);
    case GRPC_STATUS_UNIMPLEMENTED:
        return mm_error_set(err, MM_ERR_NETWORK, "%s on %s: the server does not implement this call (%s); "
                            "is it Milvus 2.2 or newer?", method, ch->label, details);
    default:
        return mm_error_set(err, MM_ERR_NETWORK, "%s on %s: gRPC status %s (%s)", method, ch->label,
                            mm_grpc_status_name(a->status), details);
    }
}


int mm_grpc_unary(mm_grpc_channel *ch, const char *method_path, const ProtobufCMessage *request,
                  const ProtobufCMessageDescriptor *response_desc, bool idempotent,
                  ProtobufCMessage **response, mm_grpc_result *result, mm_error *err)
{
    return mm_grpc_unary_deadline(ch, method_path, request, response_desc, idempotent, 0, response, result, err);
}

int mm_grpc_unary_deadline(mm_grpc_channel *ch, const char *method_path, const ProtobufCMessage *request,
                           const ProtobufCMessageDescriptor *response_desc, bool idempotent, int timeout_ms,
                           ProtobufCMessage **response, mm_grpc_result *result, mm_error *err)
{
    *response = NULL;
    if (timeout_ms <= 0)
        timeout_ms = ch->opt.timeout_ms > 0 ? ch->opt.timeout_ms : 30000;
    grpc_byte_buffer *bb = pack_request(request);
    if (!bb)
        return mm_error_set(err, MM_ERR_NOMEM, "gRPC: out of memory");
    int max_attempts = 1 + (idempotent && ch->opt.max_retries > 0 ? ch->opt.max_retries : 0);
    long delay = ch->opt.retry_base_ms > 0 ? ch->opt.retry_base_ms : 200;
    attempt a;
    int attempts = 0, rc = -1;
    double started = mm_monotonic_seconds();
    for (;;) {
        attempts++;
        /* Sending moves the slices out of the buffer it is given (gRPC core
         * takes them for the stream), so each attempt sends a copy: a retry
         * must carry the request, not an empty message. */
        grpc_byte_buffer *copy = grpc_byte_buffer_copy(bb);
        rc = call_once(ch, method_path, copy, response_desc, timeout_ms, &a);
        grpc_byte_buffer_destroy(copy);
        if (rc == 0 || a.status != GRPC_STATUS_UNAVAILABLE || attempts >= max_attempts || mm_sleep_interrupted())
            break;
        free(a.details);
        mm_sleep_ms(delay);
        delay *= 2;
    }
    grpc_byte_buffer_destroy(bb);
    if (result) {
        *result = (mm_grpc_result){.status = a.status, .attempts = attempts};
        snprintf(result->details, sizeof result->details, "%s", rc != 0 && a.details ? a.details : "");
    }
    if (rc != 0) {
        describe_failure(ch, method_path, &a, attempts, started, timeout_ms, err);
        free(a.details);
        return -1;
    }
    *response = a.response;
    return 0;
}
