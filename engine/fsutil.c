#include "fsutil.h"

#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int mm_mkdir_p(const char *path, mm_error *err)
{
    char *copy = mm_strdup(path);
    if (!copy)
        return mm_error_set(err, MM_ERR_NOMEM, "create directory %s: out of memory", path);
    int rc = 0;
    for (char *p = copy + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
            rc = mm_error_errno(err, errno, "create directory", copy);
            break;
        }
        *p = saved;
        if (saved == '\0')
            break;
    }
    free(copy);
    return rc;
}

int mm_write_full(int fd, const void *buf, size_t len, const char *path, mm_error *err)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, (const char *)buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return mm_error_errno(err, errno, "write", path);
        done += (size_t)n;
    }
    return 0;
}

int mm_pread_full(int fd, void *buf, size_t len, off_t off, const char *path, mm_error *err)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done, off + (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return mm_error_errno(err, errno, "read", path);
        if (n == 0)
            return mm_error_set(err, MM_ERR_FORMAT, "read %s: file ended early (truncated while being read?)", path);
        done += (size_t)n;
    }
    return 0;
}

int mm_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, mm_error *err)
{
    char *tmp = mm_asprintf("%s.partial", path);
    if (!tmp)
        return mm_error_set(err, MM_ERR_NOMEM, "write %s: out of memory", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    int rc = fd < 0 ? mm_error_errno(err, errno, "create", tmp) : mm_write_full(fd, data, len, tmp, err);
    if (fd >= 0) {
        if (rc == 0 && fchmod(fd, mode) != 0)
            rc = mm_error_errno(err, errno, "chmod", tmp);
        if (rc == 0 && fsync(fd) != 0)
            rc = mm_error_errno(err, errno, "fsync", tmp);
        if (close(fd) != 0 && rc == 0)
            rc = mm_error_errno(err, errno, "close", tmp);
        if (rc == 0 && rename(tmp, path) != 0)
            rc = mm_error_errno(err, errno, "rename into place", path);
        if (rc != 0)
            unlink(tmp);
    }
    free(tmp);
    return rc;
}
