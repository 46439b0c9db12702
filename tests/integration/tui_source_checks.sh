#!/usr/bin/env bash
# The wizard shows what the source checks found before anything is
# dumped: on the Source screen after Test connection and again on the Plan
# screen, for an installation without any WAL (the warning naming
# source.local.walDir), one with data only in its WAL, and one a 1.x server
# still holds. Screens compared exactly with tests/expected/tui/checks-*.txt;
# MM_UPDATE_EXPECTED=1 rewrites them after a deliberate change.
# MM_WIZARD_WRAPPER runs each session under a command, as in tui_wizard.sh.
set -uo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
expected_dir=$src/tests/expected/tui
# A fixed-length name directly under /tmp, as in tui_wizard.sh.
work=$(mktemp -d /tmp/mm-tui-chk.XXXXXX)
holder=''
cleanup() {
  [ -n "$holder" ] && { kill -9 "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; }
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
# shellcheck source=../lib/golden.sh
. "$src/tests/lib/golden.sh"
mm_golden_guard

export TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC HOME=$work
unset NO_COLOR LINES COLUMNS MM_THEMES_DIR
# The search for installations looks in a private place, not on this host.
export MM_INSTALL_SEARCH_PATH=$work/no-install-here
cd "$work" || exit 1

# fixture NAME SCENARIO [nowal]
fixture() {
  /usr/bin/python3 - "$src/tests/fixtures/$2.json" "$1.json" "${3:-}" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
if sys.argv[3] == "nowal":
    s["wal"] = False
json.dump(s, open(sys.argv[2], "w"))
PY
  /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$1.json" "$1" >/dev/null
  cat >"$1.yaml" <<YAML
dumper: {worker: {workMode: milvus1x}}
meta: {mode: sqlite, sqliteFile: $1/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: $1/milvus/db/tables}}
target: {mode: local, local: {outputDir: out-$1}, milvus2x: {endpoint: "127.0.0.1:1", retries: 0}}
YAML
}

# session NAME CONFIG: Test connection, then the Plan screen.
session() {
  mkdir -p "snaps/$1"
  printf 't\nsnapshot source\nF5\nsnapshot plan\nquit\n' >"$1.script"
  local wrapper
  read -ra wrapper <<<"${MM_WIZARD_WRAPPER:-}"
  "${wrapper[@]}" "$bin" wizard -c "$2" --script "$1.script" --snapshot-dir "snaps/$1" 2>"$1.err"
  local status=$?
  [ "$status" -eq 0 ] || fail "$1: exit status $status: $(cat "$1.err")"
  # Nothing is printed behind the screen (a warning said after quitting).
  # (Lines of a valgrind wrapper, "==PID== ...", are its own report.)
  local behind
  behind=$(grep -v '^==[0-9]*==' "$1.err")
  [ "$status" -ne 0 ] || [ -z "$behind" ] || fail "$1: printed behind the screen: $behind"
  # Exactly the two snapshots the script takes, so a lost one fails.
  local produced
  produced=$(cd "snaps/$1" && ls -1 | tr '\n' ' ')
  [ "$produced" = "plan.txt source.txt " ] || fail "$1: snapshots written: '$produced', expected 'plan.txt source.txt '"
  for f in "snaps/$1"/*.txt; do
    sed -i -E "s|$work|/tmp/mm-tui-chk.XXXXXX|g; s|process [0-9]+ |process NNNNN |g" "$f"
    local snap=checks-$1-$(basename "$f")
    mm_golden_update "$f" "$expected_dir/$snap"
    if diff -u "$expected_dir/$snap" "$f"; then echo "ok   $snap"; else fail "$snap differs"; fi
  done
}

# scripted NAME [ENV=VALUE...] [-- WIZARD OPTIONS...] < SCRIPT: a session
# of its own script; its snapshots land as checks-NAME-SNAP.txt, exactly
# those the script takes.
scripted() {
  local name=$1
  shift
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  mkdir -p "snaps/$name"
  cat >"$name.script"
  local wrapper
  read -ra wrapper <<<"${MM_WIZARD_WRAPPER:-}"
  env "${envs[@]}" "${wrapper[@]}" "$bin" wizard "$@" --script "$name.script" --snapshot-dir "snaps/$name" 2>"$name.err"
  local status=$?
  [ "$status" -eq 0 ] || fail "$name: exit status $status: $(cat "$name.err")"
  local behind
  behind=$(grep -v '^==[0-9]*==' "$name.err")
  [ "$status" -ne 0 ] || [ -z "$behind" ] || fail "$name: printed behind the screen: $behind"
  local want got
  want=$(sed -n 's/^snapshot //p' "$name.script" | LC_ALL=C sort | tr '\n' ' ')
  got=$(find "snaps/$name" -name '*.txt' -printf '%f\n' | sed 's/\.txt$//' | LC_ALL=C sort | tr '\n' ' ')
  [ "$got" = "$want" ] || fail "$name: snapshots written [$got], the script takes [$want]"
  for f in "snaps/$name"/*.txt; do
    [ -e "$f" ] || continue
    sed -i -E "s|$work|/tmp/mm-tui-chk.XXXXXX|g; s|process [0-9]+ |process NNNNN |g" "$f"
    local snap=checks-$name-$(basename "$f")
    mm_golden_update "$f" "$expected_dir/$snap"
    if diff -u "$expected_dir/$snap" "$f"; then echo "ok   $snap"; else fail "$snap differs"; fi
  done
}

fixture nowal scenarios/basic_native nowal
session no_wal nowal.yaml

# Discovery offers only installations it can open: a copy of nowal whose
# meta.sqlite is gone (its db/ and tables still there) is left out.
cp -a nowal nometa
rm -f nometa/milvus/db/meta.sqlite nometa/milvus/db/meta.sqlite-wal nometa/milvus/db/meta.sqlite-shm
[ -d nometa/milvus/db/tables ] && [ ! -e nometa/milvus/db/meta.sqlite ] || fail "nometa: not a copy without meta.sqlite"
# No configuration here (no migration.yaml): the wizard opens on Source.
[ ! -e migration.yaml ] || fail "a migration.yaml in $work"
scripted discovery "MM_INSTALL_SEARCH_PATH=$work/nometa:$work/nowal" <<'S'
wait-idle
f
wait-text installations found (
snapshot found
quit
S

fixture unflushed scenarios/unflushed
session unflushed unflushed.yaml
# A run the source checks refuse stops before any plan: no "Planning the
# batches..." left on the Run screen, and the status says to fix the cause
# and run again (nothing to resume from the journal: it would fail again).
scripted unflushed_run -- -c unflushed.yaml <<'S'
F6
Enter
wait-job
snapshot run
quit
S
# With source.allowUnflushed the same data is a warning on both screens,
# not a refusal.
sed 's/^source: {mode: local,/source: {allowUnflushed: true, mode: local,/' unflushed.yaml >allowed.yaml
grep -q allowUnflushed allowed.yaml || fail "allowed.yaml: allowUnflushed not set"
session allowed allowed.yaml

fixture busy special/live_server
/usr/bin/python3 -u -c "import fcntl, time
a = open('busy/milvus/lock', 'r+'); fcntl.lockf(a, fcntl.LOCK_EX)
print('held', flush=True); time.sleep(600)" >held.out &
holder=$!
for _ in $(seq 1 400); do grep -q held held.out 2>/dev/null && break; sleep 0.05; done
session busy busy.yaml

[ "$failures" -eq 0 ] && echo "$0: all passed"
[ "$failures" -eq 0 ]
