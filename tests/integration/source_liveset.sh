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
cleanup() { mm_mariadb_stop; rm -rf "$work"; }
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

  "$bin" export -s "$out/milvus/db/meta.sqlite" -o "$out/export" >/dev/null || fail "$name: export"
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

[ "$failures" -eq 0 ]
