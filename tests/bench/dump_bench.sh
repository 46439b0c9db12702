#!/usr/bin/env bash
# Local dump against cp of the same source bytes and against the NumPy
# script a user would write (numpy_peer.py), in one run: 64 MiB and 2 MiB
# segments without deletes and with 10% of the rows deleted, then how the
# dump's time grows with the segment count (16, 256, 4096 segments of the
# same total) and with the total size (1, 4 and, with --big, 16 GiB), and the
# per-segment overhead that follows. Every figure is the median of rounds
# that alternate cp, the NumPy script and the dump, each followed by `sync`,
# so that load from elsewhere on the machine falls on all three; peak RSS is
# the largest of the dump's rounds.
#
# Usage: tests/bench/dump_bench.sh [--quick] [--big] [BUILD_DIR]
#   --quick  1/16 of the sizes and one round: checks the script, not the figures
#   --big    adds the 16 GiB case (~33 GiB free needed; else ~9 GiB)
# MM_BENCH_ROUNDS overrides the rounds (default 3). Works under
# ${TMPDIR:-/var/tmp}, removed on exit.
set -euo pipefail
quick=0 big=0
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --big) big=1 ;;
    -*) echo "dump_bench.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
  shift
done
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build/release}
bin=$build/milvus-migrate
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
rounds=${MM_BENCH_ROUNDS:-$([ "$quick" = 1 ] && echo 1 || echo 3)}
# Sizes in MiB of vectors (dim 128 float: 512 bytes a row, 8 more for its id).
unit=$([ "$quick" = 1 ] && echo 64 || echo 1024)
results=$work/results
: >"$results"

# gen NAME SEGMENTS ROWS DELETED_FRACTION: a 1.x installation and a
# migration.yaml dumping it (dumper.worker.limit not set: the host's choice).
gen() {
  local dir=$work/$1
  mkdir -p "$dir"
  cat >"$dir/scenario.json" <<JSON
{"era": "native", "version": "1.1.0", "global_lsn": 1, "expected": false,
 "scale": {"collection": "bench", "segments": $2, "rows": $3, "deleted_fraction": $4},
 "collections": [{"name": "bench", "dim": 128, "metric": 1, "flush_lsn": 1}]}
JSON
  /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$dir/scenario.json" "$dir/fx" >/dev/null
  cat >"$dir/migration.yaml" <<YAML
dumper: {worker: {workMode: milvus1x}}
meta: {mode: sqlite, sqliteFile: $dir/fx/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: $dir/fx/milvus/db/tables}}
target: {mode: local, local: {outputDir: $dir/out}}
state: {dir: $dir/state}
YAML
}

