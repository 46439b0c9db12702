/* The S3 client: where requests go (path style or virtual host), one
 * signed request with retries and the messages of its failures (HTTP, TLS,
 * network), and the small calls (bucket check, HEAD, DELETE). */
#include "storage/http_common.h"
#include "storage/s3_internal.h"

#include "base/fsutil.h"
#include "base/timeutil.h"

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

/* Both libraries want their global set-up done once before threads use them. */
static void init_globals(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    xmlInitParser();
}

char *mm_s3_percent_encode(const char *text, bool keep_slash)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
            *p == '_' || *p == '.' || *p == '~' || (keep_slash && *p == '/'))
            mm_strbuf_append_n(&sb, (const char *)p, 1);
        else
            mm_strbuf_appendf(&sb, "%%%02X", *p);
    }
    if (!sb.data)
        mm_strbuf_append(&sb, "");
    return mm_strbuf_take(&sb);
}

char *mm_s3_target(const mm_s3 *s3, const char *key)
{
    return mm_asprintf("s3://%s%s%s at %s", s3->bucket, key ? "/" : "", key ? key : "", s3->base);
}

static const xmlNode *find_element(const xmlNode *node, const char *tag)
{
    for (; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE && strcmp((const char *)node->name, tag) == 0)
            return node;
        const xmlNode *inner = find_element(node->children, tag);
        if (inner)
            return inner;
    }
    return NULL;
}

void mm_s3_xml_text(const char *xml, size_t len, const char *tag, char *out, size_t n)
{
    out[0] = '\0';
    if (!xml || !len)
        return;
    /* No network, no DTD: answers are parsed as plain documents. */
    xmlDoc *doc = xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    const xmlNode *node = doc ? find_element(xmlDocGetRootElement(doc), tag) : NULL;
    xmlChar *text = node ? xmlNodeGetContent(node) : NULL;
    if (text)
        snprintf(out, n, "%s", (const char *)text);
    xmlFree(text);
    xmlFreeDoc(doc);
}

/* HEAD answers carry no error document; name the status instead. */
static const char *status_name(long status)
{
    static const struct {
        long status;
        const char *name;
    } names[] = {
        {400, "BadRequest"}, {403, "Forbidden"}, {404, "NotFound"}, {429, "TooManyRequests"},
        {500, "InternalError"}, {502, "BadGateway"}, {503, "ServiceUnavailable"}, {504, "GatewayTimeout"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].status == status)
            return names[i].name;
    return "error";
}

static bool is_source(const mm_s3 *s3)
{
    return strncmp(s3->side, "source", 6) == 0;
}

/* What to fix when the server refuses the credentials: the keys of the
 * config, or what useIAM found in their place. */
static void credentials_fix(const mm_s3 *s3, char *out, size_t n)
{
    if (s3->iam_source)
        snprintf(out, n, "the credentials %s.useIAM took from %s: fix them there, or set %s.useIAM: false and "
                 "give %s.ak and %s.sk", s3->side, s3->iam_source, s3->side, s3->side, s3->side);
    else
        snprintf(out, n, "%s.ak and %s.sk", s3->side, s3->side);
}

/* The region the server says the bucket is in: <Region> of its error
 * document, or the x-amz-bucket-region header (AWS). */
static void bucket_region(const mm_s3_response *r, char *out, size_t n)
{
    mm_s3_xml_text(r->text.data, r->text.len, "Region", out, n);
    if (!out[0])
        snprintf(out, n, "%s", r->service_value);
}

static void hint_for(const mm_s3 *s3, const mm_s3_response *r, const char *code, char *out, size_t n)
{
    char fix[512], region[96];
    out[0] = '\0';
    bucket_region(r, region, sizeof region);
    bool wrong_region = region[0] && strcmp(region, s3->region) != 0;
    if (wrong_region || strcmp(code, "AuthorizationHeaderMalformed") == 0 ||
        strcmp(code, "PermanentRedirect") == 0 || strcmp(code, "IllegalLocationConstraintException") == 0) {
        if (wrong_region)
            snprintf(out, n, "; set %s.region to %s, the bucket's region (the requests were signed for %s)",
                     s3->side, region, s3->region);
        else
            snprintf(out, n, "; check %s.region (the requests were signed for %s)", s3->side, s3->region);
    } else if (r->status == 403 && (strcmp(code, "SignatureDoesNotMatch") == 0 ||
                                    strcmp(code, "InvalidAccessKeyId") == 0 || strcmp(code, "AccessDenied") == 0)) {
        credentials_fix(s3, fix, sizeof fix);
        snprintf(out, n, "; check %s", fix);
    } else if (strcmp(code, "NoSuchBucket") == 0) {
        snprintf(out, n, "; %s %s.bucket", is_source(s3) ? "fix" : "create the bucket or fix", s3->side);
    } else if (!code[0] && r->status >= 300 && r->status < 500 && r->status != 404 && r->status != 429) {
        /* A refusal without a reason: say at least which settings are in play. */
        snprintf(out, n, "; check %s.endpoint, %s.region and %s.bucket", s3->side, s3->side, s3->side);
    }
}

