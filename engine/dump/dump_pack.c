/* A batch packing several whole segments of one partition (plan.h): their
 * live rows one segment after another in one data.npy and one id.npy,
 * resumed when an earlier run completed it, and recorded together with
 * the record of every segment it holds. Float vectors are checked as they
 * are copied; when dumper.nanPolicy skip has rows to leave out, the
 * segments are scanned and the batch written again without them. */
#include "dump/dump_internal.h"

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "dump/dump_reconcile.h"
#include "load/staged_check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct member {
    const mm_segment_info *s;
    int64_t *dropped;           /* rows the NaN policy leaves out, sorted */
    size_t n_dropped;
    int64_t rows;               /* live rows written */
} member;

/* The journal's records of the segments as this batch leaves them. */
static void segment_records(const mm_dump_job *jb, const member *m, size_t n, bool any_rows,
                            mm_journal_segment *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = (mm_journal_segment){.collection = jb->c->name, .segment = m[i].s->segment_id,
                                      .batches = i == 0 && any_rows, .rows = m[i].rows,
                                      .nan_skipped = (int64_t)m[i].n_dropped};
        if (i > 0 && any_rows)
            snprintf(out[i].packed_into, sizeof out[i].packed_into, "%s", jb->s->segment_id);
    }
}

/* The rows the recorded segments say the batch holds, or -1 when a record
 * is missing or does not describe this batch of the segment as it is. */
static int64_t recorded_rows(mm_dump_state *sh, const mm_dump_job *jb, const member *m, size_t n, int64_t *nan)
{
    int64_t total = 0;
    *nan = 0;
    for (size_t i = 0; i < n; i++) {
        mm_journal_segment rec;
        bool found = false;
        if (mm_journal_segment_get(sh->opt->journal, jb->c->name, m[i].s->segment_id, &rec, &found, NULL) != 0 ||
            !found || rec.rows + rec.nan_skipped != m[i].s->live || rec.batches != (i == 0) ||
            strcmp(rec.packed_into, i == 0 ? "" : jb->s->segment_id) != 0)
            return -1;
        total += rec.rows;
        *nan += rec.nan_skipped;
    }
    return total;
}

/* Whether the batch is complete from an earlier run: recorded with these
 * segments, keys and rows, and its files where they were staged (their
 * bytes are checked by load, see mm_dump_judge_batch). One submitted for
 * import is done with; if the plan now puts other segments or rows into
 * it, that is an error. */
static int judge_pack(mm_dump_state *sh, const mm_dump_job *jb, const char *id_key, const char *data_key,
                      const char *members, const member *m, mm_batch_verdict *verdict, int64_t *nan, mm_error *err)
{
    const mm_dump_options *opt = sh->opt;
    *verdict = MM_BATCH_WRITE;
    mm_journal_batch b;
    bool found = false;
    if (mm_journal_get(opt->journal, jb->c->name, jb->s->segment_id, 0, &b, &found, err) != 0)
        return -1;
    if (!found)
        return 0;
    int rc = 0;
    bool same_keys = strcmp(b.id_key, id_key) == 0 && strcmp(b.data_key, data_key) == 0;
    bool same_members = strcmp(b.members, members) == 0;
    int64_t rows = same_members ? recorded_rows(sh, jb, m, jb->pack->n_members, nan) : -1;
    if (b.state >= MM_BATCH_SUBMITTED && same_members && (rows < 0 || rows == b.rows)) {
        *verdict = MM_BATCH_REUSE;
    } else if (b.state >= MM_BATCH_SUBMITTED) {
        rc = mm_dump_pack_changed(&b, members, err);
    } else if (b.state >= MM_BATCH_DUMPED && same_members && same_keys && rows == b.rows) {
        mm_staged_place place = mm_dump_staged_place(opt);
        *verdict = mm_staged_check_batch(&place, &b, MM_STAGED_PRESENT, NULL, NULL) == 0 ? MM_BATCH_REUSE
                                                                                          : MM_BATCH_WRITE;
    } else if (!same_keys) {
        rc = mm_dump_remove_staged(opt, &b, err);
    }
    mm_journal_batch_free(&b);
    return rc;
}

