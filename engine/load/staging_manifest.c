#include "load/staging_manifest.h"

#include "base/fsutil.h"
#include "base/strbuf.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char manifest_name[] = "manifest.json";

char *mm_staging_manifest_where(const mm_staging_area *area)
{
    if (area->storage)
        return mm_asprintf("%s/%s/%s", mm_storage_describe(area->storage), area->remote_root, manifest_name);
    return mm_asprintf("%s/%s", area->local_root, manifest_name);
}

static const char *output_key(const mm_staging_area *area)
{
    return area->storage ? "target.remote.outputDir" : "target.local.outputDir";
}

static char *read_text(const char *path, bool *exists, mm_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *exists = false;
        if (errno == ENOENT)
            return NULL;
        mm_error_errno(err, errno, "read the staging manifest", path);
        return NULL;
    }
    *exists = true;
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && sb.len < (1u << 20))
        mm_strbuf_append_n(&sb, buf, n);
    bool failed = ferror(f);
    fclose(f);
    if (failed || !mm_strbuf_ok(&sb)) {
        mm_strbuf_free(&sb);
        mm_error_set(err, MM_ERR_IO, "read the staging manifest %s: %s", path, failed ? "read error" : "out of memory");
        return NULL;
    }
    if (!sb.data)
        mm_strbuf_append(&sb, "");
    return mm_strbuf_take(&sb);
}

static char *scratch_path(const mm_staging_area *area, mm_journal *journal)
{
    return mm_asprintf("%s/.manifest-%s.json", area->scratch_dir, mm_journal_job_id(journal));
}

/* The manifest's text; NULL with *exists false when there is none, NULL
 * with err set on failure. */
static char *read_manifest(const mm_staging_area *area, mm_journal *journal, bool *exists, mm_error *err)
{
    *exists = false;
    err->code = MM_OK;
    if (!area->storage) {
        char *path = mm_asprintf("%s/%s", area->local_root, manifest_name);
        char *text = path ? read_text(path, exists, err) : NULL;
        if (!path)
            mm_error_set(err, MM_ERR_NOMEM, "read the staging manifest: out of memory");
        free(path);
        return text;
    }
    char *key = mm_asprintf("%s/%s", area->remote_root, manifest_name);
    char *tmp = scratch_path(area, journal);
    int64_t size = -1;
    char *text = NULL;
    if (!key || !tmp)
        mm_error_set(err, MM_ERR_NOMEM, "read the staging manifest: out of memory");
    else if (mm_mkdir_p(area->scratch_dir, err) == 0 && mm_storage_head(area->storage, key, &size, err) == 0 &&
             size >= 0 && mm_storage_get_file(area->storage, key, tmp, err) == 0) {
        text = read_text(tmp, exists, err);
        unlink(tmp);
    }
    free(key);
    free(tmp);
    return text;
}

static int write_manifest(const mm_staging_area *area, mm_journal *journal, mm_error *err)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "tool", "milvus-migrate");
    cJSON_AddStringToObject(o, "job", mm_journal_job_id(journal));
    cJSON_AddStringToObject(o, "journal", mm_journal_path(journal));
    cJSON_AddStringToObject(o, "fingerprint", mm_journal_fingerprint(journal));
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text)
        return mm_error_set(err, MM_ERR_NOMEM, "write the staging manifest: out of memory");
    int rc;
    if (!area->storage) {
        char *path = mm_asprintf("%s/%s", area->local_root, manifest_name);
        if (path) /* what a run killed while writing it left */
            mm_remove_atomic_leftovers(path);
        rc = !path ? mm_error_set(err, MM_ERR_NOMEM, "write the staging manifest: out of memory")
                   : mm_mkdir_p(area->local_root, err) == 0 ? mm_write_file_atomic(path, text, strlen(text), 0644, err)
                                                            : -1;
        free(path);
    } else {
        char *key = mm_asprintf("%s/%s", area->remote_root, manifest_name);
        char *tmp = scratch_path(area, journal);
        rc = !key || !tmp ? mm_error_set(err, MM_ERR_NOMEM, "write the staging manifest: out of memory")
                          : mm_mkdir_p(area->scratch_dir, err);
        if (rc == 0)
            rc = mm_write_file_atomic(tmp, text, strlen(text), 0600, err);
        if (rc == 0)
            rc = mm_storage_put_file(area->storage, key, tmp, err);
        if (tmp)
            unlink(tmp);
        free(key);
        free(tmp);
    }
    free(text);
    return rc;
}

