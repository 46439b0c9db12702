#include "source/live_server.h"

#include "base/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Byte 128 of the -shm file: SQLite's UNIX_SHM_DMS, (22 + SQLITE_SHM_NLOCK)
 * * 4 + SQLITE_SHM_NLOCK with SQLITE_SHM_NLOCK = 8 (os_unix.c). */
enum { SQLITE_SHM_DMS_BYTE = 128 };

/* "process 1234 (milvus_server)", or who it is when /proc cannot say. */
static char *describe_holder(pid_t pid)
{
    if (pid <= 0)
        return mm_strdup("a process in another PID namespace (a container?)");
    char path[64], comm[64] = "";
    snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
    FILE *f = fopen(path, "r");
    if (f) {
        if (fgets(comm, sizeof comm, f))
            comm[strcspn(comm, "\n")] = '\0';
        fclose(f);
    }
    return comm[0] ? mm_asprintf("process %ld (%s)", (long)pid, comm) : mm_asprintf("process %ld", (long)pid);
}

/* The holder of a lock that would conflict with a write lock on
 * [start, start+len) of path; 0 when nobody holds one or the file is not
 * there. F_GETLK only asks: nothing is locked or written. */
static pid_t lock_holder(const char *path, off_t start, off_t len, bool *held)
{
    *held = false;
    /* O_NONBLOCK: a FIFO there must not hang the probe. */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return 0;
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    pid_t pid = 0;
    if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
        *held = true;
        pid = fl.l_pid;
    }
    close(fd);
    return pid;
}

static int add_evidence(mm_live_server *s, char *line)
{
    char **grown = line ? realloc(s->evidence, (s->n_evidence + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(line);
        return -1;
    }
    s->evidence = grown;
    s->evidence[s->n_evidence++] = line;
    return 0;
}

static int probe_lock_file(mm_live_server *s, const char *dir, const char *what)
{
    char *path = mm_asprintf("%s/lock", dir);
    if (!path)
        return -1;
    bool held;
    pid_t pid = lock_holder(path, 0, 0, &held);
    int rc = 0;
    if (held) {
        char *who = describe_holder(pid);
        /* The holder last: its pid's length then never moves where a
         * screen wraps the rest. */
        rc = add_evidence(s, mm_asprintf("%s is locked (Milvus 1.x holds the lock of its %s while it runs) by %s",
                                         path, what, who ? who : "?"));
        free(who);
    }
    free(path);
    return rc;
}

int mm_live_server_probe(const mm_live_probe *p, mm_live_server *out, mm_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < p->n_storage_roots; i++)
        rc = probe_lock_file(out, p->storage_roots[i], "storage path");
    if (rc == 0 && p->wal_dir)
        rc = probe_lock_file(out, p->wal_dir, "WAL directory");
    if (rc == 0 && p->sqlite_path) {
        char *shm = mm_asprintf("%s-shm", p->sqlite_path);
        bool held = false;
        pid_t pid = shm ? lock_holder(shm, SQLITE_SHM_DMS_BYTE, 1, &held) : 0;
        if (held) {
            char *who = describe_holder(pid);
            rc = add_evidence(out, mm_asprintf("%s is open (SQLite keeps a lock in %s while a connection to it is "
                                               "open) in %s", p->sqlite_path, shm, who ? who : "?"));
            free(who);
        }
        rc = shm ? rc : -1;
        free(shm);
    }
    if (rc != 0) {
        mm_live_server_free(out);
        return mm_error_set(err, MM_ERR_NOMEM, "look for a running 1.x server: out of memory");
    }
    return 0;
}

int mm_live_server_refuse(const mm_live_server *s, bool allowed, char **warning, mm_error *err)
{
    if (warning)
        *warning = NULL;
    if (!s->n_evidence)
        return 0;
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (size_t i = 0; i < s->n_evidence; i++)
        mm_strbuf_appendf(&sb, "\n  %s", s->evidence[i]);
    int rc = 0;
    if (allowed) {
        if (warning)
            *warning = mm_asprintf("the 1.x installation is in use (source.allowRunningServer: true, so the dump goes "
                                   "on; it stops if the meta or the WAL changes):%s", sb.data ? sb.data : "");
    } else {
        rc = mm_error_set(err, MM_ERR_SOURCE_LIVE, "a Milvus 1.x server (or another program) is still using the 1.x "
                          "installation:%s\nDumping now could miss rows it has not flushed yet and copy segments it "
                          "is rewriting. Flush every collection (pymilvus 1.x: client.flush()), stop the server "
                          "gracefully (SIGINT, or docker stop with time to flush), then run this again. If nothing "
                          "writes to this installation any more (a copy, a server that only reads), set "
                          "source.allowRunningServer: true; the dump still stops if the meta or the WAL changes "
                          "while it runs.", sb.data ? sb.data : "");
    }
    mm_strbuf_free(&sb);
    return rc;
}

void mm_live_server_free(mm_live_server *s)
{
    for (size_t i = 0; i < s->n_evidence; i++)
        free(s->evidence[i]);
    free(s->evidence);
    memset(s, 0, sizeof *s);
}
