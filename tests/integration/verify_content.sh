#!/usr/bin/env bash
# Content verification (verify.sample): rows drawn from the 1.x segments are
# read back from the Milvus 2.x emulator through Query and compared bit for
# bit. Each content fault the emulator can inject on import (a flipped bit, two
# ids' vectors swapped, a row dropped while another is stored twice) keeps
# the counts right and ends in exit 3 naming the exact id; float and binary
# collections, a collection with duplicate ids, a sample larger than its
# partition (every row checked), the same rows for the same seed, and a
# collection that is not loaded, which is never loaded without consent.
set -uo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/checks.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-content.XXXXXX")
cleanup() { mm_emulator_stop; rm -rf "$work"; }
trap cleanup EXIT

for s in basic_native binary; do
  /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/$s.json" "$work/$s" >/dev/null ||
    { fail "fixture $s"; finish verify_content; exit; }
done

# A job on a fresh emulator (2.5): CASE dir, fixture, loadForSample, fault.
start_case() {  # case scenario loadForSample [fault-json]
  local d=$work/$1
  mm_emulator_stop
  mm_emulator_start "$d/emu" --generation 2.5 --storage-dir "$d" || { fail "$1: emulator"; return 1; }
  mm_write_job_config "$d" "$work/$2" "mode: local" "local: {outputDir: $d/out}" \
    "milvus2x: {endpoint: 127.0.0.1:$MM_EMU_PORT, retries: 1}"
  sed -i "s/^verify: {statsTimeoutSeconds: 3}\$/verify: {statsTimeoutSeconds: 3, loadForSample: $3}/" "$d/migration.yaml"
  [ -z "${4:-}" ] || mm_emulator_faults "$4" >/dev/null || fail "$1: fault $4 refused"
}
# Runs the command of a case; its stdout without the dump/load summaries
# and the notes on the 1.x meta's row counts,
# with the port as PORT and the case's directory as DIR in $d/out.txt,
# its stderr without progress in $d/err.txt, its exit status in $status.
run_case() {  # case command args...
  local d=$work/$1
  shift
  status=0
  "$bin" "$@" >"$d/stdout" 2>"$d/stderr" || status=$?
  grep -v '^dumped \|^loaded \|^row count: ' "$d/stdout" | sed "s/127.0.0.1:$MM_EMU_PORT/127.0.0.1:PORT/g; s#$d#DIR#g" >"$d/out.txt"
  grep -v '^dump: [0-9]*/[0-9]* segments\|^load: [0-9]*/[0-9]* batches' "$d/stderr" | sed "s#$d#DIR#g" >"$d/err.txt"
}
same_file() {  # label want-file got-file
  if diff -u "$2" "$3" >"$work/diff.out"; then ok "$1"; else fail "$1"; cat "$work/diff.out"; fi
}
# A field of report.json's partition entry for 2.x collection C, as Python prints it.
report_field() {  # report.json collection python-expression-on-p
  /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p = [p for p in r["partitions"] if p["targetCollection"] == sys.argv[2]][0]
print(eval(sys.argv[3], {"p": p, "r": r}))
PY
}
# The distinct ids of a partition's live rows in the fixture (sorted).
live_ids() {  # scenario collection
  awk -F'\t' -v c="$2" '$1 == c { print $4 }' "$work/$1/expected/liveset.tsv" | sort -n -u | paste -sd, -
}

# The table row of 2.x collection C in a case's out.txt.
table_row() { grep "^$2 " "$work/$1/out.txt"; }
# The last line of a case's stderr.
last_err() { tail -1 "$work/$1/err.txt"; }
injected() {  # case what: the emulator says it corrupted that import
  grep -q "corrupted (injected): $2\$" "$work/$1/emu/emulator.log"
}
mismatch_end() {  # label case
  [ "$status" -eq 3 ] && [ "$(last_err "$2")" = "milvus-migrate run: verification found mismatches (see the table above)" ] &&
    ok "$1: exit 3, 'verification found mismatches'" || { fail "$1: exit $status"; cat "$work/$2/err.txt"; }
}

# ---- flipBit on a float collection; the duplicate ids beside it verify ------------
start_case flip basic_native true '{"corruptImport": {"collection": "vectors_ip", "kind": "flipBit", "id": 8003}}'
run_case flip run -c "$work/flip/migration.yaml"
injected flip "flipBit id=8003" && ok "flipBit: the emulator flipped a bit of id 8003" || fail "flipBit: not injected"
mismatch_end flipBit flip
cat >"$work/flip.want" <<'TXT'
Verification against 127.0.0.1:PORT (Milvus v2.5.4)

