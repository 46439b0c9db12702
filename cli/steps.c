#include "steps.h"

#include "confirm.h"
#include "exit_status.h"
#include "job/job.h"
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --report's directory is checked now, not after an hour of migration. */
static int check_report_dir(const char *command, const char *report)
{
    const char *slash = strrchr(report, '/');
    char *dir = slash ? strndup(report, (size_t)(slash - report)) : strdup(".");
    struct stat st;
    bool ok = dir && (!dir[0] || (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && access(dir, W_OK) == 0));
    int rc = ok ? 0 : mm_cli_usage_error(command, "--report %s: directory %s does not exist or is not writable; "
                                         "create it first", report, dir ? dir : "?");
    free(dir);
    return rc;
}

/* The verification as a table on stdout and a report on disk; 3 on a
 * mismatch. */
static int verify(mm_job *job, mm_milvus *milvus, const char *report_base, bool row_counts, mm_error *err)
{
    mm_verify_report r;
    int rc = mm_job_verify(job, milvus, &r, err);
    char *json_path = NULL, *md_path = NULL;
    if (rc == 0) {
        char *text = mm_verify_render_text(&r);
        fputs(text ? text : "", stdout);
        free(text);
        /* Why a 1.x number differs, unless the dump of this command said it. */
        if (row_counts)
            mm_job_report_row_counts(&job->inv, "are migrated", job->sink);
        rc = mm_job_write_report(job, &r, report_base, &json_path, &md_path, err);
        if (rc == 0)
            printf("report: %s, %s\n", json_path, md_path);
        if (rc == 0 && !r.all_match)
            rc = MM_EXIT_MISMATCH;
    }
    fflush(stdout);
    free(json_path);
    free(md_path);
    mm_verify_report_free(&r);
    return rc;
}

/* --sample N: a whole number in verify.sample's range. */
static int parse_sample(const char *command, const char *text, int *out)
{
    const mm_config_key *key = mm_config_find_key("verify.sample");
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || v < key->min || v > key->max)
        return mm_cli_usage_error(command, "--sample expects a number of rows from %lld to %lld (0 turns the content "
                                  "check off), got '%s'", (long long)key->min, (long long)key->max, text);
    *out = (int)v;
    return 0;
}

int mm_cli_run_steps(const char *command, const mm_steps_args *args, unsigned steps, unsigned flags)
{
    if (args->report && check_report_dir(command, args->report) != 0)
        return MM_EXIT_USAGE;
    int sample = -1;
    if (args->sample && parse_sample(command, args->sample, &sample) != 0)
        return MM_EXIT_USAGE;
    mm_cli_output out;
    mm_cli_output_init(&out);
    mm_error err;
    mm_error_clear(&err);
    mm_job job;
    mm_milvus *milvus = NULL;
    mm_cli_confirm confirm = {command, args->yes};
    mm_job_options o = {
        .command = command, .config_path = args->config_path ? args->config_path : "migration.yaml",
        .collections = args->collections, .restart = args->restart, .phases = MM_CONFIG_PHASE_MILVUS,
        .dumps = (steps & MM_STEP_DUMP) != 0, .confirm = mm_cli_confirm_losses, .confirm_ctx = &confirm,
        /* Only dump and load read or write the staging bucket. */
        .bucket_on_demand = !(steps & (MM_STEP_DUMP | MM_STEP_LOAD)),
    };
    int rc = mm_job_open(&job, &o, &out.sink, &err);
    if (rc != 0 && err.code == MM_ERR_NOT_FOUND && args->collections)
        mm_error_wrap(&err, "--col");
    if (rc == 0 && args->report)
        rc = mm_job_check_report_path(&job, "--report", args->report, &err);
    if (rc == 0 && sample >= 0)
        job.cfg.verify.sample = sample;
    if (rc == 0) {
        if (flags & MM_STEPS_CATCH_SIGNALS)
            mm_cli_catch_signals();
        /* Connect before dumping: a wrong endpoint or password should not
         * cost the hours of a dump. */
        rc = mm_job_milvus_connect(&job.cfg, &milvus, &err);
    }
    /* What exists in 2.x and what the run would lose, before any work. */
    if (rc == 0 && (steps & (MM_STEP_DUMP | MM_STEP_LOAD)))
        rc = mm_job_preflight(&job, milvus, NULL, &err);
    if (rc == 0 && (steps & MM_STEP_DUMP))
        rc = mm_job_dump(&job, &err);
    if (rc == 0 && (steps & MM_STEP_LOAD))
        rc = mm_job_load(&job, milvus, &err);
    if (rc == 0 && (steps & MM_STEP_VERIFY))
        rc = verify(&job, milvus, args->report, !(steps & MM_STEP_DUMP), &err);
    if (rc == 0 && (steps & MM_STEP_VERIFY) && (flags & MM_STEPS_DELETE_STAGED) && job.cfg.loader.delete_staged_files)
        rc = mm_job_delete_staged(&job, &err);
    if (rc == MM_EXIT_MISMATCH)
        fprintf(stderr, "milvus-migrate %s: verification found mismatches (see the table above)\n", command);
    /* Whatever stopped a command the user interrupted (a request given up
     * between retries, a wait cut short) is said as the interruption. */
    if (rc != 0 && rc != MM_EXIT_MISMATCH && atomic_load(&mm_cli_interrupted) && !strstr(err.message, "interrupted"))
        mm_error_wrap(&err, "interrupted");
    int status = rc == MM_EXIT_MISMATCH ? MM_EXIT_MISMATCH : rc == 0 ? MM_EXIT_OK : mm_cli_fail(command, &err);
    mm_milvus_close(milvus);
    mm_job_close(&job);
    mm_cli_output_fini(&out);
    return status;
}
