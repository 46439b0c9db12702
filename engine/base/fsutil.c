#include "fsutil.h"

#include "strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
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
            int e = errno;
            rc = mm_error_errno(err, e, "create directory", copy);
            /* ENOSPC is said of bytes; a file system can run out of
             * inodes with gigabytes free. */
            struct statvfs vfs;
            char *slash = strrchr(copy, '/');
            if (slash && slash != copy)
                *slash = '\0';
            if (err && e == ENOSPC && statvfs(copy, &vfs) == 0 && vfs.f_files > 0 && vfs.f_favail == 0) {
                size_t n = strlen(err->message);
                snprintf(err->message + n, sizeof err->message - n, " (no free inodes left there: df -i %s)", copy);
            }
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

const char *mm_file_kind(mode_t mode)
{
    static const struct {
        mode_t type;
        const char *kind;
    } kinds[] = {
        {S_IFREG, "a regular file"}, {S_IFDIR, "a directory"}, {S_IFIFO, "a FIFO (named pipe)"},
        {S_IFCHR, "a character device"}, {S_IFBLK, "a block device"}, {S_IFSOCK, "a socket"},
        {S_IFLNK, "a symbolic link"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if ((mode & S_IFMT) == kinds[i].type)
            return kinds[i].kind;
    return "not a regular file";
}

static int not_regular(const char *path, mode_t mode, const char *fix, mm_error *err)
{
    return mm_error_set(err, MM_ERR_IO, "read %s: it is %s, not a file%s%s", path, mm_file_kind(mode),
                        fix ? "; " : "", fix ? fix : "");
}

static int open_failed(const char *path, int e, const char *fix, mm_error *err)
{
    if (e == ELOOP)
        return mm_error_set(err, MM_ERR_IO, "read %s: it is a symbolic link that leads back to itself (a loop), "
                            "not a file%s%s", path, fix ? "; " : "", fix ? fix : "");
    return mm_error_set(err, MM_ERR_IO, "read %s: %s%s%s", path, strerror(e), fix ? "; " : "", fix ? fix : "");
}

int mm_open_regular(const char *path, const char *fix, int *fd_out, mm_error *err)
{
    *fd_out = -1;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return open_failed(path, errno, fix, err);
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0)
        rc = open_failed(path, errno, fix, err);
    else if (!S_ISREG(st.st_mode))
        rc = not_regular(path, st.st_mode, fix, err);
    else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
        rc = open_failed(path, errno, fix, err);
    if (rc != 0) {
        close(fd);
        return rc;
    }
    *fd_out = fd;
    return 0;
}

FILE *mm_fopen_regular(const char *path, const char *fix, mm_error *err)
{
    int fd;
    if (mm_open_regular(path, fix, &fd, err) != 0)
        return NULL;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        open_failed(path, errno, fix, err);
        close(fd);
    }
    return f;
}

int mm_check_regular(const char *path, const char *fix, mm_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return 1;
        return open_failed(path, errno, fix, err);
    }
    return S_ISREG(st.st_mode) ? 0 : not_regular(path, st.st_mode, fix, err);
}

int mm_dir_check_writable(const char *path, const char *key, mm_error *err)
{
    char *part = mm_strdup(path);
    if (!part)
        return mm_error_set(err, MM_ERR_NOMEM, "%s: out of memory", key);
    struct stat st;
    int rc = 0;
    /* The nearest part that exists; every part below it is created later. */
    while (stat(part, &st) != 0) {
        if (errno == ELOOP || errno == EACCES) {
            rc = mm_error_set(err, MM_ERR_CONFIG, "%s %s: %s: %s; set %s to a directory that can be written",
                              key, path, part, errno == ELOOP ? "a symbolic link that leads back to itself (a loop)"
                                                              : strerror(errno), key);
            break;
        }
        char *slash = strrchr(part, '/');
        if (!slash || slash == part) {
            strcpy(part, slash ? "/" : ".");
            if (stat(part, &st) != 0) {
                rc = mm_error_set(err, MM_ERR_CONFIG, "%s %s: %s: %s", key, path, part, strerror(errno));
                break;
            }
            break;
        }
        *slash = '\0';
    }
    if (rc == 0 && !S_ISDIR(st.st_mode))
        rc = mm_error_set(err, MM_ERR_CONFIG, "%s %s cannot be created: %s is %s, not a directory; set %s to a "
                          "directory (or a path below one)", key, path, part, mm_file_kind(st.st_mode), key);
    else if (rc == 0 && access(part, W_OK | X_OK) != 0)
        rc = mm_error_set(err, MM_ERR_CONFIG, "%s %s cannot be written: %s: %s; set %s to a directory on a "
                          "writable file system", key, path, part,
                          errno == EROFS ? "the file system is mounted read-only" : strerror(errno), key);
    free(part);
    return rc;
}

