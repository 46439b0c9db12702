#include "fsutil.h"

#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* fsync of the directory makes the rename itself durable. Some file
 * systems cannot sync a directory; the rename stands there. */
static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    if (rc != 0 && e == EINVAL)
        return 0;
    errno = e;
    return rc;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return mm_strdup(".");
    if (slash == path)
        return mm_strdup("/");
    return mm_strndup(path, (size_t)(slash - path));
}

int mm_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, mm_error *err)
{
    char *tmp = mm_asprintf("%s.tmp.XXXXXX", path);
    char *dir = dir_of(path);
    int rc = -1;
    /* mkostemp creates with O_EXCL and mode 0600, so a secret is never
     * readable by others even for a moment; fchmod then sets the mode the
     * caller wants whatever the umask. */
    int fd = tmp && dir ? mkostemp(tmp, O_CLOEXEC) : -1;
    if (fd < 0) {
        if (!tmp || !dir)
            mm_error_set(err, MM_ERR_NOMEM, "save %s: out of memory", path);
        else
            mm_error_set(err, MM_ERR_IO, "save %s: create temporary file in %s: %s", path, dir, strerror(errno));
        goto out;
    }
    mm_error step = {0};
    if (fchmod(fd, mode) != 0)
        mm_error_errno(&step, errno, "set the mode of", tmp);
    else if (mm_write_full(fd, data, len, tmp, &step) == 0 && fsync(fd) != 0)
        mm_error_errno(&step, errno, "flush", tmp);
    if (step.message[0]) {
        mm_error_set(err, MM_ERR_IO, "save %s: %s", path, step.message);
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) != 0) {
        mm_error_set(err, MM_ERR_IO, "save %s: close %s: %s", path, tmp, strerror(errno));
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        mm_error_set(err, MM_ERR_IO, "save %s: replace it with %s: %s", path, tmp, strerror(errno));
        unlink(tmp);
        goto out;
    }
    if (fsync_dir(dir) != 0) {
        mm_error_set(err, MM_ERR_IO, "save %s: flush directory %s: %s", path, dir, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    free(tmp);
    free(dir);
    return rc;
}