/* Writes the batch from every segment in turn. check_floats: NaN/Inf is
 * looked for on the way (then *bad is set when one is met and the policy
 * leaves it out); otherwise the members' dropped rows are left out. */
static int write_pack(mm_dump_state *sh, const mm_dump_job *jb, member *m, size_t n, int64_t rows, const char *dir,
                      char *buf, char *gather, bool check_floats, bool *bad, mm_journal_batch *b,
                      mm_part_digest *digests[2], mm_error *err)
{
    *bad = false;
    mm_dump_writer w;
    int rc = mm_dump_writer_open(sh, jb->c, rows, dir, gather, check_floats, &w, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        mm_segment_reader *r = NULL;
        mm_dump_files f = {.buf = buf, .gather = gather};
        if (mm_dump_segment_open(sh, jb, m[i].s, &r, &f, err) != 0) {
            rc = -1;
            break;
        }
        mm_dump_rows it;
        mm_dump_rows_init(&it, r, m[i].dropped, m[i].n_dropped);
        m[i].rows = mm_segment_live(r) - (int64_t)m[i].n_dropped;
        bool offload = !sh->opt->disable_copy_offload && m[i].n_dropped == 0;
        rc = mm_dump_writer_feed(sh, &w, &f, &it, m[i].rows, offload, err);
        if (rc != 0 && f.bad_row >= 0 && sh->opt->nan_policy == MM_DUMP_NAN_FAIL)
            mm_dump_nan_error(&f, f.bad_row, f.bad_dim, err);
        else if (rc != 0 && f.bad_row >= 0)
            *bad = true;
        if (rc != 0 && !*bad)
            mm_error_wrap(err, "dump collection '%s' segment %s", jb->c->name, m[i].s->segment_id);
        mm_dump_segment_close(sh, m[i].s, r, &f);
    }
    return mm_dump_writer_close(sh, &w, rc, b, digests, err);
}

