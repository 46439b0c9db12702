#!/usr/bin/env bash
# The wizard's screens 4-7 (Target, Plan, Run, Verify) driven by scripted
# sessions against the Milvus 2.x emulator: every screen is compared exactly
# with tests/expected/tui/NAME.txt (names start with target-, plan-, run- or
# verify-); each session must write exactly the snapshots its script takes,
# and every expected file of this test must have been compared. Jobs run on worker threads while the script goes on, so the
# scripts wait for them (wait-job, wait-text) before taking a snapshot;
# durations, rates and ETAs are drawn as "--" in scripted sessions. Ports
# and import task ids, which change from run to run, are replaced by
# placeholders of the same width. Set MM_UPDATE_EXPECTED=1 to rewrite the
# expected files after a deliberate change (refused under CI=true, see
# tests/lib/golden.sh). MM_WIZARD_WRAPPER runs each
# scripted session under a command, as in tui_wizard.sh (e.g. valgrind).
set -uo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/golden.sh"
mm_golden_guard
expected_dir=$src/tests/expected/tui
# A fixed-length name directly under /tmp, as in tui_wizard.sh.
work=$(mktemp -d /tmp/mm-tui-run.XXXXXX)
cleanup() { mm_emulator_stop; rm -rf "$work"; }
trap cleanup EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }
declare -A compared # every expected file compared, checked against tests/expected/tui at the end

export TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC HOME=$work
unset NO_COLOR LINES COLUMNS MM_THEMES_DIR
# The search for installations looks in a private place, not on this host.
export MM_INSTALL_SEARCH_PATH=$work/no-install-here
cd "$work" || exit 1
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/partitions_orm.json" parts >/dev/null
password='Mv2-pa55word'
# The screens show the port, replaced by the 5-digit placeholder 19530:
# the emulator gets a 5-digit port below the ephemeral range, another one
# if that is taken.
for attempt in 1 2 3 4 5; do
  MM_EMU_GRPC_PORT=$((10000 + RANDOM % 22000)) mm_emulator_start "$work/emu" --generation 2.5 \
    --storage-dir "$work" --auth "root:$password" 2>"$work/emu-start.err" && break
  [ "$attempt" = 5 ] && { echo "FAIL the emulator did not start:"; cat "$work/emu-start.err"; exit 1; }
done
port=$MM_EMU_PORT
faults() { mm_emulator_faults "$1" >/dev/null || fail "faults $1"; }
fast='{"stepMs": 10, "failImport": null}' # import tasks finish in ~20 ms
faults "$fast"

# config DIR [extra lines under target.milvus2x] [extra top-level yaml]: DIR/DIR.yaml
# stages in DIR/out and keeps its journal in DIR/.milvus-migrate.
config() {
  mkdir -p "$1"
  cat >"$1/$1.yaml" <<YAML
dumper: {worker: {workMode: milvus1x}}
meta: {mode: sqlite, sqliteFile: parts/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: parts/milvus/db/tables, secondaryTablesDirs: [parts/milvus2/db/tables]}}
loader: {pollIntervalSeconds: 1${3:-}}
target:
  mode: local
  local: {outputDir: $1/out}
  milvus2x:
    endpoint: 127.0.0.1:$port
    username: root
    password: $password
    retries: 1
${2:-}
verify: {statsTimeoutSeconds: 3}
YAML
  chmod 600 "$1/$1.yaml"
}

