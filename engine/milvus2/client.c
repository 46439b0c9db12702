/* The Milvus 2.x client (client.h): the gRPC plumbing every call goes
 * through, and connecting (login, server version and generation). The
 * calls themselves are in client_ops.c. */
#include "milvus2/client_internal.h"

#include "base/strbuf.h"
#include "base/timeutil.h"
#include "milvus2/answers.h"

#include <grpc/status.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVICE "/milvus.proto.milvus.MilvusService/"

/* ---- plumbing ------------------------------------------------------------ */

/* Rate-limited calls: waits of 1, 2, 4, 8, 16 and 30 s, then the answer
 * is the caller's to report (about a minute in all). */
enum { RATE_LIMIT_ATTEMPTS = 7, RATE_LIMIT_FIRST_WAIT_MS = 1000, RATE_LIMIT_MAX_WAIT_MS = 30000 };

/* The Status of a response: the response itself or its `status` field. */
static const pb_status *response_status(const ProtobufCMessage *msg)
{
    if (!msg)
        return NULL;
    if (msg->descriptor == &milvus__proto__common__status__descriptor)
        return (const pb_status *)msg;
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, "status");
    if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE || f->descriptor != &milvus__proto__common__status__descriptor)
        return NULL;
    return *(const pb_status *const *)((const char *)msg + f->offset);
}

/* RBAC's refusal (a gRPC status, not a Status in the answer) as one
 * message: who lacks which privilege for what, and how to fix it. */
static int permission_error(const mm_milvus *m, const char *method, const char *details, mm_error *err)
{
    char privilege[64], user[128], db[128];
    bool parsed = mm_milvus_parse_denial(details, privilege, sizeof privilege, user, sizeof user, db, sizeof db);
    const char *needed = parsed ? privilege : mm_milvus_privilege_of(method);
    const char *who = parsed ? user : m->user[0] ? m->user : "the user";
    const char *where = parsed ? db : m->database[0] ? m->database : "default";
    if (!needed)
        return mm_error_set(err, MM_ERR_AUTH, "%s on %s: permission denied (%s); check the roles of Milvus user %s "
                            "(target.milvus2x.username)", method, m->label, details, who);
    return mm_error_set(err, MM_ERR_AUTH, "%s on %s: Milvus user %s lacks the privilege %s in database %s, which "
                        "milvus-migrate needs to %s; grant %s on the target collections to a role of %s (or use "
                        "another target.milvus2x.username), then re-run. Milvus said: %s",
                        method, m->label, who, needed, where, mm_milvus_privilege_use(method), needed, who, details);
}

static int call(mm_milvus *m, const char *method, const void *request, const ProtobufCMessageDescriptor *desc,
                bool idempotent, int deadline_ms, bool wait_rate_limit, void *response, mm_grpc_result *result,
                mm_error *err)
{
    char path[128];
    snprintf(path, sizeof path, SERVICE "%s", method);
    mm_grpc_result local;
    if (!result)
        result = &local;
    ProtobufCMessage **out = response;
    long wait = RATE_LIMIT_FIRST_WAIT_MS;
    for (int attempt = 1;; attempt++) {
        if (mm_grpc_unary_deadline(m->ch, path, request, desc, idempotent, deadline_ms, out, result, err) != 0) {
            if (result->status == GRPC_STATUS_PERMISSION_DENIED)
                permission_error(m, method, result->details, err);
            return -1;
        }
        const pb_status *st = response_status(*out);
        if (!wait_rate_limit || !st || !mm_milvus_rate_limited(st->code, (int)st->error_code) ||
            attempt >= RATE_LIMIT_ATTEMPTS || mm_sleep_interrupted())
            return 0;
        mm_milvus_release(*out);
        *out = NULL;
        mm_sleep_ms(wait);
        wait = wait * 2 < RATE_LIMIT_MAX_WAIT_MS ? wait * 2 : RATE_LIMIT_MAX_WAIT_MS;
    }
}

int mm_milvus_call(mm_milvus *m, const char *method, const void *request, const ProtobufCMessageDescriptor *desc,
                   bool idempotent, void *response, mm_grpc_result *result, mm_error *err)
{
    return call(m, method, request, desc, idempotent, 0, true, response, result, err);
}

int mm_milvus_call_once(mm_milvus *m, const char *method, const void *request, const ProtobufCMessageDescriptor *desc,
                        bool idempotent, void *response, mm_grpc_result *result, mm_error *err)
{
    return call(m, method, request, desc, idempotent, 0, false, response, result, err);
}

int mm_milvus_call_deadline(mm_milvus *m, const char *method, const void *request,
                            const ProtobufCMessageDescriptor *desc, int deadline_seconds, void *response,
                            mm_grpc_result *result, mm_error *err)
{
    return call(m, method, request, desc, false, deadline_seconds * 1000, false, response, result, err);
}

