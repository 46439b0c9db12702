#!/usr/bin/env bash
# Usage: faults_generation.sh 2.5|2.6|3.0 (run by tests/integration/
# faults_gen_*.sh, one per generation so that ctest runs them side by side).
# Milvus 2.5, 2.6 and 3.0 answering load the way their source does (the
# emulator's generation behaviours and faults, each citing upstream in
# tests/emulator), every case ending with exactly the live rows (ids and
# vector bytes) in Milvus, no batch imported twice:
# - busy: the rate limiter (code 8) and the cluster's job limit ("try again
#   later": 2100 on 2.5, 2101 on 2.6.19+ and 3.0) refuse Imports; load
#   waits, sends them again and completes;
# - a missing job (2100 on 2.5, 2101 on 2.6.19+/3.0): counted, not re-sent;
# - a failed job's rows still counted for a while (2.6, 3.0): the count is
#   read again until it holds still, so the batch is not taken as arrived;
# - a job created after the Import call ended (2.6.14+, 3.0): the re-run
#   waits loader.settleSeconds before it counts, and does not send it again;
#   Import calls get a deadline of at least 600 s there;
# - RBAC refusing Import (a gRPC PERMISSION_DENIED): one message naming the
#   privilege, found by the staging probe before anything is created.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/checks.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-faults-gen.XXXXXX")
mkdir -p "$work/tmp"
export TMPDIR=$work/tmp
load_pid=
cleanup() {
  [ -n "$load_pid" ] && kill -9 "$load_pid" 2>/dev/null
  mm_emulator_stop
  rm -rf "$work"
}
trap cleanup EXIT

pw=Emu-pw-7
faults() { mm_emulator_faults "$1" >/dev/null; }
calls() { mm_emulator_calls "$1"; }

new_job() {  # name scenario [probe]
  d=$work/$1
  mkdir -p "$d"
  /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/$2.json" "$d/fx" >/dev/null
  mm_write_job_config "$d" "$d/fx" "mode: local" "local: {outputDir: $d/out}" \
    "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', username: mmuser, password: '$pw', retries: 1, existingCollection: drop}"
  [ "${3:-}" = probe ] || mm_job_without_probe "$d"
  "$bin" dump -c "$d/migration.yaml" >/dev/null 2>"$d/dump.err" || { fail "$1: dump"; cat "$d/dump.err"; }
  batches=$(mm_batch_count "$d/out/migration")
}

exact_ids() {  # label
  local status=0
  "$bin" verify -c "$d/migration.yaml" --report "$d/report" >"$d/verify.out" 2>&1 || status=$?
  [ "$status" -eq 0 ] || { fail "$1: verify exit $status"; cat "$d/verify.out"; return; }
  mm_check_emulator_ids "$1" "$d/fx/expected/liveset.tsv" "$d/report.json"
}

load() {  # out-base
  status=0
  "$bin" load --yes -c "$d/migration.yaml" >"$d/$1.out" 2>"$d/$1.raw" || status=$?
  grep -v '^load: [0-9]*/[0-9]* batches imported' "$d/$1.raw" >"$d/$1.err" || true
}

# What the emulator answered GetImportState for a job it does not know.
missing_codes() {
  grep -o 'GetImportState task=[0-9]* -> code=[0-9]* error_code=[0-9]* reason="import job does not exist' "$MM_EMU_LOG" |
    sed 's/.*-> \(code=[0-9]*\).*/\1/' | sort -u | tr '\n' ' '
}

case ${1:-} in
  2.5|2.6|3.0) ;;
  *) echo "usage: $0 2.5|2.6|3.0" >&2; exit 2 ;;
