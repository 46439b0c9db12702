#!/usr/bin/env bash
# Configures and builds one flavour into build/<flavour>: release (default),
# asan (AddressSanitizer + UndefinedBehaviorSanitizer) or fuzz (clang, the
# libFuzzer targets of tests/fuzz only; run them with tests/fuzz/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
target=()
case "$flavour" in
  release) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan)    flags=(-DCMAKE_BUILD_TYPE=Debug -DMM_SANITIZE=ON) ;;
  fuzz)    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DMM_FUZZ=ON -DCMAKE_C_COMPILER=clang)
           target=(--target fuzzers) ;;
  *) echo "build.sh: unknown flavour '$flavour' (release, asan or fuzz)" >&2; exit 2 ;;
esac
cmake -S . -B "build/$flavour" "${flags[@]}" >/dev/null
cmake --build "build/$flavour" -j"$(nproc)" "${target[@]}"
