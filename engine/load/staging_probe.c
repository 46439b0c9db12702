/* The staging probe (staging_probe.h). */
#include "load/staging_probe.h"

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "npy.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { PROBE_DIM = 8, PROBE_TIMEOUT_S = 300, PROBE_BUSY_TRIES = 5 };

/* What a probe placed, to be removed again. */
typedef struct probe_files {
    char *paths[2];          /* as Milvus is told: absolute paths or bucket keys */
    char *local[2];          /* the files written on this host */
    char *local_dir;         /* the probe's own directory on this host */
    char *made_top;          /* the topmost directory created for local_dir's parent, or NULL */
    char *made_bottom;       /* local_dir's parent, when created */
    bool uploaded[2];
} probe_files;

static void random_hex(char *buf, size_t size)
{
    unsigned char raw[8] = {0};
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(raw, 1, sizeof raw, f) != sizeof raw) {
        uint64_t v = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(mm_monotonic_seconds() * 1e9);
        memcpy(raw, &v, sizeof raw);
    }
    if (f)
        fclose(f);
    size_t n = 0;
    for (size_t i = 0; i < sizeof raw && n + 2 < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%02x", raw[i]);
}

static int write_npy(const char *path, mm_npy_dtype dtype, uint64_t cols, const void *payload, size_t len,
                     mm_error *err)
{
    char header[MM_NPY_MAX_HEADER];
    size_t hlen = mm_npy_header(header, sizeof header, dtype, 1, cols);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return mm_error_errno(err, errno, "staging probe: create", path);
    int rc = mm_write_full(fd, header, hlen, path, err);
    if (rc == 0)
        rc = mm_write_full(fd, payload, len, path, err);
    if (close(fd) != 0 && rc == 0)
        rc = mm_error_errno(err, errno, "staging probe: close", path);
    return rc;
}

/* One row: id 1 and a vector of zeros. */
static int write_pair(const char *dir, char *local[2], mm_error *err)
{
    int64_t id = 1;
    float vector[PROBE_DIM] = {0};
    local[0] = mm_asprintf("%s/id.npy", dir);
    local[1] = mm_asprintf("%s/data.npy", dir);
    if (!local[0] || !local[1])
        return mm_error_set(err, MM_ERR_NOMEM, "staging probe: out of memory");
    if (write_npy(local[0], MM_NPY_I8, 0, &id, sizeof id, err) != 0)
        return -1;
    return write_npy(local[1], MM_NPY_F4, PROBE_DIM, vector, sizeof vector, err);
}

static int place_local(const mm_staging_probe *p, const char *tag, probe_files *f, mm_error *err)
{
    char *ancestor = mm_path_existing_ancestor(p->local_dir);
    if (!ancestor)
        return mm_error_set(err, MM_ERR_NOMEM, "staging probe: out of memory");
    bool made = strcmp(ancestor, p->local_dir) != 0;
    if (made) {
        /* Remembered before creating: the directories below the ancestor
         * are ours to remove afterwards. */
        size_t n = strlen(ancestor);
        const char *rest = p->local_dir;
        if (strncmp(p->local_dir, ancestor, n) == 0 && (p->local_dir[n] == '/' || ancestor[n - 1] == '/'))
            rest = p->local_dir + n + (p->local_dir[n] == '/' ? 1 : 0);
        size_t first = strcspn(rest, "/");
        f->made_top = mm_asprintf("%.*s%.*s", (int)(rest - p->local_dir), p->local_dir, (int)first, rest);
        f->made_bottom = mm_strdup(p->local_dir);
    }
    free(ancestor);
    if (made && mm_mkdir_p(p->local_dir, err) != 0)
        return mm_error_wrap(err, "staging probe in target.local.outputDir");
    char real[PATH_MAX];
    if (!realpath(p->local_dir, real))
        return mm_error_errno(err, errno, "staging probe: resolve target.local.outputDir", p->local_dir);
    f->local_dir = mm_asprintf("%s/milvus-migrate-probe-%s", real, tag);
    if (!f->local_dir)
        return mm_error_set(err, MM_ERR_NOMEM, "staging probe: out of memory");
    if (mkdir(f->local_dir, 0755) != 0)
        return mm_error_errno(err, errno, "staging probe: create", f->local_dir);
    if (write_pair(f->local_dir, f->local, err) != 0)
        return -1;
    f->paths[0] = mm_strdup(f->local[0]);
    f->paths[1] = mm_strdup(f->local[1]);
    return f->paths[0] && f->paths[1] ? 0 : mm_error_set(err, MM_ERR_NOMEM, "staging probe: out of memory");
}