/* The job, journal and fingerprint a manifest names ("" when absent). */
typedef struct owner {
    char job[128], journal[1024], fingerprint[1024];
} owner;

static bool parse_owner(const char *text, owner *o)
{
    memset(o, 0, sizeof *o);
    cJSON *root = cJSON_Parse(text);
    const cJSON *job = cJSON_GetObjectItemCaseSensitive(root, "job");
    const cJSON *journal = cJSON_GetObjectItemCaseSensitive(root, "journal");
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(root, "fingerprint");
    bool ok = cJSON_IsString(job) && job->valuestring[0];
    if (ok) {
        snprintf(o->job, sizeof o->job, "%s", job->valuestring);
        snprintf(o->journal, sizeof o->journal, "%s", cJSON_IsString(journal) ? journal->valuestring : "?");
        snprintf(o->fingerprint, sizeof o->fingerprint, "%s", cJSON_IsString(fp) ? fp->valuestring : "?");
    }
    cJSON_Delete(root);
    return ok;
}

static int refuse(const mm_staging_area *area, mm_journal *journal, const owner *o, bool parsed, mm_error *err)
{
    char *where = mm_staging_manifest_where(area);
    int rc;
    if (!parsed)
        rc = mm_error_set(err, MM_ERR_CONFIG, "the staging area's manifest %s is not one milvus-migrate wrote, so it "
                          "is not known which migration the files there belong to; give this migration its own %s, "
                          "or remove that file if the directory is this migration's", where ? where : "?",
                          output_key(area));
    else
        rc = mm_error_set(err, MM_ERR_CONFIG, "the staging area %s belongs to another migration (job %s, journal %s, "
                          "%s); this one (journal %s) would overwrite its files and import its rows. Give each "
                          "migration its own %s, or remove the staging area if that migration is finished",
                          where ? where : "?", o->job, o->journal, o->fingerprint, mm_journal_path(journal),
                          output_key(area));
    free(where);
    return rc;
}

int mm_staging_claim(const mm_staging_area *area, mm_journal *journal, mm_error *err)
{
    bool exists = false;
    char *text = read_manifest(area, journal, &exists, err);
    if (!text && err->code != MM_OK)
        return mm_error_wrap(err, "read the staging area's manifest");
    int rc = 0;
    owner o;
    if (!exists) {
        if ((rc = write_manifest(area, journal, err)) != 0)
            mm_error_wrap(err, "mark the staging area as this migration's");
    } else if (!parse_owner(text, &o)) {
        rc = refuse(area, journal, &o, false, err);
    } else if (strcmp(o.job, mm_journal_job_id(journal)) != 0) {
        rc = refuse(area, journal, &o, true, err);
    } else if (strcmp(o.fingerprint, mm_journal_fingerprint(journal)) != 0 ||
               strcmp(o.journal, mm_journal_path(journal)) != 0) {
        /* The same job after --restart, or its state.dir moved. */
        if ((rc = write_manifest(area, journal, err)) != 0)
            mm_error_wrap(err, "mark the staging area as this migration's");
    }
    free(text);
    return rc;
}

int mm_staging_check(const mm_staging_area *area, mm_journal *journal, mm_error *err)
{
    bool exists = false;
    char *text = read_manifest(area, journal, &exists, err);
    if (!text && err->code != MM_OK)
        return mm_error_wrap(err, "read the staging area's manifest");
    int rc = 0;
    owner o;
    if (!exists) {
        char *where = mm_staging_manifest_where(area);
        rc = mm_error_set(err, MM_ERR_CONFIG, "the staging area has no manifest %s, so nothing says its files are "
                          "this migration's (the directory was removed or replaced, or staged by an older "
                          "milvus-migrate); run `milvus-migrate dump` with the same config: it checks every staged "
                          "file, marks the area and writes what is missing", where ? where : "?");
        free(where);
    } else if (!parse_owner(text, &o)) {
        rc = refuse(area, journal, &o, false, err);
    } else if (strcmp(o.job, mm_journal_job_id(journal)) != 0) {
        rc = refuse(area, journal, &o, true, err);
    }
    free(text);
    return rc;
}
