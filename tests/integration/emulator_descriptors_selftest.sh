#!/usr/bin/env bash
# check_descriptors.js rejects a descriptor dump that disagrees with the
# upstream .proto files (exact mismatch lines), accepts a correct one, and
# refuses an empty dump.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
emu=$src/tests/emulator
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-descriptors.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
sdk="sdk: @zilliz/milvus2-sdk-node $(node -p "require('$emu/node_modules/@zilliz/milvus2-sdk-node/package.json').version")"
check() {  # name expected-rc expected-output json
  local out rc=0
  out=$(node "$emu/check_descriptors.js" "$4") || rc=$?
  [ "$rc" = "$2" ] || fail "$1: exit $rc, want $2"
  [ "$out" = "$3" ] || fail "$1: output
$out
want
$3"
}

check "bad field number" 1 \
"$sdk
MISMATCH milvus.proto.common.Status.code: ours number=4 label=optional type=int32 upstream number=3 label=optional type=int32
descriptors: 3 messages, 6 fields, 4 enum values checked, 1 mismatches" "$emu/testdata/descriptors_bad.json"

sed 's/"name": "code", "number": 4/"name": "code", "number": 3/' "$emu/testdata/descriptors_bad.json" >"$work/good.json"
check "corrected dump" 0 "$sdk
descriptors: 3 messages, 6 fields, 4 enum values checked, 0 mismatches" "$work/good.json"

sed -e 's/"ImportCompleted": 6/"ImportCompleted": 7/' \
    -e 's/"typeName": "milvus.proto.common.Status"}/"typeName": "milvus.proto.common.KeyValuePair"}/' \
    -e 's/"type": "int64"}/"type": "int64"}, {"name": "no_such_field", "number": 9, "label": "repeated", "type": "bytes"}/' \
    "$work/good.json" >"$work/other.json"
check "type, enum and missing-field mismatches" 1 \
"$sdk
MISMATCH milvus.proto.milvus.ImportResponse.status: ours number=1 label=optional type=message typeName=milvus.proto.common.KeyValuePair upstream number=1 label=optional type=message typeName=milvus.proto.common.Status
MISMATCH milvus.proto.milvus.ImportResponse.no_such_field: ours number=9 label=repeated type=bytes upstream missing
MISMATCH milvus.proto.common.ImportState.ImportCompleted: ours 7 upstream 6
descriptors: 3 messages, 7 fields, 4 enum values checked, 3 mismatches" "$work/other.json"

echo '{"messages": {}, "enums": {}}' >"$work/empty.json"
check "empty dump" 1 "$sdk
descriptors: 0 messages, 0 fields, 0 enum values checked, 0 mismatches
check_descriptors: $work/empty.json holds no messages or enums; the descriptor dump is empty" "$work/empty.json"

# An SDK line that is not pinned is a usage error, not a silent pass.
check "unknown SDK line" 2 "" "--sdk"
echo "emulator_descriptors_selftest: $((failures == 0 ? 1 : 0)) passed, $((failures == 0 ? 0 : 1)) failed"
[ "$failures" -eq 0 ]
