#!/usr/bin/env bash
# `dump` to a local directory: every scenario's exact live set comes back out
# of the .npy files (read with numpy), split batches respect maxFileSize,
# NaN rows follow dumper.nanPolicy, unflushed data is refused, and a dump
# killed part way resumes without redoing or corrupting anything.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-dump.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# liveset.tsv lines rebuilt from the dump with numpy.
npy_liveset() { /usr/bin/python3 "$src/tests/lib/npy_liveset.py" "$1"; }

write_config() {  # dir meta.sqlite tables [extra yaml]
  cat >"$1/migration.yaml" <<YAML
dumper:
${4:-}
  worker:
    workMode: milvus1x
    limit: 2
meta:
  mode: sqlite
  sqliteFile: $2
source:
  mode: local
  local:
    tablesDir: $3
target:
  mode: local
  local:
    outputDir: $1/out
YAML
}

for scenario in basic_native partitions_orm binary all_deleted; do
  out=$work/$scenario
  /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/$scenario.json" "$out/fx"
  extra=""
  [ -d "$out/fx/milvus2/db/tables" ] && extra="    secondaryTablesDirs: [$out/fx/milvus2/db/tables]"
  write_config "$out" "$out/fx/milvus/db/meta.sqlite" "$out/fx/milvus/db/tables"
  if [ -n "$extra" ]; then
    /usr/bin/python3 - "$out/migration.yaml" "$out/fx/milvus2/db/tables" <<'PY'
import sys
p, d = sys.argv[1], sys.argv[2]
s = open(p).read().replace("    tablesDir:", "    secondaryTablesDirs: [%s]\n    tablesDir:" % d)
open(p, "w").write(s)
PY
  fi
  if ! "$bin" dump -c "$out/migration.yaml" >"$out/stdout" 2>"$out/stderr"; then
    fail "$scenario: dump failed"; cat "$out/stderr"; continue
  fi
  npy_liveset "$out/out/migration" >"$out/dumped.tsv"
  if diff -u "$out/fx/expected/liveset.tsv" "$out/dumped.tsv" >"$out/diff"; then
    echo "ok   $scenario: dumped rows equal the live set ($(wc -l <"$out/dumped.tsv") rows)"
  else
    fail "$scenario: dumped rows differ"; head -20 "$out/diff"
  fi
  [ -n "$(find "$out/out" -name '*.partial')" ] && fail "$scenario: .partial files left behind"
  # A second run finds everything complete and writes nothing.
  "$bin" dump -c "$out/migration.yaml" >"$out/stdout2" 2>"$out/stderr2" || fail "$scenario: second dump failed"
  said=$(mm_source_said "$scenario")
  want="dumped 0 rows in 0 new batch(es) (0 B) to $out/out/migration; $(mm_batch_count "$out/out/migration") batch(es) were already complete$said"
  rows_said=$(mm_rows_said "$scenario")
  [ -z "$rows_said" ] || want="$want
$rows_said"
  [ "$(cat "$out/stdout2")" = "$want" ] || { fail "$scenario: re-run rewrote data"; cat "$out/stdout2"; echo "  expected: $want"; }
  # What the first run staged took no time now: the progress of the re-run
  # shows no rate and no ETA rather than one made of earlier work.
  if grep '^dump: [0-9]*/[0-9]* segments' "$out/stderr2" | grep -vq ', --, ETA --$'; then
    fail "$scenario: the re-run's progress counts earlier work in its rate"; grep '^dump: [0-9]' "$out/stderr2"
  fi
done

# Splitting: 10000 rows of dim 64 (2.5 MB) with a 1 MiB limit per import.
out=$work/split
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/large/split.json" "$out/fx"
write_config "$out" "$out/fx/milvus/db/meta.sqlite" "$out/fx/milvus/db/tables" "  maxFileSize: 1MiB"
"$bin" dump -c "$out/migration.yaml" >/dev/null 2>"$out/stderr" || { fail "split: dump failed"; cat "$out/stderr"; }
npy_liveset "$out/out/migration" >"$out/dumped.tsv"
diff -u "$out/fx/expected/liveset.tsv" "$out/dumped.tsv" >/dev/null && echo "ok   split batches hold the same rows" || fail "split: rows differ"
# The limit holds for one import's files together (Milvus 2.4+ sums them).
biggest=$(for b in "$out"/out/migration/tables/*/*/; do echo $(( $(stat -c %s "$b/id.npy") + $(stat -c %s "$b/data.npy") )); done |
  sort -n | tail -1)
[ "$biggest" -le 1048576 ] && echo "ok   no batch above maxFileSize, id.npy and data.npy together ($biggest bytes)" ||
  fail "split: a batch has $biggest bytes"
[ "$(ls "$out/out/migration/tables/wide" | sort | tr '\n' ' ')" = "1650000000000000000-0 1650000000000000000-1 1650000000000000000-2 1650000000000001000 " ] \
  && echo "ok   split directories" || { fail "split: directories"; ls "$out/out/migration/tables/wide"; }

