#!/usr/bin/env bash
# Runs each libFuzzer target of a fuzz build for a bounded time on a copy of
# its seed corpus plus its regression inputs, and fails on any crash, leak,
# sanitizer report, broken property or hang.
#
# Usage: tests/fuzz/run.sh BUILD_DIR [NAME...]   (default: every target)
#   MM_FUZZ_SECONDS  time per target (default 30)
#   MM_FUZZ_JOBS     targets run at once (default 2)
# A failing input is kept in BUILD_DIR/fuzz-artifacts/; once the bug is
# fixed, add it to tests/fuzz/regressions/NAME/.
# One line per target ("ok   fuzz_NAME ..." or "FAIL fuzz_NAME ..."), then
# "fuzz: N passed, N failed"; the exit status is 1 when any failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run.sh BUILD_DIR [NAME...]}
shift
seconds=${MM_FUZZ_SECONDS:-30}
jobs=${MM_FUZZ_JOBS:-2}
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for src in "$here"/fuzz_*.c; do
    n=$(basename "$src" .c)
    names+=("${n#fuzz_}")
  done
fi
artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

# run_one NAME: fuzzes one target; writes its verdict line to $work/NAME.result.
run_one() {
  local name=$1 bin=$build/tests/fuzz/fuzz_$1 dir=$work/$1
  mkdir -p "$dir/corpus" "$dir/tmp"
  if [ ! -x "$bin" ]; then
    echo "FAIL fuzz_$name: $bin is not built" >"$work/$name.result"
    return
  fi
  cp "$here/corpus/$name"/* "$dir/corpus/" 2>/dev/null
  cp "$here/regressions/$name"/* "$dir/corpus/" 2>/dev/null
  TMPDIR=$dir/tmp "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/$name-" -print_final_stats=1 "$dir/corpus" >"$dir/log" 2>&1
  local status=$? runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
  if [ "$status" -eq 0 ] && [ -n "$runs" ] && [ "$runs" -gt 0 ]; then
    echo "ok   fuzz_$name: $runs inputs in ${seconds}s, corpus $(ls "$dir/corpus" | wc -l) files" >"$work/$name.result"
  else
    {
      echo "FAIL fuzz_$name (exit $status); the input is in $artifacts/"
      grep -aE 'ERROR|SUMMARY|property broken|runtime error|Test unit written|^    #[0-9] ' "$dir/log" | head -n 30
    } >"$work/$name.result"
  fi
}

running=0
for name in "${names[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  run_one "$name" &
  running=$((running + 1))
done
wait

passed=0
failed=0
for name in "${names[@]}"; do
  cat "$work/$name.result"
  if head -n 1 "$work/$name.result" | grep -q '^ok '; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
