#!/usr/bin/env bash
# Unflushed 1.x data is caught on every documented path, with a
# migration.yaml shaped like the official guide's (meta.sqliteFile and
# tablesDir, no WAL key): the WAL is found beside db/ or through
# conf/server_config.yaml (0.9 and 0.10+ keys), for dump, run, a MySQL meta
# and export followed by a dump from its meta.json. Each refusal exits 1,
# names the collections and rows, stages nothing and leaves the 1.x files
# untouched. Without any WAL, the warning says so and names
# source.local.walDir, and the verification report records it.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
source "$src/tests/lib/mariadb.sh"
source "$src/tests/lib/emulator.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-source-wal.XXXXXX")
cleanup() { mm_mariadb_stop; mm_emulator_stop; rm -rf "$work"; }
trap cleanup EXIT
dead=$(mm_free_port)

# fixture NAME SCENARIO [outside|nowal]: $work/NAME, the WAL moved out of the
# data directory (only server_config.yaml names it) or left out.
fixture() {
  /usr/bin/python3 - "$src/tests/fixtures/$2.json" "$work/$1.json" "${3:-}" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
if sys.argv[3] == "outside":
    s["wal"]["outside"] = True
elif sys.argv[3] == "nowal":
    s["wal"] = False
json.dump(s, open(sys.argv[2], "w"))
PY
  /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$work/$1.json" "$work/$1" >/dev/null
}

# guide_config DIR META-YAML TABLES: migration.yaml as the 1.x guide writes it.
guide_config() {
  mkdir -p "$1"
  cat >"$1/migration.yaml" <<YAML
dumper:
  worker:
    workMode: milvus1x
meta:
$2
source:
  mode: local
  local:
    tablesDir: $3
target:
  mode: local
  local:
    outputDir: $1/out
  milvus2x:
    endpoint: 127.0.0.1:$dead
YAML
  chmod 600 "$1/migration.yaml"
}

nothing_staged() {  # LABEL DIR
  if [ ! -e "$2/out" ]; then ok "$1: nothing staged"; else fail "$1: files staged"; find "$2/out" | head; fi
}

untouched() {  # LABEL FIXTURE DIGEST-BEFORE
  if [ "$(mm_tree_digest "$2")" = "$3" ]; then ok "$1: 1.x files untouched"; else fail "$1: 1.x files changed"; fi
}

native_lines="  collection 'live_feed': 2 row(s) inserted and 1 id(s) deleted after the last flush (LSN 4294967800 > flushed 4294967400)
  collection 'live_feed' partition 'hot': 4 row(s) inserted and 0 id(s) deleted after the last flush (LSN 4294968000 > flushed 4294967400)
  1 TableFiles row(s) of type NEW: the server was stopped while it was buffering inserts"
orm_lines="  collection 'docs': 3 row(s) inserted and 0 id(s) deleted after the last flush (LSN 900000 > flushed 721704)
  collection 'docs' partition 'p1': 2 row(s) inserted and 1 id(s) deleted after the last flush (LSN 1100000 > flushed 721704)
  collection 'imagesearch' (not in the meta): 7 row(s) inserted and 0 id(s) deleted, only in the WAL"

# refusal COMMAND HOW LINES [AGAIN]: the message of a refused dump or run.
refusal() {
  printf '%s\n' "milvus-migrate $1: the 1.x installation has data that was never flushed to segments$2:
$3
These rows exist only in the 1.x WAL, not in any segment, and would not be migrated.
To include them: start the 1.x server on this data, call flush() for every collection
(pymilvus 1.x: client.flush()), stop it gracefully (SIGINT) and copy db/ again with
meta.sqlite-wal and meta.sqlite-shm${4:-}. To migrate without them,
set source.allowUnflushed: true."
}

