# shellcheck shell=bash
# Sourceable: what the bad-input and fault tests share.
#   ok TEXT / fail TEXT          count and print one result line
#   mm_skip TEXT                 a part that cannot run on this machine: say why
#                                ("SKIP: TEXT"); finish then returns 77, which
#                                ctest reports as skipped (SKIP_RETURN_CODE)
#   mm_have_tool TOOL PACKAGE    true when TOOL is on PATH; otherwise a skip, or
#                                under CI=true a failure: scripts/install-deps.sh
#                                installs PACKAGE, so CI must have it
#   finish NAME                  print the tally; exit status 1 if anything failed,
#                                77 if something was skipped, else 0
#   mm_write_job_config DIR FX TARGET-LINE...
#                                DIR/migration.yaml (0600) for the fixture FX
#                                (gen_fixture.py output) with the given lines
#                                under target:, e.g. "mode: local" "local: {outputDir: X}"
#   mm_batch_count ROOT          batches listed in ROOT/batches.json
#   mm_check_dumped_liveset LABEL ROOT LIVESET
#                                the .npy files of the dump under ROOT (its migration
#                                directory), read with numpy, hold exactly LIVESET
#   mm_tree_digest DIR           sha256, size, mode and mtime of every file under
#                                DIR, sorted: equal digests = untouched files
#   mm_expect_exit LABEL STATUS WANT-STDERR CMD...
#                                runs CMD; passes when it exits STATUS and its
#                                stderr (minus progress lines) is exactly WANT;
#                                output in $work/expect.out and $work/expect.err
#   mm_expect_exit_like LABEL STATUS GLOB CMD...
#                                the same with a shell pattern, for the parts a
#                                library words (errno texts of a driver)
#   mm_dead_port_hold            MM_DEAD_PORT: a loopback port where connections are
#                                refused and that no other process can take meanwhile
#                                (tests/lib/dead_port.py); mm_dead_port_release in the trap
#   mm_job_without_probe DIR     loader.probeStaging: false in DIR/migration.yaml (faults for the
#                                migration's own Imports)
#   mm_emulator_calls RPC        how often the emulator received RPC, not counting the calls about the
#                                scratch collections of load's staging probe (milvus_migrate_probe_*)
#   mm_emulator_probe_calls RPC  how often it received RPC about those scratch collections
#   mm_check_emulator_ids LABEL LIVESET REPORT
#                                the emulator holds exactly the live rows (ids and vector bytes) per partition,
#                                no partition missing or extra (tests/lib/emulator_ids.py)
mm_failures=0
mm_skips=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL: $*"; mm_failures=$((mm_failures + 1)); }
mm_skip() { echo "SKIP: $*"; mm_skips=$((mm_skips + 1)); }
mm_have_tool() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "${CI:-}" = true ]; then
    fail "$1 is not installed; scripts/install-deps.sh installs $2, so CI must have it"
  else
    mm_skip "$1 is not installed (scripts/install-deps.sh installs $2)"
  fi
  return 1
}
finish() {
  echo "$1: $mm_failures failure(s), $mm_skips skipped part(s)"
  [ "$mm_failures" -eq 0 ] || return 1
  [ "$mm_skips" -eq 0 ] || return 77
}

mm_write_job_config() {
  local dir=$1 fx=$2 sec=""
  shift 2
  [ -d "$fx/milvus2/db/tables" ] && sec=", secondaryTablesDirs: [$fx/milvus2/db/tables]"
  mkdir -p "$dir"
  {
    echo "dumper: {worker: {workMode: milvus1x, limit: 2}}"
    echo "loader: {worker: {limit: 2}, pollIntervalSeconds: 1}"
    echo "meta: {mode: sqlite, sqliteFile: $fx/milvus/db/meta.sqlite}"
    echo "source: {mode: local, local: {tablesDir: $fx/milvus/db/tables$sec}}"
    echo "state: {dir: $dir/state}"
    echo "verify: {statsTimeoutSeconds: 3}"
    echo "target:"
    local line
    for line in "$@"; do echo "  $line"; done
  } >"$dir/migration.yaml"
  chmod 600 "$dir/migration.yaml"
}

# For a test whose injected faults are meant for the migration's own
# Imports: the staging probe's Import (tests/integration/staging_probe.sh
# covers it) would otherwise meet them first.
mm_job_without_probe() {  # job dir
  sed -i 's/^loader: {/loader: {probeStaging: false, /' "$1/migration.yaml"
}

mm_batch_count() {
  /usr/bin/python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1] + "/batches.json"))))' "$1"
}

mm_check_dumped_liveset() {
  local out=${work:?}/dumped-liveset.tsv
  if /usr/bin/python3 "${MM_SOURCE_DIR:?}/tests/lib/npy_liveset.py" "$2" >"$out" 2>&1 && cmp -s "$3" "$out"; then
    ok "$1: the staged files hold exactly the live set ($(wc -l <"$out") rows)"
  else
    fail "$1: the staged files differ from the live set"
    diff "$3" "$out" | head -5
  fi
}

