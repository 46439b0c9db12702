#!/usr/bin/env bash
# Every benchmark in one run: dump against cp (no deletes and 10% deleted),
# staging on S3 against curl -T, each with the dump's peak RSS, on ~2 GiB
# 1.x installations the scripts generate; then what the verification's
# content sample adds on the demo. Usage: tests/bench/run.sh [BUILD_DIR]
# Needs ~12 GiB free under ${TMPDIR:-/var/tmp}.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
bash "$here/dump_bench.sh" "$build"
echo
echo "milvus-migrate S3 staging benchmark ($(nproc) cores)"
bash "$here/s3_bench.sh" "$build"
echo
bash "$here/verify_sample_bench.sh" "$build"