/* TLS failures are not worth retrying and each has its own fix. */
static int tls_error(const mm_s3 *s3, const char *method, const char *target, CURLcode cc, const char *detail,
                     mm_error *err)
{
    const char *side = s3->side;
    if (cc == CURLE_PEER_FAILED_VERIFICATION && strstr(detail, "subject name"))
        return mm_error_set(err, MM_ERR_NETWORK, "S3 %s %s: the server's TLS certificate is not for this host "
                            "(%s); set %s.endpoint to a host name the certificate names", method, target, detail,
                            side);
    if (cc == CURLE_PEER_FAILED_VERIFICATION && s3->ca_file)
        return mm_error_set(err, MM_ERR_NETWORK, "S3 %s %s: the server's TLS certificate is not signed by a CA in "
                            "%s.caFile %s (%s); set %s.caFile to the PEM file of the CA that signed it", method,
                            target, side, s3->ca_file, detail, side);
    if (cc == CURLE_PEER_FAILED_VERIFICATION)
        return mm_error_set(err, MM_ERR_NETWORK, "S3 %s %s: the server's TLS certificate is not signed by a CA this "
                            "system trusts (%s); set %s.caFile to the PEM file of the CA that signed it", method,
                            target, detail, side);
    if (cc == CURLE_SSL_CACERT_BADFILE)
        return mm_error_set(err, MM_ERR_CONFIG, "S3 %s %s: %s.caFile %s holds no usable CA certificate (%s); set it "
                            "to a PEM file of CA certificates", method, target, side, s3->ca_file ? s3->ca_file : "",
                            detail);
    return mm_error_set(err, MM_ERR_NETWORK, "S3 %s %s: TLS handshake failed (%s); check %s.endpoint and "
                        "%s.useSSL: the server may not speak https there", method, target, detail, side, side);
}

static bool is_tls_failure(CURLcode cc)
{
    return cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_SSL_CONNECT_ERROR ||
           cc == CURLE_SSL_CERTPROBLEM;
}

static char *request_url(const mm_s3 *s3, const char *key, const char *query)
{
    char *path = mm_s3_percent_encode(key ? key : "", true);
    /* Virtual host: the bucket is in the host name, the key is the whole
     * path ("/" for the bucket itself). */
    char *url = !path ? NULL
                : s3->virtual_host ? mm_asprintf("%s/%s%s%s", s3->bucket_url, path, query ? "?" : "", query ? query : "")
                                   : mm_asprintf("%s%s%s%s%s", s3->bucket_url, key ? "/" : "", path, query ? "?" : "",
                                                 query ? query : "");
    free(path);
    return url;
}

static struct curl_slist *request_headers(const mm_s3 *s3, const mm_s3_call *call)
{
    char line[256];
    /* libcurl 7.88 signs with the value given here. */
    snprintf(line, sizeof line, "x-amz-content-sha256: %s",
             call->in && call->in->digest[0] ? call->in->digest : "UNSIGNED-PAYLOAD");
    struct curl_slist *headers = curl_slist_append(NULL, line);
    if (s3->session_token && s3->session_token[0]) { /* signed by libcurl with the other x-amz-* headers */
        char *token = mm_asprintf("x-amz-security-token: %s", s3->session_token);
        headers = token ? curl_slist_append(headers, token) : headers;
        free(token);
    }
    if (call->content_type) {
        snprintf(line, sizeof line, "Content-Type: %s", call->content_type);
        headers = curl_slist_append(headers, line);
    }
    if (call->range_first_byte)
        headers = curl_slist_append(headers, "Range: bytes=0-0");
    return headers;
}

static void set_method(CURL *c, const mm_s3_call *call)
{
    mm_s3_body *in = call->in;
    if (strcmp(call->method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (strcmp(call->method, "PUT") == 0) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(in ? in->length : 0));
    } else if (strcmp(call->method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, in && in->data ? in->data : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(in ? in->length : 0));
    } else if (strcmp(call->method, "GET") != 0) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, call->method);
    }
}

