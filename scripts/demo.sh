#!/usr/bin/env bash
# The first command to run: installs what is needed, builds the release
# binary, then runs `milvus-migrate demo` (the wizard on a generated Milvus
# 1.x sample and the Milvus 2.x emulator, both in a temporary directory that
# is removed afterwards). Without a terminal it runs `demo --headless`, which
# migrates the sample and prints the verification. Arguments are passed on
# (e.g. --keep, --generation 2.3).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release >/dev/null
if [ -t 0 ] && [ -t 1 ]; then
  exec build/release/milvus-migrate demo "$@"
fi
exec build/release/milvus-migrate demo --headless "$@"
