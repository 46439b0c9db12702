#!/usr/bin/env bash
# Nothing is ever written into the 1.x installation, whatever the
# configuration says: every place a command writes (target.local.outputDir,
# state.dir, its default beside a migration.yaml kept in db/, --report,
# export's -o, TMPDIR) is refused with exit 2 naming the key when it lies in
# a tables directory (primary or secondary), the db directory or the WAL
# directory, written plainly, through a symlink or through "..". The 1.x
# files, their modes and times, and the directory tree stay as they were.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-source-paths.XXXXXX")
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/partitions_orm.json" "$work/fx" >/dev/null
m=$work/fx/milvus
db=$m/db
tables=$db/tables
secondary=$work/fx/milvus2/db/tables
wal=$m/wal
segment=$tables/docs/1614924431171826000
ln -s "$db" "$work/db-link"
ln -s "$wal" "$work/wal-link"

# Every entry (directories too) with its type, size, mode and mtime, and the
# bytes of every file.
tree_state() {
  (cd "$work/fx" && find . -printf '%p %y %s %m %T@\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}
before=$(tree_state)

# job NAME TARGET-LINE [STATE-DIR]: $work/NAME/migration.yaml
job() {
  mkdir -p "$work/$1"
  cat >"$work/$1/migration.yaml" <<YAML
dumper: {worker: {workMode: milvus1x}}
meta: {mode: sqlite, sqliteFile: $db/meta.sqlite}
source: {mode: local, local: {tablesDir: $tables, secondaryTablesDirs: [$secondary]}}
target: {mode: local, local: {outputDir: $2}, milvus2x: {endpoint: "127.0.0.1:19530"}}
state: {dir: ${3:-$work/$1/state}}
YAML
  chmod 600 "$work/$1/migration.yaml"
}

tail=": milvus-migrate never writes into the 1.x installation; choose a directory outside it"
refused() {  # LABEL MESSAGE COMMAND...
  mm_expect_exit "$1" 2 "$2" "${@:3}"
  if [ "$(tree_state)" = "$before" ]; then ok "$1: the 1.x installation is untouched"; else
    fail "$1: the 1.x installation changed"; diff <(echo "$before") <(tree_state) | head; fi
}

job out_is_tables "$tables"
refused "outputDir = tablesDir" "milvus-migrate dump: target.local.outputDir $tables is source.local.tablesDir$tail" \
  "$bin" dump -c "$work/out_is_tables/migration.yaml"
job out_in_tables "$tables/out"
refused "outputDir inside tablesDir" "milvus-migrate dump: target.local.outputDir $tables/out is inside source.local.tablesDir $tables$tail" \
  "$bin" dump -c "$work/out_in_tables/migration.yaml"
job out_is_db "$db"
refused "outputDir = the db directory" "milvus-migrate dump: target.local.outputDir $db is the 1.x db directory$tail" \
  "$bin" dump -c "$work/out_is_db/migration.yaml"
job out_in_segment "$segment"
refused "outputDir inside a segment directory" "milvus-migrate dump: target.local.outputDir $segment is inside source.local.tablesDir $tables$tail" \
  "$bin" dump -c "$work/out_in_segment/migration.yaml"
job out_in_secondary "$secondary/staging"
refused "outputDir inside a secondary tables directory" "milvus-migrate dump: target.local.outputDir $secondary/staging is inside source.local.secondaryTablesDirs $secondary$tail" \
  "$bin" dump -c "$work/out_in_secondary/migration.yaml"
job out_via_link "$work/db-link/out"
refused "outputDir through a symlink" "milvus-migrate dump: target.local.outputDir $work/db-link/out (really $db/out) is inside the 1.x db directory $db$tail" \
  "$bin" dump -c "$work/out_via_link/migration.yaml"
job out_via_dotdot "$tables/../out"
refused "outputDir through .." "milvus-migrate dump: target.local.outputDir $tables/../out (really $db/out) is inside the 1.x db directory $db$tail" \
  "$bin" dump -c "$work/out_via_dotdot/migration.yaml"
job out_in_wal "$wal/out"
refused "outputDir inside the WAL directory" "milvus-migrate run: target.local.outputDir $wal/out is inside the 1.x WAL directory (found beside the db directory) $wal$tail" \
  "$bin" run -c "$work/out_in_wal/migration.yaml"

job state_in_tables "$work/state_in_tables/out" "$tables/.state"
refused "state.dir inside tablesDir" "milvus-migrate load: state.dir $tables/.state is inside source.local.tablesDir $tables$tail" \
  "$bin" load -c "$work/state_in_tables/migration.yaml"
job state_via_link "$work/state_via_link/out" "$work/wal-link/../wal/state"
refused "state.dir through a symlink and .." "milvus-migrate verify: state.dir $work/wal-link/../wal/state (really $wal/state) is inside the 1.x WAL directory (found beside the db directory) $wal$tail" \
  "$bin" verify -c "$work/state_via_link/migration.yaml"

# migration.yaml kept in db/: its default state.dir would be db/.milvus-migrate.
job in_db "$work/in_db/out"
sed '/^state:/d' "$work/in_db/migration.yaml" >"$db/migration.yaml"
chmod 600 "$db/migration.yaml"
before=$(tree_state)
refused "migration.yaml kept in db/" "milvus-migrate dump: state.dir (not set: the default beside $db/migration.yaml) $db/.milvus-migrate is inside the 1.x db directory $db$tail" \
  "$bin" dump -c "$db/migration.yaml"
rm "$db/migration.yaml"
before=$(tree_state)

job report "$work/report/out"
refused "--report into tablesDir" "milvus-migrate run: --report $tables/report is inside source.local.tablesDir $tables$tail" \
  "$bin" run -c "$work/report/migration.yaml" --report "$tables/report"
refused "TMPDIR inside the db directory" "milvus-migrate dump: TMPDIR (environment variable) $db/tmp is inside the 1.x db directory $db$tail" \
  env TMPDIR="$db/tmp" "$bin" dump -c "$work/report/migration.yaml"
refused "export -o into the db directory" "milvus-migrate export: -o $work/db-link/exported (really $db/exported) is inside the 1.x db directory $db$tail" \
  "$bin" export -s "$db/meta.sqlite" -o "$work/db-link/exported"

# Two places at once: both named.
job two "$tables/out" "$wal/state"
refused "two places" "milvus-migrate dump: target.local.outputDir $tables/out is inside source.local.tablesDir $tables$tail
state.dir $wal/state is inside the 1.x WAL directory (found beside the db directory) $wal$tail" \
  "$bin" dump -c "$work/two/migration.yaml"

# The same installation with places outside it: the dump runs.
job fine "$work/fine/out"
"$bin" dump -c "$work/fine/migration.yaml" >/dev/null 2>&1 && ok "places outside the installation: dumped" || fail "the fine dump failed"
[ "$(tree_state)" = "$before" ] && ok "a whole dump leaves the 1.x installation untouched" || fail "the dump changed the 1.x installation"

finish "$(basename "$0")"
