#!/usr/bin/env bash
# existingCollection: append into a 2.x collection that has a nullable field
# and a field with a default value besides id and vector (made with the
# Node SDK): Milvus 2.6 and 3.0 fill those fields themselves when no file is
# given (numpy/util.go 105-124), so the append imports exactly the live rows;
# 2.5 refuses NumPy imports into a collection with a nullable field
# (numpy/reader.go 48-53), so run refuses before anything is dumped,
# naming the field and why.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/checks.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-append-nullable.XXXXXX")
cleanup() {
  mm_emulator_stop
  rm -rf "$work"
}
trap cleanup EXIT

# vectors_l2 (dim 8 in the fixture) with two more fields Milvus can fill.
create_collection() {
  NODE_PATH=$src/tests/emulator/node_modules node - "127.0.0.1:$MM_EMU_PORT" <<'JS'
const { MilvusClient, DataType } = require('@zilliz/milvus2-sdk-node');
(async () => {
  const c = new MilvusClient({ address: process.argv[2], maxRetries: 0 });
  const r = await c.createCollection({
    collection_name: 'vectors_l2',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: 'data', data_type: DataType.FloatVector, dim: 8 },
      { name: 'note', data_type: DataType.VarChar, max_length: 64, nullable: true },
      { name: 'score', data_type: DataType.Int64, default_value: 7 },
    ],
  });
  if (r.error_code !== 'Success') { console.error(JSON.stringify(r)); process.exit(1); }
  c.closeConnection();
})().catch((e) => { console.error(e.message); process.exit(1); });
JS
}

fields_of() {
  mm_emulator_state | /usr/bin/python3 -c 'import json, sys; print(" ".join(f["name"] for f in json.load(sys.stdin)["collections"]["vectors_l2"]["schema"]["fields"]))'
}

for gen in 2.5 2.6 3.0; do
  mm_emulator_start "$work/emu$gen" --generation "$gen" --storage-dir "$work"
  d=$work/$gen
  /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/basic_native.json" "$d/fx" >/dev/null
  mm_write_job_config "$d" "$d/fx" "mode: local" "local: {outputDir: $d/out}" \
    "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1, existingCollection: append}"
  create_collection || { fail "$gen: the collection could not be created"; mm_emulator_stop; continue; }
  [ "$(fields_of)" = "id data note score" ] || fail "$gen: the collection has fields '$(fields_of)'"
  status=0
  "$bin" run -c "$d/migration.yaml" --col vectors_l2 --report "$d/report" >"$d/run.out" 2>"$d/run.err" || status=$?
  if [ "$gen" = 2.5 ]; then
    # Found by the target check, before anything is dumped.
    want="milvus-migrate run: the run would fail on the target, so nothing was dumped or changed:
- collection 'vectors_l2' exists on 127.0.0.1:$MM_EMU_PORT with another schema: it has a field 'note' that is nullable, and Milvus before 2.6 refuses NumPy imports into a collection with a nullable field; drop it, choose another target name, or set target.milvus2x.existingCollection: drop"
    if [ "$status" -eq 2 ] && [ "$(grep -v '^run: ' "$d/run.err")" = "$want" ] && [ "$(mm_emulator_calls Import)" = 0 ] &&
       [ ! -e "$d/out/migration/batches.json" ]; then
      ok "$gen: append into a collection with a nullable field refused, naming the field, no Import"
    else
      fail "$gen: exit $status, $(mm_emulator_calls Import) Import(s)"; cat "$d/run.err"
    fi
  else
    if [ "$status" -eq 0 ] && grep -q "^All counts match.$" "$d/run.out"; then
      # The fixture's live set, of the one collection migrated.
      grep -P '^vectors_l2\t' "$d/fx/expected/liveset.tsv" >"$d/liveset.tsv"
      mm_check_emulator_ids "$gen: appended next to a nullable and a default-value field" "$d/liveset.tsv" "$d/report.json"
    else
      fail "$gen: append exit $status"; cat "$d/run.err" "$d/run.out"
    fi
  fi
  mm_emulator_stop
done

finish append_nullable
