#!/usr/bin/env bash
# Dimensions, metric and engine types are checked when the source is
# opened: collections with dim 0, -16, NULL, 'abc' or 100000, metric 99 and
# a binary dim that is not a multiple of 8 make dump, load and run refuse
# before anything is staged, naming every collection and its problem;
# inspect shows each as stored (NULL, 'abc') and exits 1; leaving them out
# with --col migrates the rest exactly. The same from a MySQL meta (private
# MariaDB on loopback): a NULL dimension and a TableFiles row with a NULL
# table_id are read as such, not as 0 and ''.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/mariadb.sh"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-integrity-schema.XXXXXX")
cleanup() { mm_emulator_stop; mm_mariadb_stop; rm -rf "$work"; }
trap cleanup EXIT
mm_emulator_start "$work/emu" --generation 2.5 --storage-dir "$work"

d=$work/job
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/special/bad_schema.json" "$d/fx" >/dev/null
mm_write_job_config "$d" "$d/fx" "mode: local" "local: {outputDir: $d/out}" \
  "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1}"
meta=$d/fx/milvus/db/meta.sqlite
refusal="the 1.x meta $meta describes 7 collection(s) that Milvus 2.x cannot take, so nothing is staged:
  collection 'bin_12': dim 12 is not a multiple of 8, as binary vectors (metric HAMMING) need
  collection 'd_big': dim 100000 is outside 1..32768, the dimensions Milvus accepts
  collection 'd_neg': dim -16 is outside 1..32768, the dimensions Milvus accepts
  collection 'd_null': dim NULL is not a number
  collection 'd_text': dim 'abc' is not a number
  collection 'd_zero': dim 0 is outside 1..32768, the dimensions Milvus accepts
  collection 'm_99': metric_type 99 is not a Milvus 1.x metric (1 L2, 2 IP, 3 HAMMING, 4 JACCARD, 5 TANIMOTO, 6 SUBSTRUCTURE, 7 SUPERSTRUCTURE)
Correct these rows of the Tables table, or leave the collection(s) out with --col"

for command in dump run load; do
  mm_expect_exit "$command refuses before anything is staged" 1 "milvus-migrate $command: $refusal" \
    "$bin" "$command" -c "$d/migration.yaml"
done
[ ! -e "$d/out" ] && [ "$(mm_emulator_calls CreateCollection)" = 0 ] && ok "nothing staged, nothing created in Milvus" \
  || fail "something was staged or created"

status=0
"$bin" inspect -c "$d/migration.yaml" >"$d/inspect.out" 2>"$d/inspect.err" || status=$?
cat >"$d/table.want" <<'TXT'
bin_12                  bin_12        12  binary   HAMMING  BIN_FLAT         1     0        0    3*    0 B
d_big                   d_big     100000  float    L2       FLAT             1     0        0    3*    0 B
d_neg                   d_neg        -16  float    L2       FLAT             1     0        0    3*    0 B
d_null                  d_null      NULL  float    L2       FLAT             1     0        0    3*    0 B
d_text                  d_text     'abc'  float    L2       FLAT             1     0        0    3*    0 B
d_zero                  d_zero         0  float    L2       FLAT             1     0        0    3*    0 B
keep                    keep           4  float    L2       FLAT             1    10        0    10  240 B
m_99                    m_99           4  float    UNKNOWN  FLAT             1     0        0    3*    0 B
TXT
sed -n '/^COLLECTION/,/^$/p' "$d/inspect.out" | sed '1d;/^$/d;/^\*/d' | diff -u "$d/table.want" - \
  && [ "$status" -eq 1 ] && [ "$(cat "$d/inspect.err")" = "milvus-migrate inspect: $refusal" ] \
  && grep -qxF "  - collection 'd_null': dim NULL is not a number; it cannot be migrated (correct its Tables row, or leave it out with --col)" "$d/inspect.out" \
  && ok "inspect: every dimension as stored, each problem, exit 1" || { fail "inspect: exit $status"; cat "$d/inspect.out" "$d/inspect.err"; }

status=0
"$bin" run -c "$d/migration.yaml" --col keep --report "$d/report" >"$d/run.out" 2>"$d/run.err" || status=$?
[ "$status" -eq 0 ] && ! grep -q "warning" "$d/run.err" && ok "run --col keep: the rest migrates, without their warnings" \
  || { fail "run --col keep: exit $status"; cat "$d/run.err"; }
mm_check_emulator_ids "run --col keep" "$d/fx/expected/liveset.tsv" "$d/report.json"

# ---- the same from MySQL ----------------------------------------------------------------------
d=$work/mysql
pw=Schema-pw-77
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/binary.json" "$d/fx" >/dev/null
mm_mariadb_start "$d/mariadb" || exit 1
mm_mariadb_sql -e "CREATE DATABASE milvus CHARACTER SET utf8mb4; CREATE USER 'mm'@'127.0.0.1' IDENTIFIED BY '$pw';
  GRANT SELECT ON milvus.* TO 'mm'@'127.0.0.1';"
mm_mariadb_sql milvus <"$d/fx/meta.sql"
mm_mariadb_sql milvus -e "ALTER TABLE Tables MODIFY dimension SMALLINT NULL; UPDATE Tables SET dimension = NULL WHERE table_id = 'bin_sub';
  ALTER TABLE TableFiles MODIFY table_id VARCHAR(255) NULL; UPDATE TableFiles SET table_id = NULL WHERE segment_id = '1620000000000001000'"
mm_write_job_config "$d" "$d/fx" "mode: local" "local: {outputDir: $d/out}" \
  "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1}"
sed -i "s|^meta: .*|meta: {mode: mysql, mysqlUrl: 'mm:$pw@tcp(127.0.0.1:$MM_MARIADB_PORT)/milvus'}|" "$d/migration.yaml"
mm_expect_exit "MySQL: a NULL dimension is refused as NULL" 1 \
  "milvus-migrate dump: the 1.x meta mm:***@tcp(127.0.0.1:$MM_MARIADB_PORT)/milvus describes 1 collection(s) that Milvus 2.x cannot take, so nothing is staged:
  collection 'bin_sub': dim NULL is not a number
Correct these rows of the Tables table, or leave the collection(s) out with --col" \
  "$bin" dump -c "$d/migration.yaml"
"$bin" inspect -c "$d/migration.yaml" >"$d/inspect.out" 2>&1 || true
grep -q "^  - TableFiles row id [0-9]* (segment 1620000000000001000, [0-9]* row(s)) has table_id NULL, which is no collection or partition in Tables; its rows are skipped$" "$d/inspect.out" \
  && ok "MySQL: a NULL table_id is warned about as NULL" || { fail "MySQL: NULL table_id"; cat "$d/inspect.out"; }

finish integrity_schema
