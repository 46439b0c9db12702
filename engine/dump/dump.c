#include "dump/dump.h"

#include "dump/dump_reconcile.h"
#include "dump/dump_upload.h"
#include "base/fsutil.h"
#include "npy.h"
#include "source/meta_json.h"
#include "source/inventory_render.h"
#include "source/names.h"
#include "source/remote_fetch.h"
#include "source/segment.h"
#include "load/staged_check.h"
#include "base/strbuf.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zlib.h>

enum { IO_BLOCK = 1 << 20 };

typedef struct job {
    mm_collection_info *c;
    mm_partition_info *p;
    mm_segment_info *s;
} job;

typedef struct shared {
    const mm_dump_options *opt;
    job *jobs;
    size_t n_jobs;
    size_t next;
    pthread_mutex_t lock;
    mm_error err;               /* first failure */
    bool failed;
    mm_dump_progress progress;
    mm_dump_result result;
} shared;

static const char *id_field(const mm_dump_options *opt)
{
    return opt->id_field && opt->id_field[0] ? opt->id_field : "id";
}

static const char *vector_field(const mm_dump_options *opt)
{
    return opt->vector_field && opt->vector_field[0] ? opt->vector_field : "data";
}

static bool cancelled(const shared *sh)
{
    return sh->failed || (sh->opt->cancel && atomic_load(sh->opt->cancel));
}

static void report(shared *sh, int64_t rows, uint64_t bytes, size_t segments, size_t skipped)
{
    pthread_mutex_lock(&sh->lock);
    sh->progress.rows_done += rows;
    sh->progress.bytes_done += bytes;
    sh->progress.segments_done += segments;
    sh->progress.segments_skipped += skipped;
    mm_dump_progress snapshot = sh->progress;
    pthread_mutex_unlock(&sh->lock);
    if (sh->opt->progress)
        sh->opt->progress(sh->opt->progress_ctx, &snapshot);
}

static void count_recorded(shared *sh, const mm_journal_batch *b)
{
    pthread_mutex_lock(&sh->lock);
    sh->result.batches_written++;
    sh->result.rows_written += b->rows;
    sh->result.bytes_written += b->id_bytes + b->data_bytes;
    pthread_mutex_unlock(&sh->lock);
}

int64_t mm_dump_rows_per_batch(uint64_t max_file_size, uint64_t vector_bytes, uint64_t dim_cols, bool binary)
{
    uint64_t data_header = mm_npy_file_size(binary ? MM_NPY_U1 : MM_NPY_F4, 0, dim_cols);
    uint64_t id_header = mm_npy_file_size(MM_NPY_I8, 0, 0);
    if (max_file_size <= data_header + vector_bytes || max_file_size <= id_header + 8)
        return 0;
    uint64_t by_data = (max_file_size - data_header) / vector_bytes;
    uint64_t by_id = (max_file_size - id_header) / 8;
    uint64_t rows = by_data < by_id ? by_data : by_id;
    return rows > INT64_MAX ? INT64_MAX : (int64_t)rows;
}

/* Live rows in order, minus the rows the NaN policy drops. */
typedef struct row_runs {
    mm_segment_reader *r;
    const int64_t *dropped;     /* sorted */
    size_t n_dropped, next_dropped;
    int64_t start, count;       /* pending part of the current live run */
} row_runs;

static void runs_init(row_runs *it, mm_segment_reader *r, const int64_t *dropped, size_t n_dropped)
{
    memset(it, 0, sizeof *it);
    it->r = r;
    it->dropped = dropped;
    it->n_dropped = n_dropped;
    mm_segment_rewind(r);
}

/* Next run of at most `limit` rows. */
static bool runs_next(row_runs *it, int64_t limit, int64_t *start, int64_t *count)
{
    for (;;) {
        if (it->count == 0 && !mm_segment_next_live_run(it->r, &it->start, &it->count))
            return false;
        while (it->next_dropped < it->n_dropped && it->dropped[it->next_dropped] < it->start)
            it->next_dropped++;
        int64_t n = it->count < limit ? it->count : limit;
        if (it->next_dropped < it->n_dropped && it->dropped[it->next_dropped] < it->start + n)
            n = it->dropped[it->next_dropped] - it->start;
        if (n == 0) {           /* the run starts with a dropped row */
            it->start++;
            it->count--;
            it->next_dropped++;
            continue;
        }
        *start = it->start;
        *count = n;
        it->start += n;
        it->count -= n;
        return true;
    }
}

typedef struct segment_files {
    int rv, uid;
    const char *rv_path, *uid_path;
    size_t bpv;
    char *buf;                  /* IO_BLOCK bytes */
} segment_files;

/* First float that is NaN or infinite in a row, or -1. Bit test: exponent all ones. */
static int bad_float_index(const unsigned char *row, size_t dim)
{
    for (size_t j = 0; j < dim; j++) {
        uint32_t bits;
        memcpy(&bits, row + j * 4, 4);
        if ((bits & 0x7f800000u) == 0x7f800000u)
            return (int)j;
    }
    return -1;
}

