/* One batch of a segment: resumed when an earlier run completed it,
 * written as data.npy and id.npy, or hashed to be sent straight from the
 * segment files. */
#include "dump/dump_internal.h"

#include "base/fsutil.h"
#include "base/remedy.h"
#include "base/strbuf.h"
#include "load/staged_check.h"
#include "dump/dump_reconcile.h"
#include "npy.h"
#include "plan.h"
#include "source/inventory_render.h"
#include "source/names.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* A full disk or a file size limit: say how much room the rest needs and
 * where, since the message is all a user has to act on. */
static void add_space_hint(mm_dump_state *sh, const char *dir, int e, uint64_t batch_bytes, uint64_t largest,
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
    bool have_vfs = statvfs(dir, &vfs) == 0;
    uint64_t avail = have_vfs ? (uint64_t)vfs.f_bavail * vfs.f_frsize : 0;
    mm_format_bytes(avail, free_text, sizeof free_text);
    /* ENOSPC with bytes to spare: the file system ran out of inodes (the
     * count may have recovered since, as other batches removed files). */
    uint64_t needed = sh->opt->storage ? 2 * batch_bytes : left + reported;
    if (have_vfs && e == ENOSPC && vfs.f_files > 0 && (vfs.f_favail == 0 || avail > 2 * needed)) {
        snprintf(err->message + n, sizeof err->message - n, "; %s has %s free but no free inodes (df -i %s shows them): "
                 "remove files there or set %s to another file system, then re-run dump: completed batches are "
                 "kept", sh->opt->output_root, free_text, sh->opt->output_root,
                 sh->opt->storage ? "state.dir" : "target.local.outputDir");
        return;
    }
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
int mm_dump_hash_batch(mm_dump_state *sh, const mm_dump_job *jb, mm_dump_files *f, mm_dump_rows *it, int64_t rows,
                       bool check_floats, mm_journal_batch *b, mm_dump_stream_file src[2], mm_part_digest *digests[2],
                       mm_error *err)
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
    uint32_t crc[2] = {libdeflate_crc32(0, src[0].head, src[0].head_len),
                       libdeflate_crc32(0, src[1].head, src[1].head_len)};
    const size_t width[2] = {f->bpv, 8};
    /* Rows per read: the wider of a vector and an id fills the buffer. */
    const int64_t per_read = MM_DUMP_IO_BLOCK / (int64_t)(f->bpv > 8 ? f->bpv : 8);
    int64_t left = rows, start, count, next = -1;
    int rc = 0;
    while (rc == 0 && left > 0 && mm_dump_rows_next(it, left < per_read ? left : per_read, &start, &count)) {
        if (next < 0) {
            src[0].offset = 8 + (uint64_t)start * f->bpv;
            src[1].offset = 8 + (uint64_t)start * 8;
        } else if (start != next) {
            rc = mm_error_set(err, MM_ERR_INTERNAL, "dump %s: the rows of a batch are not contiguous", f->rv_path);
            break;
        }
        next = start + count;
        if (mm_dump_cancelled(sh))
            rc = mm_error_set(err, MM_ERR_CANCELLED, "dump cancelled");
        for (int i = 0; rc == 0 && i < 2; i++) {
            size_t n = (size_t)count * width[i];
            uint64_t at = 8 + (uint64_t)start * width[i];
            rc = mm_pread_full(src[i].fd, f->buf, n, (off_t)at, src[i].path, err);
            if (rc == 0 && i == 0 && check_floats && !jb->c->binary &&
                mm_dump_find_bad_float(f, f->buf, n, at, f->bpv))
                rc = mm_error_set(err, MM_ERR_FORMAT, "%s: row %lld has a NaN or infinite value", f->rv_path,
                                  (long long)f->bad_row);
            if (rc == 0)
                mm_dump_checksum(&crc[i], digests[i], f->buf, n);
        }
        left -= count;
    }
    if (rc == 0 && left != 0)
        rc = mm_error_set(err, MM_ERR_INTERNAL, "dump %s: %lld rows missing from the live set", f->rv_path,
                          (long long)left);
    b->data_bytes = src[0].head_len + src[0].length;
    b->id_bytes = src[1].head_len + src[1].length;
    b->data_crc32 = crc[0];
    b->id_crc32 = crc[1];
    for (int i = 0; i < 2; i++)
        if (digests[i] && (rc != 0 || mm_part_digest_finish(digests[i]) != 0)) {
            mm_part_digest_free(digests[i]);
            digests[i] = NULL;
        }
    return rc;
}

