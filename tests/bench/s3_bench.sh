#!/usr/bin/env bash
# Staging on S3: `milvus-migrate dump` to a local Swift s3api server against
# `curl -T` uploading the same .npy bytes to the same server, in one run,
# plus the dump's peak RSS. ~2 GiB of vectors (MM_BENCH_SEGMENTS, default 8,
# segments x 512 Ki rows x dim 128, no deleted rows), in MM_BENCH_ROUNDS
# (default 3) alternating rounds.
# Usage: tests/bench/s3_bench.sh [BUILD_DIR]
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build/release}
bin=$build/milvus-migrate
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-s3bench.XXXXXX")
cleanup() { bash "$src/tests/lib/swift/stop-swift-s3.sh" --purge "$work/swift" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
export SWIFT_S3_DIR=$work/swift SWIFT_S3_PORT=$(free_port) SWIFT_S3_BACKEND_PORT_BASE=$(( $(free_port) % 20000 + 30000 ))
bash "$src/tests/lib/swift/start-swift-s3.sh" >/dev/null
source "$work/swift/env"
C=(curl -sS --aws-sigv4 "aws:amz:$S3_REGION:s3" --netrc-file "$SWIFT_S3_NETRC" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD')
"${C[@]}" -X PUT "$S3_ENDPOINT/bench" >/dev/null

cat >"$work/scenario.json" <<JSON
{"era": "native", "version": "1.1.0", "global_lsn": 1, "expected": false,
 "scale": {"collection": "bench", "segments": ${MM_BENCH_SEGMENTS:-8}, "rows": 524288},
 "collections": [{"name": "bench", "dim": 128, "metric": 1, "flush_lsn": 1}]}
JSON
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$work/scenario.json" "$work/fx" >/dev/null
common="meta: {mode: sqlite, sqliteFile: $work/fx/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: $work/fx/milvus/db/tables}}
dumper: {worker: {workMode: milvus1x, limit: 2}}"
printf '%s\ntarget: {mode: local, local: {outputDir: %s/local}}\nstate: {dir: %s/state-local}\n' "$common" "$work" "$work" >"$work/local.yaml"
"$bin" dump -c "$work/local.yaml" >/dev/null 2>&1
bytes=$(find "$work/local/migration/tables" -name '*.npy' -printf '%s\n' | awk '{s+=$1} END {print s}')

# Rounds alternate the two, so that load from elsewhere on the machine
# spreads over both; the medians are compared.
rounds=${MM_BENCH_ROUNDS:-3}
: >"$work/times"
for round in $(seq 1 "$rounds"); do
  t0=$(date +%s.%N)
  find "$work/local/migration/tables" -name '*.npy' | while read -r f; do
    "${C[@]}" -T "$f" "$S3_ENDPOINT/bench/curl$round/${f#"$work/local/"}" >/dev/null
  done
  t1=$(date +%s.%N)
  printf '%s\ntarget: {mode: remote, remote: {cloud: minio, endpoint: %s, bucket: bench, ak: "%s", sk: "%s", outputDir: ours%s}}\nstate: {dir: %s/state-s3-%s}\n' \
    "$common" "${S3_ENDPOINT#http://}" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$round" "$work" "$round" >"$work/s3.yaml"
  chmod 600 "$work/s3.yaml"
  rss=$(/usr/bin/python3 - "$bin" "$work/s3.yaml" <<'PY'
import resource, subprocess, sys
subprocess.run([sys.argv[1], "dump", "-c", sys.argv[2]], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
)
  t2=$(date +%s.%N)
  echo "$t0 $t1 $t2 $rss" >>"$work/times"
done
/usr/bin/python3 - "$bytes" "$work/times" <<'PY'
import statistics, sys
b = int(sys.argv[1])
mib = b / 2**20
runs = [[float(x) for x in line.split()] for line in open(sys.argv[2])]
curl = statistics.median(r[1] - r[0] for r in runs)
ours = statistics.median(r[2] - r[1] for r in runs)
rss = max(r[3] for r in runs)
print("rounds: " + " | ".join("curl %.2fs dump %.2fs (%.2fx)" % (r[1] - r[0], r[2] - r[1], (r[1] - r[0]) / (r[2] - r[1]))
                               for r in runs))
print("S3 staging of %.0f MiB, median of %d: curl -T %.2fs (%.0f MiB/s) | dump to S3 %.2fs (%.0f MiB/s) | dump/curl %.2fx | peak RSS %.1f MiB"
      % (mib, len(runs), curl, mib / curl, ours, mib / ours, curl / ours, rss / 1024))
PY
