/* A Milvus 1.x server still running on the installation, seen without
 * writing a byte (the Milvus 1.x source, 0.9.1 to 1.1, was read for what a
 * live server holds):
 *   - server/init/InstanceLockCheck.cpp: at start (single or writable
 *     cluster node) Milvus opens <storage path>/lock and, with the WAL on,
 *     <wal path>/lock, takes an fcntl write lock on the whole file and
 *     keeps it until the process ends; Server.cpp calls it for both paths;
 *   - the SQLite meta is kept open (sqlite_orm open_forever up to 0.10.3,
 *     one connection from 0.10.4), and every SQLite connection to a WAL-mode
 *     database holds a read lock on byte 128 of meta.sqlite-shm (the
 *     "dead man switch" of os_unix.c) while it is open.
 * Both are fcntl locks, which F_GETLK reports with the holder's pid on this
 * host. A MySQL meta or a server on another host shows none of them; the
 * fingerprint check (source_watch.h) catches those when they write. */
#ifndef MM_LIVE_SERVER_H
#define MM_LIVE_SERVER_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct mm_live_probe {
    const char *const *storage_roots; /* each <root>/lock is looked at */
    size_t n_storage_roots;
    const char *wal_dir;              /* <wal>/lock, or NULL */
    const char *sqlite_path;          /* <meta.sqlite>-shm, or NULL */
} mm_live_probe;

typedef struct mm_live_server {
    char **evidence;                  /* one line per lock found held */
    size_t n_evidence;
} mm_live_server;

int mm_live_server_probe(const mm_live_probe *p, mm_live_server *out, mm_error *err);
/* A held lock and not allowed: -1 with MM_ERR_SOURCE_LIVE listing the
 * evidence, what is at stake and the fix (source.allowRunningServer).
 * Allowed: 0 and *warning (when not NULL) says what was found. */
int mm_live_server_refuse(const mm_live_server *s, bool allowed, char **warning, mm_error *err);
void mm_live_server_free(mm_live_server *s);

#endif
