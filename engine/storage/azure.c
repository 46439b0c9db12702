/* Azure Blob Storage: the request loop (signing, retries, error texts) and
 * the storage operations other than upload (azure_upload.c). */
#include "storage/azure_internal.h"
#include "storage/http_common.h"

#include "base/timeutil.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void init_curl(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

int mm_azure_body_md5(mm_azure_body *b)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    char *buf = malloc(1 << 20);
    int rc = (ctx && buf && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1) ? 0 : -1;
    for (uint64_t done = 0; rc == 0 && done < b->length;) {
        size_t want = b->length - done < (1u << 20) ? (size_t)(b->length - done) : (1u << 20);
        ssize_t got = pread(b->fd, buf, want, b->offset + (off_t)done);
        if (got <= 0 || EVP_DigestUpdate(ctx, buf, (size_t)got) != 1)
            rc = -1;
        else
            done += (uint64_t)got;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (rc == 0 && EVP_DigestFinal_ex(ctx, digest, &len) == 1)
        EVP_EncodeBlock((unsigned char *)b->md5, digest, (int)len);
    else
        rc = -1;
    EVP_MD_CTX_free(ctx);
    free(buf);
    return rc;
}

static size_t read_body(char *out, size_t size, size_t n, void *ctx)
{
    mm_azure_body *b = ctx;
    size_t want = size * n;
    uint64_t left = b->length - b->sent;
    if (want > left)
        want = (size_t)left;
    if (want == 0)
        return 0;
    if (b->data) {
        memcpy(out, b->data + b->sent, want);
    } else {
        ssize_t got = pread(b->fd, out, want, b->offset + (off_t)b->sent);
        if (got <= 0)
            return CURL_READFUNC_ABORT;
        want = (size_t)got;
    }
    b->sent += want;
    return want;
}

static size_t write_body(char *data, size_t size, size_t n, void *ctx)
{
    mm_azure_response *r = ctx;
    size_t len = size * n;
    if (r->sink_fd >= 0 && r->status >= 200 && r->status < 300) {
        if (mm_http_sink_write(r->sink_fd, data, len, r->sunk) != 0) {
            r->sink_failed = true;
            return 0;
        }
        r->sunk += len;
    } else if (r->text.len < r->text_cap) {
        mm_strbuf_append_n(&r->text, data, len);
    }
    return len;
}

static size_t read_header(char *data, size_t size, size_t n, void *ctx)
{
    mm_azure_response *r = ctx;
    size_t len = size * n;
    char value[128];
    if (len > 5 && strncmp(data, "HTTP/", 5) == 0) {
        const char *sp = memchr(data, ' ', len);
        r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
        r->error_code[0] = '\0';
        r->etag[0] = '\0';
        r->content_length = -1;
    } else if (len > 5 && strncasecmp(data, "etag:", 5) == 0) {
        mm_http_header_value(data, len, 5, r->etag, sizeof r->etag);
    } else if (len > 15 && strncasecmp(data, "x-ms-error-code:", 16) == 0) {
        mm_http_header_value(data, len, 16, r->error_code, sizeof r->error_code);
    } else if (len > 15 && strncasecmp(data, "content-length:", 15) == 0) {
        mm_http_header_value(data, len, 15, value, sizeof value);
        r->content_length = strtoll(value, NULL, 10);
    }
    return len;
}

static void hint(const mm_azure *az, long status, const char *code, char *out, size_t n)
{
    out[0] = '\0';
    if (status == 403 || strcmp(code, "AuthenticationFailed") == 0)
        snprintf(out, n, az->sas ? "; check that %s.sasToken is for account '%s', unexpired, and grants the rights "
                                   "this needs"
                                 : "; check %s.ak (the storage account name, '%s') and %s.sk (one of its access keys)",
                 az->side, az->account, az->side);
    else if (strcmp(code, "ContainerNotFound") == 0)
        snprintf(out, n, "; create the container or fix %s.bucket", az->side);
    else if (strcmp(code, "InvalidHeaderValue") == 0)
        snprintf(out, n, "; the server may not support API version %s", MM_AZURE_API_VERSION);
}

