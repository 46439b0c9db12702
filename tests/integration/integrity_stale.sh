#!/usr/bin/env bash
# A source that changed between two dumps (a segment became TO_DELETE after
# a re-copy): the second dump retires the stale batch (journal record and
# staged files), says so, and batches.json no longer lists it; `run --col`
# then imports exactly the live rows. When the stale batch had already been
# imported, the dump says it is kept and verify exits 3 with the partition
# and the collection both MISMATCH (a collection never reads OK while one
# of its partitions does not).
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
source "$src/tests/lib/emulator.sh"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-integrity-stale.XXXXXX")
cleanup() { mm_emulator_stop; rm -rf "$work"; }
trap cleanup EXIT

stale=1680000000000007000
# The same install, generated twice: as it was, and with segment $stale
# superseded (TO_DELETE) as a re-copy after a merge shows it. The segment
# files are the same bytes; only the meta differs.
/usr/bin/python3 - "$src/tests/fixtures/special/stale.json" "$work/after.json" "$stale" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for seg in s["collections"][0]["segments"]:
    if seg["id"] == sys.argv[3]:
        seg["type"] = 4
json.dump(s, open(sys.argv[2], "w"))
PY
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$work/after.json" "$work/after" >/dev/null
# Makes the install of job dir D look like the source after the change.
recopy() { cp "$work/after/milvus/db/meta.sqlite"* "$1/fx/milvus/db/"; }
job() {  # dir
  /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/special/stale.json" "$1/fx" >/dev/null
  mm_write_job_config "$1" "$1/fx" "mode: local" "local: {outputDir: $1/out}" \
    "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1, existingCollection: drop}"
}
listed() { /usr/bin/python3 -c 'import json, sys; print(sum(b["segment"] == sys.argv[2] for b in json.load(open(sys.argv[1]))))' "$1/out/migration/batches.json" "$2"; }

mm_emulator_start "$work/emu" --generation 2.5 --storage-dir "$work"

# ---- retired before anything was imported ---------------------------------------------------
d=$work/retired
job "$d"
"$bin" dump -c "$d/migration.yaml" --col c_float >/dev/null 2>&1 || fail "retired: first dump"
[ "$(listed "$d" $stale)" = 1 ] && [ -d "$d/out/migration/tables/c_float/$stale" ] || fail "retired: the first dump did not stage $stale"
recopy "$d"
status=0
"$bin" dump -c "$d/migration.yaml" --col c_float --yes >"$d/dump2.out" 2>"$d/dump2.err" || status=$?
# Deleting the staged files is a loss: named, and accepted with --yes.
want_err="milvus-migrate dump: going on as --yes says, although the run loses:
- 1 staged batch(es) of 1.x segments that are no longer live (1,000 row(s)) are deleted from $d/out/migration; the segments the 1.x source holds now are dumped instead
dump: retired batch $stale/0 of collection 'c_float' (partition '_default'): segment $stale is no longer a live segment of collection 'c_float' in the 1.x installation; its 1000 row(s) are not migrated and its staged files were removed"
want_out="dumped 0 rows in 0 new batch(es) (0 B) to $d/out/migration; 7 batch(es) were already complete; 1 stale batch(es) of segments no longer live retired (1000 row(s))"
if [ "$status" -eq 0 ] && [ "$(grep -v '^dump: [0-9]*/[0-9]* segments' "$d/dump2.err")" = "$want_err" ] && [ "$(cat "$d/dump2.out")" = "$want_out" ]; then
  ok "retired: the re-run dump retires the stale batch and says so"
else
  fail "retired: dump exit $status"; cat "$d/dump2.out" "$d/dump2.err"; echo "want: $want_out"; echo "      $want_err"
fi
[ "$(listed "$d" $stale)" = 0 ] && [ ! -e "$d/out/migration/tables/c_float/$stale" ] \
  && [ "$(sqlite3 "file:$d/state/journal.sqlite?mode=ro" "SELECT count(*) FROM batch WHERE segment = '$stale'")" = 0 ] \
  && [ "$(sqlite3 "file:$d/state/journal.sqlite?mode=ro" "SELECT count(*) FROM segment WHERE segment = '$stale'")" = 0 ] \
  && ok "retired: batches.json, the staging directory and the journal no longer hold it" \
  || fail "retired: $stale is still listed, staged or recorded"
"$bin" run -c "$d/migration.yaml" --col c_float --report "$d/report" >"$d/run.out" 2>&1 \
  && grep -q "^collection c_float: expected 6048, Milvus 6048: OK$" "$d/run.out" \
  && ok "retired: run --col c_float imports the 6048 live rows and verifies" || { fail "retired: run"; cat "$d/run.out"; }
# Only c_float was run: its part of the live set is what Milvus must hold.
grep $'^c_float\t' "$work/after/expected/liveset.tsv" >"$d/liveset-c_float.tsv"
mm_check_emulator_ids "retired" "$d/liveset-c_float.tsv" "$d/report.json"

# ---- imported before the source changed ---------------------------------------------------------
d=$work/imported
job "$d"
# c_float exists from the job above: dropped, as --yes accepts.
"$bin" run -c "$d/migration.yaml" --col c_float --yes --report "$d/report1" >"$d/run1.out" 2>&1 || { fail "imported: first run"; cat "$d/run1.out"; }
recopy "$d"
status=0
"$bin" run -c "$d/migration.yaml" --col c_float --report "$d/report" >"$d/run.out" 2>"$d/run.err" || status=$?
grep -qxF "dump: warning: batch $stale/0 of collection 'c_float' (partition '_default') is stale (segment $stale is no longer a live segment of collection 'c_float' in the 1.x installation) but was already submitted for import: its 1000 row(s) stay in Milvus and verify counts them as a mismatch; drop the 2.x collection and start over with --restart to remove them" "$d/run.err" \
  && ok "imported: the dump says the stale batch stays in Milvus" || { fail "imported: dump warning"; cat "$d/run.err"; }
sed -n '/^COLLECTION/,/^collection /p' "$d/run.out" >"$d/table.txt"
cat >"$d/table.want" <<TXT
COLLECTION               1.X PARTITION  2.X PARTITION                1.X LIVE       STAGED     IMPORTED       MILVUS  SAMPLED  CONTENT           STATUS
c_float                  (default)      c_float._default                 5998         5998         5998         6998        -  not loaded        MISMATCH  Milvus counts 6998 rows, expected 5998 (rows imported twice or added by someone else?)
c_float                  p              c_float.p                          50           50           50           50        -  not loaded        OK

collection c_float: expected 6048, Milvus 7048: MISMATCH (1 partition(s) above do not match)
TXT
[ "$status" -eq 3 ] && diff -u "$d/table.want" "$d/table.txt" && ok "imported: verify exits 3, the partition and the collection MISMATCH" \
  || { fail "imported: run exit $status"; cat "$d/run.out"; }
/usr/bin/python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); c = r["collections"][0]; sys.exit(0 if (c["status"], c["partitionMismatches"]) == ("MISMATCH", 1) else 1)' "$d/report.json" \
  && ok "imported: report.json says so too" || fail "imported: report.json"

finish integrity_stale