mm_tree_digest() {
  (cd "$1" && find . -type f -printf '%p\t%s\t%m\t%T@\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

mm_expect_exit() {
  mm_expect_match "$1" "$2" "$3" exact "${@:4}"
}

mm_expect_exit_like() {
  mm_expect_match "$1" "$2" "$3" glob "${@:4}"
}

mm_expect_match() {
  local label=$1 want_status=$2 want=$3 how=$4 status=0 got matched=0
  shift 4
  "$@" >"${work:?}/expect.out" 2>"$work/expect.err" || status=$?
  got=$(grep -v '^dump: [0-9]*/[0-9]* segments\|^load: [0-9]*/[0-9]* batches' "$work/expect.err" || true)
  if [ "$how" = glob ]; then
    # shellcheck disable=SC2053
    [[ $got == $want ]] && matched=1
  else
    [ "$got" = "$want" ] && matched=1
  fi
  if [ "$status" -eq "$want_status" ] && [ "$matched" = 1 ]; then
    ok "$label"
  else
    fail "$label: exit $status (expected $want_status)"
    echo "  got:      $got"
    echo "  expected: $want"
  fi
}

mm_dead_port_hold() {
  local f
  f=$(mktemp "${TMPDIR:-/tmp}/mm-dead-port.XXXXXX")
  /usr/bin/python3 "${MM_SOURCE_DIR:?}/tests/lib/dead_port.py" >"$f" &
  MM_DEAD_PORT_PID=$!
  for _ in $(seq 1 100); do [ -s "$f" ] && break; sleep 0.05; done
  MM_DEAD_PORT=$(cat "$f")
  rm -f "$f"
  [ -n "$MM_DEAD_PORT" ]
}

mm_dead_port_release() {
  if [ -n "${MM_DEAD_PORT_PID:-}" ]; then
    kill "$MM_DEAD_PORT_PID" 2>/dev/null || true
    wait "$MM_DEAD_PORT_PID" 2>/dev/null || true
  fi
  MM_DEAD_PORT_PID=
}

mm_emulator_calls_of() {  # RPC probe|other
  local base=http://127.0.0.1:$MM_EMU_CONTROL_PORT/calls
  /usr/bin/python3 - "$1" "$2" "$(curl -s "$base")" "$(curl -s "$base?by=collection")" <<'PY'
import json, sys
rpc, which, calls, by = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
probe = sum(n for c, n in by.get(rpc, {}).items() if c.startswith("milvus_migrate_probe_"))
print(probe if which == "probe" else calls.get(rpc, 0) - probe)
PY
}
mm_emulator_calls() { mm_emulator_calls_of "$1" other; }
mm_emulator_probe_calls() { mm_emulator_calls_of "$1" probe; }

mm_check_emulator_ids() {
  local out status=0
  out=$(/usr/bin/python3 "${MM_SOURCE_DIR:?}/tests/lib/emulator_ids.py" "$2" "$3" \
    "http://127.0.0.1:$MM_EMU_CONTROL_PORT/state" 2>&1) || status=$?
  if [ "$status" -eq 0 ]; then
    ok "$1: Milvus holds exactly the live rows, ids and vector bytes ($(printf '%s\n' "$out" | tail -1))"
  else
    fail "$1: rows in Milvus"
    printf '%s\n' "$out"
  fi
}

# mm_source_said SCENARIO: how the dump's summary line ends for a scenario
# of tests/fixtures/scenarios: what its source holds that is not migrated as
# it is (the warnings themselves go to stderr first).
mm_source_said() {
  case $1 in
    basic_native) echo "; 3 warning(s) about the source (above)" ;;
    partitions_orm) echo "; 3 row(s) of 1 segment row(s) in the 1.x meta not migrated; 6 warning(s) about the source (above)" ;;
    binary) echo "; 1 warning(s) about the source (above)" ;;
    *) echo "" ;;
  esac
}

# mm_rows_said SCENARIO: the "row count:" line a dump prints after its summary
# for a scenario whose 1.x meta counts differ from the live rows (Milvus <= 1.0
# subtracted repeated deleted_docs offsets twice); nothing for the others.
mm_rows_said() {
  local head="row count: collection"
  case $1 in
    basic_native) echo "$head 'vectors_l2': the 1.x meta counts 15 row(s) (TableFiles.row_count), but its segment files hold 17 live row(s), all of which are migrated: deleted_docs repeats 2 offset(s), which Milvus <= 1.0 subtracted from row_count twice; get_collection_stats in Milvus 2.x counts 17" ;;
    partitions_orm) echo "$head 'docs': the 1.x meta counts 18 row(s) (TableFiles.row_count), but its segment files hold 19 live row(s), all of which are migrated: deleted_docs repeats 1 offset(s), which Milvus <= 1.0 subtracted from row_count twice; get_collection_stats in Milvus 2.x counts 19" ;;
    *) ;;
  esac
}
