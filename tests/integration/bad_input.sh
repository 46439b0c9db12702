#!/usr/bin/env bash
# Broken 1.x inputs given to `dump`: malformed and truncated .rv, .uid and
# deleted_docs, a dimension that disagrees with the meta, a missing tables
# directory, a damaged or truncated meta.sqlite, a -wal that is missing,
# truncated or damaged, NaN/Inf vectors under both dumper.nanPolicy values,
# and names that are invalid in 2.x or not UTF-8. Every case asserts the
# exact message and exit status, that the 1.x files are untouched (content,
# size, mode, mtime), that nothing looks complete that is not (no final
# id.npy/data.npy of a failed segment, no batches.json, no segment recorded
# done in the journal), and that after the input is repaired the same job
# completes with exactly the live rows.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
source "$src/tests/lib/emulator.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-bad-input.XXXXXX")
cleanup() { mm_emulator_stop; rm -rf "$work"; }
trap cleanup EXIT

for f in scenarios/basic_native special/dim_mismatch special/wal_split special/nan special/bad_names; do
  /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/$f.json" "$work/pristine/${f#*/}" >/dev/null
done

# A job on a private copy of a fixture: d=<job dir>, db=<its 1.x db dir>.
setup() {  # name fixture [extra target yaml]
  d=$work/$1
  mkdir -p "$d"
  cp -a "$work/pristine/$2" "$d/fx"
  db=$d/fx/milvus/db
  mm_write_job_config "$d" "$d/fx" "mode: local" "local: {outputDir: $d/out}"
}

# The failing run: exact stderr and status, 1.x files untouched, nothing
# complete-looking left behind.
expect_failure() {  # label status message
  local before
  before=$(mm_tree_digest "$d/fx/milvus")
  mm_expect_exit "$1" "$2" "$3" "$bin" dump -c "$d/migration.yaml"
  [ "$(mm_tree_digest "$d/fx/milvus")" = "$before" ] || fail "$1: the 1.x files changed"
  [ ! -e "$d/out/migration/batches.json" ] || fail "$1: batches.json written by a failed dump"
  [ -z "$(find "$d/out" -name '*.partial' 2>/dev/null)" ] || fail "$1: .partial files left behind"
}

# Segments the journal records as completely dumped.
segments_done() {
  [ -f "$d/state/journal.sqlite" ] || { echo 0; return; }
  sqlite3 "file:$d/state/journal.sqlite?mode=ro" "SELECT count(*) FROM segment"
}

nothing_dumped() {  # label
  if [ -z "$(find "$d/out" -name '*.npy' 2>/dev/null)" ] && [ "$(segments_done)" = 0 ]; then
    ok "$1: nothing staged, nothing recorded"
  else
    fail "$1: output or journal records left by a failed dump"; find "$d/out" -type f 2>/dev/null
  fi
}

# The same job (after a repair: re-run) completes with exactly the live set
# and leaves the 1.x files as they were.
completes() {  # label [dump options]
  local status=0 before
  before=$(mm_tree_digest "$d/fx/milvus")
  "$bin" dump -c "$d/migration.yaml" "${@:2}" >"$d/fixed.out" 2>"$d/fixed.err" || status=$?
  if [ "$status" -ne 0 ]; then fail "$1: exit $status"; cat "$d/fixed.err"; return; fi
  [ "$(mm_tree_digest "$d/fx/milvus")" = "$before" ] || fail "$1: the 1.x files changed"
  /usr/bin/python3 "$src/tests/lib/npy_liveset.py" "$d/out/migration" >"$d/dumped.tsv"
  if diff -u "${want_liveset:-$d/fx/expected/liveset.tsv}" "$d/dumped.tsv" >"$d/diff"; then
    ok "$1: the dump completes with exactly the live set ($(wc -l <"$d/dumped.tsv") rows)"
  else
    fail "$1: rows differ"; head -5 "$d/diff"
  fi
  want_liveset=
}

repair() {  # path under db/, restored from the pristine fixture
  cp -a "$work/pristine/${fixture}/milvus/db/$1" "$db/$1"
}

hint="copy the segment directory again from the stopped 1.x server"
scan="milvus-migrate dump: read the 1.x segments (run \`milvus-migrate inspect\` for every problem)"
seg=tables/vectors_ip/1615497440222000000
rv=$seg/1615497440222000000.rv
uid=$seg/1615497440222000000.uid
fixture=basic_native

# ---- segment files ----------------------------------------------------------------
setup rv_truncated basic_native
truncate -s -5 "$db/$rv"
expect_failure "truncated .rv" 1 "$scan: read $db/$rv: the header says 640 payload bytes but the file holds 635 (truncated copy?); $hint"
nothing_dumped "truncated .rv"
repair "$rv"; completes "truncated .rv, repaired"

setup rv_trailing basic_native
printf 'xx' >>"$db/$rv"
expect_failure ".rv with trailing bytes" 1 "$scan: read $db/$rv: the header says 640 payload bytes but the file holds 642 (trailing bytes); $hint"
repair "$rv"; completes ".rv with trailing bytes, repaired"

setup rv_stub basic_native
truncate -s 3 "$db/$rv"
expect_failure ".rv shorter than its header" 1 "$scan: read $db/$rv: the file has 3 bytes, too short for its 8-byte length header (truncated copy?); $hint"
repair "$rv"; completes ".rv shorter than its header, repaired"

setup rv_rows basic_native
/usr/bin/python3 - "$db/$rv" <<'PY'
import struct, sys
p = sys.argv[1]
data = open(p, "rb").read()[8:]
data = data[: len(data) - 64]          # one 16-dim float row less than .uid has ids
open(p, "wb").write(struct.pack("<Q", len(data)) + data)
PY
expect_failure ".rv with fewer rows than .uid" 1 "$scan: segment vectors_ip/1615497440222000000: $db/$rv holds 576 payload bytes but $db/$uid holds 10 ids, which need 640 bytes of dim-16 vectors; $hint"
repair "$rv"; completes ".rv with fewer rows than .uid, repaired"

setup uid_truncated basic_native
truncate -s -8 "$db/$uid"
expect_failure "truncated .uid" 1 "$scan: read $db/$uid: the header says 80 payload bytes but the file holds 72 (truncated copy?); $hint"
repair "$uid"; completes "truncated .uid, repaired"

setup uid_ragged basic_native
/usr/bin/python3 - "$db/$uid" <<'PY'
import struct, sys
p = sys.argv[1]
data = open(p, "rb").read()[8:] + b"\x01\x02\x03"
open(p, "wb").write(struct.pack("<Q", len(data)) + data)
PY
expect_failure ".uid payload not whole ids" 1 "$scan: read $db/$uid: 83 payload bytes is not a whole number of 8-byte ids; $hint"
repair "$uid"; completes ".uid payload not whole ids, repaired"

setup uid_missing basic_native
rm "$db/$uid"
expect_failure "missing .uid" 1 "$scan: segment vectors_ip/1615497440222000000: 1615497440222000000.uid is missing (looked for $db/$uid); $hint"
repair "$uid"; completes "missing .uid, repaired"

setup dd_truncated basic_native
truncate -s 5 "$db/$seg/deleted_docs"
expect_failure "truncated deleted_docs" 1 "$scan: read $db/$seg/deleted_docs: the file has 5 bytes, too short for its 8-byte length header (truncated copy?); $hint"
repair "$seg/deleted_docs"; completes "truncated deleted_docs, repaired"

setup dd_ragged basic_native
printf '\006\0\0\0\0\0\0\0\005\0\0\0\0\0' >"$db/$seg/deleted_docs"
expect_failure "deleted_docs payload not whole offsets" 1 "$scan: read $db/$seg/deleted_docs: 6 payload bytes is not a whole number of 4-byte row offsets; $hint"
repair "$seg/deleted_docs"; completes "deleted_docs payload not whole offsets, repaired"

setup dd_header basic_native
printf '\010\0\0\0\0\0\0\0\005\0\0\0' >"$db/$seg/deleted_docs"
expect_failure "deleted_docs shorter than its header says" 1 "$scan: read $db/$seg/deleted_docs: the header says 8 payload bytes but the file holds 4 (truncated copy?); $hint"
repair "$seg/deleted_docs"; completes "deleted_docs shorter than its header says, repaired"

setup dd_missing basic_native
rm "$db/$seg/deleted_docs"
expect_failure "missing deleted_docs" 1 "$scan: segment vectors_ip/1615497440222000000: deleted_docs is missing from $db/$seg; Milvus itself refuses such a segment. Copy it again from the 1.x server, or set source.missingDeletedDocsOk: true if this segment never had deletes"
repair "$seg/deleted_docs"; completes "missing deleted_docs, repaired"

setup tables_moved basic_native
mv "$db/tables" "$db/tables.moved"
expect_failure "tables directory missing" 1 "$scan: segment vectors_ip/1615497440222000000: the 1.x tables directory $db/tables does not exist; set source.local.tablesDir (inspect: --tables-dir) to the db/tables directory of the 1.x installation"
mv "$db/tables.moved" "$db/tables"; completes "tables directory missing, repaired"

fixture=dim_mismatch
setup dim_mismatch dim_mismatch
expect_failure "dimension differs from the meta" 1 "$scan: segment resized/1690000000001000000: $db/tables/resized/1690000000001000000/1690000000001000000.rv holds 32-byte vectors (dim 8 float) but the meta says dim 16; the meta and the segment files come from different installations"
nothing_dumped "dimension differs from the meta"
/usr/bin/python3 - "$db/meta.sqlite" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])          # a repair on the copy: the meta gets the files' dimension
c.execute("UPDATE Tables SET dimension = 8 WHERE table_id = 'resized'")
c.commit()
c.close()
PY
completes "dimension differs from the meta, repaired"

