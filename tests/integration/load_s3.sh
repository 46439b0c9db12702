#!/usr/bin/env bash
# run (dump -> stage on a real S3 server -> load -> verify) where the Milvus
# 2.x emulator reads the staged objects from that S3 bucket, as Milvus reads
# its own bucket: exact rows (ids and vector bytes) per partition, on both
# server generations.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/emulator.sh"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-load-s3.XXXXXX")
source "$src/tests/lib/swift.sh"
cleanup() {
  mm_emulator_stop
  mm_swift_stop
  rm -rf "$work"
}
trap cleanup EXIT
mm_swift_start "$work" || exit 1
curl_s3 -X PUT "$S3_ENDPOINT/a-bucket" -o /dev/null -w '%{http_code}\n' | grep -q 200
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

for gen in 2.3 2.5; do
  mm_emulator_start "$work/emu$gen" --generation "$gen" --s3-endpoint "$S3_ENDPOINT" --s3-bucket a-bucket \
    --s3-access-key test:tester --s3-secret-key Sw1ftSecret --s3-region "$S3_REGION"
  for scenario in partitions_orm binary; do
    d=$work/$gen-$scenario
    mkdir -p "$d"
    /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/$scenario.json" "$d/fx" >/dev/null
    sec=""
    [ -d "$d/fx/milvus2/db/tables" ] && sec=", secondaryTablesDirs: [$d/fx/milvus2/db/tables]"
    cat >"$d/migration.yaml" <<YAML
dumper: {worker: {workMode: milvus1x, limit: 2}}
loader: {worker: {limit: 2}, pollIntervalSeconds: 1}
meta: {mode: sqlite, sqliteFile: $d/fx/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: $d/fx/milvus/db/tables$sec}}
target:
  mode: remote
  remote: {cloud: minio, endpoint: ${S3_ENDPOINT#http://}, region: $S3_REGION, bucket: a-bucket, ak: 'test:tester', sk: Sw1ftSecret, outputDir: $gen-$scenario/}
  milvus2x: {endpoint: 127.0.0.1:$MM_EMU_PORT, retries: 1}
verify: {statsTimeoutSeconds: 3}
YAML
    chmod 600 "$d/migration.yaml"
    if ! "$bin" run -c "$d/migration.yaml" --report "$d/report" >"$d/stdout" 2>"$d/stderr"; then
      fail "$gen $scenario: run"; cat "$d/stderr" "$d/stdout"; continue
    fi
    grep -q "^All counts match.$" "$d/stdout" || { fail "$gen $scenario: verify"; cat "$d/stdout"; }
    # The emulator got object keys of the bucket, never local paths.
    curl -s "http://127.0.0.1:$MM_EMU_CONTROL_PORT/state" | grep -q "\"$gen-$scenario/migration/tables/" \
      || fail "$gen $scenario: Import files are not bucket keys"
    /usr/bin/python3 "$src/tests/lib/emulator_ids.py" "$d/fx/expected/liveset.tsv" "$d/report.json" \
      "http://127.0.0.1:$MM_EMU_CONTROL_PORT/state" >"$d/ids" 2>&1 && echo "ok   $gen $scenario: staged on S3, imported from S3, exact rows: ids and vector bytes ($(tail -1 "$d/ids"))" \
      || { fail "$gen $scenario: rows in Milvus"; cat "$d/ids"; }
  done
  mm_emulator_stop
done
echo "load_s3: $failures failure(s)"
[ "$failures" -eq 0 ]
