/* One request to the Blob service with retries: the URL, the Shared Key
 * or SAS signature, the body from memory or a file range with its
 * Content-MD5, and errors that name the blob, the status and the fix. The
 * operations (azure.c) and the uploads (azure_upload.c) are built on it. */
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
        EVP_EncodeBlock((unsigned char *)b->digest, digest, (int)len);
    else
        rc = -1;
    EVP_MD_CTX_free(ctx);
    free(buf);
    return rc;
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
        r->service_header = "x-ms-error-code:";
        mm_http_response_reset(r);
        if (r->sink_fd >= 0 && ftruncate(r->sink_fd, 0) != 0) {
            rc = mm_error_errno(err, errno, "truncate download of", target);
            break;
        }
        CURL *c = curl_easy_init();
        struct curl_slist *headers = c ? request_headers(az, call, path, length, in ? in->digest : NULL) : NULL;
        if (!c || !headers) {
            curl_slist_free_all(headers);
            if (c)
                curl_easy_cleanup(c);
            rc = mm_error_set(err, MM_ERR_NOMEM, "Azure %s %s: cannot create a request", call->method, target);
            break;
        }
        mm_http_pool_use(az->pool, c);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        mm_http_response_attach(c, r);
        if (az->ca_file)
            curl_easy_setopt(c, CURLOPT_CAINFO, az->ca_file);
        if (strcmp(call->method, "HEAD") == 0) {
            curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        } else if (strcmp(call->method, "PUT") == 0) {
            curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
            mm_http_body_attach(c, in);
            curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)length);
        } else if (strcmp(call->method, "GET") != 0) {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, call->method);
        }
        CURLcode cc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
        curl_slist_free_all(headers);
        curl_easy_cleanup(c);
        if (r->sink_errno) {
            rc = mm_error_errno(err, r->sink_errno, "write download of", target);
            break;
        }
        bool ok = cc == CURLE_OK && ((r->status >= 200 && r->status < 300) || (call->allow_404 && r->status == 404));
        if (ok)
            break;
        /* A body damaged on the way (Content-MD5 mismatch) is worth sending again. */
        bool damaged = cc == CURLE_OK && r->status == 400 && strcmp(r->service_value, "Md5Mismatch") == 0;
        if (attempt < az->max_retries && !mm_sleep_interrupted() && (mm_http_retryable(cc, r->status) || damaged)) {
            mm_sleep_ms((long)az->retry_base_ms << (attempt < 10 ? attempt : 10));
            continue;
        }
        if (cc != CURLE_OK) {
            char tried[48];
            mm_http_attempts_text(attempt + 1, tried, sizeof tried);
            rc = mm_error_set(err, MM_ERR_NETWORK, "Azure %s %s: %s%s; check %s.endpoint and that the server is "
                              "reachable", call->method, target, curl_easy_strerror(cc), tried, az->side);
            break;
        }
        char message[400], more[400], attempts[48] = "";
        error_message(&r->text, message, sizeof message);
        hint(az, r->status, r->service_value, more, sizeof more);
        if (mm_http_retryable(cc, r->status))
            mm_http_attempts_text(attempt + 1, attempts, sizeof attempts);
        rc = mm_error_set(err, r->status == 403 ? MM_ERR_AUTH : MM_ERR_IO, "Azure %s %s: %ld %s%s%s%s%s", call->method,
                          target, r->status, r->service_value[0] ? r->service_value : "error", message[0] ? ": " : "",
                          message, attempts, more);
        break;
    }
done:
    free(url);
    free(path);
    free(target);
    return rc;
}