# ---- meta.sqlite and its -wal ---------------------------------------------------------
fixture=basic_native
wal_hint="copy meta.sqlite, meta.sqlite-wal and meta.sqlite-shm again from the stopped 1.x server (or restore them from a backup)"
meta_err="milvus-migrate dump: read 1.x meta"

setup meta_garbage basic_native
head -c 8192 /dev/zero | tr '\0' 'x' >"$db/meta.sqlite"
rm "$db/meta.sqlite-wal" "$db/meta.sqlite-shm"
expect_failure "meta.sqlite is not a database" 1 "$meta_err $db/meta.sqlite: not an SQLite database (file is not a database); give the meta.sqlite of the Milvus 1.x data directory (<storage.path>/db/meta.sqlite)"
nothing_dumped "meta.sqlite is not a database"
repair meta.sqlite; repair meta.sqlite-wal; repair meta.sqlite-shm; completes "meta.sqlite is not a database, repaired"

# A checkpointed copy (rows in meta.sqlite itself), then damaged.
checkpointed() {
  /usr/bin/python3 - "$db/meta.sqlite" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA journal_mode=DELETE")
c.close()
PY
}
setup meta_truncated basic_native
checkpointed
truncate -s 9000 "$db/meta.sqlite"
expect_failure "truncated meta.sqlite" 1 "$meta_err $db/meta.sqlite: database disk image is malformed (damaged copy?); $wal_hint"
repair meta.sqlite; repair meta.sqlite-wal; repair meta.sqlite-shm; completes "truncated meta.sqlite, repaired"