int mm_dump_writer_open(mm_dump_state *sh, const mm_collection_info *c, int64_t rows, const char *dir, char *gather,
                        bool check_floats, mm_dump_writer *w, mm_error *err)
{
    memset(w, 0, sizeof *w);
    w->data.fd = w->ids.fd = -1;
    w->left = rows;
    uint64_t digest_part_size = sh->opt->storage ? mm_storage_digest_part_size(sh->opt->storage) : 0;
    uint64_t cols = c->binary ? (uint64_t)c->dim / 8 : (uint64_t)c->dim;
    size_t bpv = (size_t)mm_collection_vector_bytes(c);
    w->dir = mm_strdup(dir);
    w->data_path = mm_asprintf("%s/%s.npy", dir, mm_dump_vector_field(sh->opt));
    w->id_path = mm_asprintf("%s/%s.npy", dir, mm_dump_id_field(sh->opt));
    if (!w->dir || !w->data_path || !w->id_path)
        return mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    if (mm_npy_open(&w->data, w->data_path, false, bpv, c->binary ? MM_NPY_U1 : MM_NPY_F4, (uint64_t)rows, cols,
                    digest_part_size, gather, gather + MM_DUMP_IO_BLOCK, check_floats && !c->binary, err) != 0)
        return -1;
    int rc = mm_npy_open(&w->ids, w->id_path, true, 8, MM_NPY_I8, (uint64_t)rows, 0, digest_part_size,
                         gather + 2 * MM_DUMP_IO_BLOCK, gather + 3 * MM_DUMP_IO_BLOCK, false, err);
    /* A local dump's files get their final names from the group commit. */
    w->data.keep_partial = w->ids.keep_partial = sh->committer != NULL;
    return rc;
}

int mm_dump_writer_feed(mm_dump_state *sh, mm_dump_writer *w, mm_dump_files *f, mm_dump_rows *it, int64_t rows,
                        bool offload, mm_error *err)
{
    mm_npy_next_source(&w->data);
    mm_npy_next_source(&w->ids);
    int64_t left = rows, start, count;
    int rc = 0;
    while (rc == 0 && left > 0 &&
           mm_dump_rows_next(it, left < MM_DUMP_IO_BLOCK / 8 ? left : MM_DUMP_IO_BLOCK / 8, &start, &count)) {
        if (mm_dump_cancelled(sh))
            rc = mm_error_set(err, MM_ERR_CANCELLED, "dump cancelled");
        if (rc == 0)
            rc = mm_npy_copy_rows(&w->data, f, start, count, offload, err);
        if (rc == 0)
            rc = mm_npy_copy_rows(&w->ids, f, start, count, offload, err);
        left -= count;
        /* Bound for a bucket, a batch counts once it is uploaded. */
        if (rc == 0 && !sh->opt->storage) {
            mm_dump_report(sh, count, (uint64_t)count * (f->bpv + 8), 0, 0);
            w->reported_rows += count;
            w->reported += (uint64_t)count * (f->bpv + 8);
        }
    }
    if (rc == 0 && left != 0)
        rc = mm_error_set(err, MM_ERR_INTERNAL, "dump %s: %lld rows missing from the live set", w->dir,
                          (long long)left);
    w->left -= rows;
    return rc;
}

int mm_dump_writer_close(mm_dump_state *sh, mm_dump_writer *w, int rc, mm_journal_batch *b, mm_part_digest *digests[2],
                         mm_error *err)
{
    if (rc == 0 && w->left != 0)
        rc = mm_error_set(err, MM_ERR_INTERNAL, "dump %s: %lld rows missing from the live set", w->dir,
                          (long long)w->left);
    b->data_bytes = w->data.size;
    b->id_bytes = w->ids.size;
    b->data_crc32 = w->data.crc;
    b->id_crc32 = w->ids.crc;
    /* data.npy is closed only after id.npy is complete too, so a crash
     * never leaves a final data.npy whose id.npy is missing... */
    int rc_ids = mm_npy_close(&w->ids, rc == 0, err);
    if (rc == 0)
        rc = rc_ids;
    int rc_data = mm_npy_close(&w->data, rc == 0, err);
    if (rc == 0)
        rc = rc_data;
    int e = w->data.io_errno ? w->data.io_errno : w->ids.io_errno;
    if (rc != 0 && (e == ENOSPC || e == EDQUOT || e == EFBIG))
        add_space_hint(sh, w->dir, e, w->data.size + w->ids.size, w->data.size > w->ids.size ? w->data.size : w->ids.size,
                       w->reported, err);
    if (rc != 0 && w->id_path) {
        unlink(w->id_path); /* ...and a failed batch leaves no final id.npy either, */
        char *partial = mm_asprintf("%s.partial", w->id_path);
        if (partial) /* nor a complete one waiting for the group commit */
            unlink(partial);
        free(partial);
    }
    if (rc != 0 && w->reported_rows)
        mm_dump_report(sh, -w->reported_rows, (uint64_t)0 - w->reported, 0, 0);
    digests[0] = digests[1] = NULL;
    if (rc == 0 && w->data.digest && w->ids.digest && mm_part_digest_finish(w->data.digest) == 0 &&
        mm_part_digest_finish(w->ids.digest) == 0) {
        digests[0] = w->data.digest;
        digests[1] = w->ids.digest;
    } else {
        mm_part_digest_free(w->data.digest);
        mm_part_digest_free(w->ids.digest);
    }
    free(w->dir);
    free(w->data_path);
    free(w->id_path);
    memset(w, 0, sizeof *w);
    return rc;
}