void mm_milvus_release(void *msg)
{
    if (msg)
        protobuf_c_message_free_unpacked(msg, NULL);
}

bool mm_milvus_status_ok(const pb_status *st)
{
    return !st || (st->error_code == 0 && st->code == 0);
}

int mm_milvus_status_code(const pb_status *st)
{
    if (!st)
        return 0;
    return st->code ? st->code : (int)st->error_code;
}

int mm_milvus_status_error(const mm_milvus *m, const pb_status *st, mm_error *err, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const char *reason = st->reason && st->reason[0] ? st->reason : "no reason given";
    if (st->code)
        return mm_error_set(err, MM_ERR_NETWORK, "%s on %s: %s (code %d)", what, m->label, reason, st->code);
    return mm_error_set(err, MM_ERR_NETWORK, "%s on %s: %s (error_code %d)", what, m->label, reason,
                        (int)st->error_code);
}

const char *mm_milvus_kv_get(pb_kv **kvs, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (kvs[i]->key && strcmp(kvs[i]->key, key) == 0)
            return kvs[i]->value;
    return NULL;
}

char *mm_milvus_db_name(mm_milvus *m)
{
    return m->database ? m->database : (char *)"";
}

/* ---- connecting ------------------------------------------------------------ */

/* Splits [scheme://]host[:port] into host:port and whether TLS is implied. */
static char *parse_endpoint(const char *endpoint, bool *tls, mm_error *err)
{
    const char *p = endpoint;
    if (strncasecmp(p, "https://", 8) == 0)
        *tls = true, p += 8;
    else if (strncasecmp(p, "http://", 7) == 0)
        p += 7;
    else if (strncasecmp(p, "tcp://", 6) == 0)
        p += 6;
    size_t len = strcspn(p, "/");
    if (len == 0) {
        mm_error_set(err, MM_ERR_CONFIG, "target.milvus2x.endpoint '%s' has no host; write host:port, e.g. "
                     "127.0.0.1:19530", endpoint);
        return NULL;
    }
    const char *colon = memchr(p, ':', len);
    if (p[0] == '[')
        colon = strstr(p, "]:");
    return colon ? mm_strndup(p, len) : mm_asprintf("%.*s:19530", (int)len, p);
}

static char *basic_token(const char *user, const char *password)
{
    char *plain = mm_asprintf("%s:%s", user, password ? password : "");
    if (!plain)
        return NULL;
    size_t len = strlen(plain);
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (out)
        EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)plain, (int)len);
    memset(plain, 0, len);
    free(plain);
    return out;
}

static int parse_generation(const char *version)
{
    const char *p = version;
    if (*p == 'v' || *p == 'V')
        p++;
    int major = 0, minor = 0;
    if (sscanf(p, "%d.%d", &major, &minor) != 2 || major < 2)
        return 0;
    return major * 10 + (minor > 9 ? 9 : minor);
}

static int greet(mm_milvus *m, mm_error *err)
{
    Milvus__Proto__Common__ClientInfo info = MILVUS__PROTO__COMMON__CLIENT_INFO__INIT;
    info.sdk_type = "milvus-migrate";
    info.sdk_version = MM_VERSION;
    Milvus__Proto__Milvus__ConnectRequest req = MILVUS__PROTO__MILVUS__CONNECT_REQUEST__INIT;
    req.client_info = &info;
    Milvus__Proto__Milvus__ConnectResponse *resp = NULL;
    mm_grpc_result res;
    mm_error cerr;
    mm_error_clear(&cerr);
    if (mm_milvus_call(m, "Connect", &req, &milvus__proto__milvus__connect_response__descriptor, true, &resp, &res,
             &cerr) != 0) {
        if (res.status != GRPC_STATUS_UNIMPLEMENTED) {
            *err = cerr;
            return -1;
        }
        /* Before 2.2.9 there is no Connect and no databases. */
        if (m->database && m->database[0] && strcmp(m->database, "default") != 0)
            return mm_error_set(err, MM_ERR_CONFIG, "%s predates databases (no Connect call); remove "
                                "target.milvus2x.database or upgrade Milvus to 2.2.9 or newer", m->label);
    } else {
        int rc = 0;
        if (!mm_milvus_status_ok(resp->status)) {
            rc = mm_milvus_status_error(m, resp->status, err, "Connect");
            if (mm_milvus_status_code(resp->status) == 800)
                mm_error_wrap(err, "database '%s' does not exist; create it or fix target.milvus2x.database",
                              m->database);
        }
        mm_milvus_release(resp);
        if (rc != 0)
            return rc;
    }
    Milvus__Proto__Milvus__GetVersionRequest vreq = MILVUS__PROTO__MILVUS__GET_VERSION_REQUEST__INIT;
    Milvus__Proto__Milvus__GetVersionResponse *vresp = NULL;
    if (mm_milvus_call(m, "GetVersion", &vreq, &milvus__proto__milvus__get_version_response__descriptor, true, &vresp, &res,
             err) != 0) {
        if (res.status == GRPC_STATUS_UNIMPLEMENTED)
            return mm_error_set(err, MM_ERR_CONFIG, "%s is older than Milvus 2.2 (no GetVersion call); "
                                "milvus-migrate imports into Milvus 2.2 or newer", m->label);
        return -1;
    }
    int rc = 0;
    if (!mm_milvus_status_ok(vresp->status))
        rc = mm_milvus_status_error(m, vresp->status, err, "GetVersion");
    else {
        m->version = mm_strdup(vresp->version);
        m->generation = parse_generation(m->version);
        if (m->generation == 0)
            m->generation = 30; /* unparseable (a dev build): assume the newest behaviour, late jobs included */
        if (m->generation < 22)
            rc = mm_error_set(err, MM_ERR_CONFIG, "%s runs Milvus %s; milvus-migrate imports into Milvus 2.2 "
                              "or newer", m->label, m->version);
    }
    mm_milvus_release(vresp);
    return rc;
}