/* Finds the rows holding NaN/Inf (float collections). */
static int scan_nan_rows(shared *sh, const job *jb, segment_files *f, mm_segment_reader *r, int64_t **out,
                         size_t *n_out, mm_error *err)
{
    *out = NULL;
    *n_out = 0;
    if (jb->c->binary)
        return 0;
    size_t cap = 0;
    size_t rows_per_block = IO_BLOCK / f->bpv;
    row_runs it;
    runs_init(&it, r, NULL, 0);
    int64_t start, count;
    while (runs_next(&it, (int64_t)rows_per_block, &start, &count)) {
        if (cancelled(sh))
            return mm_error_set(err, MM_ERR_CANCELLED, "dump cancelled");
        if (mm_pread_full(f->rv, f->buf, (size_t)count * f->bpv, 8 + (off_t)start * (off_t)f->bpv, f->rv_path, err) != 0)
            return -1;
        for (int64_t i = 0; i < count; i++) {
            int dim_index = bad_float_index((unsigned char *)f->buf + (size_t)i * f->bpv, (size_t)jb->c->dim);
            if (dim_index < 0)
                continue;
            if (sh->opt->nan_policy == MM_DUMP_NAN_FAIL) {
                int64_t id = 0;
                mm_pread_full(f->uid, &id, 8, 8 + (start + i) * 8, f->uid_path, NULL);
                free(*out);
                *out = NULL;
                return mm_error_set(err, MM_ERR_FORMAT,
                                    "%s: row %lld (id %lld) has a NaN or infinite value in dimension %d; Milvus "
                                    "2.x rejects such vectors. Set dumper.nanPolicy: skip to leave these rows "
                                    "out (they are counted in the report), or repair the source",
                                    f->rv_path, (long long)(start + i), (long long)id, dim_index);
            }
            if (*n_out == cap) {
                cap = cap ? cap * 2 : 64;
                int64_t *grown = realloc(*out, cap * sizeof *grown);
                if (!grown)
                    return mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
                *out = grown;
            }
            (*out)[(*n_out)++] = start + i;
        }
    }
    return 0;
}

/* Every byte of a batch, in file order, goes into the CRC32 the journal
 * records and, when uploading, the part SHA-256s. */
static void checksum(uLong *crc, mm_part_digest *digest, const void *bytes, size_t n)
{
    *crc = crc32(*crc, (const Bytef *)bytes, (uInt)n);
    if (digest)
        mm_part_digest_update(digest, bytes, n);
}

/* Copies `len` bytes at `off` of src into dst: in the kernel where the
 * file systems allow (copy_file_range), else through the buffer. */