/* The first line of <Message>: later lines hold request ids and times. */
static void error_message(const mm_strbuf *text, char *out, size_t n)
{
    out[0] = '\0';
    if (!text->data)
        return;
    const char *from = text->data;
    char *msg = mm_azure_xml_next(&from, text->data + text->len, "Message");
    if (msg) {
        msg[strcspn(msg, "\r\n")] = '\0';
        snprintf(out, n, "%s", msg);
    }
    free(msg);
}

static char *request_url(const mm_azure *az, const mm_azure_call *call, char **path_out)
{
    char *key = call->key ? mm_azure_encode(call->key, true) : NULL;
    char *container = mm_azure_encode(az->container, false);
    char *path = (container && (key || !call->key))
                     ? mm_asprintf("%s/%s%s%s", az->path_prefix, container, key ? "/" : "", key ? key : "")
                     : NULL;
    mm_strbuf url;
    mm_strbuf_init(&url);
    const char *host_end = strstr(az->service_url, "://");
    host_end = host_end ? strchr(host_end + 3, '/') : NULL;
    size_t host_len = host_end ? (size_t)(host_end - az->service_url) : strlen(az->service_url);
    mm_strbuf_append_n(&url, az->service_url, host_len);
    mm_strbuf_append(&url, path ? path : "");
    char sep = '?';
    for (size_t i = 0; i < call->n_query; i++) {
        char *v = mm_azure_encode(call->query[i].value, false);
        mm_strbuf_appendf(&url, "%c%s=%s", sep, call->query[i].name, v ? v : "");
        free(v);
        sep = '&';
    }
    if (az->sas)
        mm_strbuf_appendf(&url, "%c%s", sep, az->sas);
    free(key);
    free(container);
    if (!path || !mm_strbuf_ok(&url)) {
        free(path);
        mm_strbuf_free(&url);
        return NULL;
    }
    *path_out = path;
    return mm_strbuf_take(&url);
}

/* Headers of one attempt: dates change between retries, so they are signed
 * anew each time. */
static struct curl_slist *request_headers(const mm_azure *az, const mm_azure_call *call, const char *path,
                                          uint64_t length, const char *md5)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    mm_azure_pair ms[8];
    size_t n_ms = 0;
    ms[n_ms++] = (mm_azure_pair){"x-ms-date", date};
    ms[n_ms++] = (mm_azure_pair){"x-ms-version", MM_AZURE_API_VERSION};
    for (size_t i = 0; i < call->n_headers && n_ms < 8; i++)
        ms[n_ms++] = call->headers[i];
    struct curl_slist *list = NULL;
    char line[512];
    for (size_t i = 0; i < n_ms; i++) {
        snprintf(line, sizeof line, "%s: %s", ms[i].name, ms[i].value);
        list = curl_slist_append(list, line);
    }
    if (md5 && md5[0]) {
        snprintf(line, sizeof line, "Content-MD5: %s", md5);
        list = curl_slist_append(list, line);
    }
    /* No "Expect: 100-continue" round trip before each block. */
    list = curl_slist_append(list, "Expect:");
    if (az->key_len) {
        mm_azure_signing s = {
            .method = call->method, .path = path, .query = call->query, .n_query = call->n_query, .headers = ms,
            .n_headers = n_ms, .content_length = length, .content_md5 = md5,
        };
        char auth[512] = "Authorization: ";
        size_t used = strlen(auth);
        if (mm_azure_authorization(az->key, (size_t)az->key_len, az->account, &s, auth + used, sizeof auth - used) == 0)
            list = curl_slist_append(list, auth);
    }
    return list;
}

