#include "storage/http_common.h"

#include <errno.h>
#include <stdio.h>
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
