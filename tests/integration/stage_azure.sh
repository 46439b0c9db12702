#!/usr/bin/env bash
# cloud: azure against Microsoft's emulator Azurite: run (dump -> stage in a
# container -> load -> verify) where the Milvus 2.x emulator reads the staged
# blobs from Azurite, with exact rows (ids and vector bytes) per partition,
# every staged blob equal byte for byte to a local dump; a segment large enough
# for block uploads; a SAS token instead of the key; retries through 503s;
# a wrong key and a missing container fail with exact messages that hold no
# secret; an upload that fails for good (a block list that never commits, a
# single request cut half way) leaves no visible blob, and the re-run once
# the fault is gone stages everything.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/azurite.sh"
source "$src/tests/lib/proxy.sh"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-stage-azure.XXXXXX")
proxy_pid=
cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  mm_emulator_stop
  mm_azurite_stop
  rm -rf "$work"
}
trap cleanup EXIT
mm_azurite_start "$work" || exit 1
mm_azurite_create_container milvus
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok   $*"; }

fixture() { # NAME SCENARIO.json -> $work/NAME/fx
  mkdir -p "$work/$1"
  /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$2" "$work/$1/fx" >/dev/null
}

# config NAME REMOTE-FLOW-MAP [EXTRA-TOP-LEVEL-YAML]: a run config for fixture NAME.
config() {
  local d=$work/$1 sec=""
  [ -d "$d/fx/milvus2/db/tables" ] && sec=", secondaryTablesDirs: [$d/fx/milvus2/db/tables]"
  cat >"$d/migration.yaml" <<YAML
dumper: {worker: {workMode: milvus1x, limit: 2}, partSize: 5MiB}
loader: {worker: {limit: 2}, pollIntervalSeconds: 1}
meta: {mode: sqlite, sqliteFile: $d/fx/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: $d/fx/milvus/db/tables$sec}}
target:
  mode: remote
  remote: $2
  milvus2x: {endpoint: 127.0.0.1:${MM_EMU_PORT:-1}, retries: 1}
verify: {statsTimeoutSeconds: 3}
${3:-}
YAML
  chmod 600 "$d/migration.yaml"
}

remote_with() { # EXTRA-KEYS OUTPUT-DIR
  echo "{cloud: azure, endpoint: '$AZURITE_ENDPOINT', ak: $AZURITE_ACCOUNT, bucket: milvus, $1, outputDir: $2/}"
}

# ---- a wrong key and a missing container stop before any work ---------------
wrong_key=$(/usr/bin/python3 -c 'import base64; print(base64.b64encode(b"k" * 64).decode())')
fixture wrong "$src/tests/fixtures/scenarios/basic_native.json"
config wrong "$(remote_with "sk: '$wrong_key'" wrong)"
status=0
"$bin" dump -c "$work/wrong/migration.yaml" >"$work/wrong/out" 2>"$work/wrong/err" || status=$?
want="milvus-migrate dump: Azure GET azure://milvus at http://$AZURITE_ENDPOINT/$AZURITE_ACCOUNT: 403 AuthorizationFailure: Server failed to authenticate the request. Make sure the value of the Authorization header is formed correctly including the signature.; check target.remote.ak (the storage account name, '$AZURITE_ACCOUNT') and target.remote.sk (one of its access keys)"
if [ "$status" = 1 ] && [ "$(cat "$work/wrong/err")" = "$want" ]; then pass "wrong key: exit 1 and the message names the keys to check"
else fail "wrong key: status $status"; cat "$work/wrong/err"; fi
if grep -qF -e "$wrong_key" -e "$AZURITE_KEY" "$work/wrong/err" "$work/wrong/out"; then fail "wrong key: a key was printed"
else pass "wrong key: no key in the output"; fi

