#include "storage/s3.h"

#include "strbuf.h"
#include "timeutil.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct mm_s3 {
    char *base;        /* scheme://host[:port] */
    char *bucket, *region, *ak, *sk, *sigv4, *label;
    char *session_token;
    uint64_t part_size;
    int max_retries, retry_base_ms;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void init_curl(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

/* What a request sends: nothing, bytes from memory, or a range of a file. */
typedef struct body {
    const char *data;
    int fd;
    off_t offset;
    uint64_t length, sent;
    char md5[32];       /* base64 Content-MD5 of a file range, "" = none */
} body;

/* Content-MD5 of a file range, so the server rejects a body corrupted on
 * the way (S3 answers BadDigest) instead of storing it. */
static int compute_md5(body *b)
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

typedef struct response {
    long status;
    mm_strbuf text;     /* body, capped: only error XML and small answers matter */
    char etag[128];
    int64_t content_length;
} response;

static size_t read_body(char *out, size_t size, size_t n, void *ctx)
{
    body *b = ctx;
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
    response *r = ctx;
    if (r->text.len < 65536)
        mm_strbuf_append_n(&r->text, data, size * n);
    return size * n;
}

static size_t read_header(char *data, size_t size, size_t n, void *ctx)
{
    response *r = ctx;
    size_t len = size * n;
    if (len > 5 && strncasecmp(data, "etag:", 5) == 0) {
        size_t start = 5, end = len;
        while (start < end && (data[start] == ' ' || data[start] == '\t'))
            start++;
        while (end > start && (data[end - 1] == '\r' || data[end - 1] == '\n' || data[end - 1] == ' '))
            end--;
        snprintf(r->etag, sizeof r->etag, "%.*s", (int)(end - start), data + start);
    } else if (len > 15 && strncasecmp(data, "content-length:", 15) == 0) {
        r->content_length = strtoll(data + 15, NULL, 10);
    }
    return len;
}

/* Percent-encodes with uppercase hex, as S3 wants and as libcurl 7.88 signs
 * paths and queries exactly as given; '/' is kept in keys only. */
static char *percent_encode(const char *text, bool keep_slash)
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

/* The text of <tag>...</tag> in an S3 XML answer. The answers we read are
 * tiny, fixed-shape documents and no XML library is among our dependencies,
 * so a substring search is enough. */
static void xml_value(const char *xml, const char *tag, char *out, size_t n)
{
    out[0] = '\0';
    if (!xml)
        return;
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *a = strstr(xml, open);
    const char *b = a ? strstr(a, close) : NULL;
    if (a && b)
        snprintf(out, n, "%.*s", (int)(b - a - strlen(open)), a + strlen(open));
}

static bool retryable(CURLcode rc, long status)
{
    if (rc == CURLE_OK)
        return status >= 500 || status == 429;
    return rc == CURLE_COULDNT_CONNECT || rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR ||
           rc == CURLE_GOT_NOTHING || rc == CURLE_PARTIAL_FILE || rc == CURLE_OPERATION_TIMEDOUT;
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

static const char *hint_for(long status, const char *code)
{
    if (status == 403 && (strcmp(code, "SignatureDoesNotMatch") == 0 || strcmp(code, "InvalidAccessKeyId") == 0 ||
                          strcmp(code, "AccessDenied") == 0))
        return "; check target.remote.ak and target.remote.sk";
    if (strcmp(code, "NoSuchBucket") == 0)
        return "; create the bucket or fix target.remote.bucket";
    if (strcmp(code, "AuthorizationHeaderMalformed") == 0)
        return "; check target.remote.region";
    return "";
}

/* One request with retries. what = "PUT", "HEAD", ...; target names the
 * object in messages. 2xx (and 404 when allow_404) counts as success. */
static int request(mm_s3 *s3, const char *method, const char *key, const char *query, body *in,
                   const char *content_type, response *r, bool allow_404, mm_error *err)
{
    memset(r, 0, sizeof *r);
    mm_strbuf_init(&r->text);
    char *path = percent_encode(key ? key : "", true);
    char *url = mm_asprintf("%s/%s%s%s%s%s", s3->base, s3->bucket, key ? "/" : "", path ? path : "",
                            query ? "?" : "", query ? query : "");
    char *target = mm_asprintf("s3://%s%s%s at %s", s3->bucket, key ? "/" : "", key ? key : "", s3->base);
    free(path);
    int rc = 0;
    if (!url || !target) {
        rc = mm_error_set(err, MM_ERR_NOMEM, "S3 %s: out of memory", method);
        goto done;
    }
    for (int attempt = 0;; attempt++) {
        memset(r, 0, sizeof *r);
        mm_strbuf_init(&r->text);
        r->content_length = -1;
        CURL *c = curl_easy_init();
        if (!c) {
            rc = mm_error_set(err, MM_ERR_NOMEM, "S3 %s %s: cannot create a curl handle", method, target);
            break;
        }
        struct curl_slist *headers = curl_slist_append(NULL, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
        if (s3->session_token && s3->session_token[0]) { /* signed by libcurl with the other x-amz-* headers */
            char *token = mm_asprintf("x-amz-security-token: %s", s3->session_token);
            headers = token ? curl_slist_append(headers, token) : headers;
            free(token);
        }
        if (in && in->md5[0]) {
            char md5[64];
            snprintf(md5, sizeof md5, "Content-MD5: %s", in->md5);
            headers = curl_slist_append(headers, md5);
        }
        if (content_type) {
            char ct[128];
            snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
            headers = curl_slist_append(headers, ct);
        }
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_AWS_SIGV4, s3->sigv4);
        /* Set separately: access keys such as Swift's "test:tester" hold a ':'. */
        curl_easy_setopt(c, CURLOPT_USERNAME, s3->ak);
        curl_easy_setopt(c, CURLOPT_PASSWORD, s3->sk);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, read_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
        if (in)
            in->sent = 0;
        if (strcmp(method, "HEAD") == 0) {
            curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        } else if (strcmp(method, "PUT") == 0) {
            curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(c, CURLOPT_READFUNCTION, read_body);
            curl_easy_setopt(c, CURLOPT_READDATA, in);
            curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(in ? in->length : 0));
        } else if (strcmp(method, "POST") == 0) {
            curl_easy_setopt(c, CURLOPT_POST, 1L);
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, in && in->data ? in->data : "");
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(in ? in->length : 0));
        } else {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        }
        CURLcode cc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
        curl_slist_free_all(headers);
        curl_easy_cleanup(c);
        bool ok = cc == CURLE_OK && ((r->status >= 200 && r->status < 300) || (allow_404 && r->status == 404));
        /* CompleteMultipartUpload can answer 200 with an <Error> body. */
        if (ok && r->text.data && strstr(r->text.data, "<Error>"))
            ok = false;
        if (ok)
            break;
        /* A body damaged on the way (Content-MD5 mismatch) is worth sending again. */
        char code_now[64];
        xml_value(r->text.data, "Code", code_now, sizeof code_now);
        bool damaged = cc == CURLE_OK && r->status == 400 && strcmp(code_now, "BadDigest") == 0;
        if (attempt < s3->max_retries && (retryable(cc, r->status) || damaged)) {
            mm_strbuf_free(&r->text);
            mm_sleep_ms((long)s3->retry_base_ms << (attempt < 10 ? attempt : 10));
            continue;
        }
        if (cc != CURLE_OK) {
            rc = mm_error_set(err, MM_ERR_NETWORK, "S3 %s %s: %s (after %d attempt(s)); check target.remote.endpoint "
                              "and that the server is reachable", method, target, curl_easy_strerror(cc), attempt + 1);
        } else {
            char code[128], message[512];
            xml_value(r->text.data, "Code", code, sizeof code);
            xml_value(r->text.data, "Message", message, sizeof message);
            char attempts[48] = "";
            if (retryable(cc, r->status))
                snprintf(attempts, sizeof attempts, " (after %d attempts)", attempt + 1);
            rc = mm_error_set(err, r->status == 403 ? MM_ERR_AUTH : MM_ERR_IO, "S3 %s %s: %ld %s%s%s%s%s", method,
                              target, r->status, code[0] ? code : status_name(r->status), message[0] ? ": " : "", message,
                              attempts, hint_for(r->status, code));
        }
        break;
    }
