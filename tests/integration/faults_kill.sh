#!/usr/bin/env bash
# SIGKILL at random points: dump to a local directory, dump uploading to S3
# (Swift + s3api), and load into the Milvus 2.x emulator, each killed a few
# times and then run to the end. Afterwards Milvus holds exactly the live rows
# (ids and vector bytes) of every partition (nothing lost, nothing imported twice), and after
# every kill of a local dump each file under a final name equals the one of
# an uninterrupted dump. The kill points come from a seed: a failure prints
# it, and MM_FAULT_SEEDS="local:N s3:M ..." replays exactly those schedules.
# A kill point is a point of progress, not of time, so that a schedule
# replays on a slower or busier machine: K units of work after the start of
# the run (segments the journal records for a dump, Import calls Milvus
# received for a load), then D ms more. Every phase must land at least two
# of its three kills while the command still runs.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/swift.sh"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-faults-kill.XXXXXX")
victim=
emu_local_pid='' emu_s3_pid=''
cleanup() {
  [ -n "$victim" ] && kill -9 "$victim" 2>/dev/null
  for p in $emu_local_pid $emu_s3_pid; do kill "$p" 2>/dev/null; done
  mm_swift_stop
  rm -rf "$work"
}
trap cleanup EXIT
seeds=${MM_FAULT_SEEDS:-"local:11 local:12 local:13 s3:21 s3:22"}

/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/large/kill.json" "$work/fx" >/dev/null
mkdir -p "$work/tmp"
mm_swift_start "$work" || exit 1
curl_s3 -X PUT "$S3_ENDPOINT/a-bucket" -o /dev/null -w '%{http_code}\n' | grep -q 200

# Two emulators: one reads staged files from local disk, one from the bucket.
mm_emulator_start "$work/emu-s3" --generation 2.5 --s3-endpoint "$S3_ENDPOINT" --s3-bucket a-bucket \
  --s3-access-key test:tester --s3-secret-key Sw1ftSecret --s3-region "$S3_REGION"
emu_s3_pid=$MM_EMU_PID emu_s3_port=$MM_EMU_PORT emu_s3_control=$MM_EMU_CONTROL_PORT
mm_emulator_start "$work/emu-local" --generation 2.5 --storage-dir "$work"
emu_local_pid=$MM_EMU_PID emu_local_port=$MM_EMU_PORT emu_local_control=$MM_EMU_CONTROL_PORT

config() {  # dir kind
  local target mode port
  if [ "$2" = s3 ]; then
    mode=remote
    target="remote: {cloud: minio, endpoint: '${S3_ENDPOINT#http://}', region: $S3_REGION, bucket: a-bucket, ak: 'test:tester', sk: Sw1ftSecret, outputDir: $(basename "$1")}"
    port=$emu_s3_port
  else
    mode=local
    target="local: {outputDir: $1/out}"
    port=$emu_local_port
  fi
  mm_write_job_config "$1" "$work/fx" "mode: $mode" "$target" \
    "milvus2x: {endpoint: '127.0.0.1:$port', retries: 2, existingCollection: drop}"
}

# A dump that is never interrupted: what every final-named file must equal.
config "$work/clean" local
clean_start=$(date +%s%N)
"$bin" dump -c "$work/clean/migration.yaml" >/dev/null 2>&1
clean_ms=$((($(date +%s%N) - clean_start) / 1000000))
batches=$(mm_batch_count "$work/clean/out/migration")
segments=$(sqlite3 "file:$work/clean/state/journal.sqlite?mode=ro" "SELECT count(*) FROM segment")
# The extra delay of a dump kill stays within the time of about one segment
# of the clean run (at least 1 ms): a local dump of the remaining three
# quarters can be quicker than a fixed 30 ms, and a kill that comes after
# the end lands nothing. MM_FAULT_DUMP_MS replays a failure's value.
dump_max_ms=${MM_FAULT_DUMP_MS:-$((clean_ms / segments > 0 ? clean_ms / segments : 1))}

# Progress of the job in $d: batches dumped (a local dump's batches being
# written or written, .partial or final-named: their names and records come
# a group at a time, often all at the end of such a quick dump; counted
# without starting a process), the journal's segments of an upload, Import
# calls received.
dump_progress() {
  if [ "$kind" = local ]; then
    local files=("$d"/out/migration/tables/*/*/data.npy "$d"/out/migration/tables/*/*/data.npy.partial) n=0 f
    for f in "${files[@]}"; do [ -e "$f" ] && n=$((n + 1)); done
    echo "$n"
  else
    sqlite3 "file:$d/state/journal.sqlite?mode=ro" "SELECT count(*) FROM segment" 2>/dev/null || echo 0
  fi
}
load_progress() { mm_emulator_calls Import; }

