#!/usr/bin/env bash
# dump -> load -> verify into the Milvus 2.x emulator (local staging): exact
# rows (ids and vector bytes) per partition for float, binary, partitions and
# deletes on both server generations; re-runs import nothing twice, also
# after a kill between submit and completion and after an Import whose
# answer was lost; failure cases end with the exact message and exit status.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/checks.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-load.XXXXXX")
cleanup() { mm_emulator_stop; mm_dead_port_release; rm -rf "$work"; }
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }

mm_emulator_faults_q() { mm_emulator_faults "$1" >/dev/null; }
calls() { mm_emulator_calls "$1"; }

# The emulator's rows (ids and vector bytes) per 1.x collection and tag,
# mapped through the verify report, compared with the fixture's expected
# live set; no partition may be missing or extra.
check_ids() {  # label fixture-dir report.json
  if /usr/bin/python3 "$src/tests/lib/emulator_ids.py" "$2/expected/liveset.tsv" "$3" \
    "http://127.0.0.1:$MM_EMU_CONTROL_PORT/state" >"$work/ids.out" 2>&1; then ok "$1: Milvus holds exactly the live rows, ids and vector bytes ($(tail -1 "$work/ids.out"))"; else fail "$1: rows in Milvus"; cat "$work/ids.out"; fi
}
# FILE without progress lines equals the lines given (exact, in order).
same_lines() {  # label file line...
  local label=$1 file=$2 got want
  shift 2
  got=$(grep -v '^load: [0-9]*/[0-9]* batches\|^dump: [0-9]*/[0-9]* segments' "$file" || true)
  want=$(printf '%s\n' "$@")
  if [ "$got" = "$want" ]; then ok "$label"; else fail "$label"; diff <(echo "$want") <(echo "$got"); fi
}
collections_in() { /usr/bin/python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["collections"]))' "$1"; }

# The staging probe's Import runs first; the fault sections below turn it
# off so that their faults meet the migration's own Imports.
probe_staging=true
write_config() {  # dir fixture-dir port [extra milvus2x yaml lines]
  local sec=""
  [ -d "$2/milvus2/db/tables" ] && sec="    secondaryTablesDirs: [$2/milvus2/db/tables]"
  cat >"$1/migration.yaml" <<YAML
dumper:
  worker:
    workMode: milvus1x
    limit: 2
loader:
  worker:
    limit: 2
  pollIntervalSeconds: 1
  probeStaging: $probe_staging
meta:
  mode: sqlite
  sqliteFile: $2/milvus/db/meta.sqlite
source:
  mode: local
  local:
    tablesDir: $2/milvus/db/tables
$sec
target:
  mode: local
  local:
    outputDir: $1/out
  milvus2x:
    endpoint: 127.0.0.1:$3
    retries: 1
${4:-}
verify:
  statsTimeoutSeconds: 3
YAML
  chmod 600 "$1/migration.yaml"
}

