#!/usr/bin/env bash
# The Milvus 2.x generations load meets (the emulator plays 2.2, 2.3, 2.4
# and 2.5, see tests/emulator/generation.js): each is detected and named by
# its version, and run ends with exactly the live rows (ids and vector
# bytes) in Milvus. target.milvus2x.database: a database the server does
# not have, and a server from before databases (2.2.8, no Connect call),
# stop with the exact message before anything is created; the default
# database works there.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
source "$src/tests/lib/emulator.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-versions.XXXXXX")
cleanup() { mm_emulator_stop; rm -rf "$work"; }
trap cleanup EXIT

/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/partitions_orm.json" "$work/fx" >/dev/null

job() {  # name [extra milvus2x keys]
  d=$work/$1
  mm_write_job_config "$d" "$work/fx" "mode: local" "local: {outputDir: $d/out}" \
    "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1, existingCollection: drop${2:+, $2}}"
}

# run NAME VERSION: detected as VERSION, verified, exactly the live rows.
run_on() {
  local status=0
  "$bin" run -c "$d/migration.yaml" --report "$d/report" >"$d/out.txt" 2>"$d/err.txt" || status=$?
  if [ "$status" -eq 0 ] && [ "$(grep '^load: connected' "$d/err.txt")" = "load: connected to 127.0.0.1:$MM_EMU_PORT (Milvus $2)" ] &&
     grep -qx "Verification against 127.0.0.1:$MM_EMU_PORT (Milvus $2)" "$d/out.txt" && grep -qx "All counts match." "$d/out.txt"; then
    ok "$1: detected as Milvus $2, run verified"
  else
    fail "$1: exit $status"; cat "$d/err.txt" "$d/out.txt"
  fi
  mm_check_emulator_ids "$1" "$work/fx/expected/liveset.tsv" "$d/report.json"
}

for played in 2.2:v2.2.16 2.3:v2.3.21 2.4:v2.4.15 2.5:v2.5.4; do
  gen=${played%%:*} version=${played#*:}
  mm_emulator_start "$work/emu$gen" --generation "$gen" --storage-dir "$work"
  job "gen$gen"
  run_on "Milvus $gen" "$version"
  if [ "$gen" = 2.5 ]; then
    job nosuch_db "database: analytics"
    mm_expect_exit "a database the server does not have" 1 \
      "milvus-migrate run: database 'analytics' does not exist; create it or fix target.milvus2x.database: Connect on Milvus at 127.0.0.1:$MM_EMU_PORT: database not found[database=analytics] (code 800)" \
      "$bin" run -c "$d/migration.yaml"
    [ ! -e "$d/out" ] && ok "a database the server does not have: nothing dumped" || fail "nosuch_db: files were dumped"
  fi
  mm_emulator_stop
done

# Before 2.2.9 there are no databases (and no Connect call).
mm_emulator_start "$work/emu228" --generation 2.2 --version v2.2.8 --storage-dir "$work"
job no_databases "database: analytics"
mm_expect_exit "a database on a server without databases" 2 \
  "milvus-migrate run: Milvus at 127.0.0.1:$MM_EMU_PORT predates databases (no Connect call); remove target.milvus2x.database or upgrade Milvus to 2.2.9 or newer" \
  "$bin" run -c "$d/migration.yaml"
[ ! -e "$d/out" ] && [ "$(mm_emulator_calls CreateCollection)" = 0 ] && ok "a server without databases: nothing dumped or created" \
  || fail "no_databases: files were dumped or collections created"
job default_db "database: default"
run_on "Milvus 2.2.8 with database: default" v2.2.8
finish milvus_versions