int mm_azure_request(mm_azure *az, const mm_azure_call *call, mm_azure_response *r, mm_error *err)
{
    int sink = r->sink_fd;
    size_t cap = r->text_cap ? r->text_cap : 65536;
    memset(r, 0, sizeof *r);
    r->sink_fd = sink;
    r->text_cap = cap;
    mm_strbuf_init(&r->text);
    char *path = NULL;
    char *url = request_url(az, call, &path);
    char *target = mm_asprintf("azure://%s%s%s at %s", az->container, call->key ? "/" : "", call->key ? call->key : "",
                               az->service_url);
    int rc = 0;
    if (!url || !target) {
        rc = mm_error_set(err, MM_ERR_NOMEM, "Azure %s: out of memory", call->method);
        goto done;
    }
    mm_azure_body *in = call->body;
    uint64_t length = in ? in->length : 0;
    for (int attempt = 0;; attempt++) {
        mm_strbuf_free(&r->text);
        mm_strbuf_init(&r->text);
        r->status = 0;
        r->content_length = -1;
        r->error_code[0] = '\0';
        r->sunk = 0;
        r->sink_failed = false;
        if (r->sink_fd >= 0 && ftruncate(r->sink_fd, 0) != 0) {
            rc = mm_error_errno(err, errno, "truncate download of", target);
            break;
        }
        CURL *c = curl_easy_init();
        struct curl_slist *headers = c ? request_headers(az, call, path, length, in ? in->md5 : NULL) : NULL;
        if (!c || !headers) {
            curl_slist_free_all(headers);
            if (c)
                curl_easy_cleanup(c);
            rc = mm_error_set(err, MM_ERR_NOMEM, "Azure %s %s: cannot create a request", call->method, target);
            break;
        }
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, read_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
        if (az->ca_file)
            curl_easy_setopt(c, CURLOPT_CAINFO, az->ca_file);
        if (in)
            in->sent = 0;
        if (strcmp(call->method, "HEAD") == 0) {
            curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        } else if (strcmp(call->method, "PUT") == 0) {
            curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(c, CURLOPT_READFUNCTION, read_body);
            curl_easy_setopt(c, CURLOPT_READDATA, in);
            curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)length);
        } else if (strcmp(call->method, "GET") != 0) {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, call->method);
        }
        CURLcode cc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
        curl_slist_free_all(headers);
        curl_easy_cleanup(c);
        if (r->sink_failed) {
            rc = mm_error_errno(err, errno ? errno : EIO, "write download of", target);
            break;
        }
        bool ok = cc == CURLE_OK && ((r->status >= 200 && r->status < 300) || (call->allow_404 && r->status == 404));
        if (ok)
            break;
        /* A body damaged on the way (Content-MD5 mismatch) is worth sending again. */
        bool damaged = cc == CURLE_OK && r->status == 400 && strcmp(r->error_code, "Md5Mismatch") == 0;
        if (attempt < az->max_retries && (mm_http_retryable(cc, r->status) || damaged)) {
            mm_sleep_ms((long)az->retry_base_ms << (attempt < 10 ? attempt : 10));
            continue;
        }
        if (cc != CURLE_OK) {
            rc = mm_error_set(err, MM_ERR_NETWORK, "Azure %s %s: %s (after %d attempt(s)); check %s.endpoint and that "
                              "the server is reachable", call->method, target, curl_easy_strerror(cc), attempt + 1,
                              az->side);
            break;
        }
        char message[400], more[400], attempts[48] = "";
        error_message(&r->text, message, sizeof message);
        hint(az, r->status, r->error_code, more, sizeof more);
        if (mm_http_retryable(cc, r->status))
            snprintf(attempts, sizeof attempts, " (after %d attempts)", attempt + 1);
        rc = mm_error_set(err, r->status == 403 ? MM_ERR_AUTH : MM_ERR_IO, "Azure %s %s: %ld %s%s%s%s%s", call->method,
                          target, r->status, r->error_code[0] ? r->error_code : "error", message[0] ? ": " : "",
                          message, attempts, more);
        break;
    }
done:
    free(url);
    free(path);
    free(target);
    return rc;
}

/* ---- operations ------------------------------------------------------------ */

static const char *az_describe(const mm_storage *st)
{
    return ((const mm_azure *)st)->label;
}

