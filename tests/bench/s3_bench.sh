#!/usr/bin/env bash
# Staging on S3: `milvus-migrate dump` to a local Swift s3api server against
# `curl -T` uploading the same .npy bytes to the same server, in one run,
# plus the dump's peak RSS. ~2 GiB of vectors (MM_BENCH_SEGMENTS, default 8,
# segments x 512 Ki rows x dim 128, no deleted rows), in MM_BENCH_ROUNDS
# (default 3) alternating rounds.
# Two curl peers: unsigned (x-amz-content-sha256: UNSIGNED-PAYLOAD, what a
# user types), and with the guarantee the dump gives (each body signed with
# its SHA-256, computed by `openssl dgst` (faster than sha256sum) inside
# the timing, which the server
# checks). The machine's busy CPU during each says whether the server,
# which shares the cores here, was the limit.
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
C=(curl -sS --aws-sigv4 "aws:amz:$S3_REGION:s3" --netrc-file "$SWIFT_S3_NETRC")
"${C[@]}" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -X PUT "$S3_ENDPOINT/bench" >/dev/null

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
# "<wall seconds> <busy CPU seconds of the whole machine>" at this moment.
stamp() { echo "$(date +%s.%N) $(awk '/^cpu /{print ($2+$3+$4+$6+$7+$8)/100}' /proc/stat)"; }
: >"$work/times"
for round in $(seq 1 "$rounds"); do
  t0=$(stamp)
  find "$work/local/migration/tables" -name '*.npy' | while read -r f; do
    "${C[@]}" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -T "$f" "$S3_ENDPOINT/bench/curl$round/${f#"$work/local/"}" >/dev/null
  done
  ts=$(stamp)
  find "$work/local/migration/tables" -name '*.npy' | while read -r f; do
    sum=$(openssl dgst -sha256 -r "$f")
    "${C[@]}" -H "x-amz-content-sha256: ${sum%% *}" -T "$f" "$S3_ENDPOINT/bench/signed$round/${f#"$work/local/"}" >/dev/null
  done
  t1=$(stamp)
  printf '%s\ntarget: {mode: remote, remote: {cloud: minio, endpoint: %s, bucket: bench, ak: "%s", sk: "%s", outputDir: ours%s}}\nstate: {dir: %s/state-s3-%s}\n' \
    "$common" "${S3_ENDPOINT#http://}" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$round" "$work" "$round" >"$work/s3.yaml"
  chmod 600 "$work/s3.yaml"
  rss=$(/usr/bin/python3 - "$bin" "$work/s3.yaml" <<'PY'
import resource, subprocess, sys
subprocess.run([sys.argv[1], "dump", "-c", sys.argv[2]], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
)
  t2=$(stamp)
  echo "$t0 $ts $t1 $t2 $rss" >>"$work/times"
done
/usr/bin/python3 - "$bytes" "$work/times" "$(nproc)" <<'PY'
import statistics, sys
mib = int(sys.argv[1]) / 2**20
cores = int(sys.argv[3])
# Per round: wall and busy CPU of curl, signed curl, dump; the dump's RSS.
runs = []
for line in open(sys.argv[2]):
    v = [float(x) for x in line.split()]
    stamps = [(v[i], v[i + 1]) for i in range(0, 8, 2)]
    runs.append([(b[0] - a[0], b[1] - a[1]) for a, b in zip(stamps, stamps[1:])] + [v[8]])
names = ("curl -T", "openssl dgst + signed curl -T", "dump to S3")
print("rounds: " + " | ".join("curl %.2fs signed %.2fs dump %.2fs" % (r[0][0], r[1][0], r[2][0]) for r in runs))
med = [statistics.median(r[i][0] for r in runs) for i in range(3)]
busy = [statistics.median(r[i][1] for r in runs) for i in range(3)]
print("S3 staging of %.0f MiB, median of %d rounds (busy CPU: of the %d cores' %s):" % (
    mib, len(runs), cores, "capacity over each wall time"))
for i, name in enumerate(names):
    print("  %-30s %6.2fs %5.0f MiB/s | busy CPU %5.2fs of %5.2fs" % (name, med[i], mib / med[i], busy[i], cores * med[i]))
print("dump/curl -T %.2fx | dump/signed curl -T %.2fx | peak RSS %.1f MiB"
      % (med[0] / med[2], med[1] / med[2], max(r[3] for r in runs) / 1024))
PY