# Runs a command, prints "<seconds> <peak RSS KiB>".
measure() {
  /usr/bin/python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("%.3f %d" % (time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
PY
}

# case KEY SEGMENTS ROWS DELETED_FRACTION: rounds of cp+sync, numpy+sync and
# dump+sync (from a clean output and state each time), one line of results:
# key segments batches source_bytes cp_median dump_median rss_max numpy_median.
run_case() {
  local key=$1 dir=$work/$1
  gen "$key" "$2" "$3" "$4"
  echo "  $key: $2 segments..." >&2
  local bytes cps=() dumps=() numpys=() rss=0 batches
  # What the dump will do, as inspect says it: batches after packing, workers.
  "$bin" inspect -c "$dir/migration.yaml" --no-id-check >"$dir/inspect.txt"
  batches=$(sed -n 's/^Import plan: \([0-9]*\) batch.*/\1/p' "$dir/inspect.txt")
  [ -f "$work/workers" ] || grep '^Dump workers:' "$dir/inspect.txt" >"$work/workers"
  bytes=$(find "$dir/fx/milvus/db/tables" \( -name '*.rv' -o -name '*.uid' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
  for _ in $(seq 1 "$rounds"); do
    sync
    read -r t _ < <(measure bash -c "mkdir -p '$dir/cp' && find '$dir/fx/milvus/db/tables' \\( -name '*.rv' -o -name '*.uid' \\) -exec cp -t '$dir/cp' {} + && sync")
    cps+=("$t")
    rm -rf "$dir/cp"
    sync
    read -r t _ < <(measure bash -c "/usr/bin/python3 '$src/tests/bench/numpy_peer.py' '$dir/fx/milvus/db/tables' '$dir/np' 128 && sync")
    numpys+=("$t")
    rm -rf "$dir/np"
    sync
    read -r t r < <(measure bash -c "'$bin' dump -c '$dir/migration.yaml' && sync")
    dumps+=("$t")
    [ "$r" -gt "$rss" ] && rss=$r
    rm -rf "$dir/out" "$dir/state"
  done
  echo "$key $2 $batches $bytes $(median "${cps[@]}") $(median "${dumps[@]}") $rss $(median "${numpys[@]}")" >>"$results"
  rm -rf "$dir"
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

rows_for() {  # total MiB, segments -> rows per segment
  echo $(( $1 * 1048576 / 512 / $2 ))
}

echo "milvus-migrate dump benchmark: $(nproc) core(s), $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)," \
     "median of $rounds round(s)$([ "$quick" = 1 ] && echo ', --quick (1/16 sizes)')"
run_case big-0 16 "$(rows_for "$unit" 16)" 0
run_case small-0 512 "$(rows_for "$unit" 512)" 0
run_case big-10 16 "$(rows_for "$unit" 16)" 0.1
run_case small-10 512 "$(rows_for "$unit" 512)" 0.1
run_case count-256 256 "$(rows_for "$unit" 256)" 0
run_case count-4096 4096 "$(rows_for "$unit" 4096)" 0
run_case size-4 64 "$(rows_for "$unit" 16)" 0
[ "$big" = 1 ] && run_case size-16 256 "$(rows_for "$unit" 16)" 0

cat "$work/workers"
/usr/bin/python3 - "$results" "$unit" "$big" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    key, segs, batches, nbytes, cp, dump, rss, numpy = line.split()
    rows[key] = (int(segs), int(nbytes), float(cp), float(dump), int(rss), int(batches), float(numpy))
unit, big = int(sys.argv[2]), sys.argv[3] == "1"

def seg_size(key):
    segs, nbytes = rows[key][0], rows[key][1]
    mib = nbytes / segs / 2**20
    return "%.0f MiB" % mib if mib >= 1 else "%.0f KiB" % (mib * 1024)

def line(label, key):
    segs, nbytes, cp, dump, rss, batches, numpy = rows[key]
    mib = nbytes / 2**20
    print("%-28s %4d x %-7s -> %3d batches | cp %6.2fs | numpy %6.2fs | dump %6.2fs %5.0f MiB/s"
          " | dump/cp %.2fx | dump/numpy %.2fx | peak RSS %4.1f MiB"
          % (label, segs, seg_size(key), batches, cp, numpy, dump, mib / dump, cp / dump, numpy / dump, rss / 1024))

print("\nDump against cp + sync of the same .rv/.uid bytes and against numpy_peer.py + sync"
      " (a ratio above 1 means the dump is faster):")
line("no deletes, large segments", "big-0")
line("no deletes, small segments", "small-0")
line("10% deleted, large segments", "big-10")
line("10% deleted, small segments", "small-10")

print("\nGrowth with the segment count (same %d MiB of vectors in all):" % unit)
for key in ("big-0", "count-256", "count-4096"):
    line("%d segments" % rows[key][0], key)
(s0, _, c0, d0, _, _, _), (s1, _, c1, d1, _, _, _) = rows["big-0"], rows["count-4096"]
print("per-segment overhead: dump %.2f ms, cp %.2f ms (time added per extra segment, %d -> %d segments)"
      % ((d1 - d0) * 1000 / (s1 - s0), (c1 - c0) * 1000 / (s1 - s0), s0, s1))

print("\nGrowth with the total size (segments of %s):" % seg_size("big-0"))
for key, mult in (("big-0", 1), ("size-4", 4), ("size-16", 16)):
    if key in rows:
        line("%d MiB of vectors" % (unit * mult), key)
    else:
        print("%-30s (not run: add --big, needs ~%d GiB free)" % ("%d MiB of vectors" % (unit * mult), unit * 33 // 1024))
for key, mult in (("size-4", 4), ("size-16", 16)):
    if key in rows:
        per_gib = (rows[key][3] - rows["big-0"][3]) / ((mult - 1) * unit / 1024)
        print("dump time per further GiB, from %d to %d MiB: %.2fs" % (unit, unit * mult, per_gib))
PY
