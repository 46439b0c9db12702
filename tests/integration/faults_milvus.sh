#!/usr/bin/env bash
# Milvus 2.x misbehaving during load (the emulator's fault switches):
# GetImportState answering UNAVAILABLE (retried; persistent -> exit 1 and a
# re-run that only waits), an import task that fails, and import tasks the
# server forgets (expireTasks): the partition row count decides whether a
# forgotten batch arrived (recorded as imported) or not (sent again). Every
# case ends with exactly the live rows (ids and vector bytes) in Milvus and no
# batch imported twice.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/checks.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-faults-milvus.XXXXXX")
# A killed load may leave its private copy of the meta in TMPDIR: keep it in $work.
mkdir -p "$work/tmp"
export TMPDIR=$work/tmp
load_pid=
cleanup() {
  [ -n "$load_pid" ] && kill -9 "$load_pid" 2>/dev/null
  mm_emulator_stop
  rm -rf "$work"
}
trap cleanup EXIT

faults() { mm_emulator_faults "$1" >/dev/null; }
faults_reset_q() { mm_emulator_faults_reset >/dev/null; }
calls() { mm_emulator_calls "$1"; }

# A fixture dumped into its own job directory: d=<dir> after the call.
new_job() {  # name scenario
  d=$work/$1
  mkdir -p "$d"
  /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/$2.json" "$d/fx" >/dev/null
  mm_write_job_config "$d" "$d/fx" "mode: local" "local: {outputDir: $d/out}" \
    "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1, existingCollection: drop}"
  mm_job_without_probe "$d"
  "$bin" dump -c "$d/migration.yaml" >/dev/null 2>"$d/dump.err" || { fail "$1: dump"; cat "$d/dump.err"; }
  batches=$(mm_batch_count "$d/out/migration")
}

# Milvus holds exactly the live set: verify matches and every partition has
# exactly the expected ids (a batch imported twice shows up here).
exact_ids() {  # label
  local status=0
  "$bin" verify -c "$d/migration.yaml" --report "$d/report" >"$d/verify.out" 2>&1 || status=$?
  [ "$status" -eq 0 ] || { fail "$1: verify exit $status"; cat "$d/verify.out"; return; }
  mm_check_emulator_ids "$1" "$d/fx/expected/liveset.tsv" "$d/report.json"
}

# Runs load; status in $status, stderr without progress lines in $d/$2.err.
load() {  # label out-base
  status=0
  "$bin" load --yes -c "$d/migration.yaml" >"$d/$2.out" 2>"$d/$2.raw" || status=$?
  grep -v '^load: [0-9]*/[0-9]* batches imported' "$d/$2.raw" >"$d/$2.err" || true
}

mm_emulator_start "$work/emu" --generation 2.5 --storage-dir "$work"

# ---- UNAVAILABLE while polling ------------------------------------------------------
new_job transient partitions_orm
before=$(calls Import)
faults '{"unavailableRpc": "GetImportState", "unavailableCount": 1}'
load transient load
[ "$status" -eq 0 ] && [ "$(( $(calls Import) - before ))" -eq "$batches" ] \
  && ok "one UNAVAILABLE answer to GetImportState is retried; $batches batches, $batches Imports" \
  || { fail "transient UNAVAILABLE: exit $status, $(( $(calls Import) - before )) Imports for $batches batches"; cat "$d/load.err"; }
exact_ids "transient UNAVAILABLE"
faults_reset_q

new_job outage basic_native
before=$(calls Import)
faults '{"unavailableRpc": "GetImportState", "unavailableCount": 1000000}'
load outage load1
want="^milvus-migrate load: waiting for import task [0-9]+ \(batch [0-9-]+/0 of vectors_(l2|ip) \(partition _default\)\); the task is recorded, re-run load to resume waiting: GetImportState on Milvus at 127\.0\.0\.1:$MM_EMU_PORT: server unavailable after 2 attempts \(emulated outage\); check target\.milvus2x\.endpoint and that Milvus is running and reachable$"
if [ "$status" -eq 1 ] && grep -Eq "$want" "$d/load1.err"; then
  ok "GetImportState unavailable for good: exit 1, names the task, the batch and the resume path"
else
  fail "persistent UNAVAILABLE: exit $status"; cat "$d/load1.err"
fi
submitted=$(( $(calls Import) - before ))
faults_reset_q
load outage load2
[ "$status" -eq 0 ] && [ "$(( $(calls Import) - before ))" -eq "$batches" ] \
  && ok "re-run after the outage: waits for the $submitted recorded task(s), sends only the rest ($batches Imports in all)" \
  || { fail "outage re-run: exit $status, $(( $(calls Import) - before )) Imports for $batches batches"; cat "$d/load2.err"; }