COLLECTION               1.X PARTITION  2.X PARTITION                1.X LIVE       STAGED     IMPORTED       MILVUS  SAMPLED  CONTENT           STATUS
vectors_ip               (default)      vectors_ip._default                12           12           12           12       12  11/12 MISMATCH    MISMATCH  content: 1 of 12 sampled row(s) differ: id 8003 vector differs at dim 0 (1.x 1.375 = 0x3fb00000, Milvus 1.37500012 = 0x3fb00001); 1 of 16 dims differ
vectors_l2               (default)      vectors_l2._default                17           17           17           17       17  17/17 OK          OK

collection vectors_ip: expected 12, Milvus 12: MISMATCH (1 partition(s) above do not match)
collection vectors_l2: expected 17, Milvus 17: OK

Content sample (up to 1000 row(s) per partition, seed 1): 29 row(s) of 2 partition(s) read back from Milvus; 1 differ from the 1.x files (see the table).

0 name(s) rewritten for Milvus 2.x, 3 warning(s) about the 1.x source (0 row(s) of its meta not migrated): listed in the report

2 mismatch(es).
report: DIR/state/report.json, DIR/state/report.md
TXT
same_file "flipBit: exact table, id 8003 named with the dim and both values' bits" "$work/flip.want" "$work/flip/out.txt"
rj=$work/flip/state/report.json
[ "$(report_field "$rj" vectors_ip 'p["content"]["mismatches"]')" = \
  "[{'id': 8003, 'what': 'vector differs at dim 0 (1.x 1.375 = 0x3fb00000, Milvus 1.37500012 = 0x3fb00001); 1 of 16 dims differ'}]" ] &&
  ok "flipBit: report.json lists exactly the mismatch of id 8003" || fail "flipBit: report.json mismatches: $(report_field "$rj" vectors_ip 'p["content"]')"
grep -qx -- "- vectors_ip._default, id 8003: vector differs at dim 0 (1.x 1.375 = 0x3fb00000, Milvus 1.37500012 = 0x3fb00001); 1 of 16 dims differ" \
  "$work/flip/state/report.md" && ok "flipBit: report.md lists the mismatch" || fail "flipBit: report.md"
# vectors_l2 holds ids 1, 2, 3 and 100 several times each (17 rows under 13
# ids): the sample (1000 > 17) is every row, every id read back.
[ "$(report_field "$rj" vectors_l2 '",".join(str(i) for i in sorted(p["content"]["idsChecked"]))')" = "$(live_ids basic_native vectors_l2)" ] &&
  [ "$(report_field "$rj" vectors_l2 '(p["content"]["sampled"], p["content"]["matched"], p["content"]["status"], p["sourceLive"])')" = "(17, 17, 'OK', 17)" ] &&
  ok "duplicate ids: all 17 rows of vectors_l2 (13 ids) sampled and matched" ||
  fail "duplicate ids: $(report_field "$rj" vectors_l2 'p["content"]')"
# The seeds are 64-bit: report.json carries them exactly (as report.md does).
for c in vectors_ip vectors_l2; do
  seed=$(report_field "$rj" $c 'p["content"]["seed"]')
  grep -q "^| $c._default | [0-9]* | [^|]* | $seed |\$" "$work/flip/state/report.md" && [ "${#seed}" -gt 16 ] &&
    ok "report.json: $c's sample seed $seed is exact" || fail "report.json: $c's seed '$seed' is not report.md's"
done
[ "$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["contentSample"])' "$rj")" = \
  "{'rowsPerPartition': 1000, 'seed': 1, 'loadForSample': True}" ] && ok "report.json: the sample's size, seed and consent" ||
  fail "report.json: contentSample"

# verify on its own: the same rows, the same mismatch, exit 3.
run_case flip verify -c "$work/flip/migration.yaml"
[ "$status" -eq 3 ] && [ "$(last_err flip)" = "milvus-migrate verify: verification found mismatches (see the table above)" ] &&
  [ "$(report_field "$rj" vectors_ip 'p["content"]["mismatches"][0]["id"]')" = 8003 ] &&
  ok "flipBit: verify alone exits 3 naming id 8003 again" || { fail "flipBit: verify exit $status"; cat "$work/flip/err.txt"; }