# A damaged page our queries never read (the UNIQUE index on table_id):
# only an integrity check notices.
setup meta_damaged_index basic_native
checkpointed
/usr/bin/python3 - "$db/meta.sqlite" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
root = c.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_Tables_1'").fetchone()[0]
size = c.execute("PRAGMA page_size").fetchone()[0]
c.close()
with open(sys.argv[1], "r+b") as f:
    f.seek((root - 1) * size)
    f.write(bytes([0x0D, 0xFF, 0xFF]))
PY
expect_failure "damaged meta.sqlite page" 1 "milvus-migrate dump: check 1.x meta $db/meta.sqlite: the database is damaged (SQLite quick_check: *** in database main *** Page 4: free space corruption); $wal_hint"
repair meta.sqlite; repair meta.sqlite-wal; repair meta.sqlite-shm; completes "damaged meta.sqlite page, repaired"

setup wal_missing basic_native
rm "$db/meta.sqlite-wal"
expect_failure "-wal missing beside its -shm" 1 "$meta_err $db/meta.sqlite: meta.sqlite-shm is there but meta.sqlite-wal is missing, so the newest metadata (collections, segments) would be missed; copy meta.sqlite together with meta.sqlite-wal and meta.sqlite-shm from the stopped 1.x server"
nothing_dumped "-wal missing beside its -shm"
repair meta.sqlite-wal; completes "-wal missing beside its -shm, repaired"

