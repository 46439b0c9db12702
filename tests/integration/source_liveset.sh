#!/usr/bin/env bash
# The exact live set (ids and vector bytes) of every fixture scenario, read
# through each meta backend: discovery from the data dir, meta.sqlite,
# meta.json written by `export`, and a real MariaDB holding the same rows.
# Also proves the user's 1.x files are not modified by any of it.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
tools=${MM_TOOLS:?}
bin=${MM_BIN:?}
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-liveset.XXXXXX")
source "$src/tests/lib/mariadb.sh"
source "$src/tests/lib/checks.sh" # its fail is replaced below
cleanup() { mm_mariadb_stop; mm_dead_port_release; rm -rf "$work"; }
trap cleanup EXIT

mm_mariadb_start "$work/mariadb"
mm_mariadb_sql -e "CREATE USER 'mm'@'127.0.0.1' IDENTIFIED BY 's3cr:t@pw'; GRANT SELECT ON *.* TO 'mm'@'127.0.0.1';"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

check_same() {  # label expected actual
  if ! diff -u "$2" "$3" >"$work/diff" 2>&1; then
    fail "$1: live set differs"
    head -40 "$work/diff"
  fi
}

# Fingerprint of every file of an installation: content hash, size and mtime.
fingerprint() {
  (cd "$1" && find . -type f -print0 | sort -z | xargs -0 stat -c '%n %s %Y' && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

for scenario in "$src"/tests/fixtures/scenarios/*.json; do
  name=$(basename "$scenario" .json)
  out=$work/$name
  /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$scenario" "$out"
  expected=$out/expected/liveset.tsv
  secondary=()
  [ -d "$out/milvus2/db/tables" ] && secondary=(-2 "$out/milvus2/db/tables")
  before=$(fingerprint "$out/milvus"; [ -d "$out/milvus2" ] && fingerprint "$out/milvus2" || true)

  "$tools/liveset_dump" -d "$out/milvus" >"$out/discovered.tsv" || fail "$name: liveset_dump -d"
  check_same "$name (data dir)" "$expected" "$out/discovered.tsv"

  "$tools/liveset_dump" -s "$out/milvus/db/meta.sqlite" "${secondary[@]}" -b 1 >"$out/sqlite.tsv" || fail "$name: liveset_dump -s"
  check_same "$name (meta.sqlite, 1-row blocks)" "$expected" "$out/sqlite.tsv"

  # (the unflushed scenario holds data only its WAL has: exported anyway)
  "$bin" export -s "$out/milvus/db/meta.sqlite" -o "$out/export" --allow-unflushed >/dev/null || fail "$name: export"
  "$tools/liveset_dump" -j "$out/export/meta.json" -t "$out/milvus/db/tables" "${secondary[@]}" >"$out/json.tsv" || fail "$name: liveset_dump -j"
  check_same "$name (meta.json)" "$expected" "$out/json.tsv"

  db=fx_$name
  mm_mariadb_sql -e "CREATE DATABASE $db CHARACTER SET utf8mb4"
  mm_mariadb_sql "$db" <"$out/meta.sql"
  "$tools/liveset_dump" -m "mm:s3cr:t@pw@tcp(127.0.0.1:$MM_MARIADB_PORT)/$db" -t "$out/milvus/db/tables" "${secondary[@]}" -b 1000 >"$out/mysql.tsv" || fail "$name: liveset_dump -m"
  check_same "$name (MariaDB)" "$expected" "$out/mysql.tsv"

  after=$(fingerprint "$out/milvus"; [ -d "$out/milvus2" ] && fingerprint "$out/milvus2" || true)
  [ "$before" = "$after" ] || fail "$name: the 1.x installation was modified"
  echo "ok   $name ($(wc -l <"$expected") live rows)"
done

# MySQL failures: exact messages, exit statuses, never the password.
expect_mysql_error() {  # status dsn message
  local status=0
  "$bin" inspect -m "$2" -t "$work" >"$work/out" 2>"$work/err" || status=$?
  local got
  got=$(sed -E "s/$MM_MARIADB_PORT/PORT/g; s/$free_port/FREE/g; s/\(11[15]\)/(errno)/" "$work/err")
  if [ "$status" -ne "$1" ] || [ "$got" != "$3" ]; then
    fail "MySQL error for $2: exit $status"; echo "  got:      $got"; echo "  expected: $3"
  elif grep -q "s3cr:t@pw\|wrong-pw" "$work/out" "$work/err"; then
    fail "MySQL error for $2: the password was printed"
  else
    echo "ok   $3"
  fi
}
mm_dead_port_hold
free_port=$MM_DEAD_PORT
expect_mysql_error 1 "mm:wrong-pw@tcp(127.0.0.1:$MM_MARIADB_PORT)/fx_binary" \
  "milvus-migrate inspect: MySQL at 127.0.0.1:PORT refused user 'mm' (Access denied for user 'mm'@'localhost' (using password: YES)); check the user and password in the DSN"
expect_mysql_error 1 "mysql://mm:s3cr%3At%40pw@127.0.0.1:$free_port/fx_binary" \
  "milvus-migrate inspect: cannot reach MySQL at 127.0.0.1:FREE (Can't connect to server on '127.0.0.1' (errno)); check that the server runs and the host and port in the DSN"
expect_mysql_error 1 "mm:s3cr:t@pw@tcp(127.0.0.1:$MM_MARIADB_PORT)/no_such_db" \
  "milvus-migrate inspect: MySQL at 127.0.0.1:PORT has no database 'no_such_db'; give the database of the Milvus 1.x meta (general.meta_uri in its server_config.yaml)"
mm_mariadb_sql -e "CREATE DATABASE empty_db"
expect_mysql_error 1 "mm:s3cr:t@pw@tcp(127.0.0.1:$MM_MARIADB_PORT)/empty_db" \
  "milvus-migrate inspect: table Tables not found in database empty_db at 127.0.0.1:PORT: is this the Milvus 1.x meta database?"

[ "$failures" -eq 0 ]
