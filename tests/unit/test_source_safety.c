/* Source safety in the engine: where the WAL is found, path resolution,
 * the job lock (refusal and takeover), a held Milvus lock seen from
 * outside, and the source fingerprint naming what changed. */
#include "base/fsutil.h"
#include "job_lock.h"
#include "sample/sample_install.h"
#include "source/live_server.h"
#include "source/meta_sqlite.h"
#include "source/source_watch.h"
#include "source/wal_check.h"
#include "source/wal_locate.h"
#include "base/strbuf.h"
#include "testlib.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static char *path_in(const char *dir, const char *rel)
{
    return mm_asprintf("%s/%s", dir, rel);
}

MM_TEST(wal_found_where_the_server_puts_it)
{
    char *dir = mm_test_tmpdir("walloc");
    mm_test_write_file(dir, "m/db/meta.sqlite", "x", 1);
    mm_test_write_file(dir, "m/wal/mxlog.meta", "x", 1);
    char *sqlite = path_in(dir, "m/db/meta.sqlite"), *tables = path_in(dir, "m/db/tables/");
    char *wal = path_in(dir, "m/wal");
    const char *t[] = {tables};
    mm_wal_location loc;
    mm_error err;

    /* From the tables directory alone (a MySQL meta), trailing slash and all. */
    mm_wal_hints h = {.tables_dirs = t, .n_tables_dirs = 1};
    MM_CHECK_INT(mm_wal_locate(&h, &loc, &err), 0);
    MM_CHECK_INT(loc.origin, MM_WAL_BESIDE_DB);
    MM_CHECK_STR(loc.dir, wal);
    char *how = mm_wal_location_describe(&loc);
    MM_CHECK_STR(how, "found beside the db directory");
    free(how);
    mm_wal_location_free(&loc);

    /* Named by a 0.9 server configuration when it is not beside db/. */
    mm_test_write_file(dir, "elsewhere/wal/mxlog.meta", "x", 1);
    char *other = path_in(dir, "elsewhere/wal");
    char *yaml = mm_asprintf("storage_config:\n  primary_path: /gone\nwal_config:\n  enable: true\n  wal_path: %s\n",
                             other);
    mm_test_write_file(dir, "n/conf/server_config.yaml", yaml, strlen(yaml));
    free(yaml);
    char *sqlite_n = path_in(dir, "n/db/meta.sqlite");
    mm_wal_hints hn = {.sqlite_path = sqlite_n};
    MM_CHECK_INT(mm_wal_locate(&hn, &loc, &err), 0);
    MM_CHECK_INT(loc.origin, MM_WAL_SERVER_CONFIG);
    MM_CHECK_STR(loc.dir, other);
    MM_CHECK_STR(loc.config_key, "wal_config.wal_path");
    mm_wal_location_free(&loc);

    /* Turned off by a 0.10+ configuration. */
    mm_test_write_file(dir, "o/conf/server_config.yaml", "wal:\n  enable: false\n  path: /x\n", 30);
    char *sqlite_o = path_in(dir, "o/db/meta.sqlite");
    mm_wal_hints ho = {.sqlite_path = sqlite_o};
    MM_CHECK_INT(mm_wal_locate(&ho, &loc, &err), 0);
    MM_CHECK_INT(loc.origin, MM_WAL_DISABLED);
    MM_CHECK_STR(loc.config_key, "wal.enable");
    MM_CHECK(loc.dir == NULL);
    mm_wal_location_free(&loc);

    /* Nothing anywhere: where it looked. */
    char *sqlite_p = path_in(dir, "p/db/meta.sqlite");
    mm_wal_hints hp = {.sqlite_path = sqlite_p};
    MM_CHECK_INT(mm_wal_locate(&hp, &loc, &err), 0);
    MM_CHECK_INT(loc.origin, MM_WAL_NOT_FOUND);
    char *looked = path_in(dir, "p/wal");
    MM_CHECK_STR(loc.searched, looked);
    free(looked);
    mm_wal_location_free(&loc);

    /* A given directory that is not one is an error, not "no WAL". */
    mm_wal_hints hg = {.given = sqlite, .given_key = "--wal-dir", .sqlite_path = sqlite};
    MM_CHECK_INT(mm_wal_locate(&hg, &loc, &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_CONFIG);
    char *expected = mm_asprintf("--wal-dir %s: not a directory; set it to the 1.x server's WAL directory (wal.path, "
                                 "wal_config.wal_path in 0.9) or leave it empty to look for the WAL beside the db "
                                 "directory", sqlite);
    MM_CHECK_STR(err.message, expected);
    free(expected);

    free(sqlite_p);
    free(sqlite_o);
    free(sqlite_n);
    free(other);
    free(wal);
    free(tables);
    free(sqlite);
    mm_test_rmtree(dir);
    free(dir);
}

MM_TEST(paths_resolve_through_links_and_dots)
{
    char *dir = mm_test_tmpdir("resolve");
    char *real = mm_path_resolve(dir); /* TMPDIR itself may be a link */
    mm_test_write_file(dir, "a/b/file", "x", 1);
    char *a = path_in(dir, "a"), *link = path_in(dir, "l"), *loop = path_in(dir, "loop");
    MM_CHECK_INT(symlink(a, link), 0);
    MM_CHECK_INT(symlink(loop, loop), 0);
    char *in = mm_asprintf("%s/l/b/../b/./new/deeper/../x", dir);
    char *got = mm_path_resolve(in);
    char *want = mm_asprintf("%s/a/b/new/x", real);
    MM_CHECK_STR(got, want);
    MM_CHECK(mm_path_within(got, want));
    char *parent = mm_asprintf("%s/a", real);
    MM_CHECK(mm_path_within(got, parent));
    char *sibling = mm_asprintf("%s/a/b/ne", real);
    MM_CHECK(!mm_path_within(got, sibling));
    MM_CHECK(mm_path_within(got, "/"));
    free(got);
    got = mm_path_resolve(loop); /* a loop stops resolving instead of spinning */
    MM_CHECK(got != NULL);
    free(got);
    free(sibling);
    free(parent);
    free(want);
    free(in);
    free(loop);
    free(link);
    free(a);
    free(real);
    mm_test_rmtree(dir);
    free(dir);
}

MM_TEST(one_job_lock_per_state_dir)
{
    char *dir = mm_test_tmpdir("lock");
    char *state = path_in(dir, "state");
    mm_job_lock *first = NULL, *second = NULL;
    char *takeover = NULL;
    mm_error err;
    MM_CHECK_INT(mm_job_lock_acquire(state, &first, &takeover, &err), 0);
    MM_CHECK(takeover == NULL);
    /* A second holder, even in the same process, is refused with who holds it. */
    MM_CHECK_INT(mm_job_lock_acquire(state, &second, NULL, &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_LOCKED);
    char *who = mm_asprintf("another milvus-migrate (pid %ld, started at ", (long)getpid());
    MM_CHECK(strncmp(err.message, who, strlen(who)) == 0);
    free(who);
    MM_CHECK(strstr(err.message, ", command test_source_safety) is running this migration: it holds ") != NULL);
    mm_job_lock_release(first);
    MM_CHECK_INT(mm_job_lock_acquire(state, &first, &takeover, &err), 0);
    MM_CHECK(takeover == NULL); /* released cleanly: nothing to take over */
    mm_job_lock_release(first);

    /* A holder that dies without releasing: the kernel drops its lock, the
     * next one takes it over and learns whose it was. */
    pid_t child = fork();
    if (child == 0) {
        mm_job_lock *l;
        _exit(mm_job_lock_acquire(state, &l, NULL, NULL) == 0 ? 0 : 1);
    }
    int status = -1;
    waitpid(child, &status, 0);
    MM_CHECK_INT(status, 0);
    MM_CHECK_INT(mm_job_lock_acquire(state, &first, &takeover, &err), 0);
    char *prefix = mm_asprintf("pid %ld, started at ", (long)child);
    MM_CHECK(takeover && strncmp(takeover, prefix, strlen(prefix)) == 0);
    free(prefix);
    free(takeover);
    mm_job_lock_release(first);
    free(state);
    mm_test_rmtree(dir);
    free(dir);
}

MM_TEST(a_held_milvus_lock_is_seen)
{
    char *dir = mm_test_tmpdir("live");
    mm_test_write_file(dir, "m/lock", "", 0);
    mm_test_write_file(dir, "m/wal/lock", "", 0);
    char *root = path_in(dir, "m"), *wal = path_in(dir, "m/wal"), *lock = path_in(dir, "m/lock");
    const char *roots[] = {root};
    mm_live_probe probe = {.storage_roots = roots, .n_storage_roots = 1, .wal_dir = wal};
    mm_live_server live;
    mm_error err;
    MM_CHECK_INT(mm_live_server_probe(&probe, &live, &err), 0);
    MM_CHECK_INT(live.n_evidence, 0); /* the files alone mean a stopped server */
    mm_live_server_free(&live);

    int ready[2];
    MM_CHECK_INT(pipe(ready), 0);
    pid_t child = fork();
    if (child == 0) {
        /* What Milvus does at start (InstanceLockCheck). */
        int fd = open(lock, O_RDWR);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        fcntl(fd, F_SETLK, &fl);
        (void)!write(ready[1], "x", 1);
        pause();
        _exit(0);
    }
    char c;
    MM_CHECK_INT(read(ready[0], &c, 1), 1);
    MM_CHECK_INT(mm_live_server_probe(&probe, &live, &err), 0);
    MM_CHECK_INT(live.n_evidence, 1);
    if (live.n_evidence == 1) {
        char *want = mm_asprintf("%s is locked (Milvus 1.x holds the lock of its storage path while it runs) by "
                                 "process %ld (test_source_saf)", lock, (long)child);
        MM_CHECK_STR(live.evidence[0], want);
        free(want);
    }
    MM_CHECK_INT(mm_live_server_refuse(&live, false, NULL, &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_SOURCE_LIVE);
    char *warning = NULL;
    MM_CHECK_INT(mm_live_server_refuse(&live, true, &warning, &err), 0);
    MM_CHECK(warning && strstr(warning, "source.allowRunningServer: true") != NULL);
    free(warning);
    mm_live_server_free(&live);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    close(ready[0]);
    close(ready[1]);
    free(lock);
    free(wal);
    free(root);
    mm_test_rmtree(dir);
    free(dir);
}

MM_TEST(the_watch_names_what_changed)
{
    char *dir = mm_test_tmpdir("watch");
    char *data = path_in(dir, "data");
    mm_error err;
    MM_CHECK_INT(mm_sample_install_write(data, &err), 0);
    char *sqlite = path_in(data, "db/meta.sqlite"), *wal = path_in(data, "wal");
    mm_source_watch_spec spec = {.sqlite_path = sqlite, .wal_dir = wal};
    mm_source_watch *w = NULL;
    MM_CHECK_INT(mm_source_watch_begin(&spec, &w, &err), 0);
    mm_meta_rows rows;
    MM_CHECK_INT(mm_meta_read_sqlite(sqlite, &rows, &err), 0);
    mm_wal_report rep;
    MM_CHECK_INT(mm_wal_check(wal, &rows, &rep, &err), 0);
    MM_CHECK_INT(mm_source_watch_baseline(w, &rows, &rep, &err), 0);
    MM_CHECK_INT(mm_source_watch_check(w, false, &err), 0);

    /* A reader (our own copy of the meta) changes nothing. */
    mm_meta_rows again;
    MM_CHECK_INT(mm_meta_read_sqlite(sqlite, &again, &err), 0);
    mm_meta_rows_free(&again);
    MM_CHECK_INT(mm_source_watch_check(w, true, &err), 0);

    /* A server logs an insert into fingerprints: that collection is named. */
    unsigned char rec[21 + 12 + 8 + 64] = {0};
    uint64_t lsn = rep.flushed_lsn + 100;
    memcpy(rec, &lsn, 8);
    rec[8] = 1; /* InsertBinary */
    uint16_t name_len = 12;
    uint32_t n = 1, bytes = 64;
    memcpy(rec + 9, &name_len, 2);
    memcpy(rec + 13, &n, 4);
    memcpy(rec + 17, &bytes, 4);
    memcpy(rec + 21, "fingerprints", 12);
    char *wal_file = path_in(wal, "1.wal");
    FILE *f = fopen(wal_file, "wb");
    fwrite(rec, 1, sizeof rec, f);
    fclose(f);
    MM_CHECK_INT(mm_source_watch_check(w, false, &err), -1);
    MM_CHECK_INT(err.code, MM_ERR_SOURCE_LIVE);
    MM_CHECK(strstr(err.message, "\n  collection 'fingerprints': 1 new WAL record(s) (1 row(s) inserted, 0 id(s) "
                                 "deleted after its last flush)") != NULL);
    size_t n_changed;
    bool all;
    const char *const *changed = mm_source_watch_changed(w, &n_changed, &all);
    MM_CHECK_INT(n_changed, 1);
    MM_CHECK(!all);
    if (n_changed == 1)
        MM_CHECK_STR(changed[0], "fingerprints");
    /* From then on every check fails the same way. */
    mm_error again_err;
    MM_CHECK_INT(mm_source_watch_check(w, true, &again_err), -1);
    MM_CHECK_STR(again_err.message, err.message);
    mm_source_watch_free(w);
    mm_wal_report_free(&rep);
    mm_meta_rows_free(&rows);
    free(wal_file);
    free(wal);
    free(sqlite);
    free(data);
    mm_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    MM_RUN(wal_found_where_the_server_puts_it);
    MM_RUN(paths_resolve_through_links_and_dots);
    MM_RUN(one_job_lock_per_state_dir);
    MM_RUN(a_held_milvus_lock_is_seen);
    MM_RUN(the_watch_names_what_changed);
    return MM_TEST_EXIT();
}
