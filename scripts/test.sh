#!/usr/bin/env bash
# Installs what is needed, builds the normal and the sanitizer flavour and
# runs the whole suite on both. The last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
for flavour in release asan; do
  echo "== building $flavour"
  if ! bash scripts/build.sh "$flavour"; then
    echo "build of $flavour failed"
    failed=$((failed + 1))
    continue
  fi
  echo "== testing $flavour"
  log="build/$flavour/ctest.log"
  env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "build/$flavour" -j2 --output-on-failure --timeout 900 2>&1 | tee "$log"
  summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1)
  if [ -z "$summary" ]; then
    echo "ctest printed no summary for $flavour"
    failed=$((failed + 1))
    continue
  fi
  f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$summary")
  total=$(sed -E 's/.* tests failed out of ([0-9]+).*/\1/' <<<"$summary")
  passed=$((passed + total - f))
  failed=$((failed + f))
done
if [ $((passed + failed)) -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