static int az_check(mm_storage *st, mm_error *err)
{
    mm_azure *az = (mm_azure *)st;
    /* Listing one blob needs only list rights, which a container SAS has;
     * Get Container Properties would not work with it. */
    const mm_azure_pair q[] = {{"restype", "container"}, {"comp", "list"}, {"maxresults", "1"}};
    mm_azure_call call = {.method = "GET", .query = q, .n_query = 3};
    mm_azure_response r = {.sink_fd = -1};
    int rc = mm_azure_request(az, &call, &r, err);
    if (rc != 0 && r.status == 404)
        rc = mm_error_set(err, MM_ERR_IO, "Azure container %s does not exist (%s); create it or fix %s.bucket",
                          az->label, r.error_code[0] ? r.error_code : "404", az->side);
    mm_strbuf_free(&r.text);
    return rc;
}

static int az_head(mm_storage *st, const char *key, mm_storage_object *out, mm_error *err)
{
    mm_azure_call call = {.method = "HEAD", .key = key, .allow_404 = true};
    mm_azure_response r = {.sink_fd = -1};
    int rc = mm_azure_request((mm_azure *)st, &call, &r, err);
    out->size = (rc == 0 && r.status != 404) ? r.content_length : -1;
    snprintf(out->etag, sizeof out->etag, "%s", rc == 0 && r.status != 404 ? r.etag : "");
    mm_strbuf_free(&r.text);
    return rc;
}

static int az_remove(mm_storage *st, const char *key, mm_error *err)
{
    mm_azure_call call = {.method = "DELETE", .key = key, .allow_404 = true};
    mm_azure_response r = {.sink_fd = -1};
    int rc = mm_azure_request((mm_azure *)st, &call, &r, err);
    mm_strbuf_free(&r.text);
    return rc;
}

static int az_get_file(mm_storage *st, const char *key, const char *path, mm_error *err)
{
    char *partial = mm_asprintf("%s.partial", path);
    if (!partial)
        return mm_error_set(err, MM_ERR_NOMEM, "Azure GET: out of memory");
    int fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int rc = mm_error_errno(err, errno, "create", partial);
        free(partial);
        return rc;
    }
    mm_azure_call call = {.method = "GET", .key = key};
    mm_azure_response r = {.sink_fd = fd};
    int rc = mm_azure_request((mm_azure *)st, &call, &r, err);
    if (rc == 0 && r.content_length >= 0 && r.sunk != (uint64_t)r.content_length)
        rc = mm_error_set(err, MM_ERR_IO, "Azure GET %s/%s: got %llu of %lld bytes", ((mm_azure *)st)->label, key,
                          (unsigned long long)r.sunk, (long long)r.content_length);
    if (rc == 0 && fsync(fd) != 0)
        rc = mm_error_errno(err, errno, "fsync", partial);
    if (close(fd) != 0 && rc == 0)
        rc = mm_error_errno(err, errno, "close", partial);
    if (rc == 0 && rename(partial, path) != 0)
        rc = mm_error_errno(err, errno, "rename to", path);
    if (rc != 0)
        unlink(partial);
    mm_strbuf_free(&r.text);
    free(partial);
    return rc;
}

static int az_list(mm_storage *st, const char *prefix, mm_storage_list_fn fn, void *ctx, mm_error *err)
{
    mm_azure *az = (mm_azure *)st;
    char *marker = mm_strdup("");
    int rc = marker ? 0 : mm_error_set(err, MM_ERR_NOMEM, "Azure list: out of memory");
    while (rc == 0) {
        mm_azure_pair q[5] = {{"restype", "container"}, {"comp", "list"}, {"prefix", prefix ? prefix : ""},
                              {"maxresults", "1000"}, {"marker", marker}};
        mm_azure_call call = {.method = "GET", .query = q, .n_query = marker[0] ? 5 : 4};
        mm_azure_response r = {.sink_fd = -1, .text_cap = (size_t)64 << 20};
        rc = mm_azure_request(az, &call, &r, err);
        const char *end = r.text.data ? r.text.data + r.text.len : NULL;
        const char *at = r.text.data;
        char *blob = NULL;
        while (rc == 0 && at && (blob = mm_azure_xml_next(&at, end, "Blob")) != NULL) {
            const char *inner = blob, *inner_end = blob + strlen(blob);
            char *name = mm_azure_xml_next(&inner, inner_end, "Name");
            char *length = mm_azure_xml_next(&inner, inner_end, "Content-Length");
            if (name)
                rc = fn(ctx, name, length ? strtoll(length, NULL, 10) : -1);
            free(name);
            free(length);
            free(blob);
        }
        at = r.text.data;
        char *next = (rc == 0 && at) ? mm_azure_xml_next(&at, end, "NextMarker") : NULL;
        mm_strbuf_free(&r.text);
        free(marker);
        marker = next;
        if (!marker || !marker[0])
            break;
    }
    free(marker);
    return rc;
}