# The schema was checkpointed into meta.sqlite, the rows live in -wal: a
# copy without -wal and -shm opens fine and holds no collection at all.
fixture=wal_split
setup wal_and_shm_missing wal_split
rm "$db/meta.sqlite-wal" "$db/meta.sqlite-shm"
expect_failure "-wal and -shm missing, rows only in -wal" 1 "milvus-migrate dump: the 1.x meta $db/meta.sqlite lists no collections, but $db/tables holds 1 collection directory (first: 'recent'): the meta is incomplete (a meta.sqlite copied without its meta.sqlite-wal?); copy the meta again from the stopped 1.x server, for SQLite meta.sqlite together with meta.sqlite-wal and meta.sqlite-shm"
nothing_dumped "-wal and -shm missing"
repair meta.sqlite-wal; repair meta.sqlite-shm; completes "-wal and -shm missing, rows only in -wal, repaired"

fixture=basic_native
setup wal_truncated basic_native
truncate -s 6000 "$db/meta.sqlite-wal"
expect_failure "truncated -wal" 1 "$meta_err $db/meta.sqlite: $db/meta.sqlite-wal has 6000 bytes, which ends inside a frame of 4096-byte pages: the copy is truncated; $wal_hint"
repair meta.sqlite-wal; completes "truncated -wal, repaired"

setup wal_header basic_native
printf 'garbage!' | dd of="$db/meta.sqlite-wal" bs=1 conv=notrunc status=none
expect_failure "damaged -wal header" 1 "$meta_err $db/meta.sqlite: $db/meta.sqlite-wal is not a SQLite write-ahead log (damaged copy?); $wal_hint"
repair meta.sqlite-wal; completes "damaged -wal header, repaired"

setup wal_frames basic_native
dd if=/dev/zero of="$db/meta.sqlite-wal" bs=1 seek=32 count=64 conv=notrunc status=none
expect_failure "-wal without a usable transaction" 1 "$meta_err $db/meta.sqlite: no table Tables, although meta.sqlite-wal is beside it; is this the meta.sqlite of a Milvus 0.9-1.x installation? If it is, the -wal holds no complete transaction SQLite can use: $wal_hint"
repair meta.sqlite-wal; completes "-wal without a usable transaction, repaired"

# ---- NaN/Inf vectors ---------------------------------------------------------------------
fixture=nan
setup nan_fail nan
expect_failure "NaN with nanPolicy fail" 1 "milvus-migrate dump: dump collection 'noisy' segment 1660000000000000000: $db/tables/noisy/1660000000000000000/1660000000000000000.rv: row 2 (id 1002) has a NaN or infinite value in dimension 1; Milvus 2.x rejects such vectors. Set dumper.nanPolicy: skip to leave these rows out (they are counted in the report), or repair the source"
if [ -z "$(find "$d/out/migration/tables/noisy/1660000000000000000" -type f 2>/dev/null)" ] \
   && [ "$(sqlite3 "file:$d/state/journal.sqlite?mode=ro" "SELECT count(*) FROM segment WHERE segment = '1660000000000000000'")" = 0 ] \
   && [ "$(sqlite3 "file:$d/state/journal.sqlite?mode=ro" "SELECT count(*) FROM batch WHERE segment = '1660000000000000000'")" = 0 ]; then
  ok "NaN with nanPolicy fail: no file and no journal record of the failing segment"
else
  fail "NaN with nanPolicy fail: the failing segment left files or journal records"
