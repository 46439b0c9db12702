#!/usr/bin/env bash
# Every message, field and enum value compiled into the engine (read from
# protobuf-c's own descriptors) must exist with the same number and type in
# the official descriptors shipped by @zilliz/milvus2-sdk-node, of both
# pinned lines (3.0 and 2.5, tests/emulator/descriptors.js), and every
# message of engine/milvus2/proto must be among those checked.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-proto.XXXXXX")
trap 'rm -rf "$work"' EXIT
"${MM_TOOLS:?}/proto_descriptors" >"$work/ours.json"
defined=$(cat "$src"/engine/milvus2/proto/*.proto | grep -c '^message ')
dumped=$(/usr/bin/python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['messages']))" "$work/ours.json")
if [ "$defined" != "$dumped" ]; then
  echo "FAIL: the .proto files define $defined messages but tests/tools/proto_descriptors.c lists $dumped"
  exit 1
fi
for line in 3.0 2.5; do
  node "$src/tests/emulator/check_descriptors.js" --sdk "$line" "$work/ours.json" | tee "$work/out"
  head -1 "$work/out" | grep -Eq "^sdk: [@a-z0-9/.-]+ $line\.[0-9]+$"
  tail -1 "$work/out" | grep -Eq '^descriptors: [0-9]+ messages, [0-9]+ fields, [0-9]+ enum values checked, 0 mismatches$'
  echo "ok   $defined messages match the official descriptors of the SDK's $line line"
done
