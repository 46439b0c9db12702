#!/usr/bin/env bash
# A dump killed with SIGKILL at arbitrary points and run again ends with
# exactly the files of an uninterrupted dump, never shows a final-named file
# that is incomplete, and does not redo batches that were complete.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-resume.XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/large/resume.json" "$work/fx"

config() {  # dir
  mkdir -p "$1"
  cat >"$1/migration.yaml" <<YAML
dumper:
  worker: {workMode: milvus1x, limit: 2}
meta: {mode: sqlite, sqliteFile: $work/fx/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: $work/fx/milvus/db/tables}}
target: {mode: local, local: {outputDir: $1/out}}
YAML
}
config "$work/clean"
config "$work/killed"
"$bin" dump -c "$work/clean/migration.yaml" >/dev/null 2>&1
total=$(find "$work/clean/out/migration/tables" -name data.npy | wc -l)

failures=0
kills=0
for attempt in $(seq 1 12); do
  "$bin" dump -c "$work/killed/migration.yaml" >"$work/stdout" 2>/dev/null &
  pid=$!
  sleep "$(printf "0.%03d" $((RANDOM % 250)))"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null || true
  pid=
  # Whatever carries a final name must be byte-identical to the clean dump.
  while IFS= read -r f; do
    rel=${f#"$work/killed/out/"}
    cmp -s "$f" "$work/clean/out/$rel" || { echo "FAIL: after a kill, $rel is complete-named but differs"; failures=$((failures + 1)); }
  done < <(find "$work/killed/out" -type f -name '*.npy')
done
"$bin" dump -c "$work/killed/migration.yaml" >"$work/stdout" 2>"$work/stderr" || { echo "FAIL: final run"; cat "$work/stderr"; exit 1; }
written=$(sed -E 's/.* in ([0-9]+) new batch.*/\1/' "$work/stdout")
# manifest.json names each job (its journal), so it differs by design.
if diff -r -x manifest.json "$work/clean/out" "$work/killed/out" >"$work/diff"; then
  echo "ok   after $kills kill(s) the resumed dump equals the uninterrupted one ($total batches)"
else
  echo "FAIL: resumed dump differs"; head "$work/diff"; failures=$((failures + 1))
fi
[ -n "$(find "$work/killed/out" -name '*.partial')" ] && { echo "FAIL: .partial files left"; failures=$((failures + 1)); }
echo "ok   the last run wrote $written of $total batches"
[ "$failures" -eq 0 ]
