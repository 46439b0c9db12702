#!/usr/bin/env bash
# One run per migration. While a dump holds a migration's state.dir (here it
# is stopped after its first segment), a second dump, a load, a verify and
# the wizard's Run refuse at once naming the holder's pid, start time and
# command, and the first one then finishes with exactly the files of a run
# that was alone. A run SIGKILLed mid-way leaves its lock to the next one,
# which says it took it over; the wizard's Run holds the lock the same way.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
source "$src/tests/lib/emulator.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-job-lock.XXXXXX")
victim=''
cleanup() {
  [ -n "$victim" ] && { kill -CONT "$victim" 2>/dev/null; kill -9 "$victim" 2>/dev/null; }
  mm_emulator_stop
  rm -rf "$work"
}
trap cleanup EXIT
export TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC

/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/special/live_server.json" "$work/fx" >/dev/null
mm_emulator_start "$work/emu" --generation 2.5 --storage-dir "$work" || exit 1
mm_emulator_faults '{"stepMs": 10}' >/dev/null

config() {  # NAME: $work/NAME/migration.yaml, one dump worker
  mm_write_job_config "$work/$1" "$work/fx" "mode: local" "local: {outputDir: $work/$1/out}" \
    "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', existingCollection: drop}"
  sed -i 's/limit: 2}}$/limit: 1}}/' "$work/$1/migration.yaml"
}
staged_digest() {  # NAME: every staged file with its bytes
  # manifest.json names each job (its journal), so it differs by design.
  (cd "$work/$1/out/migration" && find . -type f ! -name manifest.json -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}
wait_stopped() {  # PID: until the process stopped itself at its source check
  for _ in $(seq 1 600); do
    [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = T ] && return 0
    kill -0 "$1" 2>/dev/null || break
    sleep 0.05
  done
  fail "process $1 did not stop at its source check"
  return 1
}
locked_by() {  # COMMAND-LINE PID STATE-DIR: the refusal, start time as a pattern
  printf '%s' "another milvus-migrate (pid $2, started at *, command $1) is running this migration: it holds $3/milvus-migrate.lock. Wait for it to finish, or stop it (kill $2) and run this again; it is not safe to run two at once (state.dir $3)"
}

config lone
"$bin" dump -c "$work/lone/migration.yaml" >/dev/null 2>&1 || fail "lone dump"
lone=$(staged_digest lone)

# ---- dump + dump, dump + load, dump + verify ------------------------------------
config job
state=$work/job/state
MM_TEST_STOP_AT_SOURCE_CHECK=1 "$bin" dump -c "$work/job/migration.yaml" >"$work/first.out" 2>"$work/first.err" &
victim=$!
wait_stopped "$victim"
holder=$(locked_by "milvus-migrate dump -c $work/job/migration.yaml" "$victim" "$state")
for cmd in dump load verify run; do
  mm_expect_exit_like "$cmd while a dump runs: refused" 1 "milvus-migrate $cmd: $holder" \
    "$bin" "$cmd" -c "$work/job/migration.yaml"
done
kill -CONT "$victim"
status=0
wait "$victim" || status=$?
victim=''
[ "$status" = 0 ] && ok "the first dump completes" || { fail "first dump: exit $status"; cat "$work/first.err"; }
[ "$(staged_digest job)" = "$lone" ] && ok "its files equal those of a lone dump" || fail "staged files differ from a lone dump"
[ ! -s "$state/milvus-migrate.lock" ] && ok "a finished run leaves the lock file empty" || fail "lock record left: $(cat "$state/milvus-migrate.lock")"

# ---- SIGKILL: the next run takes the lock over and resumes --------------------------
config killed
state=$work/killed/state
MM_TEST_STOP_AT_SOURCE_CHECK=2 "$bin" dump -c "$work/killed/migration.yaml" >/dev/null 2>&1 &
victim=$!
wait_stopped "$victim"
killed=$victim
kill -9 "$victim"
wait "$victim" 2>/dev/null || true
victim=''
mm_expect_exit_like "after a SIGKILL the lock is taken over" 0 \
  "warning: took over the lock of milvus-migrate pid $killed, started at *, command milvus-migrate dump -c $work/killed/migration.yaml, which ended without releasing it (killed?); its completed work is in the journal and is resumed" \
  "$bin" dump -c "$work/killed/migration.yaml"
grep -q "; 2 batch(es) were already complete$" "$work/expect.out" && ok "the completed batches were kept" \
  || { fail "resume after the kill"; cat "$work/expect.out"; }
[ "$(staged_digest killed)" = "$lone" ] && ok "after the takeover the files equal those of a lone dump" || fail "staged files differ after the takeover"

# ---- the wizard's Run holds the lock too ----------------------------------------------
config wizard
state=$work/wizard/state
printf 'F6\nEnter\nwait-job\nquit\n' >"$work/run.script"
MM_TEST_STOP_AT_SOURCE_CHECK=1 "$bin" wizard -c "$work/wizard/migration.yaml" --script "$work/run.script" \
  --snapshot-dir "$work" >/dev/null 2>"$work/wizard.err" &
victim=$!
wait_stopped "$victim"
mm_expect_exit_like "dump while the wizard runs: refused" 1 \
  "milvus-migrate dump: $(locked_by "milvus-migrate wizard -c $work/wizard/migration.yaml --script $work/run.script --snapshot-dir $work" "$victim" "$state")" \
  "$bin" dump -c "$work/wizard/migration.yaml"
kill -CONT "$victim"
status=0
wait "$victim" || status=$?
victim=''
[ "$status" = 0 ] && ok "the wizard's run completes" || { fail "wizard run: exit $status"; cat "$work/wizard.err"; }
[ "$(staged_digest wizard)" = "$lone" ] && ok "the wizard staged the files of a lone dump" || fail "wizard staged other files"
[ "$(mm_emulator_calls Import)" -eq 4 ] && ok "the wizard's run imported the 4 batches" || fail "imports: $(mm_emulator_calls Import)"

# ... and the wizard's Run refuses while a CLI dump holds the migration.
MM_TEST_STOP_AT_SOURCE_CHECK=1 "$bin" dump -c "$work/wizard/migration.yaml" --restart --yes >/dev/null 2>&1 &
victim=$!
wait_stopped "$victim"
printf 'c\nF6\nEnter\nwait-job\nsnapshot refused\nquit\n' >"$work/refused.script"
"$bin" wizard -c "$work/wizard/migration.yaml" --script "$work/refused.script" --snapshot-dir "$work" --size 200x40 \
  >/dev/null 2>&1 || fail "wizard session"
grep -q "another milvus-migrate (pid $victim, started at .*, command milvus-migrate dump -c $work/wizard/migration.yaml --restart --yes) is" "$work/refused.txt" \
  && ok "the wizard's Run refuses while a dump runs" || { fail "wizard Run screen"; cat "$work/refused.txt"; }
kill -CONT "$victim"
wait "$victim" || fail "the CLI dump did not complete"
victim=''

finish "$(basename "$0")"