# Runs a command in the background and SIGKILLs it once PROGRESS has moved
# K units (0..a quarter of TOTAL) and then D ms (0..MAX-1), both from
# $RANDOM (seeded), so a seed always gives the same schedule; kills counts
# the kills that found the command running, and schedule records "K+Dms"
# of each.
kill_at() {  # progress-fn total max-ms command...
  local progress=$1 start k ms
  start=$($progress)
  k=$((RANDOM % ($2 / 4 + 1)))
  ms=$((RANDOM % $3))
  shift 3
  # A kill while the meta is read leaves its private copy behind: keep it in $work.
  TMPDIR=$work/tmp "$@" >/dev/null 2>&1 &
  victim=$!
  while kill -0 "$victim" 2>/dev/null && [ $(($($progress) - start)) -lt "$k" ]; do sleep 0.002; done
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
  if kill -9 "$victim" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$victim" 2>/dev/null || true
  victim=
  schedule="$schedule $k+${ms}ms"
}

# Every final-named .npy of a killed local dump equals the clean one.
final_files_complete() {  # dir
  local f rel bad=0
  while IFS= read -r f; do
    rel=${f#"$1/out/"}
    cmp -s "$f" "$work/clean/out/$rel" || { echo "  $rel is complete-named but differs"; bad=1; }
  done < <(find "$1/out" -type f -name '*.npy' 2>/dev/null)
  return "$bad"
}

for entry in $seeds; do
  kind=${entry%%:*} seed=${entry#*:}
  RANDOM=$seed
  d=$work/$kind-$seed
  config "$d" "$kind"
  if [ "$kind" = s3 ]; then MM_EMU_CONTROL_PORT=$emu_s3_control; else MM_EMU_CONTROL_PORT=$emu_local_control; fi
  kills=0
  bad=0
  schedule=
  for _ in 1 2 3; do
    if [ "$kind" = local ]; then max_ms=$dump_max_ms; else max_ms=30; fi
    kill_at dump_progress "$([ "$kind" = local ] && echo "$batches" || echo "$segments")" "$max_ms" "$bin" dump -c "$d/migration.yaml"
    if [ "$kind" = local ] && ! final_files_complete "$d"; then bad=1; fi
  done
  dump_kills=$kills dump_schedule=$schedule
  "$bin" dump -c "$d/migration.yaml" >"$d/dump.out" 2>"$d/dump.err" || { bad=1; cat "$d/dump.err"; }
  kills=0
  schedule=
  for _ in 1 2 3; do kill_at load_progress "$batches" 400 "$bin" load --yes -c "$d/migration.yaml"; done
  load_schedule=$schedule
  if [ "$dump_kills" -lt 2 ] || [ "$kills" -lt 2 ]; then
    echo "  too few kills landed: dump at$dump_schedule ($dump_kills), load at$load_schedule ($kills)"
    bad=1
  fi
  status=0
  "$bin" load --yes -c "$d/migration.yaml" >"$d/load.out" 2>"$d/load.err" || { status=$?; bad=1; cat "$d/load.err"; }
  "$bin" verify -c "$d/migration.yaml" --report "$d/report" >"$d/verify.out" 2>&1 || { bad=1; cat "$d/verify.out"; }
  /usr/bin/python3 "$src/tests/lib/emulator_ids.py" "$work/fx/expected/liveset.tsv" "$d/report.json" \
    "http://127.0.0.1:$MM_EMU_CONTROL_PORT/state" >"$d/ids.out" 2>&1 && grep -q "^partitions=5 bad=0$" "$d/ids.out" \
    || { bad=1; cat "$d/ids.out"; }
  if [ "$bad" = 0 ]; then
    ok "$kind seed $seed: $dump_kills dump kill(s) at$dump_schedule, $kills load kill(s) at$load_schedule; Milvus holds exactly the live rows (ids and vector bytes) of $batches batches in 5 partitions"
  else
    fail "$kind seed $seed (replay: MM_FAULT_SEEDS=$entry MM_FAULT_DUMP_MS=$dump_max_ms): $dump_kills dump kill(s) at$dump_schedule, $kills load kill(s) at$load_schedule, load exit $status"
  fi
done

finish faults_kill
