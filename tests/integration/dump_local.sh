#!/usr/bin/env bash
# `dump` to a local directory: every scenario's exact live set comes back out
# of the .npy files (read with numpy), split batches respect maxFileSize,
# NaN rows follow dumper.nanPolicy, unflushed data is refused, and a dump
# killed part way resumes without redoing or corrupting anything.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-dump.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Rebuilds liveset.tsv lines from the dump: meta.json says which collection,
# batches.json lists each batch's files and partition.
npy_liveset() {
  /usr/bin/python3 - "$1" <<'PY'
import json, sys
import numpy as np
root = sys.argv[1]
def esc(s):
    out = []
    for ch in s:
        if ch == "\\": out.append("\\\\")
        elif ch == "\t": out.append("\\t")
        elif ch == "\n": out.append("\\n")
        elif ord(ch) < 0x20 or ord(ch) == 0x7f: out.append("\\x%02x" % ord(ch))
        else: out.append(ch)
    return "".join(out)
batches = json.load(open(root + "/batches.json"))
def key(b):
    return (b["collection"].encode(), b["partition"] != "", b["partition"].encode(), b["segment"].encode(), b["batch"])
for b in sorted(batches, key=key):
    ids = np.load(root + "/" + b["files"][0])
    data = np.load(root + "/" + b["files"][1])
    assert ids.dtype == np.int64 and ids.ndim == 1, (b, ids.dtype, ids.shape)
    assert data.dtype in (np.float32, np.uint8) and data.ndim == 2 and data.shape[0] == ids.shape[0], (b, data.dtype, data.shape)
    assert len(ids) == b["rows"], b
    for i in range(len(ids)):
        print("%s\t%s\t%s\t%d\t%s" % (esc(b["collection"]), esc(b["partition"] or "_default"), b["segment"], ids[i], data[i].tobytes().hex()))
PY
}

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
  "$bin" dump -c "$out/migration.yaml" >"$out/stdout2" 2>/dev/null || fail "$scenario: second dump failed"
  grep -q "dumped 0 rows in 0 new batch(es)" "$out/stdout2" || { fail "$scenario: re-run rewrote data"; cat "$out/stdout2"; }
done

# Splitting: 10000 rows of dim 64 (2.5 MB) with a 1 MiB limit per file.
out=$work/split
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/large/split.json" "$out/fx"
write_config "$out" "$out/fx/milvus/db/meta.sqlite" "$out/fx/milvus/db/tables" "  maxFileSize: 1MiB"
"$bin" dump -c "$out/migration.yaml" >/dev/null 2>"$out/stderr" || { fail "split: dump failed"; cat "$out/stderr"; }
npy_liveset "$out/out/migration" >"$out/dumped.tsv"
diff -u "$out/fx/expected/liveset.tsv" "$out/dumped.tsv" >/dev/null && echo "ok   split batches hold the same rows" || fail "split: rows differ"
biggest=$(find "$out/out/migration/tables" -name '*.npy' -printf '%s\n' | sort -n | tail -1)
[ "$biggest" -le 1048576 ] && echo "ok   no file above maxFileSize ($biggest bytes)" || fail "split: a file has $biggest bytes"
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
[ "$status" -eq 2 ] && grep -q "belongs to another migration .* Use a different state.dir, or --restart to discard that journal" "$out/stderr" \
  && echo "ok   a journal of another configuration is refused" || { fail "nan skip: journal mismatch not refused ($status)"; cat "$out/stderr"; }
"$bin" dump -c "$out/migration.yaml" --restart >"$out/stdout" 2>"$out/stderr" || { fail "nan skip: dump failed"; cat "$out/stderr"; }
grep -q "; 2 row(s) with NaN/Inf left out (dumper.nanPolicy: skip)" "$out/stdout" || { fail "nan skip: summary"; cat "$out/stdout"; }
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
[ "$status" -eq 1 ] || fail "unflushed: exit status $status, expected 1"
grep -q "has data that was never flushed" "$out/stderr" || { fail "unflushed: no explanation"; cat "$out/stderr"; }
[ ! -e "$out/out/migration/tables" ] || fail "unflushed: files were written"
[ "$status" -eq 1 ] && echo "ok   unflushed data refused"

[ "$failures" -eq 0 ]