config wrong "{cloud: azure, endpoint: '$AZURITE_ENDPOINT', ak: $AZURITE_ACCOUNT, sk: '$AZURITE_KEY', bucket: nosuch}"
status=0
"$bin" dump -c "$work/wrong/migration.yaml" >"$work/wrong/out" 2>"$work/wrong/err" || status=$?
want="milvus-migrate dump: Azure container azure://nosuch at http://$AZURITE_ENDPOINT/$AZURITE_ACCOUNT does not exist (ContainerNotFound); create it or fix target.remote.bucket"
if [ "$status" = 1 ] && [ "$(cat "$work/wrong/err")" = "$want" ]; then pass "missing container: exit 1, named"
else fail "missing container: status $status"; cat "$work/wrong/err"; fi

# ---- dump -> Azurite -> emulator import -> verify, on both generations -------
# A segment of 12000 float vectors of dim 128 is a 6 MB data.npy: two blocks
# of dumper.partSize 5 MiB.
cat >"$work/large.json" <<'JSON'
{"era": "native", "version": "1.1.0", "seed": 11, "global_lsn": 900,
 "collections": [{"name": "big", "dim": 128, "metric": 1, "engine_type": 1, "flush_lsn": 900,
   "segments": [{"id": "1700000000000001000", "rows": 12000, "deletes": [[7], [11999]]}],
   "partitions": [{"tag": "p", "table_id": "1700000000000100000",
                   "segments": [{"id": "1700000000000101000", "rows": 30}]}]}]}
