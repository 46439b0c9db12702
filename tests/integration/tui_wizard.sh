#!/usr/bin/env bash
# The wizard driven by scripted sessions (`wizard --script`, no terminal
# needed): every screen is compared exactly with tests/expected/tui/NAME.txt;
# each session must write exactly the snapshots its script takes, and every
# expected file of this test must have been compared.
# Set MM_UPDATE_EXPECTED=1 to rewrite the expected files after a deliberate
# change (refused under CI=true, see tests/lib/golden.sh).
# MM_WIZARD_WRAPPER runs each scripted session under a command, e.g.
# "valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite".
set -uo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/golden.sh"
mm_golden_guard
expected_dir=$src/tests/expected/tui
# A fixed-length name directly under /tmp: paths shown on screen are then
# replaced by a placeholder of the same length, so column layouts match.
work=$(mktemp -d /tmp/mm-tui.XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
declare -A compared # every expected file compared, checked against tests/expected/tui at the end

export TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC HOME=$work
unset NO_COLOR LINES COLUMNS MM_THEMES_DIR
# The search for installations looks in a private place, not on this host.
export MM_INSTALL_SEARCH_PATH=$work/no-install-here
cd "$work" || exit 1
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/partitions_orm.json" parts >/dev/null
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/basic_native.json" basic >/dev/null
secret='Sup3r-S3cret!pw'

cat >parts.yaml <<YAML
dumper: {worker: {workMode: milvus1x}}
meta: {mode: sqlite, sqliteFile: parts/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: parts/milvus/db/tables, secondaryTablesDirs: [parts/milvus2/db/tables]}}
target: {mode: local, local: {outputDir: out}, milvus2x: {endpoint: "127.0.0.1:1", retries: 0}}
YAML