# ---- dump and run with the guide's configuration, both WAL generations ------
for era in native orm; do
  scenario=scenarios/unflushed lines=$native_lines key=wal.path
  [ "$era" = orm ] && scenario=special/unflushed_orm lines=$orm_lines key=wal_config.wal_path
  for place in beside outside; do
    name=$era-$place
    fixture "$name" "$scenario" "$( [ "$place" = outside ] && echo outside || true)"
    fx=$work/$name
    if [ "$place" = beside ]; then
      how=" (WAL $fx/milvus/wal, found beside the db directory)"
    else
      how=" (WAL $fx/wal-elsewhere, named by $key in $fx/milvus/conf/server_config.yaml)"
    fi
    before=$(mm_tree_digest "$fx")
    for slash in "" /; do
      dir=$work/job-$name${slash:+-slash}
      guide_config "$dir" "  mode: sqlite
  sqliteFile: $fx/milvus/db/meta.sqlite" "$fx/milvus/db/tables$slash"
      mm_expect_exit "$name dump, tablesDir '...tables$slash'" 1 "$(refusal dump "$how" "$lines")" \
        "$bin" dump --config="$dir/migration.yaml"
      nothing_staged "$name dump" "$dir"
    done
    mm_expect_exit "$name run" 1 "$(refusal run "$how" "$lines")" "$bin" run -c "$dir/migration.yaml"
    nothing_staged "$name run" "$dir"
    untouched "$name" "$fx" "$before"
  done
done

# ---- a MySQL meta: the WAL is found from tablesDir -----------------------------
fx=$work/native-beside
mm_mariadb_start "$work/mariadb" || exit 1
mm_mariadb_sql -e "CREATE DATABASE milvus CHARACTER SET utf8mb4; CREATE DATABASE milvus09 CHARACTER SET utf8mb4;
  CREATE USER 'mm'@'127.0.0.1' IDENTIFIED BY 'pw';
  GRANT SELECT ON milvus.* TO 'mm'@'127.0.0.1'; GRANT SELECT ON milvus09.* TO 'mm'@'127.0.0.1';"
mm_mariadb_sql milvus <"$fx/meta.sql"
mm_mariadb_sql milvus09 <"$work/orm-beside/meta.sql"
dsn="mm:pw@tcp(127.0.0.1:$MM_MARIADB_PORT)/milvus"
before=$(mm_tree_digest "$fx")
guide_config "$work/job-mysql" "  mode: mysql
  mysqlUrl: '$dsn'" "$fx/milvus/db/tables/"
mm_expect_exit "MySQL meta: dump" 1 "$(refusal dump " (WAL $fx/milvus/wal, found beside the db directory)" "$native_lines")" \
  "$bin" dump -c "$work/job-mysql/migration.yaml"
nothing_staged "MySQL meta" "$work/job-mysql"

# ---- export, then a dump from its meta.json (tables/ copied beside it) ------------
fx=$work/orm-beside
before=$(mm_tree_digest "$fx")
mm_expect_exit "export refuses unflushed data" 1 "$(refusal export " (WAL $fx/milvus/wal, found beside the db directory)" "$orm_lines" | sed 's/^set source.allowUnflushed: true.$/give --allow-unflushed (a dump from the meta.json then still refuses unless source.allowUnflushed: true)./')" \
  "$bin" export -s "$fx/milvus/db/meta.sqlite" -o "$work/exported"
[ ! -e "$work/exported/meta.json" ] && ok "export: no meta.json written" || fail "export: meta.json written"
mm_expect_exit "export --allow-unflushed" 0 "warning: going on without the data that was never flushed (WAL $fx/milvus/wal, found beside the db directory):
$orm_lines
These rows exist only in the 1.x WAL, not in any segment, and would not be migrated." \
  "$bin" export -s "$fx/milvus/db/meta.sqlite" -o "$work/exported" --allow-unflushed
