/* Small file-system steps the engine repeats: directories with parents, and
 * files that appear under their name only when complete and durable. */
#ifndef MM_FSUTIL_H
#define MM_FSUTIL_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

int mm_mkdir_p(const char *path, mm_error *err);
/* fsync of a directory, which makes a rename in it durable. A file system
 * that cannot sync a directory (EINVAL) counts as success: the rename
 * stands there. 0, or -1 with errno set. */
int mm_fsync_dir(const char *dir);
/* The directory part of a path: "." when it has none, "/" for a file in
 * the root. malloc'd, NULL on allocation failure. */
char *mm_path_dir(const char *path);
/* Writes data to a fresh temporary file beside path (created 0600, then
 * given `mode`), fsyncs it, renames it over path and fsyncs the directory:
 * path is the old file or the complete new one, never a mix. Errors start
 * "save <path>: ". */
int mm_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, mm_error *err);
/* Removes the temporary files a killed mm_write_file_atomic of path left
 * beside it ("<path>.tmp.XXXXXX"); for a caller that alone writes path
 * (under the job's lock), before it writes path again. */
void mm_remove_atomic_leftovers(const char *path);
int mm_write_full(int fd, const void *buf, size_t len, const char *path, mm_error *err);
/* Reads exactly len bytes at off; a file that ends first is an error naming
 * path (it shrank while we read it). */
int mm_pread_full(int fd, void *buf, size_t len, off_t off, const char *path, mm_error *err);

/* Files we only read (the 1.x installation, meta.json, configs): opened
 * with O_NONBLOCK, since open() of a FIFO waits for a writer forever, then
 * refused unless they are regular files, so a named pipe, a device, a
 * socket, a directory or a symlink loop where a file belongs is named
 * rather than read. `fix` (may be NULL) ends each message ("; <fix>").
 * The descriptor returned blocks as usual. Errors are MM_ERR_IO:
 * "read <path>: it is a FIFO (named pipe), not a file; <fix>". */
int mm_open_regular(const char *path, const char *fix, int *fd_out, mm_error *err);
/* The same as a stdio stream ("rb"); NULL on error. */
FILE *mm_fopen_regular(const char *path, const char *fix, mm_error *err);
/* The check alone, by stat (nothing is opened), for files a library opens
 * itself (SQLite's -wal and -shm): 0 for a regular file, 1 when nothing is
 * there, -1 with err set otherwise. */
int mm_check_regular(const char *path, const char *fix, mm_error *err);
/* A directory we are to create or write into (target.local.outputDir,
 * state.dir), checked before any work: the nearest part of `path` that
 * exists must be a directory that can be written (a read-only file system
 * or a file on the way is found here, not hours into a dump). Messages name
 * `key`, the part that is wrong and the fix; MM_ERR_CONFIG. */
int mm_dir_check_writable(const char *path, const char *key, mm_error *err);
/* "a FIFO (named pipe)", "a directory", "a character device", ... */
const char *mm_file_kind(mode_t mode);

/* Absolute, symlinks resolved for the part of the path that exists, "."
 * and ".." removed; malloc'd, NULL on allocation failure. */
char *mm_path_resolve(const char *path);
/* The closest ancestor of path that exists, path itself when it does; "."
 * for a relative path none of whose parents exist. malloc'd, NULL on
 * allocation failure. */
char *mm_path_existing_ancestor(const char *path);
/* path equals dir or lies below it (both resolved). */
bool mm_path_within(const char *path, const char *dir);

#endif
