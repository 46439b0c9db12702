#!/usr/bin/env bash
# Dump throughput against cp of the same source bytes, in one run, plus the
# dump's peak RSS. Generates a 1.x installation of ~2 GiB of vectors (8
# segments x 512 Ki rows x dim 128), once without deletes and once with 10%
# of the rows deleted. Usage: tests/bench/dump_bench.sh [BUILD_DIR]
# Needs ~10 GiB free under ${TMPDIR:-/var/tmp}.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build/release}
bin=$build/milvus-migrate
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Runs a command and prints "<seconds> <peak RSS KiB>".
measure() {
  /usr/bin/python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("%.3f %d" % (time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
PY
}

run_case() {  # label deleted_fraction
  local dir=$work/$1
  mkdir -p "$dir"
  cat >"$dir/scenario.json" <<JSON
{"era": "native", "version": "1.1.0", "global_lsn": 1, "expected": false,
 "scale": {"collection": "bench", "segments": 8, "rows": 524288, "deleted_fraction": $2},
 "collections": [{"name": "bench", "dim": 128, "metric": 1, "flush_lsn": 1}]}
JSON
  /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$dir/scenario.json" "$dir/fx" >/dev/null
  cat >"$dir/migration.yaml" <<YAML
dumper:
  worker: {workMode: milvus1x, limit: 2}
meta: {mode: sqlite, sqliteFile: $dir/fx/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: $dir/fx/milvus/db/tables}}
target: {mode: local, local: {outputDir: $dir/out}}
state: {dir: $dir/state}
YAML
  local bytes
  bytes=$(find "$dir/fx/milvus/db/tables" -name '*.rv' -o -name '*.uid' | xargs stat -c %s | awk '{s+=$1} END {print s}')
  sync
  read -r cp_s _ < <(measure bash -c "mkdir -p '$dir/cp' && find '$dir/fx/milvus/db/tables' \\( -name '*.rv' -o -name '*.uid' \\) -exec cp -t '$dir/cp' {} + && sync")
  rm -rf "$dir/cp"
  sync
  read -r dump_s dump_rss < <(measure bash -c "'$bin' dump -c '$dir/migration.yaml' && sync")
  /usr/bin/python3 - "$1" "$bytes" "$cp_s" "$dump_s" "$dump_rss" <<'PY'
import sys
label, nbytes, cp_s, dump_s, rss = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
mib = nbytes / 2**20
print("%-12s source %.0f MiB | cp %.2fs (%.0f MiB/s) | dump %.2fs (%.0f MiB/s) | dump/cp %.2fx | peak RSS %.1f MiB"
      % (label, mib, cp_s, mib / cp_s, dump_s, mib / dump_s, cp_s / dump_s, rss / 1024))
PY
  rm -rf "$dir"
}

echo "milvus-migrate dump benchmark ($(nproc) cores, $(uname -r))"
run_case no-deletes 0
run_case 10%-deleted 0.1