# session TAG [ENV=VALUE...] [-- WIZARD OPTIONS...] < SCRIPT: one scripted
# session; 'snapshot NAME' lands in snaps/TAG/NAME.txt and is compared with
# the expected NAME.txt.
session() {
  local tag=$1
  shift
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  mkdir -p "snaps/$tag"
  cat >"$tag.script"
  local wrapper
  read -ra wrapper <<<"${MM_WIZARD_WRAPPER:-}"
  env "${envs[@]}" "${wrapper[@]}" "$bin" wizard --script "$tag.script" --snapshot-dir "snaps/$tag" "$@" 2>"$tag.err"
  local status=$?
  [ "$status" -eq 0 ] || fail "$tag: exit status $status: $(cat "$tag.err")"
  # Nothing is printed behind the screen: every message is on it.
  # (Lines of a valgrind wrapper, "==PID== ...", are its own report.)
  local behind
  behind=$(grep -v '^==[0-9]*==' "$tag.err")
  [ "$status" -ne 0 ] || [ -z "$behind" ] || fail "$tag: printed behind the screen: $behind"
  # Exactly the snapshots the script asks for, no fewer and no more.
  local want got
  want=$(sed -n 's/^snapshot //p' "$tag.script" | LC_ALL=C sort)
  got=$(find "snaps/$tag" -name '*.txt' -printf '%f\n' | sed 's/\.txt$//' | LC_ALL=C sort)
  [ "$got" = "$want" ] || fail "$tag: snapshots written [$(echo $got)], the script takes [$(echo $want)]"
  for f in "snaps/$tag"/*.txt; do
    [ -e "$f" ] || continue
    sed -i -E "s|$work|/tmp/mm-tui-run.XXXXXX|g; s|127\.0\.0\.1:$port|127.0.0.1:19530|g; s|449[0-9]{15}|NNNNNNNNNNNNNNNNNN|g; s|[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC|YYYY-MM-DD HH:MM UTC|g" "$f"
    local snap
    snap=$(basename "$f")
    compared[$snap]=1
    mm_golden_update "$f" "$expected_dir/$snap"
    if diff -u "$expected_dir/$snap" "$f"; then ok "$snap"; else fail "$snap differs"; fi
  done
}

report_match() {  # report.json -> "true" / "false"
  /usr/bin/python3 -c 'import json, sys; print(str(json.load(open(sys.argv[1]))["match"]).lower())' "$1" 2>/dev/null
}

# ---- Target: the form, a passing test, a wrong password, an unreachable
# server, a staging path that is a file. The password never shows.
config target
: >notadir
session target -- -c target/target.yaml <<'S'
F4
snapshot target-form
t
snapshot target-ok
Down Down Down Down
Enter
C-u
type not-the-password
Enter
t
snapshot target-wrong_password
Up Up
Enter
C-u
type 127.0.0.1:1
Enter
t
snapshot target-unreachable
Up
Enter
C-u
type notadir
Enter
snapshot target-changed
t
snapshot target-staging_not_dir
quit
S
if grep -rlF -e "$password" -e not-the-password snaps/target; then fail "a password appears on screen"; else ok "passwords never drawn"; fi

# ---- Plan: schema, partitions, batches, rows, bytes; e cycles the
# existing-collection policy. In the mono theme (NO_COLOR).
config run
session plan NO_COLOR=1 -- -c run/run.yaml <<'S'
t
F5
snapshot plan-partitions
e
snapshot plan-append
e
snapshot plan-drop
quit
S

# ---- Run: dump, load and verify to the end; the Verify screen; the report;
# a resize re-lays the screen out.
session run -- -c run/run.yaml <<'S'
t
F6
snapshot run-ready
Enter
wait-job
snapshot run-done
resize 80x24
snapshot run-done_80x24
resize 100x30
l
Home
snapshot run-log_scrolled
l
F7
snapshot verify-match
w
snapshot verify-written
quit
S
[ "$(report_match run/.milvus-migrate/report.json)" = true ] && ok "report.json says match" || fail "run/.milvus-migrate/report.json"
[ -s run/.milvus-migrate/report.md ] && ok "report.md written" || fail "report.md missing"
/usr/bin/python3 "$src/tests/lib/emulator_ids.py" parts/expected/liveset.tsv run/.milvus-migrate/report.json \
  "http://127.0.0.1:$MM_EMU_CONTROL_PORT/state" >ids.out 2>&1 && ok "Milvus holds exactly the live rows, ids and vector bytes ($(tail -1 ids.out))" || { fail "rows in Milvus"; cat ids.out; }

calls() { curl -s "http://127.0.0.1:$MM_EMU_CONTROL_PORT/calls" | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', 0))"; }
# The collection is not loaded: the run sampled nothing and loaded nothing.
[ "$(calls LoadCollection)" = 0 ] && ok "not loaded without consent: no LoadCollection" ||
  fail "LoadCollection was called $(calls LoadCollection) time(s) without consent"

# ---- l: asked first, then the collection is indexed, loaded, sampled,
# released and its index dropped; every partition is read back.
session load -- -c run/run.yaml <<'S'
c
F7
v
wait-job
snapshot verify-not_loaded
l
snapshot verify-load_dialog
Left Enter
wait-job
snapshot verify-sampled
w
quit
S
[ "$(calls LoadCollection)" = 1 ] && [ "$(calls ReleaseCollection)" = 1 ] && [ "$(calls DropIndex)" = 1 ] &&
  ok "l: loaded once, released and its index dropped" ||
  fail "l: LoadCollection $(calls LoadCollection), ReleaseCollection $(calls ReleaseCollection), DropIndex $(calls DropIndex)"
mm_emulator_state | /usr/bin/python3 -c 'import json, sys; c = json.load(sys.stdin)["collections"]["docs"]; sys.exit(0 if not c["loaded"] and c["indexes"] == [] else 1)' &&
  ok "l: docs is left as it was found (not loaded, no index)" || fail "l: docs still loaded or indexed"
/usr/bin/python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); parts = r["partitions"]; sys.exit(0 if [p["content"]["status"] for p in parts] == ["OK"] * 6 and [p["content"]["sampled"] for p in parts] == [p["sourceLive"] for p in parts] else 1)' run/.milvus-migrate/report.json 2>/dev/null &&
  ok "l: report.json: every partition sampled whole, content OK" || fail "l: report.json content"

# ---- A mismatch: another job appends the same rows to the collection;
# verifying the first job again finds twice the rows in Milvus.
config append "    existingCollection: append"
"$bin" run -c append/append.yaml >append.out 2>&1 || fail "headless append run: $(cat append.out)"
# The appending job's own verification says what was there before it.
session appended -- -c append/append.yaml <<'S'
c
F7
v
wait-job
snapshot verify-appended
quit
S
session verify -- -c run/run.yaml <<'S'
snapshot reopen-run
Enter
F7
v
wait-job
snapshot verify-mismatch
Down
snapshot verify-mismatch_partition
w
quit
S
[ "$(report_match run/.milvus-migrate/report.json)" = false ] && ok "report.json says mismatch" || fail "report.json after the append"

# ---- Cancel (asked first), then resume from the journal in a new session.
# One loader worker and slow import tasks make the moment deterministic:
# the first task stays pending for 4 s, and the screen shows it (with its
# task id) as soon as the journal records it.
# ---- A drop is asked about first, naming the collection and its rows,
# default No: Enter (the default) and n stop the run before anything
# changed; the headless run without a terminal refuses unless --yes.
rows_of() {  # rows_of COLLECTION: its row count in the emulator
  curl -s "http://127.0.0.1:$MM_EMU_CONTROL_PORT/state" | /usr/bin/python3 -c 'import json, sys
c = json.load(sys.stdin)["collections"].get(sys.argv[1])
print(sum(p["rows"] for p in c["partitions"].values()) if c else "none")' "$1"
}
before=$(rows_of docs)
config declined "    existingCollection: drop"
session declined -- -c declined/declined.yaml <<'S'
F6
Enter
wait-text Confirm data loss
snapshot run-confirm_drop
Enter
wait-job
snapshot run-drop_declined
Enter
wait-text Confirm data loss
n
wait-job
quit
S
[ "$(rows_of docs)" = "$before" ] && ok "declined drops left docs with its $before rows" || fail "docs holds $(rows_of docs) rows, had $before"
"$bin" run -c declined/declined.yaml >headless.out 2>&1 </dev/null
status=$?
[ "$status" -ne 0 ] && grep -qF "2.x collection docs on 127.0.0.1:$port is dropped with its $before row(s)" headless.out \
  && grep -qF -- "--yes" headless.out && ok "headless run without a terminal refuses the drop (exit $status), naming docs and its rows" \
  || { fail "headless run without --yes: exit $status"; cat headless.out; }
[ "$(rows_of docs)" = "$before" ] && ok "the refused headless run left docs as it was" || fail "docs changed by a refused run"

# ---- An existing 2.x collection under existingCollection: error: the
# Plan screen names it with its rows before anything runs, and the run
# stops before dumping anything.
config existing
session existing -- -c existing/existing.yaml <<'S'
t
F5
snapshot plan-existing_error
F6
Enter
wait-job
snapshot run-existing_refused
quit
S
[ ! -e existing/out/migration/batches.json ] && [ ! -d existing/out/migration/tables ] \
  && ok "the refused run staged nothing" || fail "the refused run staged files: $(ls -R existing/out | head)"

config cancel "    existingCollection: drop" ", worker: {limit: 1}"
faults '{"stepMs": 4000}'
session cancel -- -c cancel/cancel.yaml <<'S'
F6
Enter
wait-text Confirm data loss
y
wait-text pending 0%
signal INT
snapshot run-ctrl_c_dialog
n
c
snapshot run-cancel_dialog
Left Enter
wait-job
snapshot run-cancelled
quit
S
faults "$fast"
config cancel "    existingCollection: drop"
session resume -- -c cancel/cancel.yaml <<'S'
c
F6
Enter
wait-job
snapshot run-resumed
quit
S

# ---- A failing import shows Milvus's reason and how to resume; after the
# cause is gone the run completes.
config fail "    existingCollection: drop" ", worker: {limit: 1}"
faults '{"failImport": {"collection": "docs", "reason": "disk quota exceeded"}}'
session fail -- -c fail/fail.yaml <<'S'
F6
Enter
wait-text Confirm data loss
y
wait-job
snapshot run-failed
quit
S
faults "$fast"
config fail "    existingCollection: drop"
session fail_resume -- -c fail/fail.yaml <<'S'
c
F6
Enter
wait-job
snapshot run-failed_resumed
quit
S

# ---- While a run imports: one loader worker and import tasks that stay
# pending for 2 s each hold the screen with the first batch (4 rows)
# imported and the second pending. The collection's row and the Load total
# say the same (4/19 rows, 1/6 batches) in the same frame, and the Load
# bar counts rows (21%), not batches (16%). Meanwhile Source and Config
# refuse edits and say why; the Cancel dialog left open closes when the
# run ends by itself.
config agree "    existingCollection: drop" ", worker: {limit: 1}"
faults '{"stepMs": 2000}'
session agree -- -c agree/agree.yaml <<'S'
F6
Enter
wait-text Confirm data loss
y
wait-text 1614924431171827000                 4 pending 0%
snapshot run-agree
F1
Enter
snapshot run-source_read_only
F3
Enter
snapshot run-config_read_only
F6
c
wait-text Stop the job?
wait-job
snapshot run-cancel_closed
quit
S
faults "$fast"

# ---- The whole walk at 80x24.
config small "    existingCollection: drop"
session small -- -c small/small.yaml --size 80x24 <<'S'
t
F4
t
snapshot target-80x24
F5
snapshot plan-80x24
F6
Enter
wait-text Confirm data loss
snapshot run-confirm_80x24
y
wait-job
snapshot run-80x24
F7
snapshot verify-80x24
quit
S

# Every expected file of this test (target-, plan-, run-, verify-) was
# compared: a snapshot line dropped from a script above leaves its expected
# file behind, unchecked.
while IFS= read -r snap; do
  [ -n "${compared[$snap]:-}" ] || fail "$snap: expected file that no session produced"
done < <(find "$expected_dir" -name '*.txt' -printf '%f\n' | grep -E '^(target|plan|run|verify|reopen)-' | LC_ALL=C sort)

[ "$failures" -eq 0 ] && echo "$0: all passed"
[ "$failures" -eq 0 ]
