#!/usr/bin/env bash
# A dump killed with SIGKILL at arbitrary points and run again ends with
# exactly the files of an uninterrupted dump, never shows a final-named file
# that is incomplete, and does not redo batches that were complete: the
# killed runs finished some batches (the journal records them) and the last
# run writes only the others.
#
# The kill points are fractions of a clean run measured here (so a slower
# machine moves them with it), drawn from a seeded RANDOM: MM_RESUME_SEED=N
# replays a schedule, and a failure prints the seed.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
seed=${MM_RESUME_SEED:-4242}
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-resume.XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/large/resume.json" "$work/fx" >/dev/null

config() {  # dir
  mkdir -p "$1"
  cat >"$1/migration.yaml" <<YAML
dumper:
  worker: {workMode: milvus1x, limit: 2}
meta: {mode: sqlite, sqliteFile: $work/fx/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: $work/fx/milvus/db/tables}}
target: {mode: local, local: {outputDir: $1/out}}
state: {dir: $1/state}
YAML
}
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
# Batches the journal of the killed job records as completely dumped.
done_batches() {
  [ -f "$work/killed/state/journal.sqlite" ] || { echo 0; return; }
  sqlite3 "file:$work/killed/state/journal.sqlite?mode=ro" "SELECT count(*) FROM batch"
}

config "$work/clean"
config "$work/killed"
start=$(now_ms)
"$bin" dump -c "$work/clean/migration.yaml" >/dev/null 2>&1
clean_ms=$(($(now_ms) - start))
total=$(find "$work/clean/out/migration/tables" -name data.npy | wc -l)
[ "$total" -ge 4 ] || { echo "FAIL: the fixture gives $total batches; the resume checks need at least 4"; exit 1; }

failures=0
fail() { echo "FAIL: $* (replay: MM_RESUME_SEED=$seed)"; failures=$((failures + 1)); }
# Whatever carries a final name must be byte-identical to the clean dump.
final_files_complete() {
  local f rel
  while IFS= read -r f; do
    rel=${f#"$work/killed/out/"}
    cmp -s "$f" "$work/clean/out/$rel" || fail "after a kill, $rel is complete-named but differs"
  done < <(find "$work/killed/out" -type f -name '*.npy' 2>/dev/null)
}

# Kills at 0-40% of a clean run: many land while the meta is read or the
# first files are written, the later ones between batches. A run resumed
# from half the batches needs more than 40% of a clean run to finish, so
# the attempts stop there and the last run is left real work.
# A run the kill comes too late for (a clean run measured under load is slow,
# a quick one then ends before 40% of it) stops itself at its source check
# after half the segments, what it wrote recorded, and is killed there: no
# run of the loop records the whole dump.
RANDOM=$seed
kills=0
for _ in $(seq 1 12); do
  [ "$(done_batches)" -ge $((total / 2)) ] && break
  ms=$((RANDOM % (clean_ms * 40 / 100 + 1)))
  MM_TEST_STOP_AT_SOURCE_CHECK=$((total / 2)) "$bin" dump -c "$work/killed/migration.yaml" >/dev/null 2>&1 &
  pid=$!
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null || true
  pid=
  final_files_complete
done
# Every kill may have come before the first batch was recorded: one more
# run, killed once the first segment's batches are recorded. Batches are
# recorded a group at a time, often all of a quick dump's at once, so no
# poll of the journal is fast enough: the run stops itself there
# (MM_TEST_STOP_AT_SOURCE_CHECK, with what it wrote recorded) and is killed.
if [ "$(done_batches)" -eq 0 ]; then
  MM_TEST_STOP_AT_SOURCE_CHECK=1 "$bin" dump -c "$work/killed/migration.yaml" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = T ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null || true
  pid=
  final_files_complete
fi
before=$(done_batches)

status=0
"$bin" dump -c "$work/killed/migration.yaml" >"$work/stdout" 2>"$work/stderr" || status=$?
[ "$status" -eq 0 ] || { fail "final run exit $status"; cat "$work/stderr"; exit 1; }
written=$(sed -nE 's/^dumped [0-9]+ rows in ([0-9]+) new batch\(es\) .*/\1/p' "$work/stdout")
kept=$(sed -nE 's/.*; ([0-9]+) batch\(es\) were already complete$/\1/p' "$work/stdout")
# manifest.json names each job (its journal), so it differs by design.
if diff -r -x manifest.json "$work/clean/out" "$work/killed/out" >"$work/diff"; then
  echo "ok   after $kills kill(s) (clean run ${clean_ms} ms, seed $seed) the resumed dump equals the uninterrupted one ($total batches)"
else
  fail "resumed dump differs"; head "$work/diff"
fi
[ -z "$(find "$work/killed/out" -name '*.partial')" ] || fail ".partial files left"
if [ "$kills" -ge 1 ] && [ "$before" -ge 1 ] && [ "$before" -lt "$total" ]; then
  echo "ok   the killed runs finished $before of $total batches"
else
  fail "the killed runs ($kills kill(s)) finished $before of $total batches; the check needs between 1 and $((total - 1))"
fi
if [ "$written" = $((total - before)) ] && [ "$kept" = "$before" ]; then
  echo "ok   the last run wrote only the other $written batches and kept the $kept complete ones"
else
  fail "the last run wrote '$written' and kept '$kept' batches, expected $((total - before)) and $before"
  cat "$work/stdout"
fi
[ "$failures" -eq 0 ]