for gen in 2.5 2.3; do
  mm_emulator_start "$work/emu$gen" --generation "$gen" --storage-dir "$work"
  for scenario in partitions_orm binary basic_native all_deleted; do
    d=$work/$gen-$scenario
    mkdir -p "$d"
    /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/$scenario.json" "$d/fx" >/dev/null
    write_config "$d" "$d/fx" "$MM_EMU_PORT"
    status=0
    "$bin" run -c "$d/migration.yaml" --report "$d/report" >"$d/stdout" 2>"$d/stderr" || status=$?
    if [ "$status" -ne 0 ]; then fail "$gen $scenario: run exit $status"; cat "$d/stderr" "$d/stdout"; continue; fi
    grep -q "^All counts match.$" "$d/stdout" && ok "$gen $scenario: run verified" || { fail "$gen $scenario: verify"; cat "$d/stdout"; }
    check_ids "$gen $scenario" "$d/fx" "$d/report.json"
    imports=$(calls Import)
    # A second run finds every batch dumped and imported and sends nothing.
    "$bin" run -c "$d/migration.yaml" --report "$d/report2" >"$d/stdout2" 2>"$d/stderr2" || fail "$gen $scenario: second run failed"
    n=$(mm_batch_count "$d/out/migration")
    [ "$(grep '^dumped \|^loaded ' "$d/stdout2")" = "dumped 0 rows in 0 new batch(es) (0 B) to $d/out/migration; $n batch(es) were already complete$(mm_source_said "$scenario")
loaded 0 rows in 0 batch(es) into 127.0.0.1:$MM_EMU_PORT; $n batch(es) were imported before; collections: 0 created, 0 appended to, 0 skipped, $(collections_in "$d/report.json") resumed; 0 partition(s) created" ] \
      && [ "$(calls Import)" = "$imports" ] && ok "$gen $scenario: re-run dumps and imports nothing" \
      || { fail "$gen $scenario: re-run dumped or imported again"; cat "$d/stdout2"; }
  done
  mm_emulator_stop
done

# The verify table itself, exactly, for the partitions scenario on 2.5,
# after the dump's word on the meta's row count.
d=$work/2.5-partitions_orm
port=$(grep -o 'endpoint: 127.0.0.1:[0-9]*' "$d/migration.yaml" | cut -d: -f3)
sed "s/127.0.0.1:$port/127.0.0.1:PORT/; s#$d#DIR#g" "$d/stdout" | grep -v '^dumped\|^loaded' >"$work/table.txt"
cat >"$work/table.want" <<'TXT'
row count: collection 'docs': the 1.x meta counts 18 row(s) (TableFiles.row_count), but its segment files hold 19 live row(s), all of which are migrated: deleted_docs repeats 1 offset(s), which Milvus <= 1.0 subtracted from row_count twice; get_collection_stats in Milvus 2.x counts 19
Verification against 127.0.0.1:PORT (Milvus v2.5.4)

COLLECTION               1.X PARTITION  2.X PARTITION                1.X LIVE       STAGED     IMPORTED       MILVUS  SAMPLED  CONTENT           STATUS
docs                     (default)      docs._default                       8            8            8            8        -  not loaded        OK
docs                     2021           docs._2021                          2            2            2            2        -  not loaded        OK
docs                     empty          docs.empty                          0            0            0            0        -  not loaded        OK
docs                     o'brien        docs.o_brien                        3            3            3            3        -  not loaded        OK
docs                     p 1            docs.p_1                            4            4            4            4        -  not loaded        OK
docs                     データ         docs._xe38387_xe383bc_xe382bf            2            2            2            2        -  not loaded        OK

collection docs: expected 19, Milvus 19: OK

Content sample (up to 1000 row(s) per partition, seed 1): 0 row(s) of 0 partition(s) read back from Milvus.
Content of docs not sampled: Milvus has not loaded it. Set verify.loadForSample: true to load it for the sample (about 912 B of query-node memory; released afterwards), or load it and verify again.

4 name(s) rewritten for Milvus 2.x, 6 warning(s) about the 1.x source (3 row(s) of its meta not migrated): listed in the report

All counts match.
report: DIR/report.json, DIR/report.md
TXT
diff -u "$work/table.want" "$work/table.txt" && ok "verify table" || fail "verify table differs"

# ---- crashes and lost answers (2.5) ------------------------------------------
probe_staging=false
mm_emulator_start "$work/emu-crash" --generation 2.5 --storage-dir "$work"
d=$work/crash
mkdir -p "$d"
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/partitions_orm.json" "$d/fx" >/dev/null
write_config "$d" "$d/fx" "$MM_EMU_PORT"
"$bin" dump -c "$d/migration.yaml" >/dev/null 2>&1 || fail "crash: dump"
batches=$(/usr/bin/python3 -c "import json; print(len(json.load(open('$d/out/migration/batches.json'))))")
mm_emulator_faults_q '{"stepMs": 60000}'
"$bin" load -c "$d/migration.yaml" >"$d/load1.out" 2>&1 &
load_pid=$!
for _ in $(seq 1 100); do [ "$(calls Import)" -ge 2 ] && break; sleep 0.1; done
kill -9 "$load_pid"; wait "$load_pid" 2>/dev/null || true
submitted=$(calls Import)
[ "$submitted" -ge 1 ] && ok "crash: load killed with $submitted Import(s) in flight" || fail "crash: nothing submitted"
mm_emulator_faults_q '{"stepMs": 50}'
"$bin" load -c "$d/migration.yaml" >"$d/load2.out" 2>"$d/load2.err" || { fail "crash: re-run failed"; cat "$d/load2.err"; }
[ "$(calls Import)" = "$batches" ] && ok "crash: $batches batches imported with exactly $batches Import calls" \
  || fail "crash: $(calls Import) Import calls for $batches batches"
"$bin" verify -c "$d/migration.yaml" --report "$d/report" >"$d/verify.out" 2>&1 && ok "crash: verify matches" || { fail "crash: verify"; cat "$d/verify.out"; }
check_ids "crash" "$d/fx" "$d/report.json"

# Import answered with a broken connection after Milvus created the task:
# the re-run finds the rows there and does not send the batch again.
d=$work/lost
mkdir -p "$d"
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/basic_native.json" "$d/fx" >/dev/null
write_config "$d" "$d/fx" "$MM_EMU_PORT" "    existingCollection: error"
# One loader worker: the first Import loses its answer and load stops there.
sed -i '/^loader:/,/^  pollIntervalSeconds/s/^    limit: 2$/    limit: 1/' "$d/migration.yaml"
"$bin" dump -c "$d/migration.yaml" >/dev/null 2>&1 || fail "lost: dump"
before=$(calls Import)
mm_emulator_faults_q '{"loseAnswerRpc": "Import", "loseAnswerCount": 1}'
mm_expect_exit "lost answer: load stops and says so" 1 "load: connected to 127.0.0.1:$MM_EMU_PORT (Milvus v2.5.4)
load: created collection vectors_ip (FloatVector, dim 16)
load: created collection vectors_l2 (FloatVector, dim 8)
milvus-migrate load: the Import call may or may not have reached Milvus; a re-run of load finds out before sending it again: Import on Milvus at 127.0.0.1:$MM_EMU_PORT: server unavailable after 1 attempt (emulated connection loss after the call); check target.milvus2x.endpoint and that Milvus is running and reachable" \
  "$bin" load -c "$d/migration.yaml"
"$bin" load -c "$d/migration.yaml" >"$d/load2.out" 2>"$d/load2.err" || { fail "lost answer: re-run"; cat "$d/load2.err"; }
same_lines "lost answer: re-run finds the batch arrived" "$d/load2.err" "load: connected to 127.0.0.1:$MM_EMU_PORT (Milvus v2.5.4)" \
  "load: 1 batch(es) of vectors_ip were being submitted when the last run stopped; finding out whether Milvus received them" \
  "load: vectors_ip._default holds 9 rows: the 1 interrupted batch(es) arrived"
batches=$(/usr/bin/python3 -c "import json; print(len(json.load(open('$d/out/migration/batches.json'))))")
[ "$(( $(calls Import) - before ))" = "$batches" ] && ok "lost answer: no Import sent twice" || fail "lost answer: $(( $(calls Import) - before )) Imports for $batches batches"
"$bin" verify -c "$d/migration.yaml" --report "$d/report" >"$d/verify.out" 2>&1 && check_ids "lost answer" "$d/fx" "$d/report.json" || { fail "lost answer: verify"; cat "$d/verify.out"; }

# Two interrupted batches of one partition, one arrived and one not (a
# kill just after the second was recorded as being submitted): the row
# count fits only one of them, so that one is kept and the other sent.
d=$work/partly
mkdir -p "$d"
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/basic_native.json" "$d/fx" >/dev/null
write_config "$d" "$d/fx" "$MM_EMU_PORT" "    existingCollection: drop"
sed -i '/^loader:/,/^  pollIntervalSeconds/s/^    limit: 2$/    limit: 1/' "$d/migration.yaml"
"$bin" dump -c "$d/migration.yaml" --col vectors_l2 >/dev/null 2>&1 || fail "partly: dump"
before=$(calls Import)
mm_emulator_faults_q '{"loseAnswerRpc": "Import", "loseAnswerCount": 1}'
# vectors_l2 exists from the job above: its drop is accepted with --yes.
"$bin" load -c "$d/migration.yaml" --col vectors_l2 --yes >/dev/null 2>"$d/load1.err" && fail "partly: the lost answer did not stop load"
j="$d/.milvus-migrate/journal.sqlite"
lost=$(sqlite3 "$j" "SELECT segment || ' ' || rows FROM batch WHERE state = 2 AND task_ids = ''")
other=$(sqlite3 "$j" "SELECT segment FROM batch WHERE state = 1 AND partition_tag = '' AND rows != ${lost#* } ORDER BY segment LIMIT 1")
if [ "$(wc -w <<<"$lost")" = 2 ] && [ -n "$other" ]; then
  sqlite3 "$j" "UPDATE batch SET state = 2, task_ids = '' WHERE segment = '$other'"
  "$bin" load -c "$d/migration.yaml" --col vectors_l2 >"$d/load2.out" 2>"$d/load2.err" || { fail "partly: re-run"; cat "$d/load2.err"; }
  grep -q "^load: vectors_l2._default holds [0-9]* rows: 1 of the 2 interrupted batch(es) arrived (the only ones whose rows add up to that); the others are sent again$" "$d/load2.err" \
    && ok "partly: the batch that arrived is told from the one that did not" || { fail "partly: resolution"; cat "$d/load2.err"; }
  batches=$(/usr/bin/python3 -c "import json; print(len(json.load(open('$d/out/migration/batches.json'))))")
  [ "$(( $(calls Import) - before ))" = "$batches" ] && ok "partly: $batches batches, $batches Import calls" \
    || fail "partly: $(( $(calls Import) - before )) Imports for $batches batches"
  "$bin" verify -c "$d/migration.yaml" --col vectors_l2 --report "$d/report" >"$d/verify.out" 2>&1 \
    && ok "partly: verify matches" || { fail "partly: verify"; cat "$d/verify.out"; }
else
  fail "partly: expected one lost batch and another of its partition, got '$lost' and '$other'"; cat "$d/load1.err"
fi

# An outage before Milvus saw the Import: the re-run sends it again.
d=$work/outage
mkdir -p "$d"
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/binary.json" "$d/fx" >/dev/null
write_config "$d" "$d/fx" "$MM_EMU_PORT"
# One loader worker: the first Import is the one that meets the outage, and
# load stops before sending any other.
sed -i '/^loader:/,/^  pollIntervalSeconds/s/^    limit: 2$/    limit: 1/' "$d/migration.yaml"
"$bin" dump -c "$d/migration.yaml" >/dev/null 2>&1 || fail "outage: dump"
mm_emulator_faults_q '{"unavailableRpc": "Import", "unavailableCount": 1}'
"$bin" load -c "$d/migration.yaml" >/dev/null 2>"$d/load1.err" && fail "outage: load should fail"
"$bin" load -c "$d/migration.yaml" >/dev/null 2>"$d/load2.err" || { fail "outage: re-run"; cat "$d/load2.err"; }
same_lines "outage: re-run resends the batch Milvus never saw" "$d/load2.err" "load: connected to 127.0.0.1:$MM_EMU_PORT (Milvus v2.5.4)" \
  "load: 1 batch(es) of bin_hamming were being submitted when the last run stopped; finding out whether Milvus received them" \
  "load: bin_hamming._default holds 0 rows: the 1 interrupted batch(es) did not arrive and are sent again"
"$bin" verify -c "$d/migration.yaml" --report "$d/report" >"$d/verify.out" 2>&1 && check_ids "outage" "$d/fx" "$d/report.json" || { fail "outage: verify"; cat "$d/verify.out"; }

# A failed import task: exit 1 with Milvus's reason; after the cause is gone
# the re-run imports it.
d=$work/failtask
mkdir -p "$d"
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/basic_native.json" "$d/fx" >/dev/null
write_config "$d" "$d/fx" "$MM_EMU_PORT" "    existingCollection: drop"
# One loader worker: the first batch of the collection fails and load stops there.
sed -i '/^loader:/,/^  pollIntervalSeconds/s/^    limit: 2$/    limit: 1/' "$d/migration.yaml"
"$bin" dump -c "$d/migration.yaml" >/dev/null 2>&1 || fail "failtask: dump"
coll=$(cut -f1 "$d/fx/expected/liveset.tsv" | sort -u | head -1)
mm_emulator_faults_q "{\"failImport\": {\"collection\": \"$coll\", \"reason\": \"disk quota exceeded\"}}"
status=0
"$bin" load -c "$d/migration.yaml" --yes >/dev/null 2>"$d/load1.err" || status=$?
task=$(mm_emulator_state | /usr/bin/python3 -c 'import json, sys; print(" ".join(t["id"] for t in json.load(sys.stdin)["tasks"] if t["state"] == 1))')
want="milvus-migrate load: import task $task (batch 1615497440222000000/0 of vectors_ip (partition _default), files tables/vectors_ip/1615497440222000000/id.npy, tables/vectors_ip/1615497440222000000/data.npy) failed on 127.0.0.1:$MM_EMU_PORT: disk quota exceeded. Fix the cause and re-run load; imported batches are not imported again"
[ "$status" -eq 1 ] && [ "$(tail -1 "$d/load1.err")" = "$want" ] \
  && ok "failed task: exit 1 with the batch, its files and the reason" || { fail "failed task: exit $status"; cat "$d/load1.err"; echo "  expected: $want"; }
mm_emulator_faults_reset >/dev/null
"$bin" run -c "$d/migration.yaml" --yes --report "$d/report" >"$d/run.out" 2>"$d/run.err" && check_ids "failed task then re-run" "$d/fx" "$d/report.json" || { fail "failed task: re-run"; cat "$d/run.err"; }

# loader.deleteStagedFiles: the .npy files go only after verify matched, and
# a later run neither re-dumps nor re-imports those batches.
d=$work/cleanup
mkdir -p "$d"
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/binary.json" "$d/fx" >/dev/null
write_config "$d" "$d/fx" "$MM_EMU_PORT" "    existingCollection: drop"
sed -i 's/^  pollIntervalSeconds: 1$/  pollIntervalSeconds: 1\n  deleteStagedFiles: true/' "$d/migration.yaml"
"$bin" run -c "$d/migration.yaml" --yes --report "$d/report" >"$d/run.out" 2>&1 || { fail "cleanup: run"; cat "$d/run.out"; }
files=$(find "$d/out/migration/tables" -name '*.npy' | wc -l)
n=$(mm_batch_count "$d/out/migration")
[ "$files" -eq 0 ] && [ "$(tail -1 "$d/run.out")" = "deleted $((2 * n)) staged file(s) (loader.deleteStagedFiles: true)" ] \
  && ok "deleteStagedFiles: the $((2 * n)) staged files removed after verification" || { fail "cleanup: $files files left"; cat "$d/run.out"; }
check_ids "deleteStagedFiles" "$d/fx" "$d/report.json"
imports=$(calls Import)
"$bin" run -c "$d/migration.yaml" --report "$d/report2" >"$d/run2.out" 2>&1 || { fail "cleanup: second run"; cat "$d/run2.out"; }
[ "$(grep '^dumped ' "$d/run2.out")" = "dumped 0 rows in 0 new batch(es) (0 B) to $d/out/migration; $n batch(es) were already complete$(mm_source_said binary)" ] \
  && [ "$(calls Import)" = "$imports" ] && grep -q "^All counts match.$" "$d/run2.out" \
  && ok "deleteStagedFiles: a later run re-dumps and re-imports nothing" || { fail "cleanup: second run redid work"; cat "$d/run2.out"; }
[ "$(tail -1 "$d/run2.out")" = "deleted 0 staged file(s) (loader.deleteStagedFiles: true); $((2 * n)) were already gone" ] \
  && ok "deleteStagedFiles: the later run deletes nothing and says the files were already gone" \
  || { fail "cleanup: second run's deletion line"; tail -1 "$d/run2.out"; }

# ---- existing collections ------------------------------------------------------
# Same 1.x data, fresh journal: the collection from "crash" exists.
d=$work/existing
mkdir -p "$d"
cp -r "$work/crash/fx" "$d/fx"
write_config "$d" "$d/fx" "$MM_EMU_PORT"
status=0
"$bin" run -c "$d/migration.yaml" >/dev/null 2>"$d/err" || status=$?
# Found before anything is dumped (the target check), not after the dump.
want="milvus-migrate run: the run would fail on the target, so nothing was dumped or changed:
- 2.x collection docs already exists on 127.0.0.1:$MM_EMU_PORT with 19 row(s), and target.milvus2x.existingCollection is error: the run would stop there. Set it to append, drop or skip, or give the collection another 2.x name (target.milvus2x.names)"
[ "$status" -eq 2 ] && [ "$(cat "$d/err")" = "$want" ] && [ ! -e "$d/out/migration/batches.json" ] \
  && ok "existing collection: refused by default before anything is dumped" || { fail "existing: exit $status"; cat "$d/err"; ls -R "$d/out" 2>&1 | head; }
write_config "$d" "$d/fx" "$MM_EMU_PORT" "    existingCollection: skip"
imports=$(calls Import)
"$bin" run -c "$d/migration.yaml" --report "$d/skip" >"$d/skip.out" 2>&1 || { fail "skip: run"; cat "$d/skip.out"; }
grep -q "^collection docs: expected 19, Milvus -: SKIPPED$" "$d/skip.out" && [ "$(calls Import)" = "$imports" ] \
  && grep -qx "load: skipped collection docs: it exists (target.milvus2x.existingCollection: skip)" "$d/skip.out" \
  && ok "existing collection: skip sends no Import" || { fail "skip: $(( $(calls Import) - imports )) Import(s)"; cat "$d/skip.out"; }
# ... and leaves the rows there as they were: the live set once, from "crash".
check_ids "skip: Milvus unchanged" "$d/fx" "$d/skip.json"
d=$work/append
mkdir -p "$d"
cp -r "$work/crash/fx" "$d/fx"
write_config "$d" "$d/fx" "$MM_EMU_PORT" "    existingCollection: append"
"$bin" run -c "$d/migration.yaml" --report "$d/report" >"$d/run.out" 2>&1 || { fail "append: run"; cat "$d/run.out"; }
grep -q "^collection docs: expected 38, Milvus 38: OK$" "$d/run.out" \
  && grep -qx "docs                     p 1            docs.p_1                            4            4            4            8        -  not loaded        OK  (4 rows were there before)" "$d/run.out" \
  && grep -qx "load: appending to existing collection docs, which holds 19 rows" "$d/run.out" \
  && ok "existing collection: append counts the rows that were there" || { fail "append"; cat "$d/run.out"; }
# Every live row is now there twice: once from "crash", once appended.
cat "$d/fx/expected/liveset.tsv" "$d/fx/expected/liveset.tsv" >"$d/twice.tsv"
mkdir -p "$d/twice/expected"
cp "$d/twice.tsv" "$d/twice/expected/liveset.tsv"
check_ids "append: every live row twice" "$d/twice" "$d/report.json"
# The first job's verify now sees every row twice: exit 3, and says why.
status=0
"$bin" verify -c "$work/crash/migration.yaml" --report "$work/crash/again" >"$work/crash/again.out" 2>&1 || status=$?
[ "$status" -eq 3 ] && grep -qx "docs                     p 1            docs.p_1                            4            4            4            8        -  not loaded        MISMATCH  Milvus counts 8 rows, expected 4 (rows imported twice or added by someone else?)" "$work/crash/again.out" \
  && ok "mismatch: exit 3 with the partition and the cause" || { fail "mismatch: exit $status"; cat "$work/crash/again.out"; }
mm_emulator_stop

# ---- connection problems -----------------------------------------------------------
mm_emulator_start "$work/emu-auth" --generation 2.3 --storage-dir "$work" --auth root:Milvus
d=$work/auth
mkdir -p "$d"
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/basic_native.json" "$d/fx" >/dev/null
write_config "$d" "$d/fx" "$MM_EMU_PORT" "    username: root
    password: wrong-secret-42"
status=0
"$bin" load -c "$d/migration.yaml" >/dev/null 2>"$d/err" || status=$?
want="milvus-migrate load: Connect on Milvus at 127.0.0.1:$MM_EMU_PORT: authentication failed (auth check failure, please check username and password are correct); check target.milvus2x.username and target.milvus2x.password"
[ "$status" -eq 1 ] && [ "$(cat "$d/err")" = "$want" ] && ok "wrong password: exit 1, exact message" || { fail "wrong password: exit $status"; cat "$d/err"; }
grep -rq "wrong-secret-42" "$d/err" "$work/emu-auth/emulator.log" && fail "the password leaked" || ok "the password appears in no output or server log"
write_config "$d" "$d/fx" "$MM_EMU_PORT" "    username: root
    password: Milvus"
"$bin" run -c "$d/migration.yaml" --report "$d/report" >"$d/run.out" 2>&1 && check_ids "auth" "$d/fx" "$d/report.json" || { fail "auth: run"; cat "$d/run.out"; }
mm_emulator_stop
# A port where connections are refused, held so that nothing else takes it.
mm_dead_port_hold
port=$MM_DEAD_PORT
write_config "$d" "$d/fx" "$port"
status=0
"$bin" load -c "$d/migration.yaml" >/dev/null 2>"$d/err" || status=$?
[ "$status" -eq 1 ] && grep -q "^milvus-migrate load: Connect on Milvus at 127.0.0.1:$port: server unavailable after 2 attempts (.*); check target.milvus2x.endpoint and that Milvus is running and reachable$" "$d/err" \
  && ok "unreachable server: exit 1, names the server and the key" || { fail "unreachable: exit $status"; cat "$d/err"; }

echo "load_verify: $failures failure(s)"
[ "$failures" -eq 0 ]
