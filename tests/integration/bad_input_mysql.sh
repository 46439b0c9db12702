#!/usr/bin/env bash
# A 1.x MySQL meta that cannot be used (private MariaDB on loopback): wrong
# password, unreachable server, unknown database, database without the
# Milvus tables, a table without a column. Each ends with the exact message
# (server, user or database named, and what to check), exit 1, the 1.x files
# untouched and nothing staged; with the DSN fixed the same job completes
# with exactly the live set, and the failed configurations run again
# afterwards fail the same way without touching what the fixed job staged.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/mariadb.sh"
source "$src/tests/lib/checks.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-bad-mysql.XXXXXX")
cleanup() { mm_mariadb_stop; mm_dead_port_release; rm -rf "$work"; }
trap cleanup EXIT

pw=Fx-pw-4412
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/binary.json" "$work/fx" >/dev/null
mm_mariadb_start "$work/mariadb" || exit 1
mm_mariadb_sql -e "CREATE DATABASE fx CHARACTER SET utf8mb4; CREATE DATABASE empty_db; CREATE DATABASE odd;
  CREATE USER 'mm'@'127.0.0.1' IDENTIFIED BY '$pw';
  GRANT SELECT ON fx.* TO 'mm'@'127.0.0.1'; GRANT SELECT ON empty_db.* TO 'mm'@'127.0.0.1';
  GRANT SELECT ON odd.* TO 'mm'@'127.0.0.1';
  CREATE USER 'reader'@'127.0.0.1' IDENTIFIED BY '$pw'; GRANT SELECT ON *.* TO 'reader'@'127.0.0.1';"
mm_mariadb_sql fx <"$work/fx/meta.sql"
mm_mariadb_sql odd <"$work/fx/meta.sql"
mm_mariadb_sql odd -e "ALTER TABLE TableFiles DROP COLUMN row_count"
before=$(mm_tree_digest "$work/fx/milvus")
port=$MM_MARIADB_PORT
mm_dead_port_hold
dead=$MM_DEAD_PORT

job() {  # name dsn
  mm_write_job_config "$work/$1" "$work/fx" "mode: local" "local: {outputDir: $work/$1/out}"
  sed -i "s|^meta: .*|meta: {mode: mysql, mysqlUrl: '$2'}|" "$work/$1/migration.yaml"
}
# A failing case, remembered so that it can be run again after the fix.
failed_jobs=()
expect_job() {  # name exact|like label message
  failed_jobs+=("$1")
  printf '%s\n%s\n%s\n' "$2" "$3" "$4" >"$work/$1/expected"
  if [ "$2" = like ]; then mm_expect_exit_like "$3" 1 "$4" "$bin" dump -c "$work/$1/migration.yaml"
  else mm_expect_exit "$3" 1 "$4" "$bin" dump -c "$work/$1/migration.yaml"; fi
}
rerun_job() {  # name: the same case again, with the same expected message
  local how label message
  { read -r how; read -r label; message=$(cat); } <"$work/$1/expected"
  if [ "$how" = like ]; then mm_expect_exit_like "$label, run again" 1 "$message" "$bin" dump -c "$work/$1/migration.yaml"
  else mm_expect_exit "$label, run again" 1 "$message" "$bin" dump -c "$work/$1/migration.yaml"; fi
}
nothing_staged() {  # name
  if [ -z "$(find "$work/$1/out" -type f 2>/dev/null)" ]; then ok "$1: nothing staged"; else fail "$1: files staged"; find "$work/$1/out" -type f; fi
}

job wrong_password "mm:not-$pw@tcp(127.0.0.1:$port)/fx"
expect_job wrong_password like "wrong password" \
  "milvus-migrate dump: MySQL at 127.0.0.1:$port refused user 'mm' (Access denied for user 'mm'@* (using password: YES)); check the user and password in the DSN"
grep -q "not-$pw" "$work/expect.err" && fail "wrong password: the password was printed"
nothing_staged wrong_password

job unreachable "mm:$pw@tcp(127.0.0.1:$dead)/fx"
expect_job unreachable like "unreachable server" \
  "milvus-migrate dump: cannot reach MySQL at 127.0.0.1:$dead (Can't connect to *); check that the server runs and the host and port in the DSN"
nothing_staged unreachable

job no_access "mm:$pw@tcp(127.0.0.1:$port)/milvus"
expect_job no_access exact "database the user may not read" \
  "milvus-migrate dump: MySQL at 127.0.0.1:$port refused user 'mm' access to database 'milvus' (Access denied for user 'mm'@'127.0.0.1' to database 'milvus'); check the database name in the DSN, or grant the user SELECT on it"
nothing_staged no_access

job no_database "reader:$pw@tcp(127.0.0.1:$port)/milvus"
expect_job no_database exact "unknown database" \
  "milvus-migrate dump: MySQL at 127.0.0.1:$port has no database 'milvus'; give the database of the Milvus 1.x meta (general.meta_uri in its server_config.yaml)"
nothing_staged no_database

job missing_tables "mm:$pw@tcp(127.0.0.1:$port)/empty_db"
expect_job missing_tables exact "database without the Milvus tables" \
  "milvus-migrate dump: table Tables not found in database empty_db at 127.0.0.1:$port: is this the Milvus 1.x meta database?"
nothing_staged missing_tables

job missing_column "mm:$pw@tcp(127.0.0.1:$port)/odd"
expect_job missing_column exact "table without a column" \
  "milvus-migrate dump: read table TableFiles of database odd at 127.0.0.1:$port: Unknown column 'row_count' in 'SELECT'"
nothing_staged missing_column

# The same job with the DSN fixed completes, and re-running the failed
# configurations afterwards still fails the same way without touching it.
job fixed "mm:$pw@tcp(127.0.0.1:$port)/fx"
if "$bin" dump -c "$work/fixed/migration.yaml" >"$work/fixed/out.txt" 2>"$work/fixed/err.txt"; then
  mm_check_dumped_liveset "fixed DSN" "$work/fixed/out/migration" "$work/fx/expected/liveset.tsv"
else
  fail "fixed DSN: dump failed"; cat "$work/fixed/err.txt"
fi
# The failed configurations, run again after the fix, fail exactly as before
# and leave the fixed job's staging as it was.
fixed_before=$(mm_tree_digest "$work/fixed/out")
for name in "${failed_jobs[@]}"; do
  rerun_job "$name"
  nothing_staged "$name"
done
[ "$(mm_tree_digest "$work/fixed/out")" = "$fixed_before" ] && ok "re-runs of the failed configurations left the fixed job's files alone" \
  || fail "a re-run of a failed configuration changed the fixed job's files"

[ "$(mm_tree_digest "$work/fx/milvus")" = "$before" ] && ok "the 1.x files are untouched (content, size, mode, mtime)" \
  || fail "the 1.x files changed"
finish bad_input_mysql
