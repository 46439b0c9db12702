/* The dump's shared state (dump_internal.h): field names, progress,
 * results and the first failure. */
#include "dump/dump_internal.h"

const char *mm_dump_id_field(const mm_dump_options *opt)
{
    return opt->id_field && opt->id_field[0] ? opt->id_field : "id";
}

const char *mm_dump_vector_field(const mm_dump_options *opt)
{
    return opt->vector_field && opt->vector_field[0] ? opt->vector_field : "data";
}

bool mm_dump_cancelled(const mm_dump_state *sh)
{
    return sh->failed || (sh->opt->cancel && atomic_load(sh->opt->cancel));
}

void mm_dump_report(mm_dump_state *sh, int64_t rows, uint64_t bytes, size_t segments, size_t skipped)
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

void mm_dump_report_reused(mm_dump_state *sh, int64_t rows, uint64_t bytes)
{
    pthread_mutex_lock(&sh->lock);
    sh->progress.rows_reused += rows;
    sh->progress.bytes_reused += bytes;
    pthread_mutex_unlock(&sh->lock);
    mm_dump_report(sh, rows, bytes, 0, 0);
}

void mm_dump_count_recorded(mm_dump_state *sh, const mm_journal_batch *b)
{
    pthread_mutex_lock(&sh->lock);
    sh->result.batches_written++;
    sh->result.rows_written += b->rows;
    sh->result.bytes_written += b->id_bytes + b->data_bytes;
    pthread_mutex_unlock(&sh->lock);
}


void mm_dump_fail(mm_dump_state *sh, const mm_error *err)
{
    pthread_mutex_lock(&sh->lock);
    if (!sh->failed) {
        sh->failed = true;
        sh->err = *err;
    }
    pthread_mutex_unlock(&sh->lock);
}
