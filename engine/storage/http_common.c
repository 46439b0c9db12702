#include "storage/http_common.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
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

void mm_http_header_value(const char *data, size_t len, size_t skip, char *out, size_t n)
{
    size_t start = skip, end = len;
    while (start < end && (data[start] == ' ' || data[start] == '\t'))
        start++;
    while (end > start && (data[end - 1] == '\r' || data[end - 1] == '\n' || data[end - 1] == ' '))
        end--;
    snprintf(out, n, "%.*s", (int)(end - start), data + start);
}

int mm_http_sink_write(int fd, const char *data, size_t len, uint64_t at)
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