record=$(/usr/bin/python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["walCheck"]; print(r["checked"], r["walDir"], r["unflushed"], r["allowedUnflushed"], len(r["details"]))' "$work/exported/meta.json")
[ "$record" = "True $fx/milvus/wal True True 3" ] && ok "meta.json records the WAL check" || fail "meta.json walCheck: $record"
cp -r "$fx/milvus/db/tables" "$work/exported/tables"
guide_config "$work/job-json" "  mode: local
  localFile: $work/exported/meta.json" "$work/exported/tables"
mm_expect_exit_like "dump from the exported meta.json" 1 "$(refusal dump ' (found by `export` on *)' "$orm_lines" ", then export the meta again")" \
  "$bin" dump -c "$work/job-json/migration.yaml"
nothing_staged "dump from meta.json" "$work/job-json"
untouched "export" "$fx" "$before"

# A MySQL export finds no WAL on its own (the DSN names no directory) ...
mm_expect_exit "export -m without --wal-dir" 0 "warning: no 1.x WAL directory is known (the source names no 1.x storage directory to look in), so rows inserted or deleted after the last flush, which exist only in the WAL, cannot be detected and would be missing (or deleted rows present) in Milvus 2.x without a word; set source.local.walDir (--wal-dir for inspect and export) to the 1.x server's wal.path (wal_config.wal_path in 0.9)" \
  "$bin" export -m "${dsn}09" -o "$work/exported-mysql"
cp -r "$fx/milvus/db/tables" "$work/exported-mysql/tables"
guide_config "$work/job-json-mysql" "  mode: local
  localFile: $work/exported-mysql/meta.json" "$work/exported-mysql/tables"
# ... so a dump from its meta.json says the WAL was never checked, loudly.
mm_expect_exit_like "dump from a meta.json exported without a WAL" 0 "warning: the WAL was never checked: \`milvus-migrate export\` found no 1.x WAL when it wrote $work/exported-mysql/meta.json on * (looked for nothing to look in), so rows that exist only in the 1.x WAL would be missing in Milvus 2.x without a word; export again with --wal-dir, or set source.local.walDir to the 1.x WAL directory" \
  "$bin" dump -c "$work/job-json-mysql/migration.yaml"
# ... and with --wal-dir it refuses like the others.
mm_expect_exit "export -m --wal-dir" 1 "$(refusal export " (WAL $fx/milvus/wal, named by --wal-dir)" "$orm_lines" | sed 's/^set source.allowUnflushed: true.$/give --allow-unflushed (a dump from the meta.json then still refuses unless source.allowUnflushed: true)./')" \
  "$bin" export -m "${dsn}09" -o "$work/exported-mysql2" --wal-dir "$fx/milvus/wal"
mm_mariadb_stop

# ---- a clean install, a clean export: no WAL warning; inspect says what was checked -------
fixture clean scenarios/basic_native
# What the dump says of this install whatever its WAL (the source warnings
# every dump prints first); the WAL adds nothing to it when clean.
basic_warnings="dump: warning: collection 'vectors_l2': segment 1615497440111439000 has file_id 1615497440111439555; reading 1615497440111439555.rv/.uid
dump: warning: collection 'vectors_l2': segment 1615497440111436000: meta row_count is 7 but 8 rows are live; deleted_docs repeats 1 offset(s) (Milvus <= 1.0 counted them twice); the files are trusted
dump: warning: collection 'vectors_l2': segment 1615497440111437000: meta row_count is 4 but 5 rows are live; deleted_docs repeats 1 offset(s) (Milvus <= 1.0 counted them twice); the files are trusted"
# meta.json carries no INDEX rows: its BACKUP segment is not said to lack one.
json_warnings=$basic_warnings
guide_config "$work/job-clean" "  mode: sqlite
  sqliteFile: $work/clean/milvus/db/meta.sqlite" "$work/clean/milvus/db/tables"
mm_expect_exit "clean install: no WAL warning" 0 "$basic_warnings" "$bin" dump -c "$work/job-clean/migration.yaml"
"$bin" export -s "$work/clean/milvus/db/meta.sqlite" -o "$work/exported-clean" >/dev/null 2>&1
cp -r "$work/clean/milvus/db/tables" "$work/exported-clean/tables"
guide_config "$work/job-clean-json" "  mode: local
  localFile: $work/exported-clean/meta.json" "$work/exported-clean/tables"
mm_expect_exit "dump from a checked meta.json: no WAL warning" 0 "$json_warnings" "$bin" dump -c "$work/job-clean-json/migration.yaml"
grep -q "^dump: unflushed data: none (WAL checked at export time, [0-9T:Z-]*; WAL $work/clean/milvus/wal, found beside the db directory)$" \
  "$work/expect.out" && ok "dump from a checked meta.json: says the WAL was checked at export time" \
  || { fail "dump from a checked meta.json: stdout"; cat "$work/expect.out"; }
"$bin" inspect -c "$work/job-clean-json/migration.yaml" --no-id-check 2>/dev/null | grep -q \
  "^Unflushed data: none (WAL checked at export time, [0-9T:Z-]*; WAL $work/clean/milvus/wal, found beside the db directory)$" \
  && ok "inspect of the meta.json: WAL checked at export time" || fail "inspect of the checked meta.json"

# ---- no WAL anywhere: one warning naming source.local.walDir ------------------------
fixture nowal scenarios/basic_native nowal
no_wal_warning="warning: no 1.x WAL directory was found (looked for $work/nowal/milvus/wal), so rows inserted or deleted after the last flush, which exist only in the WAL, cannot be detected and would be missing (or deleted rows present) in Milvus 2.x without a word; set source.local.walDir (--wal-dir for inspect and export) to the 1.x server's wal.path (wal_config.wal_path in 0.9)"
guide_config "$work/job-nowal" "  mode: sqlite
  sqliteFile: $work/nowal/milvus/db/meta.sqlite" "$work/nowal/milvus/db/tables"
mm_expect_exit "no WAL: dump warns" 0 "$no_wal_warning
$basic_warnings" "$bin" dump -c "$work/job-nowal/migration.yaml"
# run says it before anything is dumped: here Milvus is unreachable, so the
# run stops right after the warning, with nothing staged.
rm -rf "$work/job-nowal/out" "$work/job-nowal/.milvus-migrate"
mm_expect_exit_like "no WAL: run warns first" 1 "$no_wal_warning
milvus-migrate run: *127.0.0.1:$dead*" "$bin" run -c "$work/job-nowal/migration.yaml"
nothing_staged "no WAL: run" "$work/job-nowal"
# With Milvus there, the run goes through and its report keeps the warning.
mm_emulator_start "$work/emu" --generation 2.5 --storage-dir "$work" || exit 1
mm_emulator_faults '{"stepMs": 10}' >/dev/null
sed -i "s|endpoint: 127.0.0.1:$dead|endpoint: 127.0.0.1:$MM_EMU_PORT|" "$work/job-nowal/migration.yaml"
status=0
"$bin" run -c "$work/job-nowal/migration.yaml" --report "$work/nowal-report" >"$work/run.out" 2>"$work/run.err" || status=$?
checks=$(/usr/bin/python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["sourceChecks"]["unflushed"]; print(c["status"]); print(c["warning"])' \
  "$work/nowal-report.json" 2>&1 || true)
[ "$status" = 0 ] && [ "$checks" = "no-wal
${no_wal_warning#warning: }" ] && ok "no WAL: report.json records the warning" || { fail "no WAL: report.json (exit $status): $checks"; cat "$work/run.err"; }
grep -qxF -- "- **Warning:** ${no_wal_warning#warning: }" "$work/nowal-report.md" && ok "no WAL: report.md records the warning" \
  || { fail "no WAL: report.md"; cat "$work/nowal-report.md"; }

finish "$(basename "$0")"