esac
for gen in "$1"; do
  mm_emulator_start "$work/emu$gen" --generation "$gen" --storage-dir "$work" --auth "mmuser:$pw"
  case $gen in
    2.5) sys_code=2100 ;;
    *) sys_code=2101 ;;
  esac

  # ---- busy: the rate limiter, then the job limit -----------------------------------
  new_job "busy$gen" partitions_orm
  before=$(calls Import)
  # Tasks take a second per state: with two workers the second Import meets
  # the first one's unfinished job.
  faults '{"rateLimitRpc": "Import", "rateLimitCount": 2, "jobLimit": 1, "stepMs": 1000}'
  load load
  rate=$(grep -c "^load: Milvus is busy (Import into docs\.[^ ]* of [^ ]*/tables/docs/[0-9]*/id\.npy on Milvus at 127\.0\.0\.1:$MM_EMU_PORT: request is rejected by grpc RateLimiter middleware, please retry later: rate limit exceeded\[rate=0\.1\] (code 8)); sending the Import of [^ ]*/tables/docs/[0-9]*/id\.npy again in [0-9]* s (attempt [0-9]*)$" "$d/load.err" || true)
  limit=$(grep -c "^load: Milvus is busy (.*The number of jobs has reached the limit, please try again later.* (code $sys_code)); sending the Import of [^ ]*/tables/docs/[0-9]*/id\.npy again in [0-9]* s (attempt [0-9]*)$" "$d/load.err" || true)
  imports=$(( $(calls Import) - before ))
  if [ "$status" -eq 0 ] && [ "$rate" -eq 2 ] && [ "$limit" -ge 1 ] && [ "$imports" -eq $((batches + rate + limit)) ]; then
    ok "$gen busy: 2 rate-limited and $limit job-limit refusal(s) (code $sys_code) waited out and sent again; $batches batches, $imports Imports"
  else
    fail "$gen busy: exit $status, rate=$rate limit=$limit imports=$imports for $batches batches"; cat "$d/load.err"
  fi
  mm_emulator_faults_reset >/dev/null
  exact_ids "$gen after busy refusals"

  # ---- a missing job ------------------------------------------------------------------
  new_job "missing$gen" basic_native
  before=$(calls Import)
  faults '{"expireTasks": true}'
  load load
  unknown=$(grep -c "is unknown to 127.0.0.1:$MM_EMU_PORT (import job does not exist, jobID=[0-9]*.*): it expired or the server lost it; the partition row count decides whether its [0-9]* rows arrived$" "$d/load.err" || true)
  if [ "$status" -eq 0 ] && [ "$unknown" -eq "$batches" ] && [ "$(( $(calls Import) - before ))" -eq "$batches" ] &&
     [ "$(missing_codes)" = "code=$sys_code " ]; then
    ok "$gen missing job (code $sys_code): its rows are counted, nothing sent twice ($batches Imports)"
  else
    fail "$gen missing job: exit $status, unknown=$unknown codes='$(missing_codes)' imports=$(( $(calls Import) - before ))"; cat "$d/load.err"
  fi
  mm_emulator_faults_reset >/dev/null
  exact_ids "$gen missing job"

  # ---- RBAC: Import not granted -------------------------------------------------------
  new_job "rbac$gen" basic_native probe
  created_before=$(calls CreateCollection) dropped_before=$(calls DropCollection)
  probes_before=$(mm_emulator_probe_calls DropCollection)
  faults '{"denyPrivileges": ["Import"]}'
  load load
  want="milvus-migrate load: the run would fail on the target, so nothing was dumped or changed:
