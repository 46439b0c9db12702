#!/usr/bin/env bash
# S3 failing mid-upload (tests/lib/fault_proxy.py between the dump and a
# real Swift + s3api server): 500 and 503 answers and connections dropped
# half way through a PUT body, also inside a multipart upload, are retried
# and every object ends byte-identical to a local dump. A fault that does
# not clear fails the dump with exit 1 and a message naming the bucket and
# key, records nothing for that batch, and a re-run once the server is
# healthy uploads exactly what is missing.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/swift.sh"
source "$src/tests/lib/checks.sh"
source "$src/tests/lib/proxy.sh"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-faults-s3.XXXXXX")
proxy_pid=
stop_proxy() {
  if [ -n "$proxy_pid" ]; then kill "$proxy_pid" 2>/dev/null; wait "$proxy_pid" 2>/dev/null || true; fi
  proxy_pid=
}
cleanup() { stop_proxy; mm_swift_stop; rm -rf "$work"; }
trap cleanup EXIT
mm_swift_start "$work" || exit 1
curl_s3 -X PUT "$S3_ENDPOINT/stage" -o /dev/null -w '%{http_code}\n' | grep -q 200

# One proxy for the whole test, so a job's endpoint never changes; the
# faults it injects are switched through its control file.
echo '{"mode": "record", "count": 0}' >"$work/faults.json"
mm_proxy_start "$work/proxy.out" env FAULT_PROXY_CONTROL="$work/faults.json" /usr/bin/python3 \
  "$src/tests/lib/fault_proxy.py" 0 "$SWIFT_S3_PORT" record 0 || exit 1
proxy_pid=$MM_PROXY_PID proxy_port=$MM_PROXY_PORT
start_proxy() {  # mode count [methods] [skip]
  printf '{"mode": "%s", "count": %d, "methods": "%s", "skip": %d}\n' "$1" "$2" "${3:-}" "${4:-0}" >"$work/faults.json"
}

/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/large/split.json" "$work/small" >/dev/null
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/large/multipart.json" "$work/big" >/dev/null
job() {  # name fixture target-lines...
  local name=$1 fx=$2
  shift 2
  mm_write_job_config "$work/$name" "$fx" "$@"
  sed -i 's/^dumper: .*/dumper: {worker: {workMode: milvus1x, limit: 2}, partSize: 5MiB, maxFileSize: 16MiB}/' "$work/$name/migration.yaml"
}
remote() { echo "remote: {cloud: minio, endpoint: '127.0.0.1:$proxy_port', region: $S3_REGION, bucket: stage, ak: 'test:tester', sk: Sw1ftSecret, outputDir: $1}"; }
for fx in small big; do
  job "local-$fx" "$work/$fx" "mode: local" "local: {outputDir: $work/local-$fx/out}"
  "$bin" dump -c "$work/local-$fx/migration.yaml" >/dev/null 2>&1
done

# Every .npy of the local dump of FIXTURE is in the bucket under PREFIX, byte for byte.
same_objects() {  # label fixture prefix
  local n=0 bad=0 f rel
  while IFS= read -r f; do
    rel=${f#"$work/local-$2/out/"}
    curl_s3 "$S3_ENDPOINT/stage/$3/$rel" -o "$work/got"
    if cmp -s "$f" "$work/got"; then n=$((n + 1)); else bad=$((bad + 1)); fi
  done < <(find "$work/local-$2/out" -type f -name '*.npy')
  [ "$bad" -eq 0 ] && [ "$n" -gt 0 ] && ok "$1: $n objects equal the local dump" || fail "$1: $bad of $((n + bad)) objects differ"
}

for mode in 500 503 cut; do
  start_proxy "$mode" 3 PUT,POST
  job "retry-$mode" "$work/small" "mode: remote" "$(remote "retry-$mode")"
  mm_expect_exit "3 x $mode during uploads: retried" 0 "" "$bin" dump -c "$work/retry-$mode/migration.yaml"
  same_objects "3 x $mode" small "retry-$mode"
done

# A multipart upload (6 MiB in 5 MiB parts) whose second part PUT loses
# its connection half way, then a 500 on the same kind of request.
start_proxy cut 1 PUT 1
job multipart "$work/big" "mode: remote" "$(remote multipart)"
mm_expect_exit "multipart: a part cut off mid-body is sent again" 0 "" "$bin" dump -c "$work/multipart/migration.yaml"
same_objects "multipart after a cut part" big multipart

# 503 on every PUT: the bucket check passes, the first upload (the staging
# area's manifest, before any batch) fails for good.
start_proxy 503 1000000 PUT
job persist "$work/small" "mode: remote" "$(remote persist)"
sed -i 's/limit: 2}, partSize/limit: 1}, partSize/' "$work/persist/migration.yaml"
mm_expect_exit "persistent 503: exit 1 naming bucket and key" 1 \
  "milvus-migrate dump: mark the staging area as this migration's: S3 PUT s3://stage/persist/migration/manifest.json at http://127.0.0.1:$proxy_port: 503 SlowDown: Please reduce your request rate. (after 6 attempts)" \
  "$bin" dump -c "$work/persist/migration.yaml"
listed=$(curl_s3 "$S3_ENDPOINT/stage?prefix=persist/" | grep -o '<Key>[^<]*</Key>' || true)
recorded=$(sqlite3 "file:$work/persist/state/journal.sqlite?mode=ro" "SELECT count(*) FROM batch")
[ -z "$listed" ] && [ "$recorded" = 0 ] && ok "persistent 503: no object in the bucket, no batch recorded" \
  || { fail "persistent 503: objects [$listed], $recorded batch(es) recorded"; }
start_proxy record 0
status=0
"$bin" dump -c "$work/persist/migration.yaml" >"$work/persist/out2" 2>"$work/persist/err2" || status=$?
[ "$status" -eq 0 ] && grep -q "^dumped 10096 rows in 2 new batch(es) " "$work/persist/out2" \
  && ok "the fault cleared: the re-run uploads both batches" || { fail "persist re-run: exit $status"; cat "$work/persist/err2"; }
same_objects "after the fault cleared" small persist

# A fault that clears part way: the first batch is in the bucket and
# recorded, the second fails; the re-run uploads only the second. The
# three PUTs let through: the manifest and the first batch's two objects.
start_proxy 500 1000000 PUT,POST 3
job half "$work/small" "mode: remote" "$(remote half)"
sed -i 's/limit: 2}, partSize/limit: 1}, partSize/' "$work/half/migration.yaml"
mm_expect_exit "500 after the first batch: exit 1 naming bucket and key" 1 \
  "milvus-migrate dump: dump collection 'wide' segment 1650000000000001000: S3 PUT s3://stage/half/migration/tables/wide/1650000000000001000/data.npy at http://127.0.0.1:$proxy_port: 500 InternalError: We encountered an internal error. Please try again. (after 6 attempts)" \
  "$bin" dump -c "$work/half/migration.yaml"
start_proxy record 0
status=0
"$bin" dump -c "$work/half/migration.yaml" >"$work/half/out2" 2>"$work/half/err2" || status=$?
[ "$status" -eq 0 ] && grep -q "^dumped 100 rows in 1 new batch(es) .*; 1 batch(es) were already complete$" "$work/half/out2" \
  && ok "re-run after a partial failure uploads only the missing batch" || { fail "half re-run: exit $status"; cat "$work/half/out2" "$work/half/err2"; }
same_objects "after a partial failure" small half

finish faults_s3