/* Runs the request once; the curl code and its detail text are returned. */
static CURLcode perform(mm_s3 *s3, const mm_s3_call *call, const char *url, mm_s3_response *r, char *detail)
{
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(detail, CURL_ERROR_SIZE, "cannot create a curl handle");
        return CURLE_OUT_OF_MEMORY;
    }
    struct curl_slist *headers = request_headers(s3, call);
    mm_http_pool_use(s3->pool, c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, s3->sigv4);
    /* Set separately: access keys such as Swift's "test:tester" hold a ':'. */
    curl_easy_setopt(c, CURLOPT_USERNAME, s3->ak);
    curl_easy_setopt(c, CURLOPT_PASSWORD, s3->sk);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    if (s3->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, s3->ca_file);
    mm_http_response_attach(c, r);
    if (call->in)
        mm_http_body_attach(c, call->in);
    set_method(c, call);
    CURLcode cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    if (!detail[0])
        snprintf(detail, CURL_ERROR_SIZE, "%s", curl_easy_strerror(cc));
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return cc;
}

static void reset_response(mm_s3_response *r)
{
    r->service_header = "x-amz-bucket-region:";
    mm_http_response_reset(r);
}

/* A HEAD answer has no body, and so no reason: a refused HEAD is asked
 * again once as a GET (of the first byte, for an object) to read the
 * server's error document, which says why ("the region 'us-west-2' is
 * wrong; expecting 'us-east-1'"). */
static void read_head_reason(mm_s3 *s3, const mm_s3_call *call, const char *url, mm_s3_response *r)
{
    if (strcmp(call->method, "HEAD") != 0 || r->text.len || r->status < 300 || r->status >= 500 ||
        r->status == 404 || r->status == 429)
        return;
    mm_s3_call get = {.method = "GET", .key = call->key, .range_first_byte = call->key != NULL};
    char *list_url = call->key ? NULL : request_url(s3, NULL, "max-keys=0");
    mm_s3_response again = {.sink_fd = -1, .text_cap = 16384};
    mm_strbuf_init(&again.text);
    reset_response(&again);
    char detail[CURL_ERROR_SIZE] = "";
    CURLcode cc = perform(s3, &get, list_url ? list_url : url, &again, detail);
    if (cc == CURLE_OK && again.status == r->status && again.text.len) {
        mm_strbuf_free(&r->text);
        r->text = again.text;
        mm_strbuf_init(&again.text);
        if (!r->service_value[0])
            snprintf(r->service_value, sizeof r->service_value, "%s", again.service_value);
    }
    mm_strbuf_free(&again.text);
    free(list_url);
}

static int http_error(mm_s3 *s3, const mm_s3_call *call, const char *target, mm_s3_response *r, int attempts,
                      mm_error *err)
{
    char code[128], message[512], hint[768], tried[48] = "";
    mm_s3_xml_text(r->text.data, r->text.len, "Code", code, sizeof code);
    mm_s3_xml_text(r->text.data, r->text.len, "Message", message, sizeof message);
    hint_for(s3, r, code, hint, sizeof hint);
    if (mm_http_retryable(CURLE_OK, r->status))
        mm_http_attempts_text(attempts, tried, sizeof tried);
    return mm_error_set(err, r->status == 403 ? MM_ERR_AUTH : MM_ERR_IO, "S3 %s %s: %ld %s%s%s%s%s", call->method,
                        target, r->status, code[0] ? code : status_name(r->status), message[0] ? ": " : "", message,
                        tried, hint);
}

