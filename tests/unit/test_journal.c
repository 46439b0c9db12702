#include "journal.h"
#include "base/strbuf.h"
#include "testlib.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>

static mm_journal_batch sample(const char *segment, int batch, mm_batch_state state)
{
    mm_journal_batch b = {
        .collection = "c1",
        .partition = "p 1",
        .segment = (char *)segment,
        .batch = batch,
        .state = state,
        .rows = 12,
        .id_key = "migration/tables/c1/100/id.npy",
        .data_key = "migration/tables/c1/100/data.npy",
        .id_bytes = 224,
        .data_bytes = 512,
        .id_crc32 = 0xdeadbeef,
        .data_crc32 = 7,
        .task_ids = "",
    };
    return b;
}

static int count_batches(void *ctx, const mm_journal_batch *b)
{
    char **order = ctx;
    char *next = mm_asprintf("%s%s/%d;", *order, b->segment, b->batch);
    free(*order);
    *order = next;
    return 0;
}

typedef struct reset_ctx {
    mm_journal *j;
    mm_error *err;
} reset_ctx;

/* What load does for a collection that vanished: records from inside the walk. */
static int reset_to_dumped(void *ctx, const mm_journal_batch *b)
{
    reset_ctx *r = ctx;
    mm_journal_batch copy = *b;
    copy.state = MM_BATCH_DUMPED;
    copy.task_ids = "";
    copy.imported_rows = 0;
    return mm_journal_put(r->j, &copy, r->err);
}

MM_TEST(walk_may_record_batches)
{
    char *dir = mm_test_tmpdir("journal-walk");
    char *state = mm_asprintf("%s/state", dir);
    mm_error err;
    mm_journal *j = NULL;
    MM_CHECK_INT(mm_journal_open(state, "src=a target=b", false, &j, &err), 0);
    for (int k = 0; k < 3; k++) {
        mm_journal_batch b = sample("100", k, MM_BATCH_IMPORTED);
        b.task_ids = "77";
        b.imported_rows = 12;
        MM_CHECK_INT(mm_journal_put(j, &b, &err), 0);
    }
    reset_ctx r = {j, &err};
    MM_CHECK_INT(mm_journal_each(j, reset_to_dumped, &r, &err), 0);
    for (int k = 0; k < 3; k++) {
        mm_journal_batch got;
        bool found = false;
        MM_CHECK_INT(mm_journal_get(j, "c1", "100", k, &got, &found, &err), 0);
        MM_CHECK(found);
        MM_CHECK_INT(got.state, MM_BATCH_DUMPED);
        MM_CHECK_STR(got.task_ids, "");
        MM_CHECK_INT(got.imported_rows, 0);
        mm_journal_batch_free(&got);
    }
    mm_journal_close(j);
    free(state);
    free(dir);
}

MM_TEST(records_survive_reopen)
{
    char *dir = mm_test_tmpdir("journal");
    char *state = mm_asprintf("%s/state", dir);
    mm_error err;
    mm_journal *j = NULL;
    MM_CHECK_INT(mm_journal_open(state, "src=a target=b", false, &j, &err), 0);
    mm_journal_batch b = sample("200", 1, MM_BATCH_DUMPED);
    MM_CHECK_INT(mm_journal_put(j, &b, &err), 0);
    b = sample("100", 0, MM_BATCH_PENDING);
    MM_CHECK_INT(mm_journal_put(j, &b, &err), 0);
    b.state = MM_BATCH_SUBMITTED;
    b.task_ids = "4455,4456";
    MM_CHECK_INT(mm_journal_put(j, &b, &err), 0);
    mm_journal_close(j);

    struct stat st;
    MM_CHECK_INT(stat(state, &st), 0);
    MM_CHECK_INT(st.st_mode & 0777, 0700);
    char *db = mm_asprintf("%s/journal.sqlite", state);
    MM_CHECK_INT(stat(db, &st), 0);
    MM_CHECK_INT(st.st_mode & 0777, 0600);

    MM_CHECK_INT(mm_journal_open(state, "src=a target=b", false, &j, &err), 0);
    mm_journal_batch got;
    bool found = false;
    MM_CHECK_INT(mm_journal_get(j, "c1", "100", 0, &got, &found, &err), 0);
    MM_CHECK(found);
    MM_CHECK_INT(got.state, MM_BATCH_SUBMITTED);
    MM_CHECK_STR(got.task_ids, "4455,4456");
    MM_CHECK_STR(got.partition, "p 1");
    MM_CHECK_INT(got.id_crc32, 0xdeadbeef);
    MM_CHECK_INT(got.data_bytes, 512);
    mm_journal_batch_free(&got);
    MM_CHECK_INT(mm_journal_get(j, "c1", "100", 1, &got, &found, &err), 0);
    MM_CHECK(!found);

    char *order = mm_strdup("");
    MM_CHECK_INT(mm_journal_each(j, count_batches, &order, &err), 0);
    MM_CHECK_STR(order, "100/0;200/1;");
    free(order);
    MM_CHECK_INT(mm_journal_forget_collection(j, "c1", &err), 0);
    order = mm_strdup("");
    MM_CHECK_INT(mm_journal_each(j, count_batches, &order, &err), 0);
    MM_CHECK_STR(order, "");
    free(order);
    mm_journal_close(j);
    free(db);
    free(state);
    mm_test_rmtree(dir);
    free(dir);
}