# ---- swapIds: two rows of one import exchange their vectors ------------------------
start_case swap basic_native true '{"corruptImport": {"collection": "vectors_ip", "kind": "swapIds", "id": 8001, "other": 8007}}'
run_case swap run -c "$work/swap/migration.yaml"
injected swap "swapIds id=8001 other=8007" && ok "swapIds: injected" || fail "swapIds: not injected"
mismatch_end swapIds swap
[ "$(table_row swap vectors_ip)" = "vectors_ip               (default)      vectors_ip._default                12           12           12           12       12  10/12 MISMATCH    MISMATCH  content: 2 of 12 sampled row(s) differ: id 8001 vector differs at dim 0 (1.x -0.375 = 0xbec00000, Milvus 4.875 = 0x409c0000); 16 of 16 dims differ; id 8007 vector differs at dim 0 (1.x 4.875 = 0x409c0000, Milvus -0.375 = 0xbec00000); 16 of 16 dims differ" ] &&
  [ "$(table_row swap vectors_l2)" = "vectors_l2               (default)      vectors_l2._default                17           17           17           17       17  17/17 OK          OK" ] &&
  ok "swapIds: ids 8001 and 8007 named, counts equal" || { fail "swapIds: table"; cat "$work/swap/out.txt"; }

# ---- dropRow: one row missing, another stored twice, the count unchanged ------------
start_case drop basic_native true '{"corruptImport": {"collection": "vectors_ip", "kind": "dropRow", "id": 8004, "other": 8006}}'
run_case drop run -c "$work/drop/migration.yaml"
injected drop "dropRow id=8004 other=8006" && ok "dropRow: injected" || fail "dropRow: not injected"
mismatch_end dropRow drop
[ "$(table_row drop vectors_ip)" = "vectors_ip               (default)      vectors_ip._default                12           12           12           12       12  11/12 MISMATCH    MISMATCH  content: 1 of 12 sampled row(s) differ: id 8004 missing from Milvus" ] &&
  ok "dropRow: 12 rows in Milvus, id 8004 named missing" || { fail "dropRow: table"; cat "$work/drop/out.txt"; }
[ "$(report_field "$work/drop/state/report.json" vectors_ip 'p["content"]["mismatches"]')" = "[{'id': 8004, 'what': 'missing from Milvus'}]" ] &&
  ok "dropRow: report.json names id 8004" || fail "dropRow: report.json"

# ---- binary collections: a flipped bit is named by its dim ---------------------------
start_case bin binary true '{"corruptImport": {"collection": "bin_jaccard", "kind": "flipBit", "id": 3006}}'
run_case bin run -c "$work/bin/migration.yaml"
injected bin "flipBit id=3006" && ok "binary flipBit: injected" || fail "binary flipBit: not injected"
mismatch_end "binary flipBit" bin
# The lowest bit of byte 0 is dim 7: Milvus packs a binary vector's dims
# most significant bit first, as numpy.packbits does.
cat >"$work/bin.want" <<'TXT'
bin_hamming              (default)      bin_hamming._default               14           14           14           14       14  14/14 OK          OK
bin_jaccard              (default)      bin_jaccard._default                5            5            5            5        5  4/5 MISMATCH      MISMATCH  content: 1 of 5 sampled row(s) differ: id 3006 vector differs at dim 7 (byte 0: 1.x 0x3b, Milvus 0x3a); 1 of 16 dims differ
bin_sub                  (default)      bin_sub._default                    3            3            3            3        3  3/3 OK            OK
TXT
grep '^bin_' "$work/bin/out.txt" | grep -v '^bin_[a-z]*: ' >"$work/bin.got"
same_file "binary: every row of the three collections read back; id 3006 named at dim 7" "$work/bin.want" "$work/bin.got"