int mm_fsync_dir(const char *dir)
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

char *mm_path_dir(const char *path)
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
    char *dir = mm_path_dir(path);
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
    if (mm_fsync_dir(dir) != 0) {
        mm_error_set(err, MM_ERR_IO, "save %s: flush directory %s: %s", path, dir, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    free(tmp);
    free(dir);
    return rc;
}

enum { MAX_LINKS = 40 };

/* realpath(3) wants every component to exist, and the places we are about
 * to create usually do not yet: components are walked one by one instead,
 * each existing one checked with lstat and a symlink replaced by its
 * target, so the result never holds a symlink and ".." can be applied to
 * it as text. */
char *mm_path_existing_ancestor(const char *path)
{
    char *p = mm_strdup(path);
    struct stat st;
    while (p && stat(p, &st) != 0) {
        char *slash = strrchr(p, '/');
        if (!slash) {
            free(p);
            return mm_strdup(".");
        }
        if (slash == p) {
            p[1] = '\0';
            break;
        }
        *slash = '\0';
    }
    return p;
}

char *mm_path_resolve(const char *path)
{
    char cwd[PATH_MAX];
    char *rest = path[0] == '/' ? mm_strdup(path)
                                : (getcwd(cwd, sizeof cwd) ? mm_asprintf("%s/%s", cwd, path) : NULL);
    mm_strbuf out;
    mm_strbuf_init(&out);
    int links = 0;
    while (rest) {
        char *p = rest;
        while (*p == '/')
            p++;
        if (!*p)
            break;
        char *end = strchr(p, '/');
        char *comp = end ? mm_strndup(p, (size_t)(end - p)) : mm_strdup(p);
        char *tail = mm_strdup(end ? end : "");
        free(rest);
        rest = tail;
        if (!comp || !rest) {
            free(comp);
            out.oom = true;
            break;
        }
        if (strcmp(comp, ".") == 0) {
            free(comp);
            continue;
        }
        if (strcmp(comp, "..") == 0) {
            char *slash = out.data ? strrchr(out.data, '/') : NULL;
            if (slash) {
                out.len = (size_t)(slash - out.data);
                out.data[out.len] = '\0';
            }
            free(comp);
            continue;
        }
        size_t before = out.len;
        mm_strbuf_appendf(&out, "/%s", comp);
        free(comp);
        struct stat st;
        if (!out.data || lstat(out.data, &st) != 0 || !S_ISLNK(st.st_mode))
            continue;
        char target[PATH_MAX];
        ssize_t n = readlink(out.data, target, sizeof target - 1);
        if (n < 0 || ++links > MAX_LINKS)
            continue; /* unreadable or looping: keep the link's own name */
        target[n] = '\0';
        out.len = target[0] == '/' ? 0 : before;
        out.data[out.len] = '\0';
        char *joined = mm_asprintf("%s%s", target, rest);
        free(rest);
        rest = joined;
        if (!rest)
            out.oom = true;
    }
    free(rest);
    if (!out.len)
        mm_strbuf_append(&out, "/");
    return mm_strbuf_ok(&out) ? mm_strbuf_take(&out) : (mm_strbuf_free(&out), NULL);
}

bool mm_path_within(const char *path, const char *dir)
{
    if (strcmp(dir, "/") == 0)
        return true;
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

void mm_remove_atomic_leftovers(const char *path)
{
    char *dir = mm_path_dir(path);
    const char *slash = strrchr(path, '/');
    char *prefix = mm_asprintf("%s.tmp.", slash ? slash + 1 : path);
    DIR *d = dir && prefix ? opendir(dir) : NULL;
    size_t n = prefix ? strlen(prefix) : 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        /* mkostemp's six characters, nothing else */
        if (strncmp(e->d_name, prefix, n) != 0 || strlen(e->d_name) != n + 6)
            continue;
        char *leftover = mm_asprintf("%s/%s", dir, e->d_name);
        if (leftover)
            unlink(leftover);
        free(leftover);
    }
    if (d)
        closedir(d);
    free(dir);
    free(prefix);
}
