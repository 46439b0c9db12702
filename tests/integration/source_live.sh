#!/usr/bin/env bash
# A Milvus 1.x server still using the installation. Held the way Milvus
# holds them (an fcntl lock on <storage path>/lock and <wal path>/lock; the
# SQLite meta kept open, which locks meta.sqlite-shm), the dump refuses
# before writing anything, naming each lock and its process, unless
# source.allowRunningServer. A server that writes while the dump runs (a
# WAL record, a meta row) stops the dump: the changed collection is named
# and none of its batches stays recorded as done, while the batches of the
# unchanged one stay; a dump after the server stopped completes.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-source-live.XXXXXX")
holder='' victim=''
cleanup() {
  for p in $holder $victim; do kill -CONT "$p" 2>/dev/null; kill -9 "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

fresh() {  # NAME: a 1.x install and a job staging next to it, one worker
  /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/special/live_server.json" "$work/$1" >/dev/null
  mm_write_job_config "$work/job-$1" "$work/$1" "mode: local" "local: {outputDir: $work/job-$1/out}"
  sed -i 's/limit: 2}}$/limit: 1}}/' "$work/job-$1/migration.yaml"
}

# hold PYTHON-CODE: a stand-in for the 1.x server, started in the background;
# it prints "held" once it holds what the code takes.
hold() {
  /usr/bin/python3 -u -c "$1
print('held', flush=True)
import time
time.sleep(600)" >"$work/holder.out" &
  holder=$!
  for _ in $(seq 1 400); do grep -q held "$work/holder.out" 2>/dev/null && return 0; sleep 0.05; done
  fail "the stand-in server did not start"; return 1
}
release() { kill -9 "$holder"; wait "$holder" 2>/dev/null || true; holder=''; }

refusal() {  # EVIDENCE-LINES
  printf '%s\n' "milvus-migrate dump: a Milvus 1.x server (or another program) is still using the 1.x installation:
$1
Dumping now could miss rows it has not flushed yet and copy segments it is rewriting. Flush every collection (pymilvus 1.x: client.flush()), stop the server gracefully (SIGINT, or docker stop with time to flush), then run this again. If nothing writes to this installation any more (a copy, a server that only reads), set source.allowRunningServer: true; the dump still stops if the meta or the WAL changes while it runs."
}

# ---- the two instance locks Milvus takes (InstanceLockCheck) -----------------------
fresh locks
fx=$work/locks/milvus
hold "import fcntl
a = open('$fx/lock', 'r+'); fcntl.lockf(a, fcntl.LOCK_EX)
b = open('$fx/wal/lock', 'r+'); fcntl.lockf(b, fcntl.LOCK_EX)"
before=$(mm_tree_digest "$work/locks")
mm_expect_exit "instance locks held: refused" 1 "$(refusal "  $fx/lock is locked (Milvus 1.x holds the lock of its storage path while it runs) by process $holder (python3)
  $fx/wal/lock is locked (Milvus 1.x holds the lock of its WAL directory while it runs) by process $holder (python3)")" \
  "$bin" dump -c "$work/job-locks/migration.yaml"
[ ! -e "$work/job-locks/out" ] && ok "instance locks held: nothing staged" || fail "instance locks held: files staged"
[ "$(mm_tree_digest "$work/locks")" = "$before" ] && ok "instance locks held: 1.x files untouched" || fail "instance locks held: 1.x files changed"
# inspect only reads: it says so and goes on.
"$bin" inspect "$fx" >/dev/null 2>"$work/inspect.err" && grep -q "^  $fx/lock is locked (Milvus 1.x holds the lock of its storage path while it runs) by process $holder (python3)$" "$work/inspect.err" \
  && ok "inspect warns about the running server" || { fail "inspect: no warning"; cat "$work/inspect.err"; }
# The override: the dump goes on, saying why.
sed -i 's/^source: {mode: local, /source: {mode: local, allowRunningServer: true, /' "$work/job-locks/migration.yaml"
mm_expect_exit "source.allowRunningServer: true" 0 "warning: the 1.x installation is in use (source.allowRunningServer: true, so the dump goes on; it stops if the meta or the WAL changes):
  $fx/lock is locked (Milvus 1.x holds the lock of its storage path while it runs) by process $holder (python3)
  $fx/wal/lock is locked (Milvus 1.x holds the lock of its WAL directory while it runs) by process $holder (python3)" \
  "$bin" dump -c "$work/job-locks/migration.yaml"
release
# A lock file left by a stopped server (Milvus never removes it) is no reason to refuse.
rm -rf "$work/job-locks/.milvus-migrate" "$work/job-locks/state" "$work/job-locks/out"
sed -i 's/allowRunningServer: true, //' "$work/job-locks/migration.yaml"
mm_expect_exit "lock files without a lock: dumped" 0 "" "$bin" dump -c "$work/job-locks/migration.yaml"

# ---- the SQLite meta open in another process ---------------------------------------
fresh shm
fx=$work/shm/milvus
hold "import sqlite3
c = sqlite3.connect('$fx/db/meta.sqlite'); c.execute('SELECT count(*) FROM Tables').fetchall()"
mm_expect_exit "meta.sqlite open elsewhere: refused" 1 "$(refusal "  $fx/db/meta.sqlite is open (SQLite keeps a lock in $fx/db/meta.sqlite-shm while a connection to it is open) in process $holder (python3)")" \
  "$bin" dump -c "$work/job-shm/migration.yaml"
[ ! -e "$work/job-shm/out" ] && ok "meta.sqlite open elsewhere: nothing staged" || fail "meta.sqlite open elsewhere: files staged"
release

# ---- the source changes while the dump runs ---------------------------------------
# run_until_check NAME N: starts the dump, which stops itself before its Nth
# source check (segments are dumped in the order alpha 1, alpha 2, beta 1, beta 2).
run_until_check() {
  MM_TEST_STOP_AT_SOURCE_CHECK=$2 "$bin" dump -c "$work/job-$1/migration.yaml" >"$work/$1.out" 2>"$work/$1.err" &
  victim=$!
  for _ in $(seq 1 600); do
    [ "$(awk '{print $3}' "/proc/$victim/stat" 2>/dev/null)" = T ] && return 0
    kill -0 "$victim" 2>/dev/null || break
    sleep 0.05
  done
  fail "$1: the dump did not reach source check $2"; cat "$work/$1.err"; return 1
}
finish_run() {  # NAME -> exit status of the dump
  kill -CONT "$victim"
  local status=0
  wait "$victim" || status=$?
  victim=''
  return "$status"
}
journal_batches() {  # NAME: "collection segment" of each batch recorded done
  /usr/bin/python3 - "$work/job-$1/state/journal.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for c, s in db.execute("SELECT collection, segment FROM batch WHERE state >= 1 ORDER BY collection, segment"):
    print(c, s)
for c, s in db.execute("SELECT collection, segment FROM segment ORDER BY collection, segment"):
    print("segment", c, s)
PY
}
staged() {  # NAME: batch directories holding files
  (cd "$work/job-$1/out/migration/tables" 2>/dev/null && find . -name '*.npy' | sed 's|/[^/]*$||' | sort -u | tr '\n' ' ')
}

# A WAL record for alpha after three segments: alpha is taken back (both of
# its segments), beta's first segment stays done.
fresh walrec
run_until_check walrec 3
/usr/bin/python3 - "$work/walrec/milvus/wal" <<'PY'
import struct, sys
wal = sys.argv[1]
ids = [9001, 9002, 9003]
rec = struct.pack("<QBHHII", 4294967600, 2, 5, 0, len(ids), 8 * 4 * len(ids)) + b"alpha" + struct.pack("<3q", *ids) + bytes(96)
open(wal + "/0.wal", "ab").write(rec)
open(wal + "/mxlog.meta", "wb").write(struct.pack("<3Q", 4294967500, 4294967600, 4294967600))
PY
status=0
finish_run || status=$?
want="milvus-migrate dump: the 1.x source changed while it was being dumped, so a 1.x server (or another program) is still writing to it:
  collection 'alpha': 1 new WAL record(s) (3 row(s) inserted, 0 id(s) deleted after its last flush)
Nothing of these collections is recorded as done: 2 dumped batch(es) forgotten and 4 staged file(s) removed. Stop the 1.x server (flush every collection first, then SIGINT), then run dump again"
got=$(grep -v '^dump: [0-9]*/[0-9]* segments' "$work/walrec.err" || true)
[ "$status" = 1 ] && [ "$got" = "$want" ] && ok "WAL record during the dump: stopped, alpha named" \
  || { fail "WAL record during the dump: exit $status"; echo "  got:      $got"; echo "  expected: $want"; }
[ "$(journal_batches walrec | tr '\n' ' ')" = "beta 1690000000000100000 segment beta 1690000000000100000 " ] \
  && ok "WAL record during the dump: only beta's dumped segment stays recorded" || { fail "journal after the stop"; journal_batches walrec; }
[ "$(staged walrec)" = "./beta/1690000000000100000 " ] && ok "WAL record during the dump: alpha's staged files removed" \
  || fail "staged after the stop: $(staged walrec)"
[ ! -e "$work/job-walrec/out/migration/meta.json" ] && ok "WAL record during the dump: no meta.json written" || fail "meta.json written"

# A meta row of beta rewritten (a flush) right after the first segment: beta
# is named; alpha's first segment stays done; once the writes stop, a dump
# completes and stages every live row.
fresh metarow
run_until_check metarow 1
/usr/bin/python3 - "$work/metarow/milvus/db/meta.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE TableFiles SET updated_time = updated_time + 1 WHERE table_id = 'beta' AND segment_id = '1690000000000101000'")
db.commit()
db.close()
PY
status=0
finish_run || status=$?
grep -q "^  collection 'beta': its rows in meta.sqlite changed (segments, deletes or settings)$" "$work/metarow.err" && [ "$status" = 1 ] \
  && ok "meta row during the dump: stopped, beta named" || { fail "meta row during the dump: exit $status"; cat "$work/metarow.err"; }
[ "$(journal_batches metarow | tr '\n' ' ')" = "alpha 1690000000000000000 segment alpha 1690000000000000000 " ] \
  && ok "meta row during the dump: beta has nothing recorded" || { fail "journal after the meta change"; journal_batches metarow; }
"$bin" dump -c "$work/job-metarow/migration.yaml" >"$work/metarow2.out" 2>"$work/metarow2.err" \
  && grep -q "^dumped 74 rows in 3 new batch(es) .*; 1 batch(es) were already complete$" "$work/metarow2.out" \
  && ok "after the server stopped: the dump completes" || { fail "dump after the change"; cat "$work/metarow2.out" "$work/metarow2.err"; }

finish "$(basename "$0")"