# ---- a corrupted row under a duplicate id --------------------------------------------
# vectors_l2 holds id 100 three times in one segment. Milvus answers the id
# once, the first row seen (all rows of one import share its timestamp); the
# fault flips a bit in that first row, so what comes back equals none of the
# three 1.x rows.
start_case dup basic_native true '{"corruptImport": {"collection": "vectors_l2", "kind": "flipBit", "id": 100}}'
run_case dup run -c "$work/dup/migration.yaml"
injected dup "flipBit id=100" && ok "duplicate id flipBit: injected" || fail "duplicate id flipBit: not injected"
mismatch_end "duplicate id flipBit" dup
[ "$(table_row dup vectors_l2)" = "vectors_l2               (default)      vectors_l2._default                17           17           17           17       17  14/17 MISMATCH    MISMATCH  content: 3 of 17 sampled row(s) differ: id 100 vector differs at dim 0 (1.x -3 = 0xc0400000, Milvus -3.00000024 = 0xc0400001); 1 of 8 dims differ" ] &&
  ok "duplicate id flipBit: id 100 named (its 3 sampled rows), vectors_ip 12/12 OK" || { fail "duplicate id flipBit: table"; cat "$work/dup/out.txt"; }

# ---- not loaded, no consent: nothing loaded, nothing indexed ---------------------------
start_case noload basic_native false
run_case noload run -c "$work/noload/migration.yaml"
cat >"$work/noload.want" <<'TXT'
Verification against 127.0.0.1:PORT (Milvus v2.5.4)

COLLECTION               1.X PARTITION  2.X PARTITION                1.X LIVE       STAGED     IMPORTED       MILVUS  SAMPLED  CONTENT           STATUS
vectors_ip               (default)      vectors_ip._default                12           12           12           12        -  not loaded        OK
vectors_l2               (default)      vectors_l2._default                17           17           17           17        -  not loaded        OK

collection vectors_ip: expected 12, Milvus 12: OK
collection vectors_l2: expected 17, Milvus 17: OK

Content sample (up to 1000 row(s) per partition, seed 1): 0 row(s) of 0 partition(s) read back from Milvus.
Content of vectors_ip not sampled: Milvus has not loaded it. Set verify.loadForSample: true to load it for the sample (about 1.7 KiB of query-node memory; released afterwards), or load it and verify again.
Content of vectors_l2 not sampled: Milvus has not loaded it. Set verify.loadForSample: true to load it for the sample (about 1.3 KiB of query-node memory; released afterwards), or load it and verify again.

0 name(s) rewritten for Milvus 2.x, 3 warning(s) about the 1.x source (0 row(s) of its meta not migrated): listed in the report

All counts match.
report: DIR/state/report.json, DIR/state/report.md
TXT
[ "$status" -eq 0 ] && ok "not loaded: counts match, exit 0" || { fail "not loaded: exit $status"; cat "$work/noload/err.txt"; }
# The memory stated is the rule of the upstream notes: twice the raw bytes of
# vectors and ids (vectors_ip: 12 rows x (16 x 4 + 8) x 2 = 1728 B).
same_file "not loaded: exact table and the memory loading each would take" "$work/noload.want" "$work/noload/out.txt"
calls=$(for rpc in CreateIndex LoadCollection Query ReleaseCollection DropIndex; do printf '%s=%s ' $rpc "$(mm_emulator_calls $rpc)"; done)
[ "$calls" = "CreateIndex=0 LoadCollection=0 Query=0 ReleaseCollection=0 DropIndex=0 " ] &&
  ok "not loaded: no index made, nothing loaded or queried without consent" || fail "not loaded: emulator received $calls"
[ "$(report_field "$work/noload/state/report.json" vectors_ip '(p["content"]["status"], p["content"]["sampled"], p["content"]["idsChecked"])')" = \
  "('NOT_LOADED', 0, [])" ] && ok "not loaded: report.json says so" || fail "not loaded: report.json $(report_field "$work/noload/state/report.json" vectors_ip 'p["content"]')"

# ---- consent, --sample 5: loaded, sampled, released; the same rows again ------------
sed -i 's/loadForSample: false/loadForSample: true/' "$work/noload/migration.yaml"
run_case noload verify -c "$work/noload/migration.yaml" --sample 5
[ "$status" -eq 0 ] && [ "$(table_row noload vectors_ip)" = "vectors_ip               (default)      vectors_ip._default                12           12           12           12        5  5/5 OK            OK" ] &&
  grep -qx "Content sample (up to 5 row(s) per partition, seed 1): 10 row(s) of 2 partition(s) read back from Milvus, all identical to the 1.x files." "$work/noload/out.txt" &&
  ok "loadForSample, --sample 5: 5 rows of each partition read back, OK" || { fail "loadForSample --sample 5: exit $status"; cat "$work/noload/out.txt" "$work/noload/err.txt"; }