JSON
# Every .npy of a local dump of fixture NAME equals its blob under NAME/, byte
# for byte, and no other .npy blob is there.
same_as_local_dump() { # NAME
  local d=$work/$1 n=0 f rel listed
  mkdir -p "$d/local"
  cp "$d/migration.yaml" "$d/local/migration.yaml"
  /usr/bin/python3 - "$d/local/migration.yaml" "$d/local" <<'PY'
import re, sys
p, d = sys.argv[1], sys.argv[2]
s = re.sub(r"(?m)^  mode: remote\n  remote: .*$", "  mode: local\n  local: {outputDir: %s/out}" % d, open(p).read())
open(p, "w").write(s + "state: {dir: %s/state}\n" % d)
PY
  "$bin" dump -c "$d/local/migration.yaml" >"$d/local/stdout" 2>&1 || { cat "$d/local/stdout"; return 1; }
  while IFS= read -r f; do
    rel=${f#"$d/local/out/"}
    mm_azurite_get "/milvus/$1/$rel" "$work/got" && cmp -s "$f" "$work/got" || { echo "  $rel differs"; return 1; }
    n=$((n + 1))
  done < <(find "$d/local/out" -type f -name '*.npy')
  listed=$(mm_azurite_call GET /milvus "restype=container&comp=list&prefix=$1/" | grep -o '<Name>[^<]*\.npy</Name>' | wc -l)
  [ "$n" -gt 0 ] && [ "$listed" -eq "$n" ] || { echo "  $n local files, $listed .npy blobs"; return 1; }
  echo "$n"
}

run_case() { # GEN NAME SCENARIO REMOTE-EXTRA
  local gen=$1 name=$2 d=$work/$2 n
  fixture "$name" "$3"
  config "$name" "$(remote_with "$4" "$name")"
  if ! "$bin" run -c "$d/migration.yaml" --report "$d/report" >"$d/stdout" 2>"$d/stderr"; then
    fail "$name: run"; cat "$d/stderr" "$d/stdout"; return
  fi
  grep -q "^All counts match.$" "$d/stdout" || { fail "$name: verify"; cat "$d/stdout"; return; }
  grep -q "to azure://milvus at http://$AZURITE_ENDPOINT/$AZURITE_ACCOUNT/$name/migration;" "$d/stdout" \
    || { fail "$name: dump summary"; cat "$d/stdout"; }
  curl -s "http://127.0.0.1:$MM_EMU_CONTROL_PORT/state" | grep -q "\"$name/migration/tables/" \
    || fail "$name: Import files are not container keys"
  if /usr/bin/python3 "$src/tests/lib/emulator_ids.py" "$d/fx/expected/liveset.tsv" "$d/report.json" \
    "http://127.0.0.1:$MM_EMU_CONTROL_PORT/state" >"$d/ids" 2>&1; then
    pass "$gen $name: staged in Azurite, imported from Azurite, exact rows: ids and vector bytes ($(tail -1 "$d/ids"))"
  else
    fail "$gen $name: rows in Milvus"; cat "$d/ids"
  fi
  if n=$(same_as_local_dump "$name"); then pass "$gen $name: $n staged blobs equal a local dump byte for byte"
  else fail "$gen $name: staged blobs differ from a local dump"; echo "$n"; fi
}

for gen in 2.3 2.5; do
  mm_emulator_start "$work/emu$gen" --generation "$gen" --azure-endpoint "http://$AZURITE_ENDPOINT/$AZURITE_ACCOUNT" \
    --azure-account "$AZURITE_ACCOUNT" --azure-key "$AZURITE_KEY" --azure-container milvus
  run_case "$gen" "$gen-partitions" "$src/tests/fixtures/scenarios/partitions_orm.json" "sk: '$AZURITE_KEY'"
  mm_emulator_stop
done

mm_emulator_start "$work/emu-large" --generation 2.5 --azure-endpoint "http://$AZURITE_ENDPOINT/$AZURITE_ACCOUNT" \
  --azure-account "$AZURITE_ACCOUNT" --azure-key "$AZURITE_KEY" --azure-container milvus
run_case 2.5 large "$work/large.json" "sk: '$AZURITE_KEY'"
# The 6 MB file was committed as a block list of two blocks.
blocks=$(mm_azurite_call GET "/milvus/large/migration/tables/big/1700000000000001000/data.npy" "comp=blocklist" \
  | grep -o '<Block>' | wc -l)
[ "$blocks" = 2 ] && pass "large: data.npy committed as 2 blocks" || fail "large: $blocks blocks, expected 2"

# ---- a SAS token instead of the key -----------------------------------------
sas=$(mm_azurite_sas)
run_case 2.5 sas "$src/tests/fixtures/scenarios/binary.json" "sasToken: '?$sas'"
if grep -qF -e "${sas##*sig=}" -e "$AZURITE_KEY" "$work/sas/stdout" "$work/sas/stderr"; then fail "sas: a secret was printed"
else pass "sas: no secret in the output"; fi
mm_emulator_stop

# ---- retries: the first three uploads (PUT) answer 503 -----------------------
# One fault proxy from here on (a job's endpoint stays the same); set_faults
# switches what it injects, and each fault injected is recorded in
# $work/faults.
set_faults() {  # mode count match
  : >"$work/faults"
  printf '{"mode": "%s", "count": %d, "methods": "PUT", "match": "%s"}\n' "$1" "$2" "$3" >"$work/faults.json"
}
set_faults 503 3 ""
mm_proxy_start "$work/proxy.out" env FAULT_PROXY_CONTROL="$work/faults.json" FAULT_PROXY_FAULTS="$work/faults" \
  /usr/bin/python3 "$src/tests/lib/fault_proxy.py" 0 "$AZURITE_PORT" record 0 || exit 1
proxy_pid=$MM_PROXY_PID proxy_port=$MM_PROXY_PORT
fixture retry "$src/tests/fixtures/scenarios/basic_native.json"
config retry "{cloud: azure, endpoint: '127.0.0.1:$proxy_port', ak: $AZURITE_ACCOUNT, sk: '$AZURITE_KEY', bucket: milvus, outputDir: retry/}"
if "$bin" dump -c "$work/retry/migration.yaml" >"$work/retry/out" 2>"$work/retry/err"; then
  hit=$(grep -c '^503 PUT /mmacct/milvus/retry/' "$work/faults" || true)
  if [ "$hit" -eq 3 ] && n=$(same_as_local_dump retry); then
    pass "retry: three uploads answered 503 were retried; $n staged blobs equal a local dump byte for byte"
  else
    fail "retry: $hit upload(s) faulted, blobs: $n"; cat "$work/faults"
  fi
else
  fail "retry: dump"; cat "$work/retry/err"
fi

# ---- a failed upload leaves no visible blob -------------------------------------
# The 6 MB data.npy of "large" goes up as blocks: its commit (Put Block List)
# answered 503 for good fails the dump, and the blob is not there; its blocks
# were uploaded (Azure keeps them uncommitted, invisible). A file sent in one
# request whose connection is cut half way, every time, is not there either.
# Once the faults clear, the re-run stages everything, byte for byte.
blobs() {  # prefix [include]: names of the blobs listed under prefix
  mm_azurite_call GET /milvus "restype=container&comp=list&prefix=$1${2:+&include=$2}" \
    | grep -o '<Name>[^<]*</Name>' | sed 's/<[^>]*>//g' || true
}
fixture noblob "$work/large.json"
config noblob "{cloud: azure, endpoint: '127.0.0.1:$proxy_port', ak: $AZURITE_ACCOUNT, sk: '$AZURITE_KEY', bucket: milvus, outputDir: noblob/}"
sed -i 's/^dumper: {worker: {workMode: milvus1x, limit: 2}/dumper: {worker: {workMode: milvus1x, limit: 1}/' "$work/noblob/migration.yaml"
big=noblob/migration/tables/big/1700000000000001000/data.npy
set_faults 503 1000000 'comp=blocklist'
status=0
"$bin" dump -c "$work/noblob/migration.yaml" >"$work/noblob/out" 2>"$work/noblob/err" || status=$?
want="milvus-migrate dump: dump collection 'big' segment 1700000000000001000: Azure PUT azure://milvus/$big at http://127.0.0.1:$proxy_port/$AZURITE_ACCOUNT: 503 error: Please reduce your request rate. (after 6 attempts)"
if [ "$status" = 1 ] && [ "$(grep -v '^dump: ' "$work/noblob/err")" = "$want" ] &&
   [ "$(grep -c "^503 PUT .*/$big?comp=blocklist" "$work/faults")" -ge 1 ] &&
   ! grep -qxF "$big" <<<"$(blobs noblob/)" && grep -qxF "$big" <<<"$(blobs noblob/ uncommittedblobs)"; then
  pass "a block list that never commits: exit 1, $big not visible (its blocks stay uncommitted)"
else
  fail "failed block upload: status $status"; cat "$work/noblob/err"; echo "  expected: $want"; blobs noblob/
fi
small=noblob/migration/tables/big/1700000000000101000/data.npy
set_faults cut 1000000 "/milvus/$small\$"
status=0
"$bin" dump -c "$work/noblob/migration.yaml" >"$work/noblob/out" 2>"$work/noblob/err" || status=$?
want="milvus-migrate dump: dump collection 'big' segment 1700000000000101000: Azure PUT azure://milvus/$small at http://127.0.0.1:$proxy_port/$AZURITE_ACCOUNT: Server returned nothing (no headers, no data) (after 6 attempts); check target.remote.endpoint and that the server is reachable"
if [ "$status" = 1 ] && [ "$(grep -v '^dump: ' "$work/noblob/err")" = "$want" ] &&
   [ "$(grep -c "^cut PUT .*/$small$" "$work/faults")" -ge 1 ] && ! grep -qxF "$small" <<<"$(blobs noblob/ uncommittedblobs)"; then
  pass "a single-request upload cut half way, every time: exit 1, $small not there"
else
  fail "cut upload: status $status"; cat "$work/noblob/err"; echo "  expected: $want"; blobs noblob/ uncommittedblobs
fi
set_faults record 0 ""
if "$bin" dump -c "$work/noblob/migration.yaml" >"$work/noblob/out" 2>"$work/noblob/err" && n=$(same_as_local_dump noblob); then
  pass "the faults cleared: the re-run stages all $n files, equal to a local dump"
else
  fail "noblob re-run"; cat "$work/noblob/err"
fi

echo "stage_azure: $failures failure(s)"
[ "$failures" -eq 0 ]
