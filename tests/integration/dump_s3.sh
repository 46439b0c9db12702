#!/usr/bin/env bash
# `dump` staged on a real S3 server (OpenStack Swift + s3api on loopback):
# the objects equal a local dump byte for byte (13 MiB files in 5 MiB
# multipart parts), a
# segment without deleted rows is sent straight from its files, the same
# bytes as a staged copy, a re-run uploads nothing, and a wrong secret or bucket fails up front with
# a message that names the bucket and the fix but never the secret. 503s,
# dropped connections and corrupted bodies on three uploads (PUT/POST, seen
# by the fault proxy) are retried and every object ends intact; a bucket
# check answered 503 for good fails after 6 attempts.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-dump-s3.XXXXXX")
source "$src/tests/lib/swift.sh"
source "$src/tests/lib/proxy.sh"
proxy_pid=
cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  mm_swift_stop
  rm -rf "$work"
}
trap cleanup EXIT
mm_swift_start "$work" || exit 1
curl_s3 -X PUT "$S3_ENDPOINT/stage" -o /dev/null -w '%{http_code}\n' | grep -q 200
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/large/resume.json" "$work/fx" >/dev/null
config() {  # file target-yaml
  cat >"$1" <<YAML
dumper: {worker: {workMode: milvus1x, limit: 2}, partSize: 5MiB, maxFileSize: 16MiB}
meta: {mode: sqlite, sqliteFile: $work/fx/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: $work/fx/milvus/db/tables}}
state: {dir: $(dirname "$1")/state}
$2
YAML
  chmod 600 "$1"
}
mkdir -p "$work/local" "$work/remote" "$work/badkey" "$work/nobucket"
config "$work/local/migration.yaml" "target: {mode: local, local: {outputDir: $work/local/out}}"
remote() { echo "target: {mode: remote, remote: {cloud: minio, endpoint: ${S3_ENDPOINT#http://}, region: us-east-1, bucket: $1, ak: 'test:tester', sk: '$2', outputDir: runs/one/}}"; }
config "$work/remote/migration.yaml" "$(remote stage Sw1ftSecret)"
config "$work/badkey/migration.yaml" "$(remote stage WrongSecret123)"
config "$work/nobucket/migration.yaml" "$(remote missing Sw1ftSecret)"