/* The rows of each segment that dumper.nanPolicy skip leaves out. */
static int scan_members(mm_dump_state *sh, const mm_dump_job *jb, member *m, size_t n, char *buf, char *gather,
                        mm_error *err)
{
    for (size_t i = 0; i < n; i++) {
        mm_segment_reader *r = NULL;
        mm_dump_files f = {.buf = buf, .gather = gather};
        if (mm_dump_segment_open(sh, jb, m[i].s, &r, &f, err) != 0)
            return -1;
        int rc = mm_dump_scan_nan(sh, jb, &f, r, &m[i].dropped, &m[i].n_dropped, err);
        if (rc != 0)
            mm_error_wrap(err, "dump collection '%s' segment %s", jb->c->name, m[i].s->segment_id);
        m[i].rows = mm_segment_live(r) - (int64_t)m[i].n_dropped;
        mm_dump_segment_close(sh, m[i].s, r, &f);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int dump_pack(mm_dump_state *sh, const mm_dump_job *jb, member *m, size_t n, const char *key,
                     char *members, char *buf, char *gather, mm_dump_uploader *up, mm_error *err)
{
    const mm_dump_options *opt = sh->opt;
    char *dir = mm_asprintf("%s/%s", opt->output_root, key);
    char *data_path = dir ? mm_asprintf("%s/%s.npy", dir, mm_dump_vector_field(opt)) : NULL;
    char *id_path = dir ? mm_asprintf("%s/%s.npy", dir, mm_dump_id_field(opt)) : NULL;
    char *id_key = NULL, *data_key = NULL;
    mm_dump_batch_keys(opt, key, &id_key, &data_key);
    int rc = dir && data_path && id_path && id_key && data_key ? 0
                                                                : mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    mm_batch_verdict verdict = MM_BATCH_WRITE;
    int64_t nan = 0;
    if (rc == 0)
        rc = judge_pack(sh, jb, id_key, data_key, members, m, &verdict, &nan, err);
    uint64_t bytes_per_row = (uint64_t)mm_collection_vector_bytes(jb->c) + 8;
    if (rc == 0 && verdict == MM_BATCH_REUSE) {
        pthread_mutex_lock(&sh->lock);
        sh->result.batches_reused++;
        sh->result.nan_rows_skipped += nan;
        pthread_mutex_unlock(&sh->lock);
        /* No segment record goes through the uploader to count them. */
        mm_dump_report(sh, jb->pack->rows, (uint64_t)(jb->pack->rows - nan) * bytes_per_row, up ? n : 0, 0);
        goto done;
    }
    mm_journal_batch b = {
        .collection = jb->c->name, .partition = jb->p->tag, .segment = jb->s->segment_id, .batch = 0,
        .state = MM_BATCH_DUMPED, .task_ids = "", .id_key = id_key, .data_key = data_key, .members = members,
    };
    mm_part_digest *digests[2] = {NULL, NULL};
    bool bad = false;
    int64_t rows = jb->pack->rows;
    if (rc == 0)
        rc = mm_mkdir_p(dir, err);
    if (rc == 0)
        rc = write_pack(sh, jb, m, n, rows, dir, buf, gather, true, &bad, &b, digests, err);
    if (rc != 0 && bad) {
        mm_error_clear(err);
        rc = scan_members(sh, jb, m, n, buf, gather, err);
        rows = 0;
        for (size_t i = 0; rc == 0 && i < n; i++)
            rows += m[i].rows;
        if (rc == 0 && rows > 0)
            rc = write_pack(sh, jb, m, n, rows, dir, buf, gather, false, &bad, &b, digests, err);
        int64_t left_out = 0;
        for (size_t i = 0; rc == 0 && i < n; i++)
            left_out += (int64_t)m[i].n_dropped;
        if (rc == 0) {
            pthread_mutex_lock(&sh->lock);
            sh->result.nan_rows_skipped += left_out;
            pthread_mutex_unlock(&sh->lock);
            mm_dump_report(sh, left_out, 0, 0, 0);
        }
    }
    b.rows = rows;
    mm_journal_segment *records = rc == 0 ? calloc(n, sizeof *records) : NULL;
    if (rc == 0 && !records)
        rc = mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    if (rc == 0)
        segment_records(jb, m, n, rows > 0, records);
    if (rc == 0 && rows == 0) {
        /* Every row left out: no batch, only the segments' records. */
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = up ? mm_dump_uploader_segment(up, &records[i], err)
                    : mm_dump_commit_segment(sh->committer, &records[i], err);
        rmdir(dir);
    } else if (rc == 0 && up) {
        rc = mm_dump_uploader_batch(up, &b, (uint64_t)rows * bytes_per_row, dir, data_path, id_path, digests, err);
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = mm_dump_uploader_segment(up, &records[i], err);
    } else if (rc == 0) {
        rc = mm_dump_commit_batch(sh->committer, &b, dir, data_path, id_path, records, n, err);
    } else {
        mm_part_digest_free(digests[0]);
        mm_part_digest_free(digests[1]);
    }
    free(records);
done:
    free(dir);
    free(data_path);
    free(id_path);
    free(id_key);
    free(data_key);
    return rc;
}

int mm_dump_pack(mm_dump_state *sh, const mm_dump_job *jb, char *buf, char *gather, mm_dump_uploader *up,
                 mm_error *err)
{
    size_t n = jb->pack->n_members;
    member *m = calloc(n, sizeof *m);
    char *key = mm_dump_batch_key(jb, 0, 1);
    char *members = mm_plan_members_text(&sh->plan, jb->pack);
    int rc = m && key && members ? 0 : mm_error_set(err, MM_ERR_NOMEM, "dump: out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++)
        m[i].s = mm_plan_member(&sh->plan, jb->pack, i);
    if (rc == 0)
        rc = dump_pack(sh, jb, m, n, key, members, buf, gather, up, err);
    for (size_t i = 0; m && i < n; i++)
        free(m[i].dropped);
    free(m);
    free(key);
    free(members);
    return rc;
}