done:
    free(url);
    free(target);
    return rc;
}

int mm_s3_open(const mm_s3_options *opt, mm_s3 **out, mm_error *err)
{
    pthread_once(&curl_once, init_curl);
    *out = NULL;
    if (!opt->bucket || !opt->bucket[0])
        return mm_error_set(err, MM_ERR_CONFIG, "S3: no bucket given (target.remote.bucket)");
    mm_s3 *s3 = calloc(1, sizeof *s3);
    if (!s3)
        return mm_error_set(err, MM_ERR_NOMEM, "S3: out of memory");
    const char *region = opt->region && opt->region[0] ? opt->region : "us-east-1";
    if (opt->endpoint && opt->endpoint[0])
        s3->base = mm_asprintf("%s://%s", opt->use_ssl ? "https" : "http", opt->endpoint);
    else
        s3->base = mm_asprintf("https://s3.%s.amazonaws.com", region);
    s3->bucket = mm_strdup(opt->bucket);
    s3->region = mm_strdup(region);
    s3->ak = mm_strdup(opt->access_key ? opt->access_key : "");
    s3->sk = mm_strdup(opt->secret_key ? opt->secret_key : "");
    s3->session_token = opt->session_token && opt->session_token[0] ? mm_strdup(opt->session_token) : NULL;
    s3->sigv4 = mm_asprintf("aws:amz:%s:s3", region);
    s3->label = mm_asprintf("s3://%s at %s", opt->bucket, s3->base ? s3->base : "");
    s3->part_size = opt->part_size >= (5u << 20) ? opt->part_size : (uint64_t)64 << 20;
    s3->max_retries = opt->max_retries >= 0 ? opt->max_retries : 0;
    s3->retry_base_ms = opt->retry_base_ms > 0 ? opt->retry_base_ms : 200;
    if (!s3->base || !s3->bucket || !s3->region || !s3->ak || !s3->sk || !s3->sigv4 || !s3->label) {
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
    free(s3->base);
    free(s3->bucket);
    free(s3->region);
    free(s3->ak);
    free(s3->sk);
    free(s3->session_token);
    free(s3->sigv4);
    free(s3->label);
    free(s3);
}

const char *mm_s3_describe(const mm_s3 *s3)
{
    return s3->label;
}

int mm_s3_check_bucket(mm_s3 *s3, mm_error *err)
{
    response r;
    int rc = request(s3, "HEAD", NULL, NULL, NULL, NULL, &r, false, err);
    if (rc != 0 && r.status == 404)
        rc = mm_error_set(err, MM_ERR_IO, "S3 bucket %s does not exist; create it or fix target.remote.bucket",
                          s3->label);
    else if (rc != 0 && r.status == 403)
        rc = mm_error_set(err, MM_ERR_AUTH, "S3 %s refused the credentials of access key '%s' (403); check "
                          "target.remote.ak and target.remote.sk", s3->label, s3->ak);
    mm_strbuf_free(&r.text);
    return rc;
}

int mm_s3_head(mm_s3 *s3, const char *key, int64_t *size, mm_error *err)
{
    response r;
    int rc = request(s3, "HEAD", key, NULL, NULL, NULL, &r, true, err);
    *size = (rc == 0 && r.status != 404) ? r.content_length : -1;
    mm_strbuf_free(&r.text);
    return rc;
}

int mm_s3_delete(mm_s3 *s3, const char *key, mm_error *err)
{
    response r;
    /* A key that is already gone counts as deleted (404 allowed). */
    int rc = request(s3, "DELETE", key, NULL, NULL, NULL, &r, true, err);
    mm_strbuf_free(&r.text);
    return rc;
}

static int put_single(mm_s3 *s3, const char *key, int fd, uint64_t size, mm_error *err)
{
    body b = {.fd = fd, .length = size};
    if (compute_md5(&b) != 0)
        b.md5[0] = '\0';
    response r;
    int rc = request(s3, "PUT", key, NULL, &b, "application/octet-stream", &r, false, err);
    mm_strbuf_free(&r.text);
    return rc;
}

enum { PART_THREADS = 4 };

/* Parts of one multipart upload, shared by the threads that send them. */
typedef struct part_job {
    mm_s3 *s3;
    const char *key, *upload_id;
    int fd;
    uint64_t size, parts;
    char (*etags)[128];
    pthread_mutex_t lock;
    uint64_t next;
    bool failed;
    mm_error err;
} part_job;

static void *send_parts(void *arg)
{
    part_job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->lock);
        uint64_t n = j->failed || j->next > j->parts ? 0 : j->next++;
        pthread_mutex_unlock(&j->lock);
        if (n == 0)
            return NULL;
        uint64_t off = (n - 1) * j->s3->part_size;
        uint64_t len = j->size - off < j->s3->part_size ? j->size - off : j->s3->part_size;
        body b = {.fd = j->fd, .offset = (off_t)off, .length = len};
        if (compute_md5(&b) != 0)
            b.md5[0] = '\0';
        char *query = mm_asprintf("partNumber=%llu&uploadId=%s", (unsigned long long)n, j->upload_id);
        response r;
        mm_error err;
        mm_error_clear(&err);
        int rc = query ? request(j->s3, "PUT", j->key, query, &b, NULL, &r, false, &err)
                       : mm_error_set(&err, MM_ERR_NOMEM, "S3 upload: out of memory");
        if (rc == 0)
            memcpy(j->etags[n - 1], r.etag, sizeof r.etag);
        mm_strbuf_free(&r.text);
        free(query);
        if (rc != 0) {
            pthread_mutex_lock(&j->lock);
            if (!j->failed) {
                j->failed = true;
                j->err = err;
            }
            pthread_mutex_unlock(&j->lock);
        }
    }
}

