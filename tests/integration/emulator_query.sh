#!/usr/bin/env bash
# The Milvus 2.x emulator's Query as Milvus answers it, through the official
# Node SDK's channel, on both generations: 101 before a load, 700 loading
# without an index, one row per duplicate id, rows imported after the load
# read only after a refresh, the result window and empty-expression limits,
# no dropping a loaded collection's vector index.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
source "$src/tests/lib/emulator.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-emulator-query.XXXXXX")
cleanup() { mm_emulator_stop; rm -rf "$work"; }
trap cleanup EXIT
failures=0
for gen in 2.5 2.3; do
  mm_emulator_start "$work/$gen" --generation "$gen" --storage-dir "$work/$gen/storage"
  if ! node "$src/tests/emulator/query_smoke.js" --address "127.0.0.1:$MM_EMU_PORT" --generation "$gen" \
    --storage-dir "$work/$gen/storage"; then
    echo "FAIL: Query against the $gen emulator"
    tail -n 30 "$MM_EMU_LOG"
    failures=$((failures + 1))
  fi
  mm_emulator_stop
done
[ "$failures" -eq 0 ]
