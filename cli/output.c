#include "output.h"

#include "base/timeutil.h"
#include "source/inventory_render.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

atomic_bool mm_cli_interrupted;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&mm_cli_interrupted, true);
}

void mm_cli_catch_signals(void)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* Retry backoffs and polls end early once interrupted. */
    mm_sleep_set_interrupt(&mm_cli_interrupted);
    /* A file-size limit (ulimit -f) must end in the dump's EFBIG message
     * naming the file, not in a silent kill. */
    signal(SIGXFSZ, SIG_IGN);
}

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void message(void *ctx, mm_sink_level level, const char *step, const char *text)
{
    mm_cli_output *out = ctx;
    pthread_mutex_lock(&out->lock);
    FILE *f = level == MM_SINK_SUMMARY ? stdout : stderr;
    fprintf(f, "%s%s%s%s\n", step ? step : "", step ? ": " : "", level == MM_SINK_WARNING ? "warning: " : "", text);
    if (f == stdout)
        fflush(stdout);
    pthread_mutex_unlock(&out->lock);
}

/* Each step's progress is timed from the step's start. */
static void step_started(void *ctx, const char *step)
{
    mm_cli_output *out = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&out->lock);
    if (strcmp(step, "dump") == 0)
        out->dump_started = out->last_dump = now;
    else if (strcmp(step, "load") == 0)
        out->last_load = now;
    else if (strcmp(step, "verify") == 0)
        out->last_verify = now;
    pthread_mutex_unlock(&out->lock);
}

static void dump_progress(void *ctx, const mm_dump_progress *p)
{
    mm_cli_output *out = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&out->lock);
    bool finished = p->segments_done == p->segments_total;
    if (!finished && seconds_between(&out->last_dump, &now) < 1.0) {
        pthread_mutex_unlock(&out->lock);
        return;
    }
    out->last_dump = now;
    double elapsed = seconds_between(&out->dump_started, &now);
    /* What an earlier run staged is done, but not at this run's speed. */
    uint64_t fresh = p->bytes_done - p->bytes_reused;
    double rate = elapsed > 0.2 ? (double)fresh / elapsed : 0;
    char done[32], total[32], speed[40] = "--", eta[32] = "--";
    mm_format_bytes(p->bytes_done, done, sizeof done);
    mm_format_bytes(p->bytes_total, total, sizeof total);
    if (rate > 0) {
        mm_format_bytes((uint64_t)rate, speed, sizeof speed);
        strcat(speed, "/s");
        snprintf(eta, sizeof eta, "%.0fs", (double)(p->bytes_total - p->bytes_done) / rate);
    }
    fprintf(stderr, "dump: %zu/%zu segments, %lld/%lld rows, %s of %s, %s, ETA %s\n", p->segments_done,
            p->segments_total, (long long)p->rows_done, (long long)p->rows_total, done, total, speed, eta);
    pthread_mutex_unlock(&out->lock);
}

static void load_progress(void *ctx, const mm_load_progress *p)
{
    mm_cli_output *out = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&out->lock);
    bool finished = p->batches_done == p->batches_total && p->batches_running == 0;
    if (finished || seconds_between(&out->last_load, &now) >= 1.0) {
        out->last_load = now;
        fprintf(stderr, "load: %zu/%zu batches imported, %zu running, %lld/%lld rows\n", p->batches_done,
                p->batches_total, p->batches_running, (long long)p->rows_done, (long long)p->rows_total);
    }
    pthread_mutex_unlock(&out->lock);
}

static void verify_progress(void *ctx, const mm_verify_progress *p)
{
    mm_cli_output *out = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&out->lock);
    bool finished = p->partitions_total > 0 && p->partitions_done == p->partitions_total;
    if (finished || seconds_between(&out->last_verify, &now) >= 1.0) {
        out->last_verify = now;
        char where[600] = "";
        if (!finished && p->collection && p->partition)
            snprintf(where, sizeof where, " (reading %s.%s)", p->collection, p->partition);
        fprintf(stderr, "verify: content sample: %zu/%zu partitions, %lld/%lld rows read back%s\n",
                p->partitions_done, p->partitions_total, (long long)p->rows_done, (long long)p->rows_total, where);
    }
    pthread_mutex_unlock(&out->lock);
}

static void scan_progress(void *ctx, size_t done, size_t total)
{
    mm_cli_output *out = ctx;
    if (!out->scan_progress)
        return;
    pthread_mutex_lock(&out->lock);
    fprintf(stderr, "\rscanning segments: %zu/%zu", done, total);
    if (done == total)
        fputc('\n', stderr);
    pthread_mutex_unlock(&out->lock);
}

static const mm_sink_ops lines = {
    .message = message,
    .step_started = step_started,
    .dump_progress = dump_progress,
    .load_progress = load_progress,
    .scan_progress = scan_progress,
    .verify_progress = verify_progress,
};

void mm_cli_output_init(mm_cli_output *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_init(&out->lock, NULL);
    clock_gettime(CLOCK_MONOTONIC, &out->dump_started);
    out->last_dump = out->last_load = out->last_verify = out->dump_started;
    out->scan_progress = isatty(STDERR_FILENO);
    out->sink = (mm_sink){.ops = &lines, .ctx = out, .cancel = &mm_cli_interrupted};
}

void mm_cli_output_fini(mm_cli_output *out)
{
    pthread_mutex_destroy(&out->lock);
}
