#!/usr/bin/env bash
# Installs what is needed, builds, generates a sample Milvus 1.x
# installation in a temporary directory, then opens the wizard on it (on a
# terminal) or prints its inventory (without one).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release >/dev/null
work=$(mktemp -d /tmp/milvus-migrate-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 tests/fixtures/gen_fixture.py tests/fixtures/scenarios/partitions_orm.json "$work/fx" >/dev/null
cat >"$work/migration.yaml" <<YAML
dumper:
  worker:
    workMode: milvus1x
meta:
  mode: sqlite
  sqliteFile: $work/fx/milvus/db/meta.sqlite
source:
  mode: local
  local:
    tablesDir: $work/fx/milvus/db/tables
    secondaryTablesDirs: [$work/fx/milvus2/db/tables]
target:
  mode: local
  local:
    outputDir: $work/out
  milvus2x:
    endpoint: 127.0.0.1:19530
YAML
chmod 600 "$work/migration.yaml"
echo "Sample Milvus 1.x installation generated in $work/fx"
if [ -t 0 ] && [ -t 1 ]; then
  build/release/milvus-migrate wizard -c "$work/migration.yaml"
else
  echo "(no terminal: printing the inventory instead of opening the wizard)"
  build/release/milvus-migrate inspect -c "$work/migration.yaml"
fi