grep -qx "verify: loading vectors_ip for the content sample (verify.loadForSample): about 1.7 KiB of query-node memory; it is released afterwards" "$work/noload/err.txt" &&
  ok "loadForSample: the memory is said before loading" || { fail "loadForSample: no memory line"; cat "$work/noload/err.txt"; }
calls=$(for rpc in CreateIndex LoadCollection ReleaseCollection DropIndex; do printf '%s=%s ' $rpc "$(mm_emulator_calls $rpc)"; done)
[ "$calls" = "CreateIndex=2 LoadCollection=2 ReleaseCollection=2 DropIndex=2 " ] &&
  ok "loadForSample: each collection indexed, loaded, released, its index dropped once" || fail "loadForSample: emulator received $calls"
# Drawn in proportion to the segments' live rows (9 and 3 of 12: 4 and 1).
first=$(report_field "$work/noload/state/report.json" vectors_ip 'p["content"]["idsChecked"]')
[ "$first" = "[8002, 8003, 8006, 8008, 9001]" ] && ok "--sample 5 seed 1: vectors_ip ids $first" || fail "--sample 5: ids $first"
run_case noload verify -c "$work/noload/migration.yaml" --sample 5
again=$(report_field "$work/noload/state/report.json" vectors_ip 'p["content"]["idsChecked"]')
[ "$again" = "$first" ] && ok "the same seed checks the same rows again" || fail "seed 1 again: $again, first $first"
sed -i 's/loadForSample: true/loadForSample: true, sampleSeed: 2/' "$work/noload/migration.yaml"
run_case noload verify -c "$work/noload/migration.yaml" --sample 5
other=$(report_field "$work/noload/state/report.json" vectors_ip 'p["content"]["idsChecked"]')
[ "$status" -eq 0 ] && [ "$other" != "$first" ] && grep -q "^Content sample (up to 5 row(s) per partition, seed 2): " "$work/noload/out.txt" &&
  ok "seed 2 draws other rows ($other)" || fail "seed 2: exit $status, ids $other"

# ---- loaded by the user: sampled without consent, refreshed, left loaded ------------
# The user made an index on vectors_ip and loaded it (through the Node SDK).
start_case userload basic_native false
run_case userload run -c "$work/userload/migration.yaml" --sample 0
(cd "$src/tests/emulator" && node -e '
const { MilvusClient } = require("@zilliz/milvus2-sdk-node");
(async () => {
  const c = new MilvusClient({ address: process.argv[1], maxRetries: 0 });
  const i = await c.createIndex({ collection_name: "vectors_ip", field_name: "data", index_type: "FLAT", metric_type: "IP", params: {} });
  const l = await c.loadCollectionSync({ collection_name: "vectors_ip" });
  process.exit(i.error_code === "Success" && l.error_code === "Success" ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(1); });' "127.0.0.1:$MM_EMU_PORT") || fail "userload: loading vectors_ip by hand"
before=$(for rpc in CreateIndex LoadCollection ReleaseCollection DropIndex; do printf '%s=%s ' $rpc "$(mm_emulator_calls $rpc)"; done)
run_case userload verify -c "$work/userload/migration.yaml"
[ "$status" -eq 0 ] &&
  [ "$(table_row userload vectors_ip)" = "vectors_ip               (default)      vectors_ip._default                12           12           12           12       12  12/12 OK          OK" ] &&
  [ "$(table_row userload vectors_l2)" = "vectors_l2               (default)      vectors_l2._default                17           17           17           17        -  not loaded        OK" ] &&
  ok "loaded by the user: vectors_ip sampled whole, vectors_l2 not loaded and not sampled" || { fail "userload: exit $status"; cat "$work/userload/out.txt" "$work/userload/err.txt"; }
after=$(for rpc in CreateIndex LoadCollection ReleaseCollection DropIndex; do printf '%s=%s ' $rpc "$(mm_emulator_calls $rpc)"; done)
# One LoadCollection: the refresh (imports since the load are read only
# after it); no index made, nothing released, no index dropped.
[ "$before" = "CreateIndex=1 LoadCollection=1 ReleaseCollection=0 DropIndex=0 " ] &&
  [ "$after" = "CreateIndex=1 LoadCollection=2 ReleaseCollection=0 DropIndex=0 " ] &&
  ok "loaded by the user: refreshed, left loaded with its index" || fail "userload: calls before $before, after $after"

finish verify_content
