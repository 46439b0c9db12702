#include "load/staged_check.h"

#include "source/names.h"
#include "base/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>

enum { READ_BLOCK = 1 << 20 };

char *mm_staged_batch_label(const mm_journal_batch *b)
{
    char *name = mm_name_escape(b->collection), *tag = mm_name_escape(b->partition);
    char *label = name && tag ? mm_asprintf("batch %s/%d of collection '%s' (partition '%s')", b->segment, b->batch,
                                            name, tag[0] ? tag : "_default")
                              : NULL;
    free(name);
    free(tag);
    return label;
}

static int differs(const mm_journal_batch *b, const char *fix, mm_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int differs(const mm_journal_batch *b, const char *fix, mm_error *err, const char *fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    char *label = mm_staged_batch_label(b);
    mm_error_set(err, MM_ERR_IO, "%s: %s%s%s", label ? label : "a batch", what, fix && fix[0] ? "; " : "",
                 fix ? fix : "");
    free(label);
    return -1;
}

/* CRC32 of a whole file, read a block at a time. */
static int file_crc32(int fd, const char *path, uint32_t *crc_out, mm_error *err)
{
    unsigned char *buf = malloc(READ_BLOCK);
    if (!buf)
        return mm_error_set(err, MM_ERR_NOMEM, "check %s: out of memory", path);
    uint32_t crc = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, buf, READ_BLOCK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = mm_error_errno(err, errno, "read staged file", path);
            break;
        }
        if (n == 0)
            break;
        crc = libdeflate_crc32(crc, buf, (size_t)n);
    }
    free(buf);
    *crc_out = crc;
    return rc;
}

static int check_local(const char *root, const mm_journal_batch *b, const char *key, uint64_t size, uint32_t crc,
                       mm_staged_depth depth, const char *fix, mm_error *err)
{
    char *path = mm_asprintf("%s/%s", root, key);
    if (!path)
        return mm_error_set(err, MM_ERR_NOMEM, "check staged files: out of memory");
    int rc = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 && errno == ENOENT)
        rc = differs(b, fix, err, "staged file %s is missing", path);
    else if (fd < 0)
        rc = mm_error_errno(err, errno, "open staged file", path);
    else if (fstat(fd, &st) != 0)
        rc = mm_error_errno(err, errno, "stat staged file", path);
    else if ((uint64_t)st.st_size != size)
        rc = differs(b, fix, err, "staged file %s has %lld bytes, the dump wrote %llu", path, (long long)st.st_size,
                     (unsigned long long)size);
    if (rc == 0 && depth == MM_STAGED_INTACT) {
        uint32_t got = 0;
        rc = file_crc32(fd, path, &got, err);
        if (rc == 0 && got != crc)
            rc = differs(b, fix, err, "staged file %s has CRC32 %08x, the dump wrote %08x: it was changed after the "
                         "dump", path, got, crc);
    }
    if (fd >= 0)
        close(fd);
    free(path);
    return rc;
}

static int check_object(mm_storage *st, const mm_journal_batch *b, const char *key, uint64_t size, const char *etag,
                        const char *fix, mm_error *err)
{
    mm_storage_object o;
    if (mm_storage_stat(st, key, &o, err) != 0)
        return mm_error_wrap(err, "check the staged objects");
    const char *where = mm_storage_describe(st);
    if (o.size < 0)
        return differs(b, fix, err, "object %s is missing from %s", key, where);
    if ((uint64_t)o.size != size)
        return differs(b, fix, err, "object %s in %s has %lld bytes, the dump uploaded %llu", key, where,
                       (long long)o.size, (unsigned long long)size);
    /* Batches of journals from before ETags were recorded have none. */
    if (etag && etag[0] && strcmp(o.etag, etag) != 0)
        return differs(b, fix, err, "object %s in %s has ETag %s, the dump's upload had %s: it was written again "
                       "after the dump", key, where, o.etag[0] ? o.etag : "(none)", etag);
    return 0;
}

int mm_staged_check_batch(const mm_staged_place *place, const mm_journal_batch *b, mm_staged_depth depth,
                          const char *fix, mm_error *err)
{
    if (place->storage)
        return check_object(place->storage, b, b->id_key, b->id_bytes, b->id_etag, fix, err) != 0 ||
                       check_object(place->storage, b, b->data_key, b->data_bytes, b->data_etag, fix, err) != 0
                   ? -1
                   : 0;
    if (check_local(place->local_root, b, b->id_key, b->id_bytes, b->id_crc32, depth, fix, err) != 0)
        return -1;
    return check_local(place->local_root, b, b->data_key, b->data_bytes, b->data_crc32, depth, fix, err);
}
