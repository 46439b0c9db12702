#!/usr/bin/env bash
# Installs what is needed, builds the normal and the sanitizer flavour and
# runs the whole suite on both, then the wizard's scripted sessions under
# valgrind and the fuzz targets. The last two lines are "N skipped" and
# "N passed, N failed"; a skipped test counts as neither passed nor failed.
set -uo pipefail
cd "$(dirname "$0")/.."
# This is the CI entry: everything install-deps.sh provides must be there,
# so a test skipping for want of it fails instead (tests/lib/checks.sh).
export CI=${CI:-true}
bash scripts/install-deps.sh || { echo "0 skipped"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
skipped=0
release_built=0
for flavour in release asan; do
  echo "== building $flavour"
  if ! bash scripts/build.sh "$flavour"; then
    echo "build of $flavour failed"
    failed=$((failed + 1))
    continue
  fi
  [ "$flavour" = release ] && release_built=1
  echo "== testing $flavour"
  log="build/$flavour/ctest.log"
  # Five at a time on two cores: most integration tests wait on servers,
  # timeouts and retries (three at a time kept the load average under 2).
  env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "build/$flavour" -j5 --output-on-failure --timeout 900 2>&1 | tee "$log"
  summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1)
  if [ -z "$summary" ]; then
    echo "ctest printed no summary for $flavour"
    failed=$((failed + 1))
    continue
  fi
  f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$summary")
  total=$(sed -E 's/.* tests failed out of ([0-9]+).*/\1/' <<<"$summary")
  # ctest counts a skipped test (exit 77, SKIP_RETURN_CODE) among the passed
  # ones; here it is neither, and the reasons the tests printed are shown.
  s=$(grep -cE '^[[:space:]]+[0-9]+ - [^ ]+ \(Skipped\)$' "$log")
  if [ "$s" -gt 0 ]; then
    echo "== skipped in $flavour:"
    awk '/^[0-9]+\/[0-9]+ Test: / { name = $3 } /^SKIP: / { print "  " name ": " $0 }' \
      "build/$flavour/Testing/Temporary/LastTest.log"
  fi
  passed=$((passed + total - f - s))
  failed=$((failed + f))
  skipped=$((skipped + s))
done

# The wizard's scripted sessions under valgrind: no memory error and no
# definite leak, on the static screens (tui_wizard.sh) and on the Run screen
# whose jobs run on worker threads against the emulator (tui_wizard_run.sh).
# Release build only (sanitizer builds do not run under valgrind). One test
# each.
for session in tui_wizard tui_wizard_run; do
  echo "== $session under valgrind"
  if [ "$release_built" -ne 1 ] || ! command -v valgrind >/dev/null; then
    echo "$session under valgrind: needs the release build and valgrind"
    failed=$((failed + 1))
  elif MM_WIZARD_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
      MM_SOURCE_DIR=$PWD MM_BUILD_DIR=$PWD/build/release MM_BIN=$PWD/build/release/milvus-migrate \
      MM_TOOLS=$PWD/build/release/tests timeout 600 bash "tests/integration/$session.sh"; then
    passed=$((passed + 1))
  else
    echo "$session under valgrind failed"
    failed=$((failed + 1))
  fi
done

# Fuzzing: the libFuzzer targets of tests/fuzz, each run for a bounded time
# (MM_FUZZ_SECONDS, 20 here to keep the suite well inside CI's time) on its
# seeds and regressions; each target counts as one test.
fuzz_targets=$(ls tests/fuzz/fuzz_*.c | wc -l)
echo "== building fuzz"
if ! bash scripts/build.sh fuzz; then
  echo "build of fuzz failed"
  failed=$((failed + fuzz_targets))
else
  echo "== fuzzing"
  log=build/fuzz/fuzz.log
  MM_FUZZ_SECONDS=${MM_FUZZ_SECONDS:-20} bash tests/fuzz/run.sh build/fuzz 2>&1 | tee "$log"
  summary=$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
  if [ -z "$summary" ]; then
    echo "the fuzz runner printed no summary"
    failed=$((failed + fuzz_targets))
  else
    passed=$((passed + $(sed -E 's/^fuzz: ([0-9]+) passed.*/\1/' <<<"$summary")))
    failed=$((failed + $(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$summary")))
  fi
fi

if [ $((passed + failed)) -eq 0 ]; then failed=1; fi
echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