int mm_s3_request(mm_s3 *s3, const mm_s3_call *call, mm_s3_response *r, mm_error *err)
{
    mm_strbuf_init(&r->text);
    reset_response(r);
    char *url = request_url(s3, call->key, call->query);
    char *target = mm_s3_target(s3, call->key);
    int rc = 0;
    if (!url || !target) {
        rc = mm_error_set(err, MM_ERR_NOMEM, "S3 %s: out of memory", call->method);
        goto done;
    }
    for (int attempt = 0;; attempt++) {
        reset_response(r);
        if (r->sink_fd >= 0 && ftruncate(r->sink_fd, 0) != 0) {
            rc = mm_error_set(err, MM_ERR_IO, "S3 %s %s: cannot truncate the download file: %s", call->method, target,
                              strerror(errno));
            break;
        }
        char detail[CURL_ERROR_SIZE] = "";
        CURLcode cc = perform(s3, call, url, r, detail);
        if (r->sink_errno) {
            rc = mm_error_set(err, MM_ERR_IO, "S3 %s %s: writing the download failed: %s", call->method, target,
                              strerror(r->sink_errno));
            break;
        }
        bool ok = cc == CURLE_OK && ((r->status >= 200 && r->status < 300) || (call->allow_404 && r->status == 404));
        /* CompleteMultipartUpload can answer 200 with an <Error> body. */
        if (ok && r->sink_fd < 0 && r->text.data && strstr(r->text.data, "<Error>"))
            ok = false;
        if (ok)
            break;
        if (is_tls_failure(cc)) {
            rc = tls_error(s3, call->method, target, cc, detail, err);
            break;
        }
        /* A body damaged on the way (its SHA-256 does not match) is worth
         * sending again; AWS and Swift name that differently. */
        char code_now[64];
        mm_s3_xml_text(r->text.data, r->text.len, "Code", code_now, sizeof code_now);
        bool damaged = cc == CURLE_OK && r->status == 400 &&
                       (strcmp(code_now, "BadDigest") == 0 || strcmp(code_now, "XAmzContentSHA256Mismatch") == 0);
        r->body_refused = damaged;
        if (attempt < s3->max_retries && !mm_sleep_interrupted() && (mm_http_retryable(cc, r->status) || damaged)) {
            mm_sleep_ms((long)s3->retry_base_ms << (attempt < 10 ? attempt : 10));
            continue;
        }
        char tried[48];
        mm_http_attempts_text(attempt + 1, tried, sizeof tried);
        if (cc == CURLE_OK)
            read_head_reason(s3, call, url, r);
        if (cc != CURLE_OK)
            rc = mm_error_set(err, MM_ERR_NETWORK, "S3 %s %s: %s%s; check %s.endpoint and that the server is "
                              "reachable", call->method, target, curl_easy_strerror(cc), tried, s3->side);
        else
            rc = http_error(s3, call, target, r, attempt + 1, err);
        break;
    }
done:
    free(url);
    free(target);
    return rc;
}

/* A CA file that cannot be read fails at open, naming the key, rather than
 * at the first request as a TLS failure. */
static int check_ca_file(const char *side, const char *path, mm_error *err)
{
    /* Only a file is opened: a FIFO there would hang the open. */
    mm_error kind;
    int regular = mm_check_regular(path, NULL, &kind);
    if (regular < 0)
        return mm_error_set(err, MM_ERR_CONFIG, "%s.caFile %s: cannot read it: %s; set it to a PEM file of CA "
                            "certificates", side, path, kind.message);
    FILE *f = regular == 0 ? fopen(path, "r") : NULL;
    if (!f)
        return mm_error_set(err, MM_ERR_CONFIG, "%s.caFile %s: cannot read it: %s; set it to a PEM file of CA "
                            "certificates", side, path, strerror(regular == 1 ? ENOENT : errno));
    fclose(f);
    return 0;
}

int mm_s3_open(const mm_s3_options *opt, mm_s3 **out, mm_error *err)
{
    pthread_once(&global_once, init_globals);
    *out = NULL;
    const char *side = mm_has_text(opt->side) ? opt->side : "target.remote";
    if (!mm_has_text(opt->bucket))
        return mm_error_set(err, MM_ERR_CONFIG, "S3: no bucket given (%s.bucket)", side);
    if (mm_has_text(opt->ca_file) && check_ca_file(side, opt->ca_file, err) != 0)
        return -1;
    mm_s3 *s3 = calloc(1, sizeof *s3);
    if (!s3)
        return mm_error_set(err, MM_ERR_NOMEM, "S3: out of memory");
    const char *region = mm_has_text(opt->region) ? opt->region : "us-east-1";
    const char *scheme = opt->use_ssl || !mm_has_text(opt->endpoint) ? "https" : "http";
    char *host = mm_has_text(opt->endpoint) ? mm_strdup(opt->endpoint) : mm_asprintf("s3.%s.amazonaws.com", region);
    s3->virtual_host = opt->virtual_host;
    s3->base = host ? mm_asprintf("%s://%s", scheme, host) : NULL;
    s3->bucket_url = !host ? NULL
                     : opt->virtual_host ? mm_asprintf("%s://%s.%s", scheme, opt->bucket, host)
                                         : mm_asprintf("%s://%s/%s", scheme, host, opt->bucket);
    free(host);
    s3->bucket = mm_strdup(opt->bucket);
    s3->region = mm_strdup(region);
    s3->ak = mm_strdup(opt->access_key ? opt->access_key : "");
    s3->sk = mm_strdup(opt->secret_key ? opt->secret_key : "");
    s3->session_token = mm_has_text(opt->session_token) ? mm_strdup(opt->session_token) : NULL;
    s3->iam_source = mm_has_text(opt->iam_source) ? mm_strdup(opt->iam_source) : NULL;
    s3->side = mm_strdup(side);
    s3->ca_file = mm_has_text(opt->ca_file) ? mm_strdup(opt->ca_file) : NULL;
    s3->sigv4 = mm_asprintf("aws:amz:%s:s3", region);
    s3->label = mm_asprintf("s3://%s at %s", opt->bucket, s3->base ? s3->base : "");
    s3->part_size = opt->part_size >= (5u << 20) ? opt->part_size : (uint64_t)64 << 20;
    s3->max_retries = opt->max_retries >= 0 ? opt->max_retries : 0;
    s3->retry_base_ms = opt->retry_base_ms > 0 ? opt->retry_base_ms : 200;
    s3->list_page_keys = opt->list_page_keys > 0 && opt->list_page_keys < 1000 ? opt->list_page_keys : 1000;
    s3->pool = mm_http_pool_new();
    if (!s3->pool || !s3->base || !s3->bucket_url || !s3->bucket || !s3->region || !s3->ak || !s3->sk || !s3->sigv4 ||
        !s3->label || !s3->side || (mm_has_text(opt->ca_file) && !s3->ca_file) ||
        (mm_has_text(opt->session_token) && !s3->session_token) || (mm_has_text(opt->iam_source) && !s3->iam_source)) {
        mm_s3_close(s3);
        return mm_error_set(err, MM_ERR_NOMEM, "S3: out of memory");
    }
    *out = s3;
    return 0;
}

