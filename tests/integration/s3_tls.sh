#!/usr/bin/env bash
# S3 over https: a TLS front (tests/lib/tls_proxy.py) before a real S3 server
# (Swift + s3api) on loopback, with certificates made here by openssl. A dump
# staged through it with target.remote.caFile equals a local dump byte for
# byte, path style and virtual host (<bucket>.localhost, which Swift serves);
# a 1.x install is read from the bucket over https too (source.mode remote,
# the same files as a local dump), and a source bucket whose certificate is
# signed by another CA is refused. Each TLS mistake
# fails before any upload with its exact message: the system CAs do not
# trust the private CA, a CA file of another CA, a certificate for another
# host name, an unreadable CA file, https to a plain http port.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-s3-tls.XXXXXX")
source "$src/tests/lib/swift.sh"
source "$src/tests/lib/proxy.sh"
tls_pid=
cleanup() {
  [ -n "$tls_pid" ] && kill "$tls_pid" 2>/dev/null
  mm_swift_stop
  rm -rf "$work"
}
trap cleanup EXIT
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY CURL_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR
mm_swift_start "$work" || exit 1
curl_s3 -X PUT "$S3_ENDPOINT/stage" -o /dev/null -w '%{http_code}\n' | grep -q 200
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok   $*"; }

