#!/usr/bin/env bash
# What the content sample costs: the demo's 1.x installation (4 partitions,
# 2913 live rows) migrated into the Milvus 2.x emulator, then `verify
# --sample 0` (counts only) against `verify --sample N` (default 1000: every
# partition's sample, loading each collection for it and releasing it), in
# MM_BENCH_ROUNDS (default 5) alternating rounds; medians, and the Query
# calls one sampled verify sends. The emulator answers in microseconds, so
# this is the client's side: drawing rows from the segments, the Query
# round trips and the comparison. On a real Milvus, loading the collection
# adds what loading it takes there.
# Usage: tests/bench/verify_sample_bench.sh [BUILD_DIR]
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build/release}
bin=$build/milvus-migrate
export MM_SOURCE_DIR=$src
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/checks.sh"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-samplebench.XXXXXX")
cleanup() { mm_emulator_stop; rm -rf "$work"; }
trap cleanup EXIT
sample=${MM_BENCH_SAMPLE:-1000}

# The demo's installation and its migration.yaml, kept.
TMPDIR=$work "$bin" demo --headless --keep >"$work/demo.out" 2>&1
demo=$(sed -n 's/^Configuration: \(.*\)\/migration.yaml$/\1/p' "$work/demo.out")
mm_emulator_start "$work/emu" --generation 2.5 --storage-dir "$work"
sed "s#endpoint: \".*\"#endpoint: \"127.0.0.1:$MM_EMU_PORT\"#; s#dir: \"$demo/state\"#dir: \"$work/state\"#; s#outputDir: \".*\"#outputDir: \"$work/staging\"#" \
  "$demo/migration.yaml" >"$work/migration.yaml"
chmod 600 "$work/migration.yaml"
"$bin" run -c "$work/migration.yaml" --sample 0 >"$work/run.out" 2>&1 || { cat "$work/run.out" >&2; exit 1; }

calls() { mm_emulator_calls Query; }
: >"$work/times"
rounds=${MM_BENCH_ROUNDS:-5}
for round in $(seq 1 "$rounds"); do
  for n in 0 "$sample"; do
    before=$(calls)
    t0=$(date +%s.%N)
    status=0
    "$bin" verify -c "$work/migration.yaml" --sample "$n" >"$work/verify.out" 2>&1 || status=$?
    t1=$(date +%s.%N)
    [ "$status" -eq 0 ] || { echo "verify --sample $n: exit $status" >&2; cat "$work/verify.out" >&2; exit 1; }
    echo "$n $(echo "$t1 - $t0" | bc) $(( $(calls) - before ))" >>"$work/times"
  done
done
median() { awk -v n="$1" '$1 == n { print $2 }' "$work/times" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
m0=$(median 0)
m1=$(median "$sample")
queries=$(awk -v n="$sample" '$1 == n { print $3; exit }' "$work/times")
sampled=$(sed -n 's/^Content sample .*seed [0-9]*): \([0-9]*\) row(s) of \([0-9]*\) partition(s).*/\1 rows of \2 partitions/p' "$work/verify.out")
echo "milvus-migrate content sample benchmark ($(nproc) cores, $rounds rounds, medians)"
printf 'verify --sample 0:     %.2f s\n' "$m0"
printf 'verify --sample %-5s  %.2f s (%s; %s Query call(s))\n' "$sample:" "$m1" "$sampled" "$queries"
printf 'the sample adds:       %.2f s\n' "$(echo "$m1 - $m0" | bc)"
