/* Writing one .npy of a batch: the header, then the rows copied from the
 * segment file (in the kernel with copy_file_range where the file systems
 * allow, gathered through a buffer for short runs), the CRC32 and part
 * SHA-256s computed on the way, and the file renamed into place only when
 * complete. */
#include "dump/dump_internal.h"

#include "base/fsutil.h"
#include "base/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every byte of a batch, in file order, goes into the CRC32 the journal
 * records and, when uploading, the part SHA-256s. */
void mm_dump_checksum(uint32_t *crc, mm_part_digest *digest, const void *bytes, size_t n)
{
    *crc = libdeflate_crc32(*crc, bytes, n);
    if (digest)
        mm_part_digest_update(digest, bytes, n);
}

/* Copies `len` bytes at `off` of src into dst: in the kernel where the
 * file systems allow (copy_file_range), else through the buffer. */
static int copy_range(int src, const char *src_path, off_t off, size_t len, int dst, const char *dst_path,
                      mm_dump_files *f, bool offload, uint32_t *crc, mm_part_digest *digest, mm_error *err)
{
    while (len > 0) {
        size_t chunk = len < MM_DUMP_IO_BLOCK ? len : MM_DUMP_IO_BLOCK;
        if (mm_pread_full(src, f->buf, chunk, off, src_path, err) != 0)
            return -1;
        mm_dump_checksum(crc, digest, f->buf, chunk);
        bool done = false;
        if (offload) {
            loff_t in = off;
            size_t left = chunk;
            int why = 0;
            while (left > 0) {
                ssize_t n = copy_file_range(src, &in, dst, NULL, left, 0);
                if (n <= 0) {
                    why = n < 0 ? errno : 0;
                    break;
                }
                left -= (size_t)n;
            }
            if (left == 0)
                done = true;
            else if (left != chunk) {
                mm_error_set(err, MM_ERR_IO, "copy %s into %s: copy_file_range stopped part way: %s", src_path,
                             dst_path, why ? strerror(why) : "the source ended early");
                errno = why;
                return -1;
            }
        }
        if (!done && mm_write_full(dst, f->buf, chunk, dst_path, err) != 0)
            return -1;
        off += (off_t)chunk;
        len -= chunk;
    }
    return 0;
}

/* Runs at least this long go through copy_file_range; shorter ones are
 * gathered. */
enum { KERNEL_COPY_MIN = 256 << 10 };

int mm_npy_open(mm_npy_out *o, const char *path, int src, const char *src_path, size_t row_bytes,
                    mm_npy_dtype dtype, uint64_t rows, uint64_t cols, uint64_t digest_part_size, mm_error *err)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->src = src;
    o->src_path = src_path;
    o->row_bytes = row_bytes;
    o->crc = 0;
    o->path = mm_strdup(path);
    o->partial = mm_asprintf("%s.partial", path);
    o->in = malloc(MM_DUMP_IO_BLOCK);
    o->out = malloc(MM_DUMP_IO_BLOCK);
    if (!o->path || !o->partial || !o->in || !o->out)
        return mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    char header[MM_NPY_MAX_HEADER];
    size_t hlen = mm_npy_header(header, sizeof header, dtype, rows, cols);
    o->size = hlen + rows * row_bytes;
    /* The journal's CRC32 is of the whole file, as a user's crc32 tool
     * computes it and load checks it. */
    o->crc = libdeflate_crc32(o->crc, header, hlen);
    if (digest_part_size) {
        o->digest = mm_part_digest_new(digest_part_size);
        if (o->digest)
            mm_part_digest_update(o->digest, header, hlen);
    }
    o->fd = open(o->partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o->fd < 0) {
        o->io_errno = errno;
        return mm_error_errno(err, errno, "create", o->partial);
    }
    if (mm_write_full(o->fd, header, hlen, o->partial, err) != 0) {
        o->io_errno = errno;
        return -1;
    }
    return 0;
}

static int npy_flush(mm_npy_out *o, mm_error *err)
{
    if (o->out_len && mm_write_full(o->fd, o->out, o->out_len, o->partial, err) != 0) {
        o->io_errno = errno;
        return -1;
    }
    o->out_len = 0;
    return 0;
}

/* Appends len source bytes at off to the output buffer, reading the source
 * a block at a time; runs come in file order, so blocks are read once. */
static int npy_gather(mm_npy_out *o, off_t off, size_t len, mm_error *err)
{
    while (len > 0) {
        if (off < o->in_off || off >= o->in_off + (off_t)o->in_len) {
            ssize_t got = pread(o->src, o->in, MM_DUMP_IO_BLOCK, off);
            if (got <= 0) {
                o->io_errno = got < 0 ? errno : 0;
                return got < 0 ? mm_error_errno(err, errno, "read", o->src_path)
                               : mm_error_set(err, MM_ERR_FORMAT, "read %s: the file ends before row data at byte "
                                              "%lld", o->src_path, (long long)off);
            }
            o->in_off = off;
            o->in_len = (size_t)got;
        }
        if (o->out_len == MM_DUMP_IO_BLOCK && npy_flush(o, err) != 0)
            return -1;
        size_t take = (size_t)(o->in_off + (off_t)o->in_len - off);
        if (take > len)
            take = len;
        if (take > MM_DUMP_IO_BLOCK - o->out_len)
            take = MM_DUMP_IO_BLOCK - o->out_len;
        const char *from = o->in + (off - o->in_off);
        memcpy(o->out + o->out_len, from, take);
        mm_dump_checksum(&o->crc, o->digest, from, take);
        o->out_len += take;
        off += (off_t)take;
        len -= take;
    }
    return 0;
}

int mm_npy_copy_rows(mm_npy_out *o, mm_dump_files *f, int64_t start, int64_t count, bool offload, mm_error *err)
{
    off_t off = 8 + (off_t)start * (off_t)o->row_bytes;
    size_t len = (size_t)count * o->row_bytes;
    if (!offload || len < KERNEL_COPY_MIN)
        return npy_gather(o, off, len, err);
    if (npy_flush(o, err) != 0)
        return -1;
    int rc = copy_range(o->src, o->src_path, off, len, o->fd, o->partial, f, offload, &o->crc, o->digest, err);
    if (rc != 0)
        o->io_errno = errno;
    return rc;
}

int mm_npy_close(mm_npy_out *o, bool ok, bool durable, mm_error *err)
{
    int rc = ok ? 0 : -1;
    if (o->fd >= 0) {
        if (rc == 0)
            rc = npy_flush(o, err);
        if (rc == 0 && durable && fsync(o->fd) != 0) {
            o->io_errno = errno;
            rc = mm_error_errno(err, errno, "fsync", o->partial);
        }
        if (close(o->fd) != 0 && rc == 0) {
            o->io_errno = errno;
            rc = mm_error_errno(err, errno, "close", o->partial);
        }
        if (rc == 0 && rename(o->partial, o->path) != 0)
            rc = mm_error_errno(err, errno, "rename into place", o->path);
        if (rc != 0)
            unlink(o->partial);
    }
    free(o->path);
    free(o->partial);
    free(o->in);
    free(o->out);
    o->in = o->out = NULL;
    o->fd = -1;
    return rc;
}