# session NAME [ENV=VALUE...] [-- WIZARD OPTIONS...] < SCRIPT: runs one scripted
# session; its snapshots land in snaps/NAME-*.txt, its stderr in NAME.err.
session() {
  local name=$1
  shift
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  mkdir -p "snaps/$name"
  cat >"$name.script"
  local wrapper
  read -ra wrapper <<<"${MM_WIZARD_WRAPPER:-}"
  env "${envs[@]}" "${wrapper[@]}" "$bin" wizard --script "$name.script" --snapshot-dir "snaps/$name" "$@" 2>"$name.err"
  local status=$?
  [ "$status" -eq 0 ] || fail "$name: exit status $status: $(cat "$name.err")"
  # Nothing is printed behind the screen: every message is on it.
  # (Lines of a valgrind wrapper, "==PID== ...", are its own report.)
  local behind
  behind=$(grep -v '^==[0-9]*==' "$name.err")
  [ "$status" -ne 0 ] || [ -z "$behind" ] || fail "$name: printed behind the screen: $behind"
  # Exactly the snapshots the script asks for, no fewer (a snapshot not
  # written would otherwise go unnoticed) and no more.
  local want got
  want=$(sed -n 's/^snapshot //p' "$name.script" | LC_ALL=C sort)
  got=$(find "snaps/$name" -name '*.txt' -printf '%f\n' | sed 's/\.txt$//' | LC_ALL=C sort)
  [ "$got" = "$want" ] || fail "$name: snapshots written [$(echo $got)], the script takes [$(echo $want)]"
  for f in "snaps/$name"/*.txt; do
    [ -e "$f" ] || continue
    sed -i "s|$work|/tmp/mm-tui.XXXXXX|g" "$f"
    local snap=$name-$(basename "$f")
    compared[$snap]=1
    mm_golden_update "$f" "$expected_dir/$snap"
    if diff -u "$expected_dir/$snap" "$f"; then echo "ok   $snap"; else fail "$snap differs"; fi
  done
}

# Every screen at 100x30 from a loaded configuration; the UTF-8 partition
# name lines up; the help overlay.
session screens -- -c parts.yaml <<'S'
snapshot source
t
snapshot connected
Tab
snapshot preview
End
snapshot preview_utf8
Tab
snapshot config
?
snapshot help
Esc
quit
S

# Keys: Esc goes back to the screen shown before; the help scrolls to its
# end with End (and G) and back with Home; a click on a tab shows it.
session keys -- -c parts.yaml <<'S'
t
Tab
F5
Esc
snapshot esc_back
?
End
snapshot help_end
Home
Esc
click 50 0
snapshot clicked_tab
quit
S

# Tab completes a path field: "pa" becomes the one directory it starts.
session complete <<'S'
Enter
type pa
Tab
snapshot path_completed
Esc
quit
S

# Discovery from a data directory, then selecting, renaming and filtering.
session preview <<'S'
Enter
type basic/milvus
Enter
snapshot discovered
t
Tab
Space
snapshot deselected
r
C-u
type 1bad
Enter
snapshot rename_invalid
C-u
type vectors_l2
Enter
snapshot rename_taken
C-u
type ip_vectors
Enter
snapshot renamed
Down
r
snapshot rename_default_refused
/
type L2
snapshot filtered
Enter
Esc
a
snapshot all_selected
a
snapshot none_selected
q
snapshot quit_dialog
Right Enter
S

[ ! -e migration.yaml ] && echo "ok   quit without saving wrote nothing" || fail "migration.yaml was written"

# A failed test connection shows the engine's exact message.
session failed <<'S'
Down
Enter
type nope/meta.sqlite
Enter
t
snapshot sqlite_missing
S

# Secrets: typed as '*', shown as ***, saved in a 0600 file, never on screen.
cp parts.yaml secret.yaml
session secret -- -c secret.yaml <<SCRIPT
Down Down
Enter
type root:$secret@tcp(127.0.0.1:1)/milvus
snapshot dsn_editing
Enter
snapshot dsn_set
t
snapshot mysql_refused
F3
/
type milvus2x.password
snapshot find
Enter
Enter
type $secret
snapshot password_editing
Enter
snapshot password_set
/
type loader.worker
Enter
Enter
C-u
type lots
Enter
snapshot invalid_number
Esc
s
snapshot saved
quit
SCRIPT
mode=$(stat -c %a secret.yaml)
[ "$mode" = 600 ] && echo "ok   saved file mode 600" || fail "saved file mode $mode, expected 600"
saved=$(/usr/bin/python3 -c 'import sys, yaml; c = yaml.safe_load(open(sys.argv[1]))
print(c["target"]["milvus2x"]["password"]); print(c["meta"]["mode"], c["meta"]["mysqlUrl"])' secret.yaml)
[ "$saved" = "$secret
mysql root:$secret@tcp(127.0.0.1:1)/milvus" ] && echo "ok   saved password and DSN" || fail "secret.yaml holds: $saved"
if grep -rlF "$secret" snaps; then fail "the password appears on screen"; else echo "ok   password never drawn"; fi

# Renames made in Preview are saved in target.milvus2x.names and applied
# when the saved configuration is opened again.
cp parts.yaml renames.yaml
session renames -- -c renames.yaml <<'S'
t
Tab
r
C-u
type docs_v2
Enter
Down Down
r
C-u
type year_2021
Enter
F3
s
quit
S
names=$(/usr/bin/python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["target"]["milvus2x"]["names"])' renames.yaml)
[ "$names" = "['docs=docs_v2', 'docs/2021=year_2021']" ] && echo "ok   renames saved as target.milvus2x.names" || fail "renames.yaml names: $names"
session renamed_reopened -- -c renames.yaml <<'S'
t
Tab
snapshot preview
quit
S

# Resizing re-lays out every screen; too small a terminal says so.
session resize -- -c parts.yaml <<'S'
t
Tab
resize 80x24
snapshot preview_80x24
Tab
snapshot config_80x24
resize 60x20
snapshot too_small_60x20
resize 50x12
snapshot too_small
resize 100x30
snapshot back_to_100x30
S

# NO_COLOR selects the monochrome theme; --theme picks another one.
session mono NO_COLOR=1 -- --theme dark <<'S'
snapshot source
S
session light -- --theme light --size 80x24 <<'S'
snapshot source
S

# check NAME EXPECTED_STATUS COMMAND...: output and status must match exactly.
check() {
  local name=$1 want=$2
  shift 2
  "$@" >out.txt 2>err.txt </dev/null
  local status=$?
  { cat out.txt; echo "--- stderr"; cat err.txt; echo "--- exit $status"; } >"$name.txt"
  compared[$name.txt]=1
  mm_golden_update "$name.txt" "$expected_dir/$name.txt"
  if [ "$status" -ne "$want" ]; then fail "$name: exit status $status, expected $want"
  elif diff -u "$expected_dir/$name.txt" "$name.txt"; then echo "ok   $name"; else fail "$name differs"; fi
}
check no_terminal 2 "$bin" wizard
check print_keys 0 "$bin" wizard --print-keys
printf 'Down\nFrobnicate\n' >bad.script
check bad_script 2 "$bin" wizard --script bad.script
check bad_theme 2 "$bin" wizard --theme nope --script bad.script
check bad_size 2 "$bin" wizard --script parts.yaml --size 10
printf 'quit\n' >quit.script
printf 'loader:\n  worker: {limit: lots}\n' >bad.yaml
check bad_config 2 "$bin" wizard -c bad.yaml --script quit.script

# Every expected file of this test (those of tui_wizard_run.sh start with
# target-, plan-, run- or verify-, those of tui_source_checks.sh checks-, those
# of tui_plan_preflight.sh preflight-) was compared: a snapshot line dropped
# from a script above leaves its expected file behind, unchecked.
while IFS= read -r snap; do
  [ -n "${compared[$snap]:-}" ] || fail "$snap: expected file that no session produced"
done < <(find "$expected_dir" -name '*.txt' -printf '%f\n' | grep -Ev '^(target|plan|run|verify|checks|reopen|preflight)-' | LC_ALL=C sort)

[ "$failures" -eq 0 ] && echo "$0: all passed"
[ "$failures" -eq 0 ]
