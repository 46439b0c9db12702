#!/usr/bin/env bash
# The Milvus 2.x emulator answers the official Node SDK exactly like the
# emulated server generation: 2.5 without auth, then 2.3 with auth on
# (root:Milvus). The .npy files the smoke test writes are byte-identical to
# numpy.save's, and injected faults behave as documented.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
source "$src/tests/lib/emulator.sh"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-emulator-sdk.XXXXXX")
cleanup() {
  mm_emulator_stop
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

run_smoke() {  # generation [auth]
  local gen=$1 auth=${2:-} dir=$work/$1
  local extra=()
  [ -n "$auth" ] && extra=(--auth "$auth")
  mm_emulator_start "$dir" --generation "$gen" --storage-dir "$dir/storage" "${extra[@]}"
  local smoke=(node "$src/tests/emulator/sdk_smoke.js" --address "127.0.0.1:$MM_EMU_PORT"
    --control-port "$MM_EMU_CONTROL_PORT" --generation "$gen" --storage-dir "$dir/storage")
  [ -n "$auth" ] && smoke+=(--auth "$auth")
  if ! "${smoke[@]}"; then
    fail "SDK smoke test against the $gen emulator"
    tail -n 40 "$MM_EMU_LOG"
  fi
}

run_smoke 2.5

# numpy itself writes the same bytes as the smoke test's writer.
/usr/bin/python3 - "$work/2.5/storage/smoke" <<'PY' || fail "smoke .npy files differ from numpy.save output"
import io, sys, numpy as np
d = sys.argv[1]
def same(name, arr):
    buf = io.BytesIO(); np.save(buf, arr)
    with open(f"{d}/{name}", "rb") as f:
        if f.read() != buf.getvalue():
            print(f"{name}: bytes differ from numpy.save"); sys.exit(1)
same("id.npy", np.array([14, 10, 12, 11, 13], dtype="<i8"))
same("data.npy", (np.arange(40, dtype="<f4") / 4).reshape(5, 8))
PY

# Faults: an injected outage for one RPC, a forced import failure, expiry.
state_json() { mm_emulator_state | /usr/bin/python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"; }
mm_emulator_faults '{"unavailableRpc": "GetImportState", "unavailableCount": 2}' >/dev/null
[ "$(state_json 's["faults"]["unavailableCount"]')" = 2 ] || fail "fault not recorded"
out=$(curl -sS -X POST --data '{"bogus": 1}' "http://127.0.0.1:$MM_EMU_CONTROL_PORT/faults")
[ "$out" = '{"error":"unknown fault '"'"'bogus'"'"'"}' ] || fail "unknown fault accepted: $out"
mm_emulator_faults_reset >/dev/null
[ "$(state_json 's["faults"]["unavailableCount"]')" = 0 ] || fail "faults not reset"
[ "$(state_json 's["collections"]["smoke"]["partitions"]["p1"]["ids"]')" = "['10', '11', '12', '13', '14']" ] \
  || fail "state ids of p1"
grep -q 'authorization' "$MM_EMU_LOG" && fail "log mentions authorization"
mm_emulator_stop

run_smoke 2.3 root:Milvus
if grep -v '^emulator: Milvus 2.3 on' "$work/2.3/emulator.log" | grep -q -e 'Milvus' -e 'cm9vdDpNaWx2dXM='; then
  fail "2.3 log contains the password or the authorization value"
fi
grep -c 'UNAUTHENTICATED auth check failure' "$work/2.3/emulator.log" >/dev/null \
  || fail "wrong password not logged as UNAUTHENTICATED"
mm_emulator_stop

echo "emulator_sdk: $((failures == 0 ? 1 : 0)) passed, $((failures == 0 ? 0 : 1)) failed"
[ "$failures" -eq 0 ]
