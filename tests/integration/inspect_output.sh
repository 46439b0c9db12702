#!/usr/bin/env bash
# `inspect` and `export` output, asserted exactly against tests/expected/,
# for every fixture scenario and for the error cases users meet.
# Set MM_UPDATE_EXPECTED=1 to rewrite the expected files after a deliberate
# change (refused under CI=true, see tests/lib/golden.sh).
set -uo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/golden.sh"
mm_golden_guard
expected_dir=$src/tests/expected/inspect
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-inspect.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0

# check NAME EXPECTED_STATUS COMMAND... : stdout+stderr (temp dir shown as
# <FIXTURE>, the time of a WAL check as <TIME>, the host's cores that set
# the dump's workers as <CORES>) and the exit status must equal
# tests/expected/inspect/NAME.txt.
check() {
  local name=$1 want=$2
  shift 2
  "$@" >"$work/out" 2>"$work/err"
  local status=$?
  { cat "$work/out"; echo "--- stderr"; cat "$work/err"; echo "--- exit $status"; } |
    sed -E "s|$work|<FIXTURE>|g; s|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z|<TIME>|g
      s|^Dump workers: [0-9]+ \(dumper.worker.limit is not set: [0-9]+ core|Dump workers: <CORES> (dumper.worker.limit is not set: <CORES> core|" >"$work/$name.txt"
  mm_golden_update "$work/$name.txt" "$expected_dir/$name.txt"
  if [ "$status" -ne "$want" ]; then
    echo "FAIL $name: exit status $status, expected $want"; failures=$((failures + 1))
  elif ! diff -u "$expected_dir/$name.txt" "$work/$name.txt"; then
    echo "FAIL $name: output differs"; failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

for scenario in "$src"/tests/fixtures/scenarios/*.json; do
  name=$(basename "$scenario" .json)
  /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$scenario" "$work/$name" >/dev/null
  check "$name" 0 "$bin" inspect "$work/$name/milvus"
done
check binary.json 0 "$bin" inspect -s "$work/binary/milvus/db/meta.sqlite" --json
check export_partitions 0 "$bin" export -s "$work/partitions_orm/milvus/db/meta.sqlite" -o "$work/export"
check export_partitions.meta 0 cat "$work/export/meta.json"
check inspect_meta_json 0 "$bin" inspect --meta-json "$work/export/meta.json" -t "$work/partitions_orm/milvus/db/tables" \
  --secondary "$work/partitions_orm/milvus2/db/tables" --col docs --no-id-check

# The source named by migration.yaml (meta.mode local reads a meta.json, which
# the reference tool documents but never implemented).
cat >"$work/migration.yaml" <<YAML
dumper: {worker: {workMode: milvus1x}}
meta: {mode: local, localFile: $work/export/meta.json}
source: {mode: local, local: {tablesDir: $work/partitions_orm/milvus/db/tables, secondaryTablesDirs: [$work/partitions_orm/milvus2/db/tables]}}
target: {mode: local, local: {outputDir: $work/out}}
YAML
check inspect_config 0 "$bin" inspect -c "$work/migration.yaml" --no-id-check
check inspect_config_and_source 2 "$bin" inspect -c "$work/migration.yaml" "$work/binary/milvus"

# Damaged inputs: every problem is listed, the exit status says it failed.
cp -r "$work/basic_native" "$work/damaged"
seg=$work/damaged/milvus/db/tables/vectors_ip/1615497440222000000
truncate -s -4 "$seg/1615497440222000000.rv"
rm "$work/damaged/milvus/db/tables/vectors_ip/1615497440222001000/deleted_docs"
check damaged 1 "$bin" inspect "$work/damaged/milvus" --col vectors_ip
check missing_deleted_docs_ok 1 "$bin" inspect "$work/damaged/milvus" --col vectors_ip --missing-deleted-docs-ok

check unknown_collection 2 "$bin" inspect "$work/basic_native/milvus" --col nope
check no_install 2 "$bin" inspect "$work"
check two_sources 2 "$bin" inspect "$work/basic_native/milvus" -s "$work/basic_native/milvus/db/meta.sqlite"
check bad_option 2 "$bin" inspect --frobnicate
check export_without_output 2 "$bin" export -s "$work/basic_native/milvus/db/meta.sqlite"
# No WAL anywhere: the meta alone is checked and a warning says what that
# leaves out and which key names the WAL.
# The copy's server_config.yaml still names the WAL path of the original
# host, which does not exist here.
cp -r "$work/basic_native" "$work/no_wal"
rm -r "$work/no_wal/milvus/wal"
sed -i "s|$work/basic_native/milvus|$work/original-host|" "$work/no_wal/milvus/conf/server_config.yaml"
check no_wal 0 "$bin" inspect "$work/no_wal/milvus" --col vectors_ip --no-id-check
check no_wal.json 0 "$bin" inspect -s "$work/no_wal/milvus/db/meta.sqlite" --col vectors_ip --no-id-check --json
# A WAL named on the command line that is not there is an error, not "no WAL".
check wal_dir_missing 2 "$bin" inspect "$work/basic_native/milvus" --wal-dir "$work/nowhere"
# meta.sqlite copied without its -wal: the rows are not there, and we say why.
mkdir "$work/copy"
cp "$work/basic_native/milvus/db/meta.sqlite" "$work/copy/"
check meta_without_wal 1 "$bin" inspect -s "$work/copy/meta.sqlite"

[ "$failures" -eq 0 ] && echo "$0: all passed"
[ "$failures" -eq 0 ]
