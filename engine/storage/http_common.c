#include "storage/http_common.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <unistd.h>

bool mm_http_retryable(CURLcode rc, long status)
{
    if (rc == CURLE_OK)
        return status >= 500 || status == 429;
    return rc == CURLE_COULDNT_CONNECT || rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR ||
           rc == CURLE_GOT_NOTHING || rc == CURLE_PARTIAL_FILE || rc == CURLE_OPERATION_TIMEDOUT;
}

void mm_http_attempts_text(int attempts, char *out, size_t n)
{
    snprintf(out, n, " (after %d attempt%s)", attempts, attempts == 1 ? "" : "s");
}

/* The value of a header line data[0..len) after its first `skip` bytes
 * (the name and colon), without surrounding blanks or the line end. */
static void header_value(const char *data, size_t len, size_t skip, char *out, size_t n)
{
    size_t start = skip, end = len;
    while (start < end && (data[start] == ' ' || data[start] == '\t'))
        start++;
    while (end > start && (data[end - 1] == '\r' || data[end - 1] == '\n' || data[end - 1] == ' '))
        end--;
    snprintf(out, n, "%.*s", (int)(end - start), data + start);
}

static bool is_header(const char *data, size_t len, const char *name)
{
    size_t n = strlen(name);
    return len > n && strncasecmp(data, name, n) == 0;
}

/* Writes len bytes at offset `at` of fd; 0, or the errno that stopped it. */
static int sink_write(int fd, const char *data, size_t len, uint64_t at)
{
    for (size_t done = 0; done < len;) {
        ssize_t w = pwrite(fd, data + done, len - done, (off_t)(at + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        done += (size_t)w;
    }
    return 0;
}

void mm_http_response_reset(mm_http_response *r)
{
    r->status = 0;
    r->etag[0] = '\0';
    r->content_length = -1;
    r->service_value[0] = '\0';
    mm_strbuf_free(&r->text);
    r->sunk = 0;
    r->sink_errno = 0;
    r->body_refused = false;
}

static size_t read_header(char *data, size_t size, size_t n, void *ctx)
{
    mm_http_response *r = ctx;
    size_t len = size * n;
    char value[64];
    if (len > 5 && strncmp(data, "HTTP/", 5) == 0) {
        /* A new status line (after 100 Continue, or a redirect) starts over. */
        const char *space = memchr(data, ' ', len);
        r->status = space ? strtol(space + 1, NULL, 10) : 0;
        r->etag[0] = '\0';
        r->service_value[0] = '\0';
        r->content_length = -1;
    } else if (is_header(data, len, "etag:")) {
        header_value(data, len, 5, r->etag, sizeof r->etag);
    } else if (r->service_header && is_header(data, len, r->service_header)) {
        header_value(data, len, strlen(r->service_header), r->service_value, sizeof r->service_value);
    } else if (is_header(data, len, "content-length:")) {
        header_value(data, len, 15, value, sizeof value);
        r->content_length = strtoll(value, NULL, 10);
    }
    return len;
}

static size_t write_body(char *data, size_t size, size_t n, void *ctx)
{
    mm_http_response *r = ctx;
    size_t len = size * n;
    if (r->sink_fd >= 0 && r->status >= 200 && r->status < 300) {
        r->sink_errno = sink_write(r->sink_fd, data, len, r->sunk);
        if (r->sink_errno)
            return 0;   /* makes libcurl stop with CURLE_WRITE_ERROR */
        r->sunk += len;
        return len;
    }
    if (r->text.len < (r->text_cap ? r->text_cap : 65536))
        mm_strbuf_append_n(&r->text, data, len);
    return len;
}

void mm_http_response_attach(CURL *c, mm_http_response *r)
{
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
}

static size_t read_body(char *out, size_t size, size_t n, void *ctx)
{
    mm_http_body *b = ctx;
    size_t want = size * n;
    uint64_t left = b->length - b->sent;
    if (want > left)
        want = (size_t)left;
    if (want == 0)
        return 0;
    if (b->data) {
        memcpy(out, b->data + b->sent, want);
    } else if (b->sent < b->head_len) {
        if (want > b->head_len - b->sent)
            want = (size_t)(b->head_len - b->sent);
        memcpy(out, b->head + b->sent, want);
    } else {
        ssize_t got = pread(b->fd, out, want, b->offset + (off_t)(b->sent - b->head_len));
        if (got <= 0)
            return CURL_READFUNC_ABORT;
        want = (size_t)got;
    }
    b->sent += want;
    return want;
}

static int seek_body(void *ctx, curl_off_t offset, int origin)
{
    mm_http_body *b = ctx;
    if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > b->length)
        return CURL_SEEKFUNC_CANTSEEK;
    b->sent = (uint64_t)offset;
    return CURL_SEEKFUNC_OK;
}

void mm_http_body_attach(CURL *c, mm_http_body *b)
{
    b->sent = 0;
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(c, CURLOPT_READDATA, b);
    /* A kept connection the server has closed meanwhile is found only once
     * the body is on its way: curl then sends it again on a new one, from
     * the start. */
    curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, seek_body);
    curl_easy_setopt(c, CURLOPT_SEEKDATA, b);
    /* Larger reads than curl's 64 KiB default: fewer calls into read_body
     * and pread for the same bytes. */
    curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
}

struct mm_http_pool {
    CURLSH *share;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
};

static void pool_lock(CURL *c, curl_lock_data data, curl_lock_access access, void *ctx)
{
    (void)c;
    (void)access;
    mm_http_pool *pool = ctx;
    pthread_mutex_lock(&pool->locks[data]);
}

static void pool_unlock(CURL *c, curl_lock_data data, void *ctx)
{
    (void)c;
    mm_http_pool *pool = ctx;
    pthread_mutex_unlock(&pool->locks[data]);
}

mm_http_pool *mm_http_pool_new(void)
{
    mm_http_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->share = curl_share_init();
    if (!pool->share) {
        free(pool);
        return NULL;
    }
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&pool->locks[i], NULL);
    curl_share_setopt(pool->share, CURLSHOPT_LOCKFUNC, pool_lock);
    curl_share_setopt(pool->share, CURLSHOPT_UNLOCKFUNC, pool_unlock);
    curl_share_setopt(pool->share, CURLSHOPT_USERDATA, pool);
    curl_share_setopt(pool->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(pool->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(pool->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    return pool;
}

void mm_http_pool_free(mm_http_pool *pool)
{
    if (!pool)
        return;
    curl_share_cleanup(pool->share);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&pool->locks[i]);
    free(pool);
}

void mm_http_pool_use(mm_http_pool *pool, CURL *c)
{
    if (pool)
        curl_easy_setopt(c, CURLOPT_SHARE, pool->share);
}
