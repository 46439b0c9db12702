#!/usr/bin/env bash
# Batch packing (dumper.batchSize): many small segments of a partition
# become few batches, as inspect announces them; a dump killed with SIGKILL
# and run again ends with exactly the files of an uninterrupted one; a
# re-run with another batchSize re-lays the staged batches exactly as a
# fresh dump with it; staged in S3 they are the same objects; and the
# packed batches load into Milvus exactly once
# with exactly the live rows.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/checks.sh"
source "$src/tests/lib/swift.sh"
seed=${MM_RESUME_SEED:-2020}
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-pack.XXXXXX")
pid= swift_up=
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  [ -n "$swift_up" ] && mm_swift_stop
  mm_emulator_stop
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $* (replay: MM_RESUME_SEED=$seed)"; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }

# 64 segments of ~3 MiB, 10% of their rows deleted.
cat >"$work/scenario.json" <<JSON
{"era": "native", "version": "1.1.0", "global_lsn": 10, "expected": false,
 "scale": {"collection": "many", "segments": 64, "rows": 6000, "deleted_fraction": 0.1},
 "collections": [{"name": "many", "dim": 128, "metric": 1, "flush_lsn": 10}]}
JSON
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$work/scenario.json" "$work/fx" >/dev/null

config() {  # dir [batchSize]
  mkdir -p "$1"
  cat >"$1/migration.yaml" <<YAML
dumper:
  worker: {workMode: milvus1x, limit: 2}
  batchSize: ${2:-1GiB}
meta: {mode: sqlite, sqliteFile: $work/fx/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: $work/fx/milvus/db/tables}}
target: {mode: local, local: {outputDir: $1/out}}
state: {dir: $1/state}
YAML
}
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
journal() { sqlite3 "file:$1/state/journal.sqlite?mode=ro" "$2"; }
done_batches() {
  [ -f "$work/killed/state/journal.sqlite" ] || { echo 0; return; }
  journal "$work/killed" "SELECT count(*) FROM batch"
}
same_dump() {  # label dir-a dir-b ; manifest.json names each job, so it differs by design
  if diff -r -x manifest.json "$2/out" "$3/out" >"$work/diff"; then ok "$1"; else fail "$1"; head "$work/diff"; fi
}

# Packed as inspect says: 64 segments of a 1/16 share each -> 4 to a batch.
config "$work/clean"
"$bin" inspect -c "$work/clean/migration.yaml" --no-id-check >"$work/inspect.txt"
planned=$(sed -n 's/^Import plan: \([0-9]*\) batch(es), \([0-9]*\) segment(s) packed.*/\1 \2/p' "$work/inspect.txt")
start=$(now_ms)
"$bin" dump -c "$work/clean/migration.yaml" >"$work/clean/stdout" 2>&1
clean_ms=$(($(now_ms) - start))
total=$(find "$work/clean/out/migration/tables" -name data.npy | wc -l)
packed=$(journal "$work/clean" "SELECT count(*) FROM batch WHERE members LIKE '%,%'")
members=$(journal "$work/clean" "SELECT count(*) FROM segment WHERE packed_into != ''")
[ "$planned" = "16 64" ] && [ "$total" = 16 ] && [ "$packed" = 16 ] && [ "$members" = 48 ] &&
  ok "64 small segments dumped in the 16 packed batches inspect announced" ||
  fail "packing: inspect '$planned', $total batches on disk, $packed packed in the journal, $members segments recorded inside another's batch"

