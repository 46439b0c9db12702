/* One run per migration: every command that writes a job's state (dump,
 * load, verify, run, the wizard's Run) holds an exclusive lock on
 * <state.dir>/milvus-migrate.lock for as long as it runs, so a second one
 * refuses at once instead of overwriting the first one's files.
 *
 * The lock is flock(2) on that file: the kernel drops it when its holder
 * ends, however it ends (SIGKILL included), so a lock is never stale; the
 * file only tells who holds it (pid, start time, command line, host). The
 * file is never removed, since removing a lock file races with the next
 * holder opening it. */
#ifndef MM_JOB_LOCK_H
#define MM_JOB_LOCK_H

#include "base/error.h"

typedef struct mm_job_lock mm_job_lock;

/* Creates state_dir (0700, not its parents) when missing and takes the
 * lock. Held by someone else: -1 with MM_ERR_LOCKED, "another
 * milvus-migrate (pid N, started at T, command C) is running this
 * migration", naming the state directory and what to do. *takeover
 * (when not NULL) is set, malloc'd, when the previous holder ended without
 * releasing it (it was killed): who that was. */
int mm_job_lock_acquire(const char *state_dir, mm_job_lock **out, char **takeover, mm_error *err);
/* Clears the holder's record and drops the lock; NULL is fine. */
void mm_job_lock_release(mm_job_lock *lock);
const char *mm_job_lock_path(const mm_job_lock *lock);

#endif
