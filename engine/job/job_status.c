#include "job/job_status.h"

#include "base/strbuf.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* report.json's verdict, or -1 when there is none to read. */
static int read_report(const char *state_dir, int64_t *when)
{
    char *path = mm_asprintf("%s/report.json", state_dir);
    char *text = NULL;
    size_t len = 0;
    struct stat st;
    int verdict = -1;
    FILE *f = path && stat(path, &st) == 0 && st.st_size < (1 << 26) ? fopen(path, "r") : NULL;
    if (f && (text = malloc((size_t)st.st_size + 1)) != NULL)
        len = fread(text, 1, (size_t)st.st_size, f);
    if (f)
        fclose(f);
    if (text) {
        cJSON *root = cJSON_ParseWithLength(text, len);
        const cJSON *match = cJSON_GetObjectItemCaseSensitive(root, "match");
        if (cJSON_IsBool(match)) {
            verdict = cJSON_IsTrue(match) ? 1 : 0;
            *when = (int64_t)st.st_mtime;
        }
        cJSON_Delete(root);
    }
    free(text);
    free(path);
    return verdict;
}

int mm_job_status_read(const mm_config *cfg, mm_job_status *out, mm_error *err)
{
    memset(out, 0, sizeof *out);
    out->verified = -1;
    char *state_dir = mm_config_state_dir(cfg);
    if (!state_dir)
        return mm_error_set(err, MM_ERR_NOMEM, "read the journal: out of memory");
    mm_journal *j = NULL;
    int rc = mm_journal_open_readonly(state_dir, &j, err);
    if (rc == 0 && j) {
        out->journal_path = mm_strdup(mm_journal_path(j));
        rc = mm_journal_summarize(j, &out->journal, err);
        out->begun = rc == 0 && out->journal.batches > 0;
    }
    mm_journal_close(j);
    if (rc == 0)
        out->verified = read_report(state_dir, &out->verified_at);
    free(state_dir);
    if (rc != 0)
        mm_job_status_free(out);
    return rc;
}

char *mm_job_status_text(const mm_job_status *s)
{
    const mm_journal_summary *j = &s->journal;
    char a[32], b[32];
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_appendf(&sb, "%zu of %zu batch(es) dumped (%s rows), %zu imported (%s rows)", j->dumped, j->batches,
                      mm_format_count(a, sizeof a, j->rows_dumped), j->imported,
                      mm_format_count(b, sizeof b, j->rows_imported));
    if (j->submitted > j->imported)
        mm_strbuf_appendf(&sb, ", %zu sent to Milvus and not yet settled", j->submitted - j->imported);
    if (s->verified < 0) {
        mm_strbuf_append(&sb, "; not verified yet");
    } else {
        char when[32] = "";
        time_t t = (time_t)s->verified_at;
        struct tm tm;
        if (gmtime_r(&t, &tm))
            strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
        mm_strbuf_appendf(&sb, "; verified %s: %s", when,
                          s->verified ? "all counts match" : "some counts do not match");
    }
    return sb.data ? mm_strbuf_take(&sb) : mm_strdup("");
}

void mm_job_status_free(mm_job_status *s)
{
    free(s->journal_path);
    mm_journal_summary_free(&s->journal);
    memset(s, 0, sizeof *s);
    s->verified = -1;
}