# ---- certificates: a private CA, another CA, the server's certificate for
# 127.0.0.1 and stage.localhost (not for localhost)
pki=$work/pki
mkdir -p "$pki"
make_ca() { openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" -keyout "$pki/$1.key" -out "$pki/$1.pem" 2>/dev/null; }
make_ca test-ca
make_ca other-ca
openssl req -newkey rsa:2048 -nodes -subj "/CN=storage" -keyout "$pki/server.key" -out "$pki/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:stage.localhost\n' >"$pki/server.ext"
openssl x509 -req -in "$pki/server.csr" -CA "$pki/test-ca.pem" -CAkey "$pki/test-ca.key" -CAcreateserial -days 2 \
  -extfile "$pki/server.ext" -out "$pki/server.pem" 2>/dev/null

mm_proxy_start "$work/tls.out" /usr/bin/python3 "$src/tests/lib/tls_proxy.py" 0 "$SWIFT_S3_PORT" \
  "$pki/server.pem" "$pki/server.key" || exit 1
tls_pid=$MM_PROXY_PID tls_port=$MM_PROXY_PORT

/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/basic_native.json" "$work/fx" >/dev/null
# dump NAME SOURCE-YAML TARGET-YAML: output in $work/NAME/{stdout,stderr}, status in $status.
dump() {
  local d=$work/$1
  mkdir -p "$d"
  cat >"$d/migration.yaml" <<YAML
dumper: {worker: {workMode: milvus1x}}
meta: {mode: sqlite, sqliteFile: $work/fx/milvus/db/meta.sqlite}
$2
$3
state: {dir: $d/state}
YAML
  chmod 600 "$d/migration.yaml"
  status=0
  "$bin" dump -c "$d/migration.yaml" >"$d/stdout" 2>"$d/stderr" || status=$?
}
local_source="source: {mode: local, local: {tablesDir: $work/fx/milvus/db/tables}}"
keys="region: $S3_REGION, ak: 'test:tester', sk: Sw1ftSecret"
remote() {  # NAME ENDPOINT EXTRA: a target in bucket stage under NAME/
  echo "target: {mode: remote, remote: {cloud: minio, endpoint: '$2', bucket: stage, outputDir: $1/, $keys, $3}}"
}

dump local "$local_source" "target: {mode: local, local: {outputDir: $work/local/out}}"
[ "$status" = 0 ] || { fail "local dump"; cat "$work/local/stderr"; }
same_as_local() {  # PREFIX: every .npy of the local dump equals the object under PREFIX
  local n=0 f rel
  while IFS= read -r f; do
    rel=${f#"$work/local/out/"}
    curl_s3 "$S3_ENDPOINT/stage/$1/$rel" -o "$work/got"
    cmp -s "$f" "$work/got" || { echo "  $rel differs"; return 1; }
    n=$((n + 1))
  done < <(find "$work/local/out" -type f -name '*.npy')
  [ "$n" -gt 0 ]
}

# ---- https with the private CA: path style, then virtual host ------------------
dump https "$local_source" "$(remote https "127.0.0.1:$tls_port" "useSSL: true, caFile: $pki/test-ca.pem")"
if [ "$status" = 0 ] && grep -q "to s3://stage at https://127.0.0.1:$tls_port/https/migration;" "$work/https/stdout" &&
   same_as_local https; then pass "https with caFile: staged objects equal the local dump"
else fail "https with caFile: status $status"; cat "$work/https/stdout" "$work/https/stderr"; fi

# Alibaba OSS and Tencent COS address buckets as virtual hosts only; curl
# resolves *.localhost to loopback and Swift serves buckets under localhost.
dump vhost "$local_source" "target: {mode: remote, remote: {cloud: ali, endpoint: 'localhost:$tls_port', bucket: stage, \
outputDir: vhost/, $keys, useSSL: true, caFile: $pki/test-ca.pem}}"
if [ "$status" = 0 ] && same_as_local vhost; then pass "virtual host https://stage.localhost: staged objects equal the local dump"
else fail "virtual host: status $status"; cat "$work/vhost/stdout" "$work/vhost/stderr"; fi

# ---- the 1.x install read from the bucket over https ----------------------------
# Its tables directory uploaded (over plain http, straight to Swift) under
# legacy/tables/; the dump reads it through the TLS front with the private CA
# and stages locally: the same files, byte for byte, as the local dump.
(cd "$work/fx/milvus/db/tables" && find . -type f -printf '%P\n') | while IFS= read -r rel; do
  curl_s3 -f -T "$work/fx/milvus/db/tables/$rel" "$S3_ENDPOINT/stage/legacy/tables/$rel" -o /dev/null || exit 1
done || fail "upload of the 1.x tables directory"
remote_source() {  # EXTRA
  echo "source: {mode: remote, remote: {cloud: minio, endpoint: '127.0.0.1:$tls_port', bucket: stage, tablesDir: legacy/tables, $keys, $1}}"
}
dump source-https "$(remote_source "useSSL: true, caFile: $pki/test-ca.pem")" \
  "target: {mode: local, local: {outputDir: $work/source-https/out}}"
same_local_files() {  # NAME: the same .npy files as the local dump, byte for byte
  local a=$work/local/out/migration b=$work/$1/out/migration n=0 f
  [ "$(cd "$a" && find . -name '*.npy' | sort)" = "$(cd "$b" && find . -name '*.npy' | sort)" ] || return 1
  while IFS= read -r f; do cmp -s "$a/$f" "$b/$f" || return 1; n=$((n + 1)); done < <(cd "$a" && find . -name '*.npy')
  [ "$n" -gt 0 ]
}
if [ "$status" = 0 ] && same_local_files source-https; then
  pass "source.mode remote over https with caFile: the staged files equal the local dump"
else fail "source over https: status $status"; cat "$work/source-https/stdout" "$work/source-https/stderr"; fi

# ---- mistakes -----------------------------------------------------------------------
expect() {  # NAME EXIT MESSAGE: the dump failed with exactly that one line and uploaded nothing
  local got
  # The TLS library's version is not part of the message under test.
  got=$(sed -E 's|\(OpenSSL/[0-9.]+: |(|' "$work/$1/stderr")
  if [ "$status" != "$2" ] || [ "$got" != "$3" ]; then
    fail "$1: exit $status"; echo "  got:      $got"; echo "  expected: $3"
  elif [ -n "$(curl_s3 "$S3_ENDPOINT/stage?list-type=2&prefix=$1%2F" | grep -o '<Key>' || true)" ]; then
    fail "$1: objects were stored"
  elif grep -q Sw1ftSecret "$work/$1/stdout" "$work/$1/stderr"; then
    fail "$1: the secret was printed"
  else
    pass "$1: $got"
  fi
}
T="s3://stage at https://127.0.0.1:$tls_port"
dump system-cas "$local_source" "$(remote system-cas "127.0.0.1:$tls_port" "useSSL: true")"
expect system-cas 1 "milvus-migrate dump: S3 HEAD $T: the server's TLS certificate is not signed by a CA this system trusts (SSL certificate problem: unable to get local issuer certificate); set target.remote.caFile to the PEM file of the CA that signed it"

dump other-ca "$local_source" "$(remote other-ca "127.0.0.1:$tls_port" "useSSL: true, caFile: $pki/other-ca.pem")"
expect other-ca 1 "milvus-migrate dump: S3 HEAD $T: the server's TLS certificate is not signed by a CA in target.remote.caFile $pki/other-ca.pem (SSL certificate problem: unable to get local issuer certificate); set target.remote.caFile to the PEM file of the CA that signed it"

dump wrong-host "$local_source" "$(remote wrong-host "localhost:$tls_port" "useSSL: true, caFile: $pki/test-ca.pem")"
expect wrong-host 1 "milvus-migrate dump: S3 HEAD s3://stage at https://localhost:$tls_port: the server's TLS certificate is not for this host (SSL: no alternative certificate subject name matches target host name 'localhost'); set target.remote.endpoint to a host name the certificate names"

dump no-ca-file "$local_source" "$(remote no-ca-file "127.0.0.1:$tls_port" "useSSL: true, caFile: $pki/missing.pem")"
expect no-ca-file 2 "milvus-migrate dump: target.remote.caFile $pki/missing.pem: cannot read it: No such file or directory; set it to a PEM file of CA certificates"

printf 'not a certificate\n' >"$pki/junk.pem"
dump junk-ca "$local_source" "$(remote junk-ca "127.0.0.1:$tls_port" "useSSL: true, caFile: $pki/junk.pem")"
expect junk-ca 2 "milvus-migrate dump: S3 HEAD $T: target.remote.caFile $pki/junk.pem holds no usable CA certificate (error setting certificate file: $pki/junk.pem); set it to a PEM file of CA certificates"

dump plain-port "$local_source" "$(remote plain-port "127.0.0.1:$SWIFT_S3_PORT" "useSSL: true, caFile: $pki/test-ca.pem")"
expect plain-port 1 "milvus-migrate dump: S3 HEAD s3://stage at https://127.0.0.1:$SWIFT_S3_PORT: TLS handshake failed (error:0A00010B:SSL routines::wrong version number); check target.remote.endpoint and target.remote.useSSL: the server may not speak https there"

# The source bucket's certificate is checked as well.
dump source-other-ca "$(remote_source "useSSL: true, caFile: $pki/other-ca.pem")" \
  "target: {mode: local, local: {outputDir: $work/source-other-ca/out}}"
expect source-other-ca 1 "milvus-migrate dump: S3 HEAD $T: the server's TLS certificate is not signed by a CA in source.remote.caFile $pki/other-ca.pem (SSL certificate problem: unable to get local issuer certificate); set source.remote.caFile to the PEM file of the CA that signed it"
[ -z "$(find "$work/source-other-ca/out" -type f 2>/dev/null)" ] || fail "source-other-ca: files were staged"

echo "s3_tls: $failures failure(s)"
[ "$failures" -eq 0 ]