# NaN/Inf vectors: the default policy fails naming file, row and id; "skip"
# leaves exactly those rows out and says how many.
out=$work/nan
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/special/nan.json" "$out/fx"
write_config "$out" "$out/fx/milvus/db/meta.sqlite" "$out/fx/milvus/db/tables"
status=0
"$bin" dump -c "$out/migration.yaml" >"$out/stdout" 2>"$out/stderr" || status=$?
want="milvus-migrate dump: dump collection 'noisy' segment 1660000000000000000: $out/fx/milvus/db/tables/noisy/1660000000000000000/1660000000000000000.rv: row 2 (id 1002) has a NaN or infinite value in dimension 1; Milvus 2.x rejects such vectors. Set dumper.nanPolicy: skip to leave these rows out (they are counted in the report), or repair the source"
if [ "$status" -eq 1 ] && [ "$(grep -v '^dump:' "$out/stderr")" = "$want" ]; then
  echo "ok   NaN fails the dump by default"
else
  fail "nan: exit $status"; cat "$out/stderr"
fi
write_config "$out" "$out/fx/milvus/db/meta.sqlite" "$out/fx/milvus/db/tables" "  nanPolicy: skip"
# The journal belongs to the run with the other policy: refused until --restart.
status=0
"$bin" dump -c "$out/migration.yaml" >"$out/stdout" 2>"$out/stderr" || status=$?
fp() { echo "source=$out/fx/milvus/db/meta.sqlite output=$out/out/migration maxFileSize=17179869184 nanPolicy=$1 fields=id,data"; }
want="milvus-migrate dump: journal $out/.milvus-migrate/journal.sqlite belongs to another migration ($(fp fail)); this one is $(fp skip). Use a different state.dir, or start over with --restart, which discards that journal"
[ "$status" -eq 2 ] && [ "$(cat "$out/stderr")" = "$want" ] && [ ! -s "$out/stdout" ] \
  && echo "ok   a journal of another configuration is refused" || { fail "nan skip: journal mismatch not refused ($status)"; cat "$out/stderr"; echo "  expected: $want"; }
# The failed dump may have staged a batch before the NaN: discarding it is
# a loss, accepted with --yes.
"$bin" dump -c "$out/migration.yaml" --restart --yes >"$out/stdout" 2>"$out/stderr" || { fail "nan skip: dump failed"; cat "$out/stderr"; }
want="dumped 8 rows in 2 new batch(es) (704 B) to $out/out/migration; 0 batch(es) were already complete; 2 row(s) with NaN/Inf left out (dumper.nanPolicy: skip)"
[ "$(cat "$out/stdout")" = "$want" ] || { fail "nan skip: summary"; cat "$out/stdout"; echo "  expected: $want"; }
npy_liveset "$out/out/migration" >"$out/dumped.tsv"
grep -v -P '\t100[25]\t' "$out/fx/expected/liveset.tsv" >"$out/expected.tsv"
diff -u "$out/expected.tsv" "$out/dumped.tsv" >/dev/null && echo "ok   nanPolicy skip leaves out exactly the NaN/Inf rows" || fail "nan skip: rows differ"

# Unflushed data is refused with the explanation, and nothing is written.
out=$work/unflushed
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/unflushed.json" "$out/fx"
write_config "$out" "$out/fx/milvus/db/meta.sqlite" "$out/fx/milvus/db/tables"
set +e
"$bin" dump -c "$out/migration.yaml" >"$out/stdout" 2>"$out/stderr"
status=$?
set -e
cat >"$out/want" <<TXT
milvus-migrate dump: the 1.x installation has data that was never flushed to segments (WAL $out/fx/milvus/wal, found beside the db directory):
  collection 'live_feed': 2 row(s) inserted and 1 id(s) deleted after the last flush (LSN 4294967800 > flushed 4294967400)
  collection 'live_feed' partition 'hot': 4 row(s) inserted and 0 id(s) deleted after the last flush (LSN 4294968000 > flushed 4294967400)
  1 TableFiles row(s) of type NEW: the server was stopped while it was buffering inserts
These rows exist only in the 1.x WAL, not in any segment, and would not be migrated.
To include them: start the 1.x server on this data, call flush() for every collection
(pymilvus 1.x: client.flush()), stop it gracefully (SIGINT) and copy db/ again with
meta.sqlite-wal and meta.sqlite-shm. To migrate without them,
set source.allowUnflushed: true.
TXT
if [ "$status" -eq 1 ] && diff -u "$out/want" "$out/stderr" && [ ! -s "$out/stdout" ] && [ ! -e "$out/out" ]; then
  echo "ok   unflushed data refused with the explanation, nothing written"
else
  fail "unflushed: exit status $status, expected 1 with the exact message and nothing written"; cat "$out/stderr"
fi

[ "$failures" -eq 0 ]