int mm_dump_pack_changed(const mm_journal_batch *b, const char *members, mm_error *err)
{
    char *label = mm_staged_batch_label(b);
    mm_error_set(err, MM_ERR_META, "%s was submitted for import holding segment(s) %s, but the plan now puts %s "
                 "into it: the 1.x source or dumper.batchSize changed after the import began. Nothing was written; "
                 "restore both as they were, or drop the 2.x collection and start over with --restart",
                 label ? label : "a batch", b->members[0] ? b->members : b->segment, members[0] ? members : b->segment);
    free(label);
    return -1;
}

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
int mm_dump_judge_batch(mm_dump_state *sh, const mm_dump_job *jb, int k, const char *id_key, const char *data_key, int64_t rows,
                       mm_batch_verdict *verdict, mm_error *err)
{
    const mm_dump_options *opt = sh->opt;
    *verdict = MM_BATCH_WRITE;
    mm_journal_batch b;
    bool found = false;
    if (mm_journal_get(opt->journal, jb->c->name, jb->s->segment_id, k, &b, &found, err) != 0)
        return -1;
    if (!found)
        return 0;
    int rc = 0;
    bool same_keys = strcmp(b.id_key, id_key) == 0 && strcmp(b.data_key, data_key) == 0;
    if (b.members[0]) {
        /* A batch that packed this segment with others: not this batch. */
        if (b.state >= MM_BATCH_SUBMITTED)
            rc = mm_dump_pack_changed(&b, "", err);
        else if (!same_keys)
            rc = mm_dump_remove_staged(opt, &b, err);
        mm_journal_batch_free(&b);
        return rc;
    }
    if (b.state >= MM_BATCH_SUBMITTED && b.rows == rows) {
        *verdict = MM_BATCH_REUSE;
    } else if (b.state >= MM_BATCH_SUBMITTED) {
        char *label = mm_staged_batch_label(&b);
        rc = mm_error_set(err, MM_ERR_META, "%s was submitted for import with %lld rows, but its segment now gives "
                          "%lld: the 1.x source changed after the import began. Nothing was written; restore the "
                          "1.x data as it was, or drop the 2.x collection and start over %s",
                          label ? label : "a batch", (long long)b.rows, (long long)rows,
                          mm_remedy_how(MM_REMEDY_START_OVER));
        free(label);
    } else if (b.state >= MM_BATCH_DUMPED && b.rows == rows && same_keys) {
        mm_staged_place place = mm_dump_staged_place(opt);
        *verdict = mm_staged_check_batch(&place, &b, MM_STAGED_PRESENT, NULL, NULL) == 0 ? MM_BATCH_REUSE : MM_BATCH_WRITE;
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
char *mm_dump_batch_key(const mm_dump_job *jb, int k, int n_batches)
{
    char *name = mm_name_path_component(jb->c->name);
    char batch[256];
    mm_plan_segment_batch_name(jb->s->segment_id, k, n_batches, batch, sizeof batch);
    char *key = name ? mm_asprintf("tables/%s/%s", name, batch) : NULL;
    free(name);
    return key;
}

/* The journal's keys of batch k: relative to the local staging directory,
 * or full object keys in the bucket. */
void mm_dump_batch_keys(const mm_dump_options *opt, const char *key, char **id_key, char **data_key)
{
    if (opt->storage) {
        *id_key = mm_asprintf("%s/%s/%s.npy", opt->remote_root, key, mm_dump_id_field(opt));
        *data_key = mm_asprintf("%s/%s/%s.npy", opt->remote_root, key, mm_dump_vector_field(opt));
    } else {
        *id_key = mm_asprintf("%s/%s.npy", key, mm_dump_id_field(opt));
        *data_key = mm_asprintf("%s/%s.npy", key, mm_dump_vector_field(opt));
    }
}
