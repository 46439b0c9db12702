#!/usr/bin/env bash
# Every figure of the performance section in one run: the local dump against
# cp (64 MiB and 2 MiB segments, no deletes and 10% deleted), the growth with
# segment count and total size with the per-segment overhead, and staging on
# S3 against curl -T, each with the dump's peak RSS; then what the
# verification's content sample adds on the demo.
# Usage: tests/bench/run.sh [--quick] [--big] [BUILD_DIR]
#   --quick  small sizes, one round: checks that everything runs (minutes)
#   --big    adds the 16 GiB case (needs ~35 GiB free under ${TMPDIR:-/var/tmp})
# Without --big it needs ~10 GiB free.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
flags=()
while [ $# -gt 0 ]; do
  case $1 in
    --quick | --big) flags+=("$1") ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
  shift
done
build=${1:-$here/../../build/release}
bash "$here/dump_bench.sh" "${flags[@]}" "$build"
echo
echo "milvus-migrate S3 staging benchmark ($(nproc) cores)"
if [[ " ${flags[*]} " == *" --quick "* ]]; then
  MM_BENCH_SEGMENTS=${MM_BENCH_SEGMENTS:-2} MM_BENCH_ROUNDS=${MM_BENCH_ROUNDS:-1} bash "$here/s3_bench.sh" "$build"
else
  bash "$here/s3_bench.sh" "$build"
fi
echo
bash "$here/verify_sample_bench.sh" "$build"