int mm_milvus_connect(const mm_milvus_options *opt, mm_milvus **out, mm_error *err)
{
    *out = NULL;
    if (!opt->endpoint || !opt->endpoint[0])
        return mm_error_set(err, MM_ERR_CONFIG, "target.milvus2x.endpoint is not set; write host:port of "
                            "the Milvus 2.x proxy, e.g. 127.0.0.1:19530");
    mm_milvus *m = calloc(1, sizeof *m);
    if (!m)
        return mm_error_set(err, MM_ERR_NOMEM, "milvus: out of memory");
    bool tls = opt->tls;
    m->endpoint = parse_endpoint(opt->endpoint, &tls, err);
    if (!m->endpoint) {
        mm_milvus_close(m);
        return -1;
    }
    m->label = mm_asprintf("Milvus at %s", m->endpoint);
    m->database = mm_strdup(opt->database ? opt->database : "");
    m->user = mm_strdup(opt->username ? opt->username : "");
    m->timeout_seconds = opt->timeout_seconds > 0 ? opt->timeout_seconds : 30;
    mm_grpc_header headers[2];
    size_t n_headers = 0;
    char *token = NULL;
    if (opt->username && opt->username[0]) {
        token = basic_token(opt->username, opt->password);
        headers[n_headers++] = (mm_grpc_header){"authorization", token};
    }
    if (m->database[0])
        headers[n_headers++] = (mm_grpc_header){"dbname", m->database};
    mm_grpc_options g = {
        .target = m->endpoint, .server_label = m->label, .tls = tls, .ca_file = opt->ca_file,
        .cert_file = opt->cert_file, .key_file = opt->key_file, .server_name = opt->server_name,
        .timeout_ms = (opt->timeout_seconds > 0 ? opt->timeout_seconds : 30) * 1000,
        .max_retries = opt->max_retries, .retry_base_ms = opt->retry_base_ms,
        .max_recv_bytes = opt->max_recv_bytes, .max_send_bytes = opt->max_send_bytes,
    };
    int rc = mm_grpc_open(&g, headers, n_headers, &m->ch, err);
    if (token) {
        memset(token, 0, strlen(token));
        free(token);
    }
    if (rc == 0)
        rc = greet(m, err);
    if (rc != 0) {
        mm_milvus_close(m);
        return -1;
    }
    *out = m;
    return 0;
}

void mm_milvus_close(mm_milvus *m)
{
    if (!m)
        return;
    mm_grpc_close(m->ch);
    free(m->endpoint);
    free(m->label);
    free(m->database);
    free(m->user);
    free(m->version);
    free(m);
}

const char *mm_milvus_endpoint(const mm_milvus *m) { return m->endpoint; }
const char *mm_milvus_version(const mm_milvus *m) { return m->version ? m->version : ""; }
int mm_milvus_generation(const mm_milvus *m) { return m->generation; }

/* 2.6.14+ creates the job in DataCoord's WAL ack callback, retried with no
 * time limit (internal/datacoord/ddl_callbacks_import.go 38-86,
 * internal/streamingcoord/server/broadcaster/ack_callback_scheduler.go
 * 294-318); 2.6.0-2.6.13 broadcast from the proxy and created it in a
 * callback too. 2.5 and before create it before Import answers. */
bool mm_milvus_late_jobs(const mm_milvus *m) { return m->generation >= 26; }

int mm_milvus_import_deadline_seconds(const mm_milvus *m)
{
    if (mm_milvus_late_jobs(m) && m->timeout_seconds < MM_MILVUS_IMPORT_DEADLINE_LATE_JOBS)
        return MM_MILVUS_IMPORT_DEADLINE_LATE_JOBS;
    return m->timeout_seconds;
}