static void az_close(mm_storage *st)
{
    mm_azure *az = (mm_azure *)st;
    if (!az)
        return;
    memset(az->key, 0, sizeof az->key);
    if (az->sas)
        memset(az->sas, 0, strlen(az->sas));
    free(az->service_url);
    free(az->path_prefix);
    free(az->account);
    free(az->container);
    free(az->sas);
    free(az->side);
    free(az->label);
    free(az->ca_file);
    free(az);
}

static const mm_storage_ops azure_ops = {
    .describe = az_describe, .check = az_check, .put_file = mm_azure_put_file, .head = az_head,
    .remove = az_remove, .get_file = az_get_file, .list = az_list, .close = az_close,
};

static bool set(const char *s)
{
    return s && *s;
}

int mm_storage_azure_open(const mm_azure_options *opt, mm_storage **out, mm_error *err)
{
    pthread_once(&curl_once, init_curl);
    *out = NULL;
    const char *side = set(opt->side) ? opt->side : "target.remote";
    if (!set(opt->container))
        return mm_error_set(err, MM_ERR_CONFIG, "Azure: no container given (%s.bucket)", side);
    if (!set(opt->account))
        return mm_error_set(err, MM_ERR_CONFIG, "Azure: no storage account name given (%s.ak)", side);
    mm_azure *az = calloc(1, sizeof *az);
    if (!az)
        return mm_error_set(err, MM_ERR_NOMEM, "Azure: out of memory");
    az->base.ops = &azure_ops;
    if (set(opt->sas_token)) {
        az->sas = mm_strdup(opt->sas_token + (opt->sas_token[0] == '?'));
    } else if (set(opt->account_key)) {
        az->key_len = mm_azure_decode_key(opt->account_key, az->key, sizeof az->key);
        if (az->key_len <= 0) {
            az_close(&az->base);
            return mm_error_set(err, MM_ERR_CONFIG, "%s.sk is not an Azure account key (expected the base64 text "
                                "the portal shows under Access keys)", side);
        }
    }
    az->service_url = mm_strdup(opt->service_url);
    const char *host = az->service_url ? strstr(az->service_url, "://") : NULL;
    const char *slash = host ? strchr(host + 3, '/') : NULL;
    az->path_prefix = mm_strdup(slash ? slash : "");
    az->account = mm_strdup(opt->account);
    az->container = mm_strdup(opt->container);
    az->side = mm_strdup(side);
    az->ca_file = set(opt->ca_file) ? mm_strdup(opt->ca_file) : NULL;
    az->label = mm_asprintf("azure://%s at %s", opt->container, opt->service_url);
    uint64_t max_block = (uint64_t)4000 << 20;
    az->block_size = opt->block_size ? (opt->block_size < max_block ? opt->block_size : max_block) : (uint64_t)64 << 20;
    az->max_retries = opt->max_retries > 0 ? opt->max_retries : 0;
    az->retry_base_ms = opt->retry_base_ms > 0 ? opt->retry_base_ms : 200;
    if (!host || !az->path_prefix || !az->account || !az->container || !az->side || !az->label ||
        (set(opt->sas_token) && !az->sas) || (set(opt->ca_file) && !az->ca_file)) {
        az_close(&az->base);
        return host ? mm_error_set(err, MM_ERR_NOMEM, "Azure: out of memory")
                    : mm_error_set(err, MM_ERR_CONFIG, "Azure: service URL '%s' has no scheme",
                                   opt->service_url ? opt->service_url : "");
    }
    *out = &az->base;
    return 0;
}