static int place_remote(const mm_staging_probe *p, const char *tag, probe_files *f, mm_error *err)
{
    if (mm_mkdir_p(p->scratch_dir, err) != 0)
        return -1;
    f->local_dir = mm_asprintf("%s/milvus-migrate-probe-%s", p->scratch_dir, tag);
    if (!f->local_dir)
        return mm_error_set(err, MM_ERR_NOMEM, "staging probe: out of memory");
    if (mkdir(f->local_dir, 0700) != 0)
        return mm_error_errno(err, errno, "staging probe: create", f->local_dir);
    if (write_pair(f->local_dir, f->local, err) != 0)
        return -1;
    const char *prefix = p->remote_prefix ? p->remote_prefix : "";
    for (int i = 0; i < 2; i++) {
        f->paths[i] = mm_asprintf("%s%smilvus-migrate-probe-%s/%s", prefix, prefix[0] ? "/" : "", tag,
                                  i == 0 ? "id.npy" : "data.npy");
        if (!f->paths[i])
            return mm_error_set(err, MM_ERR_NOMEM, "staging probe: out of memory");
        if (mm_storage_put_file(p->storage, f->paths[i], f->local[i], err) != 0)
            return mm_error_wrap(err, "staging probe: upload to target.remote.bucket");
        f->uploaded[i] = true;
    }
    return 0;
}

static void remove_files(const mm_staging_probe *p, probe_files *f)
{
    for (int i = 0; i < 2; i++) {
        if (f->uploaded[i])
            mm_storage_remove(p->storage, f->paths[i], NULL);
        if (f->local[i])
            unlink(f->local[i]);
        free(f->paths[i]);
        free(f->local[i]);
    }
    if (f->local_dir)
        rmdir(f->local_dir);
    /* The directories made for local_dir, innermost first. */
    for (char *d = f->made_bottom; d && f->made_top && strlen(d) >= strlen(f->made_top);) {
        rmdir(d);
        char *slash = strrchr(d, '/');
        if (!slash)
            break;
        *slash = '\0';
    }
    free(f->local_dir);
    free(f->made_top);
    free(f->made_bottom);
}

static bool cancelled(const mm_staging_probe *p)
{
    return p->cancel && atomic_load(p->cancel);
}

/* Texts with which Milvus reports an import file it cannot open: the
 * local chunk manager's open error, S3's NoSuchKey ("The specified key
 * does not exist."), the readers' wraps (numpy/util.go, task_preimport.go). */
