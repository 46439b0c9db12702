/* The Milvus 2.x client (client.h): the gRPC plumbing every call goes
 * through, and connecting (login, server version and generation). The
 * calls themselves are in client_ops.c. */
#include "milvus2/client_internal.h"

#include "base/strbuf.h"

#include <grpc/status.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVICE "/milvus.proto.milvus.MilvusService/"

/* ---- plumbing ------------------------------------------------------------ */

int mm_milvus_call(mm_milvus *m, const char *method, const void *request, const ProtobufCMessageDescriptor *desc,
                   bool idempotent, void *response, mm_grpc_result *result, mm_error *err)
{
    char path[128];
    snprintf(path, sizeof path, SERVICE "%s", method);
    return mm_grpc_unary(m->ch, path, request, desc, idempotent, (ProtobufCMessage **)response, result, err);
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
            m->generation = 25; /* unparseable (a dev build): assume the current behaviour */
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
    free(m->version);
    free(m);
}

const char *mm_milvus_endpoint(const mm_milvus *m) { return m->endpoint; }
const char *mm_milvus_version(const mm_milvus *m) { return m->version ? m->version : ""; }
int mm_milvus_generation(const mm_milvus *m) { return m->generation; }