static int copy_range(int src, const char *src_path, off_t off, size_t len, int dst, const char *dst_path,
                      segment_files *f, bool offload, uLong *crc, mm_part_digest *digest, mm_error *err)
{
    while (len > 0) {
        size_t chunk = len < IO_BLOCK ? len : IO_BLOCK;
        if (mm_pread_full(src, f->buf, chunk, off, src_path, err) != 0)
            return -1;
        checksum(crc, digest, f->buf, chunk);
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

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* One output .npy being written as <path>.partial. */
typedef struct npy_out {
    char *path, *partial;
    int fd;
    int io_errno;               /* errno of the step that failed, 0 if none */
    int src;
    const char *src_path;
    size_t row_bytes;
    uLong crc;
    uint64_t size;
    /* Part SHA-256s for the upload (staged in a bucket only); a digest that
     * failed is simply not used, the upload then hashes the file. */
    mm_part_digest *digest;
    /* Short runs (rows between deleted ones) are gathered: the source is
     * read a block at a time into `in`, live rows are copied into `out`,
     * written when full; two system calls per run would cost more than the
     * copy. */
    char *in, *out;
    off_t in_off;
    size_t in_len, out_len;
} npy_out;

/* Runs at least this long go through copy_file_range; shorter ones are
 * gathered. */
enum { KERNEL_COPY_MIN = 256 << 10 };

static int npy_open(npy_out *o, const char *path, int src, const char *src_path, size_t row_bytes,
                    mm_npy_dtype dtype, uint64_t rows, uint64_t cols, uint64_t digest_part_size, mm_error *err)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->src = src;
    o->src_path = src_path;
    o->row_bytes = row_bytes;
    o->crc = crc32(0L, Z_NULL, 0);
    o->path = mm_strdup(path);
    o->partial = mm_asprintf("%s.partial", path);
    o->in = malloc(IO_BLOCK);
    o->out = malloc(IO_BLOCK);
    if (!o->path || !o->partial || !o->in || !o->out)
        return mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    char header[MM_NPY_MAX_HEADER];
    size_t hlen = mm_npy_header(header, sizeof header, dtype, rows, cols);
    o->size = hlen + rows * row_bytes;
    /* The journal's CRC32 is of the whole file, as a user's crc32 tool
     * computes it and load checks it. */
    o->crc = crc32(o->crc, (const Bytef *)header, (uInt)hlen);
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

static int npy_flush(npy_out *o, mm_error *err)
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
static int npy_gather(npy_out *o, off_t off, size_t len, mm_error *err)
{
    while (len > 0) {
        if (off < o->in_off || off >= o->in_off + (off_t)o->in_len) {
            ssize_t got = pread(o->src, o->in, IO_BLOCK, off);
            if (got <= 0) {
                o->io_errno = got < 0 ? errno : 0;
                return got < 0 ? mm_error_errno(err, errno, "read", o->src_path)
                               : mm_error_set(err, MM_ERR_FORMAT, "read %s: the file ends before row data at byte "
                                              "%lld", o->src_path, (long long)off);
            }
            o->in_off = off;
            o->in_len = (size_t)got;
        }
        if (o->out_len == IO_BLOCK && npy_flush(o, err) != 0)
            return -1;
        size_t take = (size_t)(o->in_off + (off_t)o->in_len - off);
        if (take > len)
            take = len;
        if (take > IO_BLOCK - o->out_len)
            take = IO_BLOCK - o->out_len;
        const char *from = o->in + (off - o->in_off);
        memcpy(o->out + o->out_len, from, take);
        checksum(&o->crc, o->digest, from, take);
        o->out_len += take;
        off += (off_t)take;
        len -= take;
    }
    return 0;
}

static int npy_copy_rows(npy_out *o, segment_files *f, int64_t start, int64_t count, bool offload, mm_error *err)
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

/* Makes the file visible under its final name only when it is complete and
 * (when durable) on disk; on failure nothing but a .partial (removed here)
 * ever existed. */
static int npy_close(npy_out *o, bool ok, bool durable, mm_error *err)
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

/* A full disk or a file size limit: say how much room the rest needs and
 * where, since the message is all a user has to act on. */
static void add_space_hint(shared *sh, const char *dir, int e, uint64_t batch_bytes, uint64_t largest,
                           uint64_t reported, mm_error *err)
{
    size_t n = strlen(err->message);
    char need[32], free_text[32], file_text[32];
    mm_format_bytes(largest, file_text, sizeof file_text);
    if (e == EFBIG) {
        snprintf(err->message + n, sizeof err->message - n, " (the file size limit, ulimit -f or the file system's "
                 "largest file, is below the %s this batch needs); raise it or lower dumper.maxFileSize, then re-run "
                 "dump: completed batches are kept", file_text);
        return;
    }
    pthread_mutex_lock(&sh->lock);
    uint64_t left = sh->progress.bytes_total > sh->progress.bytes_done ? sh->progress.bytes_total - sh->progress.bytes_done
                                                                       : 0;
    pthread_mutex_unlock(&sh->lock);
    struct statvfs vfs;
    uint64_t avail = statvfs(dir, &vfs) == 0 ? (uint64_t)vfs.f_bavail * vfs.f_frsize : 0;
    mm_format_bytes(avail, free_text, sizeof free_text);
    if (sh->opt->storage) {
        mm_format_bytes(batch_bytes, need, sizeof need);
        snprintf(err->message + n, sizeof err->message - n, "; the local staging directory %s needs room for two "
                 "batches per worker (this one: %s) and has %s free: free space there or set state.dir to a larger "
                 "disk, then re-run dump: completed batches are kept", sh->opt->output_root, need, free_text);
        return;
    }
    mm_format_bytes(left + reported, need, sizeof need);
    snprintf(err->message + n, sizeof err->message - n, "; the rest of the dump needs about %s in %s, which has %s "
             "free: free space there or set target.local.outputDir to a larger disk, then re-run dump: completed "
             "batches are kept", need, sh->opt->output_root, free_text);
}

/* A batch sent straight from the segment files: one pass over its rows
 * (contiguous: the segment has no deleted or dropped rows) for the CRC32s
 * the journal records and the part SHA-256s that sign the upload, and no
 * local copy at all. Fills src (data then id) with the .npy headers and
 * the file ranges that follow them. */
static int hash_batch(shared *sh, const job *jb, segment_files *f, row_runs *it, int64_t rows, mm_journal_batch *b,
                      mm_dump_stream_file src[2], mm_part_digest *digests[2], mm_error *err)
{
    /* digests are handed over only on success. */
    uint64_t part_size = mm_storage_digest_part_size(sh->opt->storage);
    uint64_t cols = jb->c->binary ? (uint64_t)jb->c->dim / 8 : (uint64_t)jb->c->dim;
    memset(src, 0, 2 * sizeof *src);
    src[0].head_len = mm_npy_header(src[0].head, sizeof src[0].head, jb->c->binary ? MM_NPY_U1 : MM_NPY_F4,
                                    (uint64_t)rows, cols);
    src[1].head_len = mm_npy_header(src[1].head, sizeof src[1].head, MM_NPY_I8, (uint64_t)rows, 0);
    src[0].fd = f->rv;
    src[0].path = f->rv_path;
    src[0].length = (uint64_t)rows * f->bpv;
    src[1].fd = f->uid;
    src[1].path = f->uid_path;
    src[1].length = (uint64_t)rows * 8;
    for (int i = 0; i < 2; i++) {
        digests[i] = part_size ? mm_part_digest_new(part_size) : NULL;
        if (digests[i])
            mm_part_digest_update(digests[i], src[i].head, src[i].head_len);
    }
    uLong crc[2] = {crc32(crc32(0L, Z_NULL, 0), (const Bytef *)src[0].head, (uInt)src[0].head_len),
                    crc32(crc32(0L, Z_NULL, 0), (const Bytef *)src[1].head, (uInt)src[1].head_len)};
    const size_t width[2] = {f->bpv, 8};
    /* Rows per read: the wider of a vector and an id fills the buffer. */
    const int64_t per_read = IO_BLOCK / (int64_t)(f->bpv > 8 ? f->bpv : 8);
    int64_t left = rows, start, count, next = -1;
    int rc = 0;
    while (rc == 0 && left > 0 && runs_next(it, left < per_read ? left : per_read, &start, &count)) {
        if (next < 0) {
            src[0].offset = 8 + (uint64_t)start * f->bpv;
            src[1].offset = 8 + (uint64_t)start * 8;
        } else if (start != next) {
            rc = mm_error_set(err, MM_ERR_INTERNAL, "dump %s: the rows of a batch are not contiguous", f->rv_path);
            break;
        }
        next = start + count;
        if (cancelled(sh))
            rc = mm_error_set(err, MM_ERR_CANCELLED, "dump cancelled");
        for (int i = 0; rc == 0 && i < 2; i++) {
            size_t n = (size_t)count * width[i];
            rc = mm_pread_full(src[i].fd, f->buf, n, (off_t)(8 + (uint64_t)start * width[i]), src[i].path, err);
            if (rc == 0)
                checksum(&crc[i], digests[i], f->buf, n);
        }
        left -= count;
    }
    if (rc == 0 && left != 0)
        rc = mm_error_set(err, MM_ERR_INTERNAL, "dump %s: %lld rows missing from the live set", f->rv_path,
                          (long long)left);
    b->data_bytes = src[0].head_len + src[0].length;
    b->id_bytes = src[1].head_len + src[1].length;
    b->data_crc32 = (uint32_t)crc[0];
    b->id_crc32 = (uint32_t)crc[1];
    for (int i = 0; i < 2; i++)
        if (digests[i] && (rc != 0 || mm_part_digest_finish(digests[i]) != 0)) {
            mm_part_digest_free(digests[i]);
            digests[i] = NULL;
        }
    return rc;
}

/* Writes data.npy and id.npy of one batch in a single pass over its runs.
 * Hands over (*digests, data then id) the part SHA-256s when staging in a
 * bucket; both NULL otherwise or when hashing failed. */
static int write_batch(shared *sh, const job *jb, segment_files *f, row_runs *it, int64_t rows, const char *dir,
                       bool offload, mm_journal_batch *b, mm_part_digest *digests[2], mm_error *err)
{
    uint64_t digest_part_size = sh->opt->storage ? mm_storage_digest_part_size(sh->opt->storage) : 0;
    uint64_t cols = jb->c->binary ? (uint64_t)jb->c->dim / 8 : (uint64_t)jb->c->dim;
    char *data_path = mm_asprintf("%s/%s.npy", dir, vector_field(sh->opt));
    char *id_path = mm_asprintf("%s/%s.npy", dir, id_field(sh->opt));
    npy_out data, ids;
    memset(&data, 0, sizeof data);
    memset(&ids, 0, sizeof ids);
    data.fd = ids.fd = -1;
    int rc = (!data_path || !id_path) ? mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory") : 0;
    if (rc == 0)
        rc = npy_open(&data, data_path, f->rv, f->rv_path, f->bpv, jb->c->binary ? MM_NPY_U1 : MM_NPY_F4,
                      (uint64_t)rows, cols, digest_part_size, err);
    if (rc == 0)
        rc = npy_open(&ids, id_path, f->uid, f->uid_path, 8, MM_NPY_I8, (uint64_t)rows, 0, digest_part_size, err);
    int64_t left = rows, start, count;
    uint64_t reported = 0;      /* progress counted for this batch, lost if it fails */
    while (rc == 0 && left > 0 && runs_next(it, left < IO_BLOCK / 8 ? left : IO_BLOCK / 8, &start, &count)) {
        if (cancelled(sh))
            rc = mm_error_set(err, MM_ERR_CANCELLED, "dump cancelled");
        if (rc == 0)
            rc = npy_copy_rows(&data, f, start, count, offload, err);
        if (rc == 0)
            rc = npy_copy_rows(&ids, f, start, count, offload, err);
        left -= count;
        /* Bound for a bucket, a batch counts once it is uploaded. */
        if (rc == 0 && !sh->opt->storage) {
            report(sh, count, (uint64_t)count * (f->bpv + 8), 0, 0);
            reported += (uint64_t)count * (f->bpv + 8);
        }
    }
    if (rc == 0 && left != 0)
        rc = mm_error_set(err, MM_ERR_INTERNAL, "dump %s: %lld rows missing from the live set", dir, (long long)left);
    b->data_bytes = data.size;
    b->id_bytes = ids.size;
    b->data_crc32 = (uint32_t)data.crc;
    b->id_crc32 = (uint32_t)ids.crc;
    /* data.npy is closed only after id.npy is complete too, so a crash
     * never leaves a final data.npy whose id.npy is missing... */
    /* Staged for a bucket, the local copy only feeds the upload: the batch
     * is recorded once the objects are complete, and a crash before that
     * writes it again, so forcing it to disk would only slow the dump. */
    bool durable = !sh->opt->storage;
    int rc_ids = npy_close(&ids, rc == 0, durable, err);
    if (rc == 0)
        rc = rc_ids;
    int rc_data = npy_close(&data, rc == 0, durable, err);
    if (rc == 0)
        rc = rc_data;
    int e = data.io_errno ? data.io_errno : ids.io_errno;
    if (rc != 0 && (e == ENOSPC || e == EDQUOT || e == EFBIG))
        add_space_hint(sh, dir, e, data.size + ids.size, data.size > ids.size ? data.size : ids.size, reported, err);
    if (rc != 0)
        unlink(id_path); /* ...and a failed batch leaves no final id.npy either. */
    digests[0] = digests[1] = NULL;
    if (rc == 0 && data.digest && ids.digest && mm_part_digest_finish(data.digest) == 0 &&
        mm_part_digest_finish(ids.digest) == 0) {
        digests[0] = data.digest;
        digests[1] = ids.digest;
    } else {
        mm_part_digest_free(data.digest);
        mm_part_digest_free(ids.digest);
    }
    free(data_path);
    free(id_path);
    return rc;
}

typedef enum { BATCH_WRITE, BATCH_REUSE } batch_verdict;

/* Whether batch k of the job's segment, with `rows` rows under the keys
 * given, is complete from an earlier run: recorded as dumped with those
 * rows and keys, and its staged files there with the recorded sizes (in a
 * bucket also the ETags). Their bytes are not read again here: a resumed
 * dump of a large install would read everything twice; load checks every
 * byte before the Import and drops the record of a batch that changed, so
 * this finds it missing. A batch submitted for import is done with even if
 * its staged files were deleted since: writing it again would import it
 * twice; if the source now gives it other rows, that is an error. An old
 * record under other keys has its files removed. */
static int judge_batch(shared *sh, const job *jb, int k, const char *id_key, const char *data_key, int64_t rows,
                       batch_verdict *verdict, mm_error *err)
{
    const mm_dump_options *opt = sh->opt;
    *verdict = BATCH_WRITE;
    mm_journal_batch b;
    bool found = false;
    if (mm_journal_get(opt->journal, jb->c->name, jb->s->segment_id, k, &b, &found, err) != 0)
        return -1;
    if (!found)
        return 0;
    int rc = 0;
    bool same_keys = strcmp(b.id_key, id_key) == 0 && strcmp(b.data_key, data_key) == 0;
    if (b.state >= MM_BATCH_SUBMITTED && b.rows == rows) {
        *verdict = BATCH_REUSE;
    } else if (b.state >= MM_BATCH_SUBMITTED) {
        char *label = mm_staged_batch_label(&b);
        rc = mm_error_set(err, MM_ERR_META, "%s was submitted for import with %lld rows, but its segment now gives "
                          "%lld: the 1.x source changed after the import began. Nothing was written; restore the "
                          "1.x data as it was, or drop the 2.x collection and start over with --restart",
                          label ? label : "a batch", (long long)b.rows, (long long)rows);
        free(label);
    } else if (b.state >= MM_BATCH_DUMPED && b.rows == rows && same_keys) {
        mm_staged_place place = mm_dump_staged_place(opt);
        *verdict = mm_staged_check_batch(&place, &b, MM_STAGED_PRESENT, NULL, NULL) == 0 ? BATCH_REUSE : BATCH_WRITE;
    } else if (!same_keys) {
        rc = mm_dump_remove_staged(opt, &b, err);
    }
    mm_journal_batch_free(&b);
    return rc;
}

/* Object keys and Milvus requests must be UTF-8 and a path must stay
 * inside the staging directory: the collection name goes in as a plain
 * path component (mm_name_path_component), which leaves every valid 1.x
 * name as it is. */
static char *batch_key(const job *jb, int k, int n_batches)
{
    char *name = mm_name_path_component(jb->c->name);
    char *key = !name ? NULL
                : n_batches == 1 ? mm_asprintf("tables/%s/%s", name, jb->s->segment_id)
                                 : mm_asprintf("tables/%s/%s-%d", name, jb->s->segment_id, k);
    free(name);
    return key;
}

/* The journal's keys of batch k: relative to the local staging directory,
 * or full object keys in the bucket. */
static void batch_keys(const mm_dump_options *opt, const char *key, char **id_key, char **data_key)
{
    if (opt->storage) {
        *id_key = mm_asprintf("%s/%s/%s.npy", opt->remote_root, key, id_field(opt));
        *data_key = mm_asprintf("%s/%s/%s.npy", opt->remote_root, key, vector_field(opt));
    } else {
        *id_key = mm_asprintf("%s/%s.npy", key, id_field(opt));
        *data_key = mm_asprintf("%s/%s.npy", key, vector_field(opt));
    }
}

static int dump_batches(shared *sh, const job *jb, mm_segment_reader *r, segment_files *f, const int64_t *dropped,
                        size_t n_dropped, mm_dump_uploader *up, int *batches_out, mm_error *err)
{
    const mm_dump_options *opt = sh->opt;
    int64_t live = mm_segment_live(r) - (int64_t)n_dropped;
    uint64_t cols = jb->c->binary ? (uint64_t)jb->c->dim / 8 : (uint64_t)jb->c->dim;
    int64_t per_batch = mm_dump_rows_per_batch(opt->max_file_size, f->bpv, cols, jb->c->binary);
    if (per_batch <= 0)
        return mm_error_set(err, MM_ERR_CONFIG, "dumper.maxFileSize %llu bytes cannot hold even one row of "
                            "collection '%s'", (unsigned long long)opt->max_file_size, jb->c->name);
    int n_batches = (int)((live + per_batch - 1) / per_batch);
    *batches_out = n_batches;
    bool offload = !opt->disable_copy_offload && n_dropped == 0;
    /* Every row live: each batch is one range of the segment files, which
     * the uploader sends as it is, behind the .npy header. */
    bool stream = up && !opt->stage_uploads && mm_storage_can_put_source(opt->storage) && n_dropped == 0 &&
                  mm_segment_live(r) == mm_segment_rows(r);
    row_runs data_runs;
    runs_init(&data_runs, r, dropped, n_dropped);
    int rc = 0;
    for (int k = 0; k < n_batches && rc == 0; k++) {
        int64_t rows = k + 1 < n_batches ? per_batch : live - per_batch * (int64_t)k;
        char *key = batch_key(jb, k, n_batches);
        char *dir = key ? mm_asprintf("%s/%s", opt->output_root, key) : NULL;
        char *id_path = dir ? mm_asprintf("%s/%s.npy", dir, id_field(opt)) : NULL;
        char *data_path = dir ? mm_asprintf("%s/%s.npy", dir, vector_field(opt)) : NULL;
        char *id_key = NULL, *data_key = NULL;
        if (key)
            batch_keys(opt, key, &id_key, &data_key);
        batch_verdict verdict = BATCH_WRITE;
        if (!id_path || !data_path || !id_key || !data_key)
            rc = mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
        else
            rc = judge_batch(sh, jb, k, id_key, data_key, rows, &verdict, err);
        if (rc == 0 && verdict == BATCH_REUSE) {
            /* Advance the cursor past this batch without writing. */
            int64_t left = rows, s, c;
            while (left > 0 && runs_next(&data_runs, left, &s, &c))
                left -= c;
            pthread_mutex_lock(&sh->lock);
            sh->result.batches_reused++;
            pthread_mutex_unlock(&sh->lock);
            report(sh, rows, (uint64_t)rows * (f->bpv + 8), 0, 0);
        } else if (rc == 0 && (rc = stream ? 0 : mm_mkdir_p(dir, err)) == 0) {
            mm_journal_batch b = {
                .collection = jb->c->name, .partition = jb->p->tag, .segment = jb->s->segment_id,
                .batch = k, .state = MM_BATCH_DUMPED, .rows = rows, .task_ids = "",
                .id_key = id_key, .data_key = data_key,
            };
            mm_part_digest *digests[2];
            if (stream) {
                /* No local copy: the uploader sends the ranges and records
                 * the batch once both objects are complete, while this
                 * worker hashes the next batch. */
                mm_dump_stream_file src[2];
                rc = hash_batch(sh, jb, f, &data_runs, rows, &b, src, digests, err);
                if (rc == 0)
                    rc = mm_dump_uploader_stream(up, &b, (uint64_t)rows * (f->bpv + 8), src, digests, err);
            } else if ((rc = write_batch(sh, jb, f, &data_runs, rows, dir, offload, &b, digests, err)) == 0 && up) {
                /* Staged in a bucket: the uploader sends both files, records
                 * the batch once both objects are complete and drops the
                 * local copy, while this worker writes the next batch. */
                rc = mm_dump_uploader_batch(up, &b, (uint64_t)rows * (f->bpv + 8), dir, data_path, id_path, digests,
                                            err);
            } else if (rc == 0) {
                if (fsync_dir(dir) != 0)
                    rc = mm_error_errno(err, errno, "fsync directory", dir);
                if (rc == 0)
                    rc = mm_journal_put(opt->journal, &b, err);
                /* Not recorded means not complete: no file of it stays under
                 * its final name. */
                if (rc != 0) {
                    unlink(data_path);
                    unlink(id_path);
                } else {
                    count_recorded(sh, &b);
                }
            }
        }
        free(id_key);
        free(data_key);
        free(key);
        free(dir);
        free(id_path);
        free(data_path);
    }
    return rc;
}

/* A segment read from a bucket whose batches are all complete (the test
 * dump_batches makes, from the journal's record of the segment) is not
 * downloaded again only to be skipped. */
static bool remote_segment_reused(shared *sh, const job *jb)
{
    const mm_dump_options *opt = sh->opt;
    mm_journal_segment rec;
    bool found = false;
    if (mm_journal_segment_get(opt->journal, jb->c->name, jb->s->segment_id, &rec, &found, NULL) != 0 || !found ||
        rec.rows + rec.nan_skipped != jb->s->live)
        return false;
    uint64_t bpv = (uint64_t)mm_collection_vector_bytes(jb->c);
    uint64_t cols = jb->c->binary ? (uint64_t)jb->c->dim / 8 : (uint64_t)jb->c->dim;
    int64_t per_batch = mm_dump_rows_per_batch(opt->max_file_size, bpv, cols, jb->c->binary);
    if (per_batch <= 0 || (rec.rows + per_batch - 1) / per_batch != rec.batches)
        return false;
    bool ok = true;
    for (int k = 0; k < rec.batches && ok; k++) {
        int64_t rows = k + 1 < rec.batches ? per_batch : rec.rows - per_batch * (int64_t)k;
        char *key = batch_key(jb, k, rec.batches);
        char *id_key = NULL, *data_key = NULL;
        if (key)
            batch_keys(opt, key, &id_key, &data_key);
        batch_verdict verdict = BATCH_WRITE;
        ok = id_key && data_key && judge_batch(sh, jb, k, id_key, data_key, rows, &verdict, NULL) == 0 &&
             verdict == BATCH_REUSE;
        free(key);
        free(id_key);
        free(data_key);
    }
    if (!ok)
        return false;
    pthread_mutex_lock(&sh->lock);
    sh->result.batches_reused += (size_t)rec.batches;
    sh->result.nan_rows_skipped += rec.nan_skipped;
    pthread_mutex_unlock(&sh->lock);
    report(sh, rec.rows + rec.nan_skipped, (uint64_t)rec.rows * (bpv + 8), 0, 0);
    return true;
}

static int dump_segment(shared *sh, const job *jb, char *buf, mm_dump_uploader *up, mm_error *err)
{
    const mm_dump_options *opt = sh->opt;
    if (opt->remote_source && remote_segment_reused(sh, jb)) {
        if (up) /* no segment goes through the uploader to count it */
            report(sh, 0, 0, 1, 0);
        return 0;
    }
    if (opt->remote_source && mm_remote_source_fetch_segment(opt->remote_source, jb->s, err) != 0)
        return mm_error_wrap(err, "dump collection '%s' segment %s", jb->c->name, jb->s->segment_id);
    mm_segment_source src = {
        .tables_dirs = opt->tables_dirs, .n_tables_dirs = opt->n_tables_dirs,
        .table_id = jb->s->table_id, .segment_id = jb->s->segment_id, .file_id = jb->s->file_id,
        .dim = jb->c->dim, .binary = jb->c->binary, .missing_deleted_docs_ok = opt->missing_deleted_docs_ok,
    };
    mm_segment_reader *r = NULL;
    if (mm_segment_open(&src, &r, err) != 0) {
        if (opt->remote_source) {
            mm_remote_source_name_objects(opt->remote_source, err);
            mm_remote_source_release_segment(opt->remote_source, jb->s);
        }
        return -1;
    }
    segment_files f = {.rv = -1, .uid = -1, .rv_path = mm_segment_rv_path(r), .uid_path = mm_segment_uid_path(r),
                       .bpv = mm_segment_vector_bytes(r), .buf = buf};
    int rc = 0;
    f.rv = open(f.rv_path, O_RDONLY | O_CLOEXEC);
    f.uid = open(f.uid_path, O_RDONLY | O_CLOEXEC);
    if (f.rv < 0 || f.uid < 0)
        rc = mm_error_errno(err, errno, "open", f.rv < 0 ? f.rv_path : f.uid_path);
    int64_t *dropped = NULL;
    size_t n_dropped = 0;
    if (rc == 0 && mm_segment_live(r) > 0)
        rc = scan_nan_rows(sh, jb, &f, r, &dropped, &n_dropped, err);
    if (rc == 0 && n_dropped) {
        pthread_mutex_lock(&sh->lock);
        sh->result.nan_rows_skipped += (int64_t)n_dropped;
        pthread_mutex_unlock(&sh->lock);
        report(sh, (int64_t)n_dropped, 0, 0, 0);
    }
    int n_batches = 0;
    if (rc == 0 && mm_segment_live(r) > (int64_t)n_dropped)
        rc = dump_batches(sh, jb, r, &f, dropped, n_dropped, up, &n_batches, err);
    if (rc == 0) {
        mm_journal_segment done = {
            .collection = jb->c->name, .segment = jb->s->segment_id, .batches = n_batches,
            .rows = mm_segment_live(r) - (int64_t)n_dropped, .nan_skipped = (int64_t)n_dropped,
        };
        /* With an uploader, recorded after the segment's last batch. */
        rc = up ? mm_dump_uploader_segment(up, &done, err) : mm_journal_segment_done(opt->journal, &done, err);
    }
    if (rc != 0 && opt->remote_source)
        mm_remote_source_name_objects(opt->remote_source, err);
    if (rc != 0)
        mm_error_wrap(err, "dump collection '%s' segment %s", jb->c->name, jb->s->segment_id);
    free(dropped);
    if (f.rv >= 0)
        close(f.rv);
    if (f.uid >= 0)
        close(f.uid);
    mm_segment_close(r);
    if (opt->remote_source)
        mm_remote_source_release_segment(opt->remote_source, jb->s);
    return rc;
}

static void on_recorded(void *ctx, const mm_journal_batch *b, bool streamed, uint64_t progress_bytes)
{
    shared *sh = ctx;
    count_recorded(sh, b);
    report(sh, b->rows, progress_bytes, 0, 0);
    if (streamed) {
        pthread_mutex_lock(&sh->lock);
        sh->result.batches_streamed++;
        pthread_mutex_unlock(&sh->lock);
    }
}

static void on_segment_recorded(void *ctx)
{
    report(ctx, 0, 0, 1, 0);
}

static void on_failed(void *ctx, const mm_error *err)
{
    shared *sh = ctx;
    pthread_mutex_lock(&sh->lock);
    if (!sh->failed) {
        sh->failed = true;
        sh->err = *err;
    }
    pthread_mutex_unlock(&sh->lock);
}

static void *worker(void *arg)
{
    shared *sh = arg;
    char *buf = malloc(IO_BLOCK);
    mm_dump_uploader *up = NULL;
    if (sh->opt->storage) {
        mm_dump_uploader_options uo = {
            .storage = sh->opt->storage, .journal = sh->opt->journal, .cancel = sh->opt->cancel,
            .recorded = on_recorded, .segment_recorded = on_segment_recorded, .failed = on_failed, .ctx = sh,
        };
        mm_error err;
        if (mm_dump_uploader_start(&uo, &up, &err) != 0)
            on_failed(sh, &err);
    }
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        size_t i = sh->next < sh->n_jobs && !sh->failed ? sh->next++ : sh->n_jobs;
        pthread_mutex_unlock(&sh->lock);
        if (i == sh->n_jobs)
            break;
        mm_error err;
        mm_error_clear(&err);
        int rc = buf ? dump_segment(sh, &sh->jobs[i], buf, up, &err)
                     : mm_error_set(&err, MM_ERR_NOMEM, "dump: out of memory");
        if (rc == 0 && sh->opt->source_check)
            rc = sh->opt->source_check(sh->opt->source_check_ctx, false, &err);
        if (rc == 0 && cancelled(sh) && !sh->failed)
            rc = mm_error_set(&err, MM_ERR_CANCELLED, "dump cancelled");
        pthread_mutex_lock(&sh->lock);
        if (rc != 0 && !sh->failed) {
            sh->failed = true;
            sh->err = err;
        }
        pthread_mutex_unlock(&sh->lock);
        if (rc == 0 && !up)
            report(sh, 0, 0, 1, 0);
    }
    mm_dump_uploader_finish(up);
    free(buf);
    return NULL;
}

typedef struct index_ctx {
    cJSON *batches;
    mm_batch_plan *plan;
} index_ctx;

static int add_batch_json(void *ctx, const mm_journal_batch *b)
{
    index_ctx *ic = ctx;
    /* A stale batch kept because it was imported is not part of this plan. */
    if (mm_batch_plan_classify(ic->plan, b, NULL) == MM_BATCH_STALE)
        return 0;
    cJSON *o = cJSON_CreateObject();
    char *collection = mm_name_escape(b->collection), *partition = mm_name_escape(b->partition);
    cJSON_AddStringToObject(o, "collection", collection ? collection : "");
    cJSON_AddStringToObject(o, "partition", partition ? partition : "");
    free(collection);
    free(partition);
    cJSON_AddStringToObject(o, "segment", b->segment);
    cJSON_AddNumberToObject(o, "batch", b->batch);
    cJSON_AddNumberToObject(o, "rows", (double)b->rows);
    cJSON *files = cJSON_AddArrayToObject(o, "files");
    cJSON_AddItemToArray(files, cJSON_CreateString(b->id_key));
    cJSON_AddItemToArray(files, cJSON_CreateString(b->data_key));
    cJSON_AddNumberToObject(o, "idBytes", (double)b->id_bytes);
    cJSON_AddNumberToObject(o, "dataBytes", (double)b->data_bytes);
    cJSON_AddNumberToObject(o, "idCrc32", b->id_crc32);
    cJSON_AddNumberToObject(o, "dataCrc32", b->data_crc32);
    cJSON_AddItemToArray(ic->batches, o);
    return 0;
}

static int write_indexes(const mm_dump_options *opt, mm_batch_plan *plan, mm_error *err)
{
    char *meta = mm_meta_json_render(opt->inv, err);
    if (!meta)
        return -1;
    char *meta_path = mm_asprintf("%s/meta.json", opt->output_root);
    int rc = mm_write_file_atomic(meta_path, meta, strlen(meta), 0644, err);
    if (rc == 0 && opt->storage) {
        char *key = mm_asprintf("%s/meta.json", opt->remote_root);
        rc = key ? mm_storage_put_file(opt->storage, key, meta_path, err)
                 : mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
        free(key);
    }
    free(meta);
    free(meta_path);
    if (rc != 0)
        return rc;
    cJSON *batches = cJSON_CreateArray();
    index_ctx ic = {batches, plan};
    rc = mm_journal_each(opt->journal, add_batch_json, &ic, err);
    char *text = rc == 0 ? cJSON_Print(batches) : NULL;
    cJSON_Delete(batches);
    if (rc == 0 && !text)
        rc = mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    char *path = mm_asprintf("%s/batches.json", opt->output_root);
    if (rc == 0)
        rc = mm_write_file_atomic(path, text, strlen(text), 0644, err);
    if (rc == 0 && opt->storage) {
        char *key = mm_asprintf("%s/batches.json", opt->remote_root);
        rc = key ? mm_storage_put_file(opt->storage, key, path, err)
                 : mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
        free(key);
    }
    free(path);
    free(text);
    return rc;
}

int mm_dump_run(const mm_dump_options *opt, mm_dump_result *res, mm_error *err)
{
    memset(res, 0, sizeof *res);
    shared sh = {.opt = opt};
    pthread_mutex_init(&sh.lock, NULL);
    for (size_t i = 0; i < opt->inv->n_collections; i++)
        for (size_t j = 0; j < opt->inv->collections[i].n_partitions; j++)
            sh.n_jobs += opt->inv->collections[i].partitions[j].n_segments;
    sh.jobs = calloc(sh.n_jobs ? sh.n_jobs : 1, sizeof *sh.jobs);
    if (!sh.jobs)
        return mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    size_t n = 0;
    for (size_t i = 0; i < opt->inv->n_collections; i++) {
        mm_collection_info *c = &opt->inv->collections[i];
        for (size_t j = 0; j < c->n_partitions; j++)
            for (size_t k = 0; k < c->partitions[j].n_segments; k++) {
                mm_segment_info *s = &c->partitions[j].segments[k];
                sh.jobs[n++] = (job){c, &c->partitions[j], s};
                sh.progress.rows_total += s->live;
                sh.progress.bytes_total += (uint64_t)s->live * (uint64_t)(mm_collection_vector_bytes(c) + 8);
            }
    }
    sh.progress.segments_total = sh.n_jobs;
    int rc = mm_mkdir_p(opt->output_root, err);
    /* Before anything is written: the staging area must be this job's. */
    mm_staging_area area = mm_dump_staging_area(opt);
    if (rc == 0)
        rc = mm_staging_claim(&area, opt->journal, err);
    if (rc == 0) {
        int workers = opt->workers > 0 ? opt->workers : 1;
        if ((size_t)workers > sh.n_jobs)
            workers = sh.n_jobs ? (int)sh.n_jobs : 1;
        pthread_t threads[64];
        if (workers > 64)
            workers = 64;
        int started = 0;
        for (; started < workers; started++)
            if (pthread_create(&threads[started], NULL, worker, &sh) != 0)
                break;
        if (started == 0)
            worker(&sh);
        for (int t = 0; t < started; t++)
            pthread_join(threads[t], NULL);
        if (sh.failed) {
            *err = sh.err;
            rc = -1;
        }
    }
    if (rc == 0 && opt->source_check)
        rc = opt->source_check(opt->source_check_ctx, true, err);
    mm_batch_plan *plan = NULL;
    if (rc == 0)
        rc = mm_batch_plan_build(opt->inv, opt->journal, &plan, err);
    if (rc == 0)
        rc = mm_dump_retire_stale(opt, plan, &sh.result, err);
    if (rc == 0)
        rc = mm_dump_check_staged(opt, plan, err);
    if (rc == 0)
        rc = write_indexes(opt, plan, err);
    mm_batch_plan_free(plan);
    *res = sh.result;
    free(sh.jobs);
    pthread_mutex_destroy(&sh.lock);
    return rc;
}
