#!/usr/bin/env bash
# load + verify over TLS into the emulator serving gRPC with certificates
# made here by openssl: server TLS with a private CA and a certificate name
# that only tls.serverName matches, mutual TLS (Milvus's tlsMode 2), each
# ending with exactly the live rows (ids and vector bytes) in Milvus, and
# the exact errors for a wrong CA, a missing client certificate, a
# plaintext client and an unreadable CA file.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/emulator.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-tls.XXXXXX")
cleanup() { mm_emulator_stop; [ -n "${MM_KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }

# ---- certificates: CA, server cert for "milvus.test", client cert, a second CA
pki=$work/pki
mkdir -p "$pki"
make_ca() {  # name
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
    -keyout "$pki/$1.key" -out "$pki/$1.pem" 2>/dev/null
}
make_cert() {  # name ca extfile-lines
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null
  printf '%s\n' "$3" >"$pki/$1.ext"
  openssl x509 -req -in "$pki/$1.csr" -CA "$pki/$2.pem" -CAkey "$pki/$2.key" -CAcreateserial -days 2 \
    -extfile "$pki/$1.ext" -out "$pki/$1.pem" 2>/dev/null
}
make_ca test-ca
make_ca other-ca
make_cert server test-ca "subjectAltName=DNS:milvus.test"
make_cert client test-ca "extendedKeyUsage=clientAuth"

d=$work/job
mkdir -p "$d"
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/partitions_orm.json" "$d/fx" >/dev/null
write_config() {  # port tls-yaml-lines
  cat >"$d/migration.yaml" <<YAML
dumper: {worker: {workMode: milvus1x}}
loader: {worker: {limit: 2}, pollIntervalSeconds: 1}
meta: {mode: sqlite, sqliteFile: $d/fx/milvus/db/meta.sqlite}
source:
  mode: local
  local: {tablesDir: $d/fx/milvus/db/tables, secondaryTablesDirs: [$d/fx/milvus2/db/tables]}
target:
  mode: local
  local: {outputDir: $d/out}
  milvus2x:
    endpoint: 127.0.0.1:$1
    retries: 1
    existingCollection: drop
$2
verify: {statsTimeoutSeconds: 3}
YAML
  chmod 600 "$d/migration.yaml"
}
# Milvus holds exactly the live rows (ids and vector bytes) of the fixture.
rows_check() {  # label
  if /usr/bin/python3 "$src/tests/lib/emulator_ids.py" "$d/fx/expected/liveset.tsv" "$d/report.json" \
    "http://127.0.0.1:$MM_EMU_CONTROL_PORT/state" >"$d/rows.out" 2>&1; then ok "$1: Milvus holds exactly the live rows ($(tail -1 "$d/rows.out"))"
  else fail "$1: rows"; cat "$d/rows.out"; fi
}
expect_error() {  # label want-regex [exit status, default 1]; stderr must be that one line
  local status=0
  "$bin" load -c "$d/migration.yaml" >/dev/null 2>"$d/err" || status=$?
  if [ "$status" -eq "${3:-1}" ] && [ "$(wc -l <"$d/err")" -eq 1 ] && grep -Eq "$2" "$d/err"; then ok "$1: exit $status, one line: $(cat "$d/err")"
  else fail "$1: exit $status"; cat "$d/err"; fi
}

# ---- server TLS
mm_emulator_start "$work/emu" --generation 2.5 --storage-dir "$work" \
  --tls-cert "$pki/server.pem" --tls-key "$pki/server.key"
grep -q "on 127.0.0.1:$MM_EMU_PORT, control on 127.0.0.1:$MM_EMU_CONTROL_PORT, TLS$" "$MM_EMU_LOG" || fail "emulator not serving TLS"
write_config "$MM_EMU_PORT" "    tls: {enabled: true, caFile: $pki/test-ca.pem, serverName: milvus.test}"
if "$bin" run -c "$d/migration.yaml" --report "$d/report" >"$d/run.out" 2>&1 && grep -q "^All counts match.$" "$d/run.out"
then ok "TLS with a private CA and tls.serverName: run verified"; else fail "TLS run"; cat "$d/run.out"; fi
grep -q "^collection docs: expected 19, Milvus 19: OK$" "$d/run.out" || fail "TLS: counts"
rows_check "TLS"

write_config "$MM_EMU_PORT" "    tls: {enabled: true, caFile: $pki/other-ca.pem, serverName: milvus.test}"
hint="check target.milvus2x.tls.caFile \\(the CA that signed the server's certificate\\), tls.serverName \\(a name in that certificate\\) and, when the server requires client certificates, tls.certFile and tls.keyFile$"
expect_error "wrong CA" "^milvus-migrate load: Connect on Milvus at 127.0.0.1:$MM_EMU_PORT: TLS handshake failed \(certificate verify failed\); $hint"
write_config "$MM_EMU_PORT" "    tls: {enabled: true, caFile: $pki/test-ca.pem}"
expect_error "certificate name does not match the endpoint" "^milvus-migrate load: Connect on Milvus at 127.0.0.1:$MM_EMU_PORT: the server's TLS certificate does not name this host \(.*Peer name 127.0.0.1 is not in peer certificate\); set target.milvus2x.tls.serverName to a name in the certificate$"
write_config "$MM_EMU_PORT" ""
expect_error "plaintext client to a TLS server" "^milvus-migrate load: Connect on Milvus at 127.0.0.1:$MM_EMU_PORT: the server closed the connection \(.*Socket closed\); if it serves TLS, set target.milvus2x.tls.enabled: true$"
write_config "$MM_EMU_PORT" "    tls: {enabled: true, caFile: $work/nope.pem}"
expect_error "unreadable CA file" "^milvus-migrate load: read CA file $work/nope.pem: No such file or directory; check target.milvus2x.tls.\*$" 2
mm_emulator_stop

# ---- mutual TLS, with the same job against this fresh server: the journal's
# collection is gone, so load resets its batches and imports them again
mm_emulator_start "$work/emu-m" --generation 2.3 --storage-dir "$work" \
  --tls-cert "$pki/server.pem" --tls-key "$pki/server.key" --tls-client-ca "$pki/test-ca.pem"
write_config "$MM_EMU_PORT" "    tls: {enabled: true, caFile: $pki/test-ca.pem, serverName: milvus.test}"
expect_error "mutual TLS without a client certificate" "^milvus-migrate load: Connect on Milvus at 127.0.0.1:$MM_EMU_PORT: TLS handshake failed \(.*\); $hint"
write_config "$MM_EMU_PORT" "    tls: {enabled: true, caFile: $pki/test-ca.pem, serverName: milvus.test, certFile: $pki/client.pem}"
expect_error "certFile without keyFile" "^milvus-migrate load: $d/migration.yaml:[0-9]+:[0-9]+: target.milvus2x.tls.certFile is set but target.milvus2x.tls.keyFile is empty; mutual TLS needs the certificate and its key$" 2
write_config "$MM_EMU_PORT" "    tls: {enabled: true, caFile: $pki/test-ca.pem, serverName: milvus.test, certFile: $pki/client.pem, keyFile: $pki/client.key}"
if "$bin" run -c "$d/migration.yaml" --report "$d/report" >"$d/run.out" 2>&1 && grep -q "^collection docs: expected 19, Milvus 19: OK$" "$d/run.out"
then ok "mutual TLS with a client certificate: run verified"; else fail "mutual TLS run"; cat "$d/run.out"; fi
rows_check "mutual TLS"
grep -q "BEGIN" "$d/run.out" && fail "key material in the output" || ok "no key material in the output"

echo "load_tls: $failures failure(s)"
[ "$failures" -eq 0 ]
