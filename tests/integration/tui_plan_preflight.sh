#!/usr/bin/env bash
# The wizard's Plan screen shows what the run's pre-flight would say before
# anything is dumped, at 100x30 and 80x24, against the Milvus 2.x emulator
# (which reads import files only inside its --storage-dir):
# - a collection with more than 1024 partitions (with _default): the
#   warning of rootCoord.maxPartitionNum, and that the staging probe has
#   not run yet, with how to run it;
# - target.mode local with a directory Milvus does not see: after t on the
#   Target screen, the probe's refusal, as `run` gives it;
# - after t on the Target screen with staging Milvus reads: the probe's
#   success.
# Every screen is compared exactly with tests/expected/tui/NAME.txt (names
# start with preflight-); MM_UPDATE_EXPECTED=1 rewrites them (refused under
# CI=true, tests/lib/golden.sh).
set -uo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/golden.sh"
mm_golden_guard
expected_dir=$src/tests/expected/tui
# A fixed-length name directly under /tmp: paths on screen wrap the same way
# in every run once the name is replaced.
work=$(mktemp -d /tmp/mm-tui-pf.XXXXXX)
cleanup() { mm_emulator_stop; rm -rf "$work"; }
trap cleanup EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }
declare -A compared

export TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC HOME=$work
unset NO_COLOR LINES COLUMNS MM_THEMES_DIR
export MM_INSTALL_SEARCH_PATH=$work/no-install-here
cd "$work" || exit 1

# 1024 tagged partitions (empty) and the collection's own: 1025 in 2.x.
/usr/bin/python3 - "$work/wide.json" <<'PY'
import json, sys
parts = [{"tag": "t%04d" % k, "table_id": str(1614924431180000000 + 1000 * k), "segments": []} for k in range(1024)]
scenario = {"era": "orm", "version": "0.9.1", "seed": 7, "global_lsn": 721704,
            "collections": [{"name": "wide", "dim": 4, "metric": 1, "engine_type": 1, "flag": 1, "flush_lsn": 721704,
                             "segments": [{"id": "1614924431171826000", "rows": 3}], "partitions": parts}]}
json.dump(scenario, open(sys.argv[1], "w"))
PY
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$work/wide.json" wide >/dev/null || { echo "FAIL fixture wide"; exit 1; }
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/basic_native.json" basic >/dev/null ||
  { echo "FAIL fixture basic"; exit 1; }

# The screens show the port, replaced by the 5-digit placeholder 19530.
for attempt in 1 2 3 4 5; do
  MM_EMU_GRPC_PORT=$((10000 + RANDOM % 22000)) mm_emulator_start "$work/emu" --generation 2.6 \
    --storage-dir "$work/storage" 2>"$work/emu-start.err" && break
  [ "$attempt" = 5 ] && { echo "FAIL the emulator did not start:"; cat "$work/emu-start.err"; exit 1; }
done
port=$MM_EMU_PORT
mm_emulator_faults '{"stepMs": 10}' >/dev/null || fail "faults"

# config NAME FIXTURE OUTDIR: NAME/NAME.yaml, journal in NAME/.milvus-migrate.
config() {
  mkdir -p "$1"
  local meta tables
  meta=$(find "$2" -name meta.sqlite | head -1)
  tables=$(dirname "$meta")/tables
  cat >"$1/$1.yaml" <<YAML
dumper: {worker: {workMode: milvus1x}}
meta: {mode: sqlite, sqliteFile: $meta}
source: {mode: local, local: {tablesDir: $tables}}
loader: {pollIntervalSeconds: 1}
target:
  mode: local
  local: {outputDir: $3}
  milvus2x: {endpoint: '127.0.0.1:$port', retries: 1}
YAML
  chmod 600 "$1/$1.yaml"
}

# session TAG [-- WIZARD OPTIONS...] < SCRIPT: 'snapshot NAME' lands in
# snaps/TAG/NAME.txt and is compared with the expected NAME.txt.
session() {
  local tag=$1
  shift
  [ "${1:-}" = -- ] && shift
  mkdir -p "snaps/$tag"
  cat >"$tag.script"
  local wrapper
  read -ra wrapper <<<"${MM_WIZARD_WRAPPER:-}"
  "${wrapper[@]}" "$bin" wizard --script "$tag.script" --snapshot-dir "snaps/$tag" "$@" 2>"$tag.err"
  local status=$?
  [ "$status" -eq 0 ] || fail "$tag: exit status $status: $(cat "$tag.err")"
  local want got
  want=$(sed -n 's/^snapshot //p' "$tag.script" | LC_ALL=C sort)
  got=$(find "snaps/$tag" -name '*.txt' -printf '%f\n' | sed 's/\.txt$//' | LC_ALL=C sort)
  [ "$got" = "$want" ] || fail "$tag: snapshots written [$(echo $got)], the script takes [$(echo $want)]"
  for f in "snaps/$tag"/*.txt; do
    [ -e "$f" ] || continue
    # The probe's scratch directory has a random name: 16 hex digits.
    sed -i -E "s|$work|/tmp/mm-tui-pf.XXXXXX|g; s|127\.0\.0\.1:$port|127.0.0.1:19530|g; s|milvus-migrate-probe-[0-9a-f]{16}|milvus-migrate-probe-NNNNNNNNNNNNNNNN|g" "$f"
    local snap
    snap=$(basename "$f")
    compared[$snap]=1
    mm_golden_update "$f" "$expected_dir/$snap"
    if diff -u "$expected_dir/$snap" "$f"; then ok "$snap"; else fail "$snap differs"; fi
  done
}

# ---- more than 1024 partitions: the warning, and the probe not run yet
config wide wide "$work/storage/wide"
session wide -- -c wide/wide.yaml <<'S'
t
F5
snapshot preflight-partitions
quit
S
session wide_small -- -c wide/wide.yaml --size 80x24 <<'S'
t
F5
snapshot preflight-partitions_80x24
quit
S

# ---- local staging Milvus cannot read: the probe's refusal after Target t
config unseen basic "$work/unseen/out"
session unseen -- -c unseen/unseen.yaml <<'S'
t
F4
t
F5
snapshot preflight-staging_unreadable
quit
S
session unseen_small -- -c unseen/unseen.yaml --size 80x24 <<'S'
t
F4
t
F5
snapshot preflight-staging_unreadable_80x24
quit
S
[ ! -e unseen/out ] && ok "the probe's directories removed again" || fail "left behind: $(find unseen/out)"
left=$(mm_emulator_state | /usr/bin/python3 -c 'import json, sys; print(" ".join(c for c in json.load(sys.stdin)["collections"]))')
[ -z "$left" ] && ok "no collection left in Milvus" || fail "collections left: $left"

while IFS= read -r snap; do
  [ -n "${compared[$snap]:-}" ] || fail "$snap: expected file that no session produced"
done < <(find "$expected_dir" -name 'preflight-*.txt' -printf '%f\n' | LC_ALL=C sort)

[ "$failures" -eq 0 ] && echo "$0: all passed"
[ "$failures" -eq 0 ]
