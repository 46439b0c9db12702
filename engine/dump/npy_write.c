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

bool mm_dump_find_bad_float(mm_dump_files *f, const void *bytes, size_t n, uint64_t at, size_t row_bytes)
{
    /* Exponent bits all ones: NaN or infinite. Flagged without a branch per
     * value, in runs of a fixed length, so that the compiler makes it a
     * vector loop even at -O2 (whose cost model leaves a loop of unknown
     * length scalar: 5 GB/s, an eighth of an S3 dump's CPU, against 15
     * GB/s); only a block that has one is looked at again. */
    enum { RUN = 64 };
    const unsigned char *p = bytes;
    size_t words = n / 4, i = 0;
    uint32_t bad = 0;
    for (; i + RUN <= words; i += RUN) {
        const unsigned char *run = p + 4 * i;
        for (size_t j = 0; j < RUN; j++) {
            uint32_t w;
            memcpy(&w, run + 4 * j, 4);
            bad |= (w & 0x7f800000u) == 0x7f800000u;
        }
    }
    for (; i < words; i++) {
        uint32_t w;
        memcpy(&w, p + 4 * i, 4);
        bad |= (w & 0x7f800000u) == 0x7f800000u;
    }
    if (!bad)
        return false;
    for (i = 0; i < words; i++) {
        uint32_t w;
        memcpy(&w, p + 4 * i, 4);
        if ((w & 0x7f800000u) == 0x7f800000u) {
            uint64_t in_rows = at + 4 * i - 8;
            f->bad_row = (int64_t)(in_rows / row_bytes);
            f->bad_dim = (int)(in_rows % row_bytes / 4);
            return true;
        }
    }
    return false;
}

static int bad_float(mm_npy_out *o, mm_dump_files *f, const void *bytes, size_t n, off_t at, mm_error *err)
{
    if (!o->check_floats || !mm_dump_find_bad_float(f, bytes, n, (uint64_t)at, o->row_bytes))
        return 0;
    return mm_error_set(err, MM_ERR_FORMAT, "%s: row %lld has a NaN or infinite value", f->rv_path,
                        (long long)f->bad_row);
}

/* Write-behind: the disk starts on what a worker wrote every few MiB,
 * instead of when the group's syncfs asks for everything at once or the
 * kernel's dirty-page limits stop the workers. The syncfs then finds little
 * left to write, and the disk is busy all along. Only a hint: the syncfs
 * is what makes the bytes durable, so a failure here changes nothing. */
enum { WRITE_BEHIND = 8 << 20 };

static void wrote(mm_npy_out *o, size_t n)
{
    o->written += n;
    if (o->keep_partial && o->written - o->kicked >= WRITE_BEHIND) {
        (void)sync_file_range(o->fd, (off64_t)o->kicked, (off64_t)(o->written - o->kicked), SYNC_FILE_RANGE_WRITE);
        o->kicked = o->written;
    }
}

/* Copies `len` bytes at `off` of src into dst: in the kernel where the
 * file systems allow (copy_file_range), else through the buffer. */
static int copy_range(mm_npy_out *o, int src, const char *src_path, off_t off, size_t len, mm_dump_files *f,
                      bool offload, mm_error *err)
{
    int dst = o->fd;
    const char *dst_path = o->partial;
    while (len > 0) {
        size_t chunk = len < MM_DUMP_IO_BLOCK ? len : MM_DUMP_IO_BLOCK;
        if (mm_pread_full(src, f->buf, chunk, off, src_path, err) != 0 || bad_float(o, f, f->buf, chunk, off, err) != 0)
            return -1;
        mm_dump_checksum(&o->crc, o->digest, f->buf, chunk);
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
        wrote(o, chunk);
        off += (off_t)chunk;
        len -= chunk;
    }
    return 0;
}

/* Runs at least this long go through copy_file_range; shorter ones are
 * gathered. */
enum { KERNEL_COPY_MIN = 256 << 10 };

int mm_npy_open(mm_npy_out *o, const char *path, bool ids, size_t row_bytes, mm_npy_dtype dtype, uint64_t rows,
                uint64_t cols, uint64_t digest_part_size, char *in, char *out, bool check_floats, mm_error *err)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->ids = ids;
    o->check_floats = check_floats;
    o->row_bytes = row_bytes;
    o->crc = 0;
    o->path = mm_strdup(path);
    o->partial = mm_asprintf("%s.partial", path);
    o->in = in;
    o->out = out;
    if (!o->path || !o->partial)
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
    o->written = hlen;
    return 0;
}

static int npy_flush(mm_npy_out *o, mm_error *err)
{
    if (o->out_len && mm_write_full(o->fd, o->out, o->out_len, o->partial, err) != 0) {
        o->io_errno = errno;
        return -1;
    }
    wrote(o, o->out_len);
    o->out_len = 0;
    return 0;
}

void mm_npy_next_source(mm_npy_out *o)
{
    o->in_off = 0;
    o->in_len = 0;
}

/* Appends len source bytes at off to the output buffer, reading the source
 * a block at a time; runs come in file order, so blocks are read once. */
static int npy_gather(mm_npy_out *o, mm_dump_files *f, int src, const char *src_path, off_t off, size_t len,
                      mm_error *err)
{
    while (len > 0) {
        if (off < o->in_off || off >= o->in_off + (off_t)o->in_len) {
            ssize_t got = pread(src, o->in, MM_DUMP_IO_BLOCK, off);
            if (got <= 0) {
                o->io_errno = got < 0 ? errno : 0;
                return got < 0 ? mm_error_errno(err, errno, "read", src_path)
                               : mm_error_set(err, MM_ERR_FORMAT, "read %s: the file ends before row data at byte "
                                              "%lld", src_path, (long long)off);
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
        if (bad_float(o, f, from, take, off, err) != 0)
            return -1;
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
    int src = o->ids ? f->uid : f->rv;
    const char *src_path = o->ids ? f->uid_path : f->rv_path;
    off_t off = 8 + (off_t)start * (off_t)o->row_bytes;
    size_t len = (size_t)count * o->row_bytes;
    if (!offload || len < KERNEL_COPY_MIN)
        return npy_gather(o, f, src, src_path, off, len, err);
    if (npy_flush(o, err) != 0)
        return -1;
    errno = 0;
    int rc = copy_range(o, src, src_path, off, len, f, offload, err);
    if (rc != 0)
        o->io_errno = errno;
    return rc;
}

int mm_npy_close(mm_npy_out *o, bool ok, mm_error *err)
{
    int rc = ok ? 0 : -1;
    if (o->fd >= 0) {
        if (rc == 0)
            rc = npy_flush(o, err);
        if (close(o->fd) != 0 && rc == 0) {
            o->io_errno = errno;
            rc = mm_error_errno(err, errno, "close", o->partial);
        }
        if (rc == 0 && !o->keep_partial && rename(o->partial, o->path) != 0)
            rc = mm_error_errno(err, errno, "rename into place", o->path);
        if (rc != 0)
            unlink(o->partial);
    }
    free(o->path);
    free(o->partial);
    o->in = o->out = NULL;
    o->fd = -1;
    return rc;
}