static bool unreadable(const char *reason)
{
    static const char *const marks[] = {"no such file", "does not exist", "NoSuchKey", "not exist", "failed to read",
                                        "failed to get file size", "NotFound", "not found"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (strcasestr(reason, marks[i]))
            return true;
    return false;
}

static int probe_failed(const mm_staging_probe *p, const probe_files *f, const char *reason, mm_error *err)
{
    const char *server = mm_milvus_endpoint(p->milvus);
    if (!unreadable(reason))
        return mm_error_set(err, MM_ERR_NETWORK, "the staging probe's import of %s failed on Milvus at %s: %s. The "
                            "migration's imports would fail the same way: fix that first (loader.probeStaging: false "
                            "skips the probe). Nothing was created", f->paths[0], server, reason);
    if (p->storage)
        return mm_error_set(err, MM_ERR_CONFIG, "Milvus at %s cannot read what is staged in %s: the probe %s "
                            "was uploaded there, and Milvus answered: %s. target.remote.bucket must be the bucket "
                            "Milvus 2.x is configured with (minio.bucketName in milvus.yaml, at the same endpoint): "
                            "Milvus reads import files as keys of its own bucket. Nothing was created",
                            server, mm_storage_describe(p->storage), f->paths[0], reason);
    return mm_error_set(err, MM_ERR_CONFIG, "Milvus at %s cannot read what is staged in %s (target.local.outputDir): "
                        "the probe %s was written there, and Milvus answered: %s. target.mode: local works only "
                        "with a Milvus that uses local storage (common.storageType: local) on this host's "
                        "filesystem, where it reads these paths as they are; a Milvus in a container or on "
                        "another host reads its own storage: mount the directory into it at the same path, or "
                        "stage into the bucket Milvus is configured with (target.mode: remote). Nothing was "
                        "created", server, p->local_dir, f->paths[0], reason);
}

/* Imports the probe into the scratch collection and waits for the job. */
static int import_probe(const mm_staging_probe *p, const char *collection, const probe_files *f, mm_error *err)
{
    int64_t task = 0;
    mm_import_outcome outcome = MM_IMPORT_UNCERTAIN;
    long wait = 1000;
    for (int attempt = 1;; attempt++) {
        if (mm_milvus_import(p->milvus, collection, "", (const char *const *)f->paths, 2, &task, &outcome, err) == 0)
            break;
        if (outcome != MM_IMPORT_BUSY || attempt >= PROBE_BUSY_TRIES || mm_sleep_interrupted())
            return mm_error_wrap(err, "staging probe");
        mm_sleep_ms(wait);
        wait *= 2;
    }
    double started = mm_monotonic_seconds();
    int limit = p->timeout_s > 0 ? p->timeout_s : PROBE_TIMEOUT_S;
    long delay = 200, cap = p->poll_interval_ms > 0 ? p->poll_interval_ms : 1000;
    for (;;) {
        if (cancelled(p))
            return mm_error_set(err, MM_ERR_CANCELLED, "staging probe cancelled");
        mm_sleep_ms(delay);
        delay = delay * 2 < cap ? delay * 2 : cap;
        mm_milvus_import_state st;
        if (mm_milvus_get_import_state(p->milvus, task, &st, err) != 0)
            return mm_error_wrap(err, "staging probe");
        int rc = 1;
        if (st.missing)
            rc = mm_error_set(err, MM_ERR_NETWORK, "staging probe: Milvus at %s forgot the probe's import job %" PRId64
                              " (%s)", mm_milvus_endpoint(p->milvus), task, st.failed_reason);
        else if (st.state == MM_IMPORT_COMPLETED)
            rc = st.rows == 1 ? 0
                              : mm_error_set(err, MM_ERR_NETWORK, "staging probe: Milvus at %s imported %" PRId64
                                             " rows of the one-row probe", mm_milvus_endpoint(p->milvus), st.rows);
        else if (st.state == MM_IMPORT_FAILED || st.state == MM_IMPORT_FAILED_AND_CLEANED)
            rc = probe_failed(p, f, st.failed_reason[0] ? st.failed_reason : "no reason given", err);
        else if (mm_monotonic_seconds() - started > limit)
            rc = mm_error_set(err, MM_ERR_NETWORK, "staging probe: the probe's import on Milvus at %s is still %s "
                              "after %d s; check the Milvus data nodes (loader.probeStaging: false skips the probe)",
                              mm_milvus_endpoint(p->milvus), mm_milvus_import_state_name(st.state), limit);
        mm_milvus_import_state_free(&st);
        if (rc != 1)
            return rc;
    }
}

int mm_staging_probe_run(const mm_staging_probe *p, char **summary, mm_error *err)
{
    *summary = NULL;
    char tag[20] = "";
    random_hex(tag, sizeof tag);
    char *collection = mm_asprintf(MM_STAGING_PROBE_PREFIX "%s", tag);
    if (!collection)
        return mm_error_set(err, MM_ERR_NOMEM, "staging probe: out of memory");
    probe_files f = {0};
    int rc = p->storage ? place_remote(p, tag, &f, err) : place_local(p, tag, &f, err);
    bool created = false;
    if (rc == 0) {
        rc = mm_milvus_create_collection(p->milvus, collection, p->id_field, p->vector_field, false, PROBE_DIM,
                                         "milvus-migrate staging probe; dropped at once", err);
        created = rc == 0;
        if (rc != 0)
            mm_error_wrap(err, "staging probe: create the scratch collection %s (the probe needs the "
                          "CreateCollection, Import and DropCollection privileges; loader.probeStaging: false skips "
                          "it)", collection);
    }
    if (rc == 0)
        rc = import_probe(p, collection, &f, err);
    if (rc == 0)
        *summary = p->storage
                       ? mm_asprintf("Milvus at %s reads what is staged in %s (target.remote.bucket): it imported a "
                                     "one-row probe from there into a scratch collection, dropped again",
                                     mm_milvus_endpoint(p->milvus), mm_storage_describe(p->storage))
                       : mm_asprintf("Milvus at %s reads what is staged in %s (target.local.outputDir): it imported "
                                     "a one-row probe from there into a scratch collection, dropped again",
                                     mm_milvus_endpoint(p->milvus), p->local_dir);
    mm_error drop_err;
    mm_error_clear(&drop_err);
    if (created && mm_milvus_drop_collection(p->milvus, collection, &drop_err) != 0 && rc == 0)
        rc = mm_error_set(err, drop_err.code, "staging probe: the probe worked, but its scratch collection %s could "
                          "not be dropped (drop it by hand): %s", collection, drop_err.message);
    remove_files(p, &f);
    free(collection);
    if (rc != 0) {
        free(*summary);
        *summary = NULL;
    }
    return rc;
}