void mm_s3_close(mm_s3 *s3)
{
    if (!s3)
        return;
    if (s3->sk)
        memset(s3->sk, 0, strlen(s3->sk));
    if (s3->session_token)
        memset(s3->session_token, 0, strlen(s3->session_token));
    free(s3->base);
    free(s3->bucket_url);
    free(s3->bucket);
    free(s3->region);
    free(s3->ak);
    free(s3->sk);
    free(s3->session_token);
    free(s3->iam_source);
    free(s3->side);
    free(s3->ca_file);
    free(s3->sigv4);
    free(s3->label);
    mm_http_pool_free(s3->pool);
    free(s3);
}

uint64_t mm_s3_part_size(const mm_s3 *s3)
{
    return s3->part_size;
}

const char *mm_s3_describe(const mm_s3 *s3)
{
    return s3->label;
}

/* A 403 that is about the region (AWS signs per region), not the keys. */
static bool refused_for_region(const mm_s3 *s3, const mm_s3_response *r)
{
    char code[128], region[96];
    mm_s3_xml_text(r->text.data, r->text.len, "Code", code, sizeof code);
    bucket_region(r, region, sizeof region);
    return strcmp(code, "AuthorizationHeaderMalformed") == 0 || (region[0] && strcmp(region, s3->region) != 0);
}

int mm_s3_check_bucket(mm_s3 *s3, mm_error *err)
{
    mm_s3_response r = {.sink_fd = -1};
    mm_s3_call call = {.method = "HEAD"};
    int rc = mm_s3_request(s3, &call, &r, err);
    if (rc != 0 && r.status == 404)
        rc = mm_error_set(err, MM_ERR_IO, "S3 bucket %s does not exist; %s %s.bucket", s3->label,
                          is_source(s3) ? "fix" : "create it or fix", s3->side);
    else if (rc != 0 && r.status == 403 && !refused_for_region(s3, &r)) {
        char fix[512];
        credentials_fix(s3, fix, sizeof fix);
        rc = mm_error_set(err, MM_ERR_AUTH, "S3 %s refused the credentials of access key '%s' (403); check %s",
                          s3->label, s3->ak, fix);
    }
    mm_strbuf_free(&r.text);
    return rc;
}

int mm_s3_head(mm_s3 *s3, const char *key, int64_t *size, char *etag, size_t etag_len, mm_error *err)
{
    mm_s3_response r = {.sink_fd = -1};
    mm_s3_call call = {.method = "HEAD", .key = key, .allow_404 = true};
    int rc = mm_s3_request(s3, &call, &r, err);
    *size = (rc == 0 && r.status != 404) ? r.content_length : -1;
    if (etag && etag_len)
        snprintf(etag, etag_len, "%s", rc == 0 && r.status != 404 ? r.etag : "");
    mm_strbuf_free(&r.text);
    return rc;
}

int mm_s3_delete(mm_s3 *s3, const char *key, mm_error *err)
{
    mm_s3_response r = {.sink_fd = -1};
    /* A key that is already gone counts as deleted (404 allowed). */
    mm_s3_call call = {.method = "DELETE", .key = key, .allow_404 = true};
    int rc = mm_s3_request(s3, &call, &r, err);
    mm_strbuf_free(&r.text);
    return rc;
}