exact_ids "after an outage while polling"

# ---- a task that fails ------------------------------------------------------------------
new_job failtask binary
before=$(calls Import)
faults '{"failImport": {"collection": "bin_jaccard", "reason": "disk quota exceeded"}}'
load failtask load1
want="^milvus-migrate load: import task [0-9]+ \(batch 1620000000000002000/0 of bin_jaccard \(partition _default\), files tables/bin_jaccard/1620000000000002000/id\.npy, tables/bin_jaccard/1620000000000002000/data\.npy\) failed on 127\.0\.0\.1:$MM_EMU_PORT: disk quota exceeded\. Fix the cause and re-run load; imported batches are not imported again$"
[ "$status" -eq 1 ] && grep -Eq "$want" "$d/load1.err" && ok "failed task: exit 1 with the batch, its files and Milvus's reason" \
  || { fail "failed task: exit $status"; cat "$d/load1.err"; }
faults_reset_q
load failtask load2
[ "$status" -eq 0 ] && [ "$(( $(calls Import) - before ))" -eq $((batches + 1)) ] \
  && ok "failed task: the re-run sends only the failed batch again ($((batches + 1)) Imports for $batches batches)" \
  || { fail "failed task re-run: exit $status, $(( $(calls Import) - before )) Imports"; cat "$d/load2.err"; }
exact_ids "failed task then re-run"

# ---- tasks Milvus forgets: the rows arrived ---------------------------------------------
new_job expired_arrived partitions_orm
before=$(calls Import)
faults '{"expireTasks": true}'
load expired load
unknown=$(grep -c "is unknown to 127.0.0.1:$MM_EMU_PORT (import job does not exist, jobID=[0-9]*): it expired or the server lost it; the partition row count decides whether its [0-9]* rows arrived$" "$d/load.err" || true)
arrived=$(grep -c "^load: docs\.[A-Za-z0-9_]* holds [0-9]* rows: the [0-9]* interrupted batch(es) arrived$" "$d/load.err" || true)
if [ "$status" -eq 0 ] && [ "$unknown" -eq "$batches" ] && [ "$arrived" -eq 5 ] && [ "$(( $(calls Import) - before ))" -eq "$batches" ] \
   && grep -q "^loaded 19 rows in $batches batch(es) into " "$d/load.out"; then
  ok "forgotten tasks whose rows arrived: recorded as imported, none sent twice ($batches Imports)"
else
  fail "expired/arrived: exit $status, unknown=$unknown arrived=$arrived imports=$(( $(calls Import) - before ))"; cat "$d/load.err" "$d/load.out"
fi
exact_ids "forgotten tasks, rows arrived"
faults_reset_q

# The same found by a re-run: load killed while its tasks ran, and by the
# time it runs again Milvus has forgotten them.
new_job expired_rerun basic_native
before=$(calls Import)
faults '{"stepMs": 1500}'
"$bin" load --yes -c "$d/migration.yaml" >"$d/load1.out" 2>&1 &
load_pid=$!
# Killed once the journal holds the task ids of two submitted batches.
tasks_recorded() { sqlite3 "file:$d/state/journal.sqlite?mode=ro" "SELECT count(*) FROM batch WHERE state = 2 AND task_ids != ''" 2>/dev/null || echo 0; }
for _ in $(seq 1 200); do [ "$(tasks_recorded)" -ge 2 ] && break; sleep 0.05; done
kill -9 "$load_pid"; wait "$load_pid" 2>/dev/null || true
load_pid=
recorded=$(tasks_recorded)
[ "$recorded" -ge 2 ] || fail "expired re-run: the load was killed with $recorded task(s) recorded, expected at least 2"
faults '{"stepMs": 50, "expireTasks": true}'
load expired_rerun load2
if [ "$status" -eq 0 ] && grep -q "interrupted batch(es) arrived$" "$d/load2.err" && [ "$(( $(calls Import) - before ))" -eq "$batches" ]; then
  ok "re-run after a kill finds $recorded recorded task(s) forgotten, counts their rows, sends only the rest"
else
  fail "expired re-run: exit $status, $(( $(calls Import) - before )) Imports for $batches batches"; cat "$d/load2.err"
fi
exact_ids "forgotten tasks found by a re-run"
faults_reset_q