MM_TEST(other_job_is_refused_unless_restarted)
{
    char *dir = mm_test_tmpdir("journal");
    mm_error err;
    mm_journal *j = NULL;
    MM_CHECK_INT(mm_journal_open(dir, "job one", false, &j, &err), 0);
    mm_journal_batch b = sample("1", 0, MM_BATCH_DUMPED);
    MM_CHECK_INT(mm_journal_put(j, &b, &err), 0);
    mm_journal_close(j);

    MM_CHECK_INT(mm_journal_open(dir, "job two", false, &j, &err), -1);
    MM_CHECK(j == NULL);
    MM_CHECK_INT(err.code, MM_ERR_CONFIG);
    char *expected = mm_asprintf("journal %s/journal.sqlite belongs to another migration (job one); this one "
                                 "is job two. Use a different state.dir, or start over with the job's restart option, "
                                 "which discards that journal",
                                 dir);
    MM_CHECK_STR(err.message, expected);
    free(expected);

    MM_CHECK_INT(mm_journal_open(dir, "job two", true, &j, &err), 0);
    mm_journal_batch got;
    bool found = true;
    MM_CHECK_INT(mm_journal_get(j, "c1", "1", 0, &got, &found, &err), 0);
    MM_CHECK(!found);
    mm_journal_close(j);
    mm_test_rmtree(dir);
    free(dir);
}

/* A journal written before job ids and ETags: opened as it is, its batch
 * kept, a job id given and kept from then on, also across --restart. */
MM_TEST(older_journal_gains_job_id_and_etags)
{
    char *dir = mm_test_tmpdir("journal-old");
    char *state = mm_asprintf("%s/state", dir);
    char *path = mm_asprintf("%s/journal.sqlite", state);
    MM_CHECK_INT(mkdir(state, 0700), 0);
    sqlite3 *db = NULL;
    MM_CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    MM_CHECK_INT(sqlite3_exec(db,
                              "CREATE TABLE job(fingerprint TEXT NOT NULL, created_at INTEGER NOT NULL);"
                              "INSERT INTO job VALUES('src=a target=b', 1);"
                              "CREATE TABLE batch(collection TEXT NOT NULL, partition_tag TEXT NOT NULL, segment TEXT "
                              "NOT NULL, batch INTEGER NOT NULL, state INTEGER NOT NULL, rows INTEGER NOT NULL, id_key "
                              "TEXT, data_key TEXT, id_bytes INTEGER, data_bytes INTEGER, id_crc32 INTEGER, data_crc32 "
                              "INTEGER, task_ids TEXT, imported_rows INTEGER, PRIMARY KEY(collection, segment, batch));"
                              "INSERT INTO batch VALUES('c1', '', '100', 0, 1, 12, 'k/id.npy', 'k/data.npy', 224, 512, "
                              "5, 6, '', 0);",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(db);
    mm_error err;
    mm_journal *j = NULL;
    MM_CHECK_INT(mm_journal_open(state, "src=a target=b", false, &j, &err), 0);
    if (!j) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    char *id = mm_strdup(mm_journal_job_id(j));
    MM_CHECK(id && strlen(id) == 32);
    mm_journal_batch got;
    bool found = false;
    MM_CHECK_INT(mm_journal_get(j, "c1", "100", 0, &got, &found, &err), 0);
    MM_CHECK(found);
    MM_CHECK_INT(got.rows, 12);
    MM_CHECK_STR(got.id_etag, "");
    mm_journal_batch_free(&got);
    mm_journal_batch b = sample("101", 0, MM_BATCH_DUMPED);
    b.id_etag = "\"abc\"";
    b.data_etag = "\"def\"";
    MM_CHECK_INT(mm_journal_put(j, &b, &err), 0);
    mm_journal_close(j);

    MM_CHECK_INT(mm_journal_open(state, "src=a target=b", false, &j, &err), 0);
    MM_CHECK_STR(mm_journal_job_id(j), id);
    MM_CHECK_INT(mm_journal_get(j, "c1", "101", 0, &got, &found, &err), 0);
    MM_CHECK_STR(got.id_etag, "\"abc\"");
    MM_CHECK_STR(got.data_etag, "\"def\"");
    mm_journal_batch_free(&got);
    mm_journal_close(j);
    MM_CHECK_INT(mm_journal_open(state, "src=other", true, &j, &err), 0);
    MM_CHECK_STR(mm_journal_job_id(j), id);
    MM_CHECK_STR(mm_journal_fingerprint(j), "src=other");
    mm_journal_close(j);
    free(id);
    free(path);
    free(state);
    mm_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    MM_RUN(records_survive_reopen);
    MM_RUN(walk_may_record_batches);
    MM_RUN(other_job_is_refused_unless_restarted);
    MM_RUN(older_journal_gains_job_id_and_etags);
    return MM_TEST_EXIT();
}