# SIGKILL at 0-40% of a clean run, then a run to the end: the same files.
config "$work/killed"
final_files_complete() {
  local f rel
  while IFS= read -r f; do
    rel=${f#"$work/killed/out/"}
    cmp -s "$f" "$work/clean/out/$rel" || fail "after a kill, $rel is complete-named but differs"
  done < <(find "$work/killed/out" -type f -name '*.npy' 2>/dev/null)
}
RANDOM=$seed
kills=0
for _ in $(seq 1 12); do
  [ "$(done_batches)" -ge $((total / 2)) ] && break
  ms=$((RANDOM % (clean_ms * 40 / 100 + 1)))
  "$bin" dump -c "$work/killed/migration.yaml" >/dev/null 2>&1 &
  pid=$!
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null || true
  pid=
  final_files_complete
done
before=$(done_batches)
# What a kill while meta.json or batches.json was written leaves behind (the
# kills above may or may not land there): the run that completes removes it.
mkdir -p "$work/killed/out/migration"
echo partial >"$work/killed/out/migration/meta.json.tmp.Xq3zPa"
echo partial >"$work/killed/out/migration/batches.json.tmp.b81LmQ"
"$bin" dump -c "$work/killed/migration.yaml" >"$work/killed/stdout" 2>&1 || fail "final run after the kills"
same_dump "after $kills kill(s) ($before of $total batches recorded) the resumed dump equals the uninterrupted one" \
  "$work/clean" "$work/killed"
kept=$(sed -nE 's/.*; ([0-9]+) batch\(es\) were already complete$/\1/p' "$work/killed/stdout")
[ "$kept" = "$before" ] && ok "the last run kept the $before batches recorded before" ||
  fail "the last run kept '$kept' batches, the journal had $before"

# Another batchSize over a complete dump: the layout of a fresh dump with it.
config "$work/unpacked" 0
"$bin" dump -c "$work/unpacked/migration.yaml" >/dev/null 2>&1
config "$work/killed" 0
"$bin" dump -c "$work/killed/migration.yaml" >"$work/killed/stdout2" 2>&1 || { fail "re-run with batchSize 0"; cat "$work/killed/stdout2"; }
same_dump "re-run with batchSize 0 re-lays the batches as a fresh dump with it" "$work/unpacked" "$work/killed"
[ "$(journal "$work/killed" "SELECT count(*) FROM batch")" = 64 ] &&
  [ "$(journal "$work/killed" "SELECT count(*) FROM segment WHERE packed_into != ''")" = 0 ] &&
  ok "the journal holds the 64 unpacked batches only" || fail "journal after re-laying"

# Staged in a bucket: the packed objects equal the local dump, and a re-run
# finds every packed batch complete.
mkdir -p "$work/s3"
mm_swift_start "$work/s3" >/dev/null || exit 1
swift_up=1
curl_s3 -X PUT "$S3_ENDPOINT/stage" -o /dev/null
cat >"$work/s3/migration.yaml" <<YAML
dumper: {worker: {workMode: milvus1x, limit: 2}}
meta: {mode: sqlite, sqliteFile: $work/fx/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: $work/fx/milvus/db/tables}}
target: {mode: remote, remote: {cloud: minio, endpoint: ${S3_ENDPOINT#http://}, region: us-east-1, bucket: stage, ak: 'test:tester', sk: 'Sw1ftSecret', outputDir: packed/}}
state: {dir: $work/s3/state}
YAML
chmod 600 "$work/s3/migration.yaml"
"$bin" dump -c "$work/s3/migration.yaml" >"$work/s3/stdout" 2>&1 || { fail "dump to S3"; cat "$work/s3/stdout"; }
same=0
while IFS= read -r f; do
  rel=${f#"$work/clean/out/"}
  curl_s3 "$S3_ENDPOINT/stage/packed/$rel" -o "$work/got"
  cmp -s "$f" "$work/got" && same=$((same + 1)) || fail "object $rel differs from the local dump"
done < <(find "$work/clean/out" -type f -name '*.npy')
[ "$same" = 32 ] && ok "the 16 packed batches staged in S3 equal the local dump" || fail "$same of 32 objects equal"
"$bin" dump -c "$work/s3/migration.yaml" >"$work/s3/stdout2" 2>&1 || fail "second dump to S3"
grep -q "^dumped 0 rows in 0 new batch(es) .*; 16 batch(es) were already complete$" "$work/s3/stdout2" &&
  ok "a second dump to S3 finds the 16 packed batches complete" || { fail "second dump to S3"; cat "$work/s3/stdout2"; }
mm_swift_stop
swift_up=

# Load: exactly the live rows, one Import per packed batch, none twice.
# 40 segments of 50 rows, 5 deleted in each (listed, so that the generator
# writes the expected live set).
/usr/bin/python3 - "$work/small.json" <<'PY'
import json, sys
segments = [{"id": str(1700000000000000000 + k * 1000), "rows": 50, "deletes": [[k % 7, 10, 20, 30, 49]]}
            for k in range(40)]
json.dump({"era": "native", "version": "1.1.0", "seed": 20, "global_lsn": 10,
           "collections": [{"name": "many", "dim": 8, "metric": 1, "flush_lsn": 10, "segments": segments}]},
          open(sys.argv[1], "w"))
PY
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$work/small.json" "$work/sfx" >/dev/null
# Milvus reads the staged files where they are: the emulator's storage is the work directory.
mm_emulator_start "$work/emu" --generation 2.5 --storage-dir "$work"
d=$work/load
mkdir -p "$d"
cat >"$d/migration.yaml" <<YAML
dumper: {worker: {workMode: milvus1x, limit: 2}}
loader: {worker: {limit: 2}, pollIntervalSeconds: 1}
meta: {mode: sqlite, sqliteFile: $work/sfx/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: $work/sfx/milvus/db/tables}}
target: {mode: local, local: {outputDir: $d/out}, milvus2x: {endpoint: 127.0.0.1:$MM_EMU_PORT, retries: 1}}
verify: {statsTimeoutSeconds: 3}
YAML
chmod 600 "$d/migration.yaml"
calls() { curl -s "http://127.0.0.1:$MM_EMU_CONTROL_PORT/calls" | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', 0))"; }
status=0
"$bin" run -c "$d/migration.yaml" --report "$d/report" >"$d/stdout" 2>"$d/stderr" || status=$?
[ "$status" = 0 ] && grep -q "^All counts match.$" "$d/stdout" && ok "packed batches loaded and verified" ||
  { fail "run exit $status"; cat "$d/stderr" "$d/stdout"; }
n=$(mm_batch_count "$d/out/migration")
# One Import more than batches: the staging probe's, before any dump.
[ "$n" -lt 40 ] && [ "$(calls Import)" = "$((n + 1))" ] && ok "40 segments imported in $n Import calls (and the probe's)" ||
  fail "$(calls Import) Import calls for $n batches of 40 segments and one probe"
if /usr/bin/python3 "$src/tests/lib/emulator_ids.py" "$work/sfx/expected/liveset.tsv" "$d/report.json" \
  "http://127.0.0.1:$MM_EMU_CONTROL_PORT/state" >"$work/ids.out" 2>&1; then
  ok "Milvus holds exactly the live rows ($(tail -1 "$work/ids.out"))"
else
  fail "rows in Milvus"; cat "$work/ids.out"
fi
"$bin" run -c "$d/migration.yaml" --report "$d/report2" >"$d/stdout2" 2>&1 || fail "second run"
[ "$(calls Import)" = "$((n + 1))" ] && ok "a second run imports nothing" || fail "a second run imported again"
[ "$failures" -eq 0 ]