# ---- tasks Milvus forgets: the rows never arrived ---------------------------------------
# The first tasks fail (no rows) and are forgotten; once all of them have
# failed the failure is cleared, so the batches sent again arrive.
new_job expired_lost binary
before=$(calls Import)
hamming_tasks() {  # exit 0 when the emulator's bin_hamming tasks after the first $1 are two, both failed
  mm_emulator_state | /usr/bin/python3 -c '
import json, sys
tasks = [t for t in json.load(sys.stdin)["tasks"] if t["collection"] == "bin_hamming"][int(sys.argv[1]):]
sys.exit(0 if len(tasks) == 2 and all(t["state"] == 1 for t in tasks) else 1)' "$1"
}
known=$(mm_emulator_state | /usr/bin/python3 -c 'import json, sys; print(sum(t["collection"] == "bin_hamming" for t in json.load(sys.stdin)["tasks"]))')
faults '{"expireTasks": true, "stepMs": 2000, "failImport": {"collection": "bin_hamming", "reason": "lost"}}'
"$bin" load --yes -c "$d/migration.yaml" >"$d/load.out" 2>"$d/load.raw" &
load_pid=$!
cleared=0
for _ in $(seq 1 300); do
  if hamming_tasks "$known"; then
    faults '{"failImport": null}'; cleared=1; break
  fi
  sleep 0.1
done
status=0
wait "$load_pid" || status=$?
load_pid=
grep -v '^load: [0-9]*/[0-9]* batches imported' "$d/load.raw" >"$d/load.err" || true
resent=$(grep -c "^load: bin_hamming\._default holds 0 rows: the 2 interrupted batch(es) did not arrive and are sent again$" "$d/load.err" || true)
if [ "$cleared" = 1 ] && [ "$status" -eq 0 ] && [ "$resent" -eq 1 ] && grep -q "^load: bin_hamming\._default holds 14 rows: the 2 interrupted batch(es) arrived$" "$d/load.err" \
   && [ "$(( $(calls Import) - before ))" -eq $((batches + 2)) ]; then
  ok "forgotten tasks without rows: sent again once, then counted as arrived ($((batches + 2)) Imports for $batches batches)"
else
  fail "expired/lost: cleared=$cleared exit $status, $(( $(calls Import) - before )) Imports for $batches batches"; cat "$d/load.err"
fi
exact_ids "forgotten tasks, rows lost, sent again"
faults_reset_q

# A server that loses every task and never imports: bounded, and says so.
new_job expired_never binary
before=$(calls Import)
faults '{"expireTasks": true, "failImport": {"collection": "bin_sub", "reason": "lost"}}'
load expired_never load
want="milvus-migrate load: Milvus at 127.0.0.1:$MM_EMU_PORT kept losing import tasks: 1 batch(es) are still not imported after 4 rounds of sending and counting. Nothing was imported twice; check the Milvus logs, then re-run load: it counts rows before sending anything again"
[ "$status" -eq 1 ] && [ "$(tail -1 "$d/load.err")" = "$want" ] && [ "$(( $(calls Import) - before ))" -eq $((batches + 3)) ] \
  && ok "a server that keeps losing tasks: exit 1 after 4 sends of the batch, with the resume path" \
  || { fail "expired/never: exit $status, $(( $(calls Import) - before )) Imports"; tail -3 "$d/load.err"; }
faults_reset_q
load expired_never load2
[ "$status" -eq 0 ] && [ "$(( $(calls Import) - before ))" -eq $((batches + 4)) ] \
  && ok "once Milvus behaves, the re-run imports the last batch once" \
  || { fail "expired/never re-run: exit $status"; cat "$d/load2.err"; }
exact_ids "after a server that lost tasks"
mm_emulator_stop

# ---- 2.3: the task listing names files; a re-run matches, waits, counts ----------------
mm_emulator_start "$work/emu23" --generation 2.3 --storage-dir "$work"
new_job rerun23 partitions_orm
before=$(calls Import)
faults '{"stepMs": 1500}'
"$bin" load --yes -c "$d/migration.yaml" >"$d/load1.out" 2>&1 &
load_pid=$!
for _ in $(seq 1 100); do [ "$(( $(calls Import) - before ))" -ge 2 ] && break; sleep 0.05; done
kill -9 "$load_pid"; wait "$load_pid" 2>/dev/null || true
load_pid=
faults '{"stepMs": 50, "expireTasks": true}'
load rerun23 load2
[ "$status" -eq 0 ] && [ "$(( $(calls Import) - before ))" -eq "$batches" ] \
  && ok "2.3: killed load, forgotten tasks: re-run imports every batch exactly once ($batches Imports)" \
  || { fail "2.3 re-run: exit $status, $(( $(calls Import) - before )) Imports for $batches batches"; cat "$d/load2.err"; }
exact_ids "2.3 forgotten tasks"

finish faults_milvus
