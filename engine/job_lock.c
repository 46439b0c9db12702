#include "job_lock.h"

#include "base/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct mm_job_lock {
    int fd;
    char *path;
};

/* Who holds (or held) the lock, as written by the holder. */
typedef struct holder {
    long pid;
    char started[64], command[1024], host[256];
} holder;

/* "milvus-migrate dump -c migration.yaml": argv as the kernel keeps it.
 * The commands that lock take no secrets on their command line. */
static void own_command(char *buf, size_t n)
{
    buf[0] = '\0';
    FILE *f = fopen("/proc/self/cmdline", "rb");
    if (!f)
        return;
    size_t got = fread(buf, 1, n - 1, f);
    fclose(f);
    buf[got] = '\0';
    for (size_t i = 0; i + 1 < got; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    /* argv[0] without its directory */
    size_t prog = strcspn(buf, " ");
    char *base = memrchr(buf, '/', prog);
    if (base)
        memmove(buf, base + 1, strlen(base + 1) + 1);
}

static void parse_holder(const char *text, holder *h)
{
    memset(h, 0, sizeof *h);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char field[16];
        if (sscanf(line, "%15s", field) == 1) {
            const char *value = line + strlen(field);
            while (*value == ' ')
                value++;
            size_t vlen = len > (size_t)(value - line) ? len - (size_t)(value - line) : 0;
            char *dst = NULL;
            size_t cap = 0;
            if (strcmp(field, "pid") == 0)
                h->pid = strtol(value, NULL, 10);
            else if (strcmp(field, "started") == 0)
                dst = h->started, cap = sizeof h->started;
            else if (strcmp(field, "command") == 0)
                dst = h->command, cap = sizeof h->command;
            else if (strcmp(field, "host") == 0)
                dst = h->host, cap = sizeof h->host;
            if (dst)
                snprintf(dst, cap, "%.*s", (int)vlen, value);
        }
        line = end ? end + 1 : NULL;
    }
}

/* The holder writes its record right after taking the lock; a reader that
 * comes in between sees an empty file and asks again, briefly. */
static void read_holder(int fd, holder *h)
{
    char text[2048];
    for (int attempt = 0; attempt < 20; attempt++) {
        ssize_t n = pread(fd, text, sizeof text - 1, 0);
        text[n > 0 ? n : 0] = '\0';
        parse_holder(text, h);
        if (h->pid > 0)
            return;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static char *describe(const holder *h)
{
    if (h->pid <= 0)
        return mm_strdup("whose pid is not recorded: its disk may be full");
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    bool elsewhere = h->host[0] && strcmp(h->host, host) != 0;
    return mm_asprintf("pid %ld%s%s, started at %s, command %s", h->pid, elsewhere ? " on host " : "",
                       elsewhere ? h->host : "", h->started[0] ? h->started : "an unknown time",
                       h->command[0] ? h->command : "unknown");
}

static int write_record(int fd, const char *path, mm_error *err)
{
    char command[1024], host[256] = "", started[64];
    own_command(command, sizeof command);
    gethostname(host, sizeof host - 1);
    time_t now = time(NULL);
    struct tm tm;
    strftime(started, sizeof started, "%Y-%m-%d %H:%M:%S %z", localtime_r(&now, &tm));
    char *text = mm_asprintf("pid %ld\nstarted %s\ncommand %s\nhost %s\n", (long)getpid(), started, command, host);
    if (!text)
        return mm_error_set(err, MM_ERR_NOMEM, "lock %s: out of memory", path);
    int rc = 0;
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, strlen(text), 0) != (ssize_t)strlen(text))
        rc = mm_error_errno(err, errno, "record the lock holder in", path);
    free(text);
    return rc;
}

int mm_job_lock_acquire(const char *state_dir, mm_job_lock **out, char **takeover, mm_error *err)
{
    *out = NULL;
    if (takeover)
        *takeover = NULL;
    if (mkdir(state_dir, 0700) != 0 && errno != EEXIST)
        return mm_error_errno(err, errno, "create state directory", state_dir);
    char *path = mm_asprintf("%s/milvus-migrate.lock", state_dir);
    if (!path)
        return mm_error_set(err, MM_ERR_NOMEM, "lock the migration: out of memory");
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        int e = errno;
        free(path);
        return mm_error_errno(err, e, "open the lock file", state_dir);
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        holder h;
        if (e == EWOULDBLOCK)
            read_holder(fd, &h);
        char *who = e == EWOULDBLOCK ? describe(&h) : NULL;
        char stop[64] = "stop it";
        if (who && h.pid > 0)
            snprintf(stop, sizeof stop, "stop it (kill %ld)", h.pid);
        if (who)
            mm_error_set(err, MM_ERR_LOCKED, "another milvus-migrate (%s) is running this migration: it holds %s. "
                         "Wait for it to finish, or %s and run this again; it is not safe to run two at once "
                         "(state.dir %s)", who, path, stop, state_dir);
        else
            mm_error_errno(err, e, "lock", path);
        free(who);
        close(fd);
        free(path);
        return -1;
    }
    /* A record left behind: its writer ended without releasing (killed). */
    holder old;
    char text[2048];
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    text[n > 0 ? n : 0] = '\0';
    parse_holder(text, &old);
    if (old.pid > 0 && takeover)
        *takeover = describe(&old);
    /* The record only tells who holds the lock; a full disk must fail
     * where the job's own files are written, with their message. */
    if (write_record(fd, path, NULL) == 0)
        fsync(fd);
    mm_job_lock *l = malloc(sizeof *l);
    if (!l) {
        close(fd);
        free(path);
        return mm_error_set(err, MM_ERR_NOMEM, "lock the migration: out of memory");
    }
    l->fd = fd;
    l->path = path;
    *out = l;
    return 0;
}

void mm_job_lock_release(mm_job_lock *lock)
{
    if (!lock)
        return;
    /* Emptied while still held: an empty record means "released cleanly". */
    if (ftruncate(lock->fd, 0) == 0)
        fsync(lock->fd);
    close(lock->fd);
    free(lock->path);
    free(lock);
}

const char *mm_job_lock_path(const mm_job_lock *lock)
{
    return lock->path;
}