"$bin" dump -c "$work/local/migration.yaml" >/dev/null 2>&1
"$bin" dump -c "$work/remote/migration.yaml" >"$work/remote/stdout" 2>"$work/remote/stderr" || { fail "remote dump"; cat "$work/remote/stderr"; }
grep -q "to s3://stage at $S3_ENDPOINT/runs/one/migration;" "$work/remote/stdout" || { fail "summary"; cat "$work/remote/stdout"; }
count=0
while IFS= read -r f; do
  rel=${f#"$work/local/out/"}
  curl_s3 "$S3_ENDPOINT/stage/runs/one/$rel" -o "$work/got"
  cmp -s "$f" "$work/got" && count=$((count + 1)) || fail "object $rel differs from the local dump"
done < <(find "$work/local/out" -type f -name '*.npy')
echo "ok   $count staged objects equal the local dump"
[ -z "$(find "$work/remote/state/staging" -name '*.npy' 2>/dev/null)" ] && echo "ok   no local copies left" || fail "local staging copies left"
curl_s3 "$S3_ENDPOINT/stage/runs/one/migration/batches.json" -o "$work/batches.json"
grep -q '"runs/one/migration/tables/big/1700000000000000000-1/data.npy"' "$work/batches.json" \
  && echo "ok   batches.json lists the object keys" || fail "batches.json keys"

"$bin" dump -c "$work/remote/migration.yaml" >"$work/remote/stdout2" 2>/dev/null
grep -q "dumped 0 rows in 0 new batch(es)" "$work/remote/stdout2" && echo "ok   re-run uploads nothing" || { fail "re-run"; cat "$work/remote/stdout2"; }

# A segment without deleted rows is sent straight from its files (the .npy
# header, then the .rv/.uid bytes, in 5 MiB parts), the same bytes as a
# staged copy; the summary says so.
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/large/multipart.json" "$work/whole" >/dev/null
for how in local streamed staged; do
  mkdir -p "$work/whole-$how"
  if [ "$how" = local ]; then
    config "$work/whole-$how/migration.yaml" "target: {mode: local, local: {outputDir: $work/whole-$how/out}}"
  else
    config "$work/whole-$how/migration.yaml" "$(remote stage Sw1ftSecret | sed "s|runs/one/|whole-$how|")"
  fi
  sed -i "s|$work/fx/|$work/whole/|g" "$work/whole-$how/migration.yaml"
done
"$bin" dump -c "$work/whole-local/migration.yaml" >/dev/null 2>&1
"$bin" dump -c "$work/whole-streamed/migration.yaml" >"$work/whole-streamed/stdout" 2>&1 || fail "streamed dump"
MM_DUMP_STAGE_UPLOADS=1 "$bin" dump -c "$work/whole-staged/migration.yaml" >"$work/whole-staged/stdout" 2>&1 || fail "staged dump"
want="dumped 24000 rows in 1 new batch(es) (6.0 MiB; 1 sent straight from the segment files) to s3://stage at $S3_ENDPOINT/whole-streamed/migration; 0 batch(es) were already complete"
[ "$(grep '^dumped' "$work/whole-streamed/stdout")" = "$want" ] && echo "ok   streamed summary" \
  || { fail "streamed summary"; cat "$work/whole-streamed/stdout"; echo "  expected: $want"; }
want="dumped 24000 rows in 1 new batch(es) (6.0 MiB) to s3://stage at $S3_ENDPOINT/whole-staged/migration; 0 batch(es) were already complete"
[ "$(grep '^dumped' "$work/whole-staged/stdout")" = "$want" ] && echo "ok   staged summary" \
  || { fail "staged summary"; cat "$work/whole-staged/stdout"; echo "  expected: $want"; }
for how in streamed staged; do
  n=0
  while IFS= read -r f; do
    rel=${f#"$work/whole-local/out/"}
    curl_s3 "$S3_ENDPOINT/stage/whole-$how/$rel" -o "$work/got"
    cmp -s "$f" "$work/got" && n=$((n + 1)) || fail "$how: object $rel differs from the local dump"
  done < <(find "$work/whole-local/out" -type f -name '*.npy')
  [ "$n" -eq 2 ] && echo "ok   $how: 2 objects equal the local dump" || fail "$how: $n objects"
done

expect_failure() {  # dir status message
  local status=0
  "$bin" dump -c "$work/$1/migration.yaml" >"$work/$1/stdout" 2>"$work/$1/stderr" || status=$?
  local got
  got=$(sed "s|$S3_ENDPOINT|ENDPOINT|g" "$work/$1/stderr")
  if [ "$status" -ne "$2" ] || [ "$got" != "$3" ]; then
    fail "$1: exit $status"; echo "  got:      $got"; echo "  expected: $3"
  elif grep -q "WrongSecret123\|Sw1ftSecret" "$work/$1/stdout" "$work/$1/stderr"; then
    fail "$1: the secret was printed"
  else
    echo "ok   $1"
  fi
}
expect_failure badkey 1 "milvus-migrate dump: S3 s3://stage at ENDPOINT refused the credentials of access key 'test:tester' (403); check target.remote.ak and target.remote.sk"
expect_failure nobucket 1 "milvus-migrate dump: S3 bucket s3://missing at ENDPOINT does not exist; create it or fix target.remote.bucket"
# Faults between us and the server: retried with backoff, then a clear failure.
# The faults hit the requests of the given methods (default: uploads, PUT
# and POST); each one injected is recorded in $work/faults.
start_proxy() {  # mode count [methods]
  [ -n "$proxy_pid" ] && { kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true; }
  : >"$work/faults"
  mm_proxy_start "$work/proxy.out" env FAULT_PROXY_METHODS="${3-PUT,POST}" FAULT_PROXY_FAULTS="$work/faults" \
    /usr/bin/python3 "$src/tests/lib/fault_proxy.py" 0 "$SWIFT_S3_PORT" "$1" "$2" || exit 1
  proxy_pid=$MM_PROXY_PID proxy_port=$MM_PROXY_PORT
}
# A small installation (two 2.5 MB files), so few requests cross the proxy.
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/large/split.json" "$work/small" >/dev/null
through_proxy() {  # dir
  mkdir -p "$work/$1"
  config "$work/$1/migration.yaml" "target: {mode: remote, remote: {cloud: minio, endpoint: 127.0.0.1:$proxy_port, region: us-east-1, bucket: stage, ak: 'test:tester', sk: Sw1ftSecret, outputDir: $1}}"
  sed -i "s|$work/fx/|$work/small/|g" "$work/$1/migration.yaml"
}
mkdir -p "$work/small-local"
config "$work/small-local/migration.yaml" "target: {mode: local, local: {outputDir: $work/small-local/out}}"
sed -i "s|$work/fx/|$work/small/|g" "$work/small-local/migration.yaml"
"$bin" dump -c "$work/small-local/migration.yaml" >/dev/null 2>&1
for mode in 503 drop corrupt; do
  start_proxy "$mode" 3
  through_proxy "retry-$mode"
  if "$bin" dump -c "$work/retry-$mode/migration.yaml" >"$work/retry-$mode/stdout" 2>"$work/retry-$mode/stderr"; then
    intact=1
    while IFS= read -r f; do
      rel=${f#"$work/small-local/out/"}
      curl_s3 "$S3_ENDPOINT/stage/retry-$mode/$rel" -o "$work/got"
      cmp -s "$f" "$work/got" || { intact=0; fail "retry-$mode: $rel differs"; }
    done < <(find "$work/small-local/out" -type f -name '*.npy')
    hit=$(grep -c "^$mode \(PUT\|POST\) /stage/retry-$mode/" "$work/faults" || true)
    if [ "$hit" -eq 3 ] && [ "$(wc -l <"$work/faults")" -eq 3 ]; then
      [ "$intact" = 1 ] && echo "ok   3 x $mode on uploads (PUT/POST) retried, every object intact"
    else
      fail "retry-$mode: the faults did not hit 3 uploads:"; cat "$work/faults"
    fi
  else
    fail "retry-$mode: dump failed"; cat "$work/retry-$mode/stderr"
  fi
done
# Every request answered 503: the bucket check gives up.
start_proxy 503 1000 ""
through_proxy exhausted
status=0
"$bin" dump -c "$work/exhausted/migration.yaml" >/dev/null 2>"$work/exhausted/stderr" || status=$?
want="milvus-migrate dump: S3 HEAD s3://stage at http://127.0.0.1:$proxy_port: 503 ServiceUnavailable (after 6 attempts)"
[ "$status" -eq 1 ] && [ "$(cat "$work/exhausted/stderr")" = "$want" ] && echo "ok   persistent 503 fails after 6 attempts" \
  || { fail "exhausted: exit $status"; cat "$work/exhausted/stderr"; echo "  expected: $want"; }

[ "$failures" -eq 0 ]
