#!/usr/bin/env bash
# Every meta row and every file contributes its rows or says why not. One
# generated install per case (tests/fixtures/special/rows_*.json), each run end to end:
# the exact warning in the dump's output and in report.json (with the rows
# left out), and Milvus holding exactly the rows that should move; a row
# count the meta claims and the files contradict stops the dump instead.
#   state7            a collection with state 7 (neither normal nor dropped)
#   null_table_id     a TableFiles row whose table_id is NULL
#   bad_owner         partitions owned by themselves and by another partition
#   empty_files       .rv/.uid with zero-length payloads, meta row_count 1000
#   bad_offsets       deleted_docs offsets -1, 1000 and 5000 in 1000 rows
#   sibling_file_id   file_id ../<sibling>/<sibling>
#   crafted_table_id  a table_id ../../../db/tables/c_dup, staged into the source before
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
source "$src/tests/lib/emulator.sh"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-integrity-rows.XXXXXX")
cleanup() { mm_emulator_stop; rm -rf "$work"; }
trap cleanup EXIT
mm_emulator_start "$work/emu" --generation 2.5 --storage-dir "$work"

setup() {  # case [output-dir]
  d=$work/$1
  /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/special/rows_$1.json" "$d/fx" >/dev/null
  mm_write_job_config "$d" "$d/fx" "mode: local" "local: {outputDir: ${2:-$d/out}}" \
    "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1, existingCollection: drop}"
}

# run: exit 0, the dump states exactly WARNING (and nothing else), report.json
# lists it with SKIPPED rows, Milvus holds exactly the live set.
runs_with_warning() {  # case skipped-rows warning
  local status=0
  "$bin" run --yes -c "$d/migration.yaml" --report "$d/report" >"$d/run.out" 2>"$d/run.err" || status=$?
  if [ "$status" -eq 0 ] && [ "$(grep '^dump: warning: ' "$d/run.err")" = "dump: warning: $3" ]; then
    ok "$1: exit 0 and the dump says: $3"
  else
    fail "$1: run exit $status"; echo "  want: dump: warning: $3"; cat "$d/run.err" "$d/run.out"
  fi
  if /usr/bin/python3 - "$d/report.json" "$2" "$3" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if r["sourceWarnings"] == [sys.argv[3]] and r["skippedRows"] == int(sys.argv[2]) else 1)
PY
  then ok "$1: report.json names it, $2 row(s) not migrated"; else fail "$1: report.json"; cat "$d/report.json"; fi
  mm_check_emulator_ids "$1" "$d/fx/expected/liveset.tsv" "$d/report.json"
}

setup state7
runs_with_warning state7 13 "collection 'c7' has state 7, which Milvus 1.x never writes (0 normal, 1 dropped); its 13 row(s) in 1 segment(s) are skipped"
mm_emulator_state | /usr/bin/python3 -c 'import json, sys; sys.exit("c7" in json.load(sys.stdin)["collections"])' \
  && ok "state7: no collection c7 in Milvus" || fail "state7: c7 was migrated"
"$bin" inspect -c "$d/migration.yaml" >"$d/inspect.out" 2>&1
grep -qx "13 row(s) of 1 segment row(s) in the meta are not migrated (see the warnings)" "$d/inspect.out" \
  && ! grep -q "dropped collection" "$d/inspect.out" && ok "state7: inspect counts it as not migrated, not as dropped" \
  || { fail "state7: inspect"; cat "$d/inspect.out"; }

setup null_table_id
runs_with_warning null_table_id 4 "TableFiles row id 2 (segment 1710000000000001000, 4 row(s)) has table_id NULL, which is no collection or partition in Tables; its rows are skipped"

setup bad_owner
status=0
"$bin" run --yes -c "$d/migration.yaml" --report "$d/report" >"$d/run.out" 2>"$d/run.err" || status=$?
cat >"$d/warnings.want" <<'TXT'
dump: warning: partition 'self' (table_id 1710000000000200000) names itself as its owner collection; its 398 row(s) in 1 segment(s) are skipped
dump: warning: partition 'nested' (table_id 1710000000000300000) names partition 'p' (table_id 1710000000000100000) as its owner, but 1.x partitions belong to collections, never to other partitions; its 5 row(s) in 1 segment(s) are skipped
TXT
[ "$status" -eq 0 ] && grep '^dump: warning: ' "$d/run.err" | diff -u "$d/warnings.want" - \
  && ok "bad_owner: one warning each, with the right owner and rows" || { fail "bad_owner: run exit $status"; cat "$d/run.err"; }
grep -q '"skippedRows":	403' "$d/report.json" && ok "bad_owner: report.json: 403 row(s) not migrated" || fail "bad_owner: report.json"
mm_check_emulator_ids "bad_owner" "$d/fx/expected/liveset.tsv" "$d/report.json"

setup empty_files
mm_expect_exit "empty_files: the dump refuses a row count the files contradict" 1 \
  "milvus-migrate dump: read the 1.x segments (run \`milvus-migrate inspect\` for every problem): segment hollow/1710000000002000000: the meta (TableFiles row_count) says 1000 live row(s) but the files hold 0 (0 row(s) in .uid/.rv, 0 deleted): the segment files do not match the meta (truncated or replaced copy?); copy the segment directory and the meta again from the stopped 1.x server" \
  "$bin" dump -c "$d/migration.yaml"
[ ! -e "$d/out" ] && ok "empty_files: nothing staged" || fail "empty_files: files were staged"

setup bad_offsets
runs_with_warning bad_offsets 0 "collection 'offs': segment 1710000000003000000: deleted_docs holds 3 offset(s) outside 0..999, which delete no row; they are ignored and the segment's 1000 live row(s) are migrated"

setup sibling_file_id
runs_with_warning sibling_file_id 1000 "collection 'sib': TableFiles row id 2: file_id '../1710000000004001000/1710000000004001000' is not a plain name inside the tables directory (empty, '.', '..' or holding '/'), so its files cannot be located safely; its 1000 row(s) are skipped"

# outputDir inside the 1.x data dir, so that tables/<table_id>/... of the
# crafted name would land in db/tables/c_dup of the source.
setup crafted_table_id "$work/crafted_table_id/fx/milvus/out"
before=$(mm_tree_digest "$d/fx/milvus/db")
runs_with_warning crafted_table_id 2 "collection '../../../db/tables/c_dup': its table_id is not a plain directory name (empty, '.', '..' or holding '/'), so its segment files cannot be located safely; its 2 row(s) in 1 segment(s) are skipped"
[ "$(mm_tree_digest "$d/fx/milvus/db")" = "$before" ] && ok "crafted_table_id: the 1.x source is untouched" \
  || fail "crafted_table_id: files changed in the source"
outside=$(find "$d/fx" -newer "$d/migration.yaml" -type f ! -path "$d/fx/milvus/out/*" | wc -l)
[ "$outside" = 0 ] && ok "crafted_table_id: nothing written outside outputDir" || fail "crafted_table_id: $outside file(s) written outside outputDir"

finish integrity_rows