- staging probe: Import on Milvus at 127.0.0.1:$MM_EMU_PORT: Milvus user mmuser lacks the privilege Import in database default, which milvus-migrate needs to bulk-import the staged files; grant Import on the target collections to a role of mmuser (or use another target.milvus2x.username), then re-run. Milvus said: PrivilegeImport: permission deny to mmuser in the \`default\` database"
  # Only the probe's scratch collection was made, and dropped again.
  changed="$(( $(calls CreateCollection) - created_before )) $(( $(calls DropCollection) - dropped_before ))"
  changed+=" $(( $(mm_emulator_probe_calls DropCollection) - probes_before ))"
  left=$(mm_emulator_state | /usr/bin/python3 -c 'import json, sys; print(" ".join(c for c in json.load(sys.stdin)["collections"] if c.startswith("milvus_migrate_probe_")))')
  if [ "$status" -eq 2 ] && [ "$(grep -v '^load: ' "$d/load.err")" = "$want" ] && [ "$changed" = "0 0 1" ] && [ -z "$left" ]; then
    ok "$gen permission denied: one message naming the privilege, exit 2, nothing created or dropped, the probe's collection dropped"
  else
    fail "$gen permission denied: exit $status, created/dropped/probe dropped: $changed, left '$left'"; cat "$d/load.err"; echo "  expected: $want"
  fi
  mm_emulator_faults_reset >/dev/null
  load load2
  [ "$status" -eq 0 ] || { fail "$gen permission granted again: exit $status"; cat "$d/load2.err"; }
  exact_ids "$gen after the privilege was granted"

  deadlines=$(mm_emulator_state | /usr/bin/python3 -c '
import json, sys
d = [x for x in json.load(sys.stdin)["importDeadlines"] if x is not None]
print(min(d), max(d))')
  if [ "$gen" = 2.5 ]; then
    read -r lo hi <<<"$deadlines"
    [ "$lo" -ge 29 ] && [ "$hi" -le 30 ] && ok "$gen: Import calls have the per-call deadline ($deadlines s)" ||
      fail "$gen: Import deadlines $deadlines"
  else
    read -r lo _ <<<"$deadlines"
    [ "$lo" -ge 590 ] && ok "$gen: Import calls have a deadline of at least 600 s ($deadlines)" || fail "$gen: Import deadlines $deadlines"
  fi

  if [ "$gen" != 2.5 ]; then
    # ---- a failed job's rows counted for a while --------------------------------------
    # Every job is forgotten; bin_hamming's write their rows, then fail, and
    # the rows stay counted 4 s. Once they failed the failure is cleared, so
    # the batches sent again arrive.
    new_job "failedrows$gen" binary
    before=$(calls Import)
    known=$(mm_emulator_state | /usr/bin/python3 -c 'import json, sys; print(sum(t["collection"] == "bin_hamming" for t in json.load(sys.stdin)["tasks"]))')
    faults '{"expireTasks": true, "failedRowsMs": 4000, "failImport": {"collection": "bin_hamming", "reason": "lost", "afterRows": true}}'
    "$bin" load --yes -c "$d/migration.yaml" >"$d/load.out" 2>"$d/load.raw" &
    load_pid=$!
    cleared=0
    for _ in $(seq 1 300); do
      if mm_emulator_state | /usr/bin/python3 -c '
import json, sys
tasks = [t for t in json.load(sys.stdin)["tasks"] if t["collection"] == "bin_hamming"][int(sys.argv[1]):]
sys.exit(0 if len(tasks) == 2 and all(t["state"] == 1 for t in tasks) else 1)' "$known"; then
        faults '{"failImport": null}'; cleared=1; break
      fi
      sleep 0.1
    done
    status=0
    wait "$load_pid" || status=$?
    load_pid=
    grep -v '^load: [0-9]*/[0-9]* batches imported' "$d/load.raw" >"$d/load.err" || true
    moving=$(grep -c "^load: the row counts of bin_hamming are still changing (a failed import's rows leaving?); reading them again in 5 s$" "$d/load.err" || true)
    if [ "$cleared" = 1 ] && [ "$status" -eq 0 ] && [ "$moving" -ge 1 ] &&
       grep -q "^load: bin_hamming\._default holds 0 rows: the 2 interrupted batch(es) did not arrive and are sent again$" "$d/load.err" &&
       ! grep -q "^load: bin_hamming\._default holds 14 rows: the 2 interrupted batch(es) arrived$" <(sed -n '1,/did not arrive/p' "$d/load.err") &&
       [ "$(( $(calls Import) - before ))" -eq $((batches + 2)) ]; then
      ok "$gen failed job counted for 4 s: counts read until they hold still, the batches sent again once ($((batches + 2)) Imports for $batches batches)"
    else
      fail "$gen failed rows: cleared=$cleared exit $status moving=$moving imports=$(( $(calls Import) - before ))"; cat "$d/load.err"
    fi
    mm_emulator_faults_reset >/dev/null
    exact_ids "$gen failed job counted for a while"

    # ---- a job created after the Import call ended ------------------------------------
    new_job "late$gen" basic_native
    sed -i 's/^loader: {/loader: {settleSeconds: 6, /' "$d/migration.yaml"
    before=$(calls Import)
    faults '{"lateJobMs": 3000, "lateJobCount": 1}'
    load load1
    if [ "$status" -ne 0 ] && grep -q "the Import call may or may not have reached Milvus; a re-run of load finds out before sending it again (waiting loader.settleSeconds first, as Milvus 2.6 and later can still create its job)" "$d/load1.err"; then
      ok "$gen late job: the Import without an answer stops load, saying the re-run waits first"
    else
      fail "$gen late job: first load exit $status"; cat "$d/load1.err"
    fi
    version=$(mm_emulator_state | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
    load load2
    if [ "$status" -eq 0 ] &&
       grep -q "^load: Milvus $version may still create the job of an Import whose answer was lost: waiting 6 s (loader.settleSeconds), then listing and counting again$" "$d/load2.err" &&
       grep -q "^load: [a-z_]*\._default holds [0-9]* rows: the 1 interrupted batch(es) arrived$" "$d/load2.err" &&
       [ "$(( $(calls Import) - before ))" -eq "$batches" ]; then
      ok "$gen late job: found after the settle wait and recorded, not sent again ($batches Imports for $batches batches)"
    else
      fail "$gen late job: re-run exit $status, $(( $(calls Import) - before )) Imports for $batches batches"; cat "$d/load2.err"
    fi
    mm_emulator_faults_reset >/dev/null
    exact_ids "$gen late job"
  fi
  mm_emulator_stop
done

finish "faults_generation $1"