/* Parts go up on a few threads at once: one TCP stream rarely fills the
 * link to an object store. */
static int put_multipart(mm_s3 *s3, const char *key, int fd, uint64_t size, mm_error *err)
{
    response r;
    /* libcurl 7.88 signs the query as written: bare subresources need "=". */
    if (request(s3, "POST", key, "uploads=", NULL, NULL, &r, false, err) != 0) {
        mm_strbuf_free(&r.text);
        return -1;
    }
    char upload_id[512];
    xml_value(r.text.data, "UploadId", upload_id, sizeof upload_id);
    mm_strbuf_free(&r.text);
    if (!upload_id[0])
        return mm_error_set(err, MM_ERR_IO, "S3 POST s3://%s/%s: no UploadId in the answer", s3->bucket, key);
    char *id = percent_encode(upload_id, false);
    part_job job = {.s3 = s3, .key = key, .upload_id = id ? id : "", .fd = fd, .size = size, .next = 1,
                    .parts = (size + s3->part_size - 1) / s3->part_size};
    job.etags = calloc(job.parts, sizeof *job.etags);
    pthread_mutex_init(&job.lock, NULL);
    int rc = (id && job.etags) ? 0 : mm_error_set(err, MM_ERR_NOMEM, "S3 upload: out of memory");
    if (rc == 0) {
        pthread_t threads[PART_THREADS];
        int started = 0;
        for (; started < PART_THREADS && (uint64_t)started < job.parts; started++)
            if (pthread_create(&threads[started], NULL, send_parts, &job) != 0)
                break;
        if (started == 0)
            send_parts(&job);
        for (int t = 0; t < started; t++)
            pthread_join(threads[t], NULL);
        if (job.failed) {
            if (err)
                *err = job.err;
            rc = -1;
        }
    }
    mm_strbuf complete;
    mm_strbuf_init(&complete);
    mm_strbuf_append(&complete, "<CompleteMultipartUpload>");
    for (uint64_t n = 1; rc == 0 && n <= job.parts; n++)
        mm_strbuf_appendf(&complete, "<Part><PartNumber>%llu</PartNumber><ETag>%s</ETag></Part>",
                          (unsigned long long)n, job.etags[n - 1]);
    mm_strbuf_append(&complete, "</CompleteMultipartUpload>");
    char *query = mm_asprintf("uploadId=%s", id ? id : "");
    if (rc == 0) {
        body b = {.data = complete.data, .length = complete.len};
        rc = request(s3, "POST", key, query, &b, "application/xml", &r, false, err);
        mm_strbuf_free(&r.text);
    }
    if (rc != 0) {
        /* Leave no half upload accruing storage; the error already says why. */
        request(s3, "DELETE", key, query, NULL, NULL, &r, true, NULL);
        mm_strbuf_free(&r.text);
    }
    pthread_mutex_destroy(&job.lock);
    free(job.etags);
    free(query);
    free(id);
    mm_strbuf_free(&complete);
    return rc;
}

int mm_s3_put_file(mm_s3 *s3, const char *key, const char *path, mm_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mm_error_errno(err, errno, "open for upload", path);
    struct stat st;
    int rc = fstat(fd, &st) == 0 ? 0 : mm_error_errno(err, errno, "stat", path);
    if (rc == 0)
        rc = (uint64_t)st.st_size > s3->part_size ? put_multipart(s3, key, fd, (uint64_t)st.st_size, err)
                                                  : put_single(s3, key, fd, (uint64_t)st.st_size, err);
    close(fd);
    return rc;
}
