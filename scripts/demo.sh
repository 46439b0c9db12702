#!/usr/bin/env bash
# Installs what is needed, builds, generates a sample Milvus 1.x
# installation in a temporary directory and shows what milvus-migrate makes
# of it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release >/dev/null
work=$(mktemp -d /tmp/milvus-migrate-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 tests/fixtures/gen_fixture.py tests/fixtures/scenarios/basic_native.json "$work" >/dev/null
echo "Sample Milvus 1.x installation generated in $work/milvus"
echo
build/release/milvus-migrate inspect "$work/milvus"