fi
sed -i 's/^dumper: {worker: {workMode: milvus1x, limit: 2}}$/dumper: {worker: {workMode: milvus1x, limit: 2}, nanPolicy: skip}/' "$d/migration.yaml"
grep -v -P '\t100[25]\t' "$d/fx/expected/liveset.tsv" >"$d/expected-skip.tsv"
want_liveset=$d/expected-skip.tsv
completes "NaN with nanPolicy skip (after --restart)" --restart --yes
grep -q "; 2 row(s) with NaN/Inf left out (dumper.nanPolicy: skip)$" "$d/fixed.out" && ok "nanPolicy skip says how many rows it left out" \
  || { fail "nanPolicy skip summary"; cat "$d/fixed.out"; }

# ---- names ---------------------------------------------------------------------------------
# Names invalid in 2.x and names that are not UTF-8 are migrated under
# deterministic 2.x names; every rename is reported, JSON stays valid.
setup names bad_names
status=0
"$bin" inspect -c "$d/migration.yaml" >"$d/inspect.out" 2>&1 || status=$?
cat >"$d/inspect.want" <<'TXT'
Warnings (4):
  - collection 'caf\xe9': partition tag 't\xff\xfe' is not a valid 2.x partition name; it becomes 't_xff_xfe'
  - collection name '9lives' is not a valid 2.x collection name; it becomes '_9lives'
  - collection name 'bad-name' is not a valid 2.x collection name; it becomes 'bad_name'
  - collection name 'caf\xe9' is not a valid 2.x collection name; it becomes 'caf_xe9'
TXT
sed -n '/^Warnings/,$p' "$d/inspect.out" >"$d/inspect.got"
[ "$status" -eq 0 ] && diff -u "$d/inspect.want" "$d/inspect.got" && ok "names: inspect reports every rename, escaped" \
  || { fail "names: inspect exit $status"; cat "$d/inspect.out"; }
completes "names invalid in 2.x or not UTF-8"
if /usr/bin/python3 -c 'import json, sys; [json.load(open(sys.argv[1] + f, encoding="utf-8")) for f in ("/meta.json", "/batches.json")]' "$d/out/migration" 2>"$d/json.err"; then
  ok "names: meta.json and batches.json are valid UTF-8 JSON"
else
  fail "names: JSON"; cat "$d/json.err"
fi
# ... and reach Milvus 2.x under those names with exactly their ids.
mm_emulator_start "$work/emu" --generation 2.5 --storage-dir "$work"
echo "  milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1}" >>"$d/migration.yaml"
status=0
{ "$bin" load -c "$d/migration.yaml" && "$bin" verify -c "$d/migration.yaml" --report "$d/report"; } >"$d/load.out" 2>&1 || status=$?
[ "$status" -eq 0 ] && grep -q "^All counts match.$" "$d/load.out" && ok "names: load and verify under the 2.x names" \
  || { fail "names: load/verify exit $status"; cat "$d/load.out"; }
mm_emulator_state >"$d/state.json"
if /usr/bin/python3 - "$d/fx/expected/liveset.tsv" "$d/state.json" <<'PY'
import json, sys
to_2x = {("caf\\xe9", "_default"): ("caf_xe9", "_default"), ("caf\\xe9", "t\\xff\\xfe"): ("caf_xe9", "t_xff_xfe"),
         ("caf\\xe9", "ok"): ("caf_xe9", "ok"), ("bad-name", "_default"): ("bad_name", "_default"),
         ("9lives", "_default"): ("_9lives", "_default")}
want = {}
for line in open(sys.argv[1], encoding="utf-8"):
    c, p, _seg, i, _vec = line.rstrip("\n").split("\t")
    want.setdefault(to_2x[(c, p)], []).append(i)
state = json.load(open(sys.argv[2]))["collections"]
got = {(c, p): sorted(part["ids"], key=int) for c, coll in state.items()
       for p, part in coll["partitions"].items() if part["ids"]}
want = {k: sorted(v, key=int) for k, v in want.items()}
if got != want:
    print("Milvus holds", got, "expected", want)
    sys.exit(1)
PY
then ok "names: Milvus holds exactly the live ids under caf_xe9, caf_xe9.t_xff_xfe, caf_xe9.ok, bad_name, _9lives"; else fail "names: ids in Milvus"; fi
mm_check_emulator_ids "names" "$d/fx/expected/liveset.tsv" "$d/report.json"
mm_emulator_stop

finish bad_input
