#!/usr/bin/env bash
# Names valid in 2.x keep their name and a rewrite never takes it: with
# partition tags 'p 1' and 'p_1', 'p_1' stays 'p_1' and 'p 1' becomes
# 'p_x201'; with collections 'bad-name' and 'bad_name', the same. Rewrites
# are readable where ASCII can say it ('café' -> 'cafe', 'Łódź' -> 'Lodz')
# and visibly escaped where not. inspect, the dump, verify and report.json
# show every rewrite, and Milvus holds each partition's ids under its name.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
source "$src/tests/lib/emulator.sh"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-integrity-names.XXXXXX")
cleanup() { mm_emulator_stop; rm -rf "$work"; }
trap cleanup EXIT

d=$work/job
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/special/names.json" "$d/fx" >/dev/null
mm_emulator_start "$work/emu" --generation 2.5 --storage-dir "$work"
mm_write_job_config "$d" "$d/fx" "mode: local" "local: {outputDir: $d/out}" \
  "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1}"

renames="collection 'docs': partition tag 'café' is not a valid 2.x partition name; it becomes 'cafe'
collection 'docs': partition tag 'p 1' is not a valid 2.x partition name; it becomes 'p_x201' ('p_1' is the name of another partition)
collection 'docs': partition tag 'Łódź' is not a valid 2.x partition name; it becomes 'Lodz'
collection 'docs': partition tag 'データ' is not a valid 2.x partition name; it becomes '_xe38387_xe383bc_xe382bf'
collection name 'bad-name' is not a valid 2.x collection name; it becomes 'bad_x2dname' ('bad_name' is the name of another collection)"

status=0
"$bin" inspect -c "$d/migration.yaml" >"$d/inspect.out" 2>&1 || status=$?
cat >"$d/inspect.want" <<TXT
COLLECTION / PARTITION  2.X NAME                  DIM  VECTORS  METRIC  INDEX  SEGMENTS  ROWS  DELETED  LIVE   SIZE
bad-name                bad_x2dname                 4  float    IP      FLAT          1     2        0     2   48 B
bad_name                bad_name                    4  float    IP      FLAT          1     3        0     3   72 B
docs                    docs                        4  float    L2      FLAT          6    17        0    17  408 B
  _default              _default                                                      1     3        0     3   72 B
  café                  cafe                                                          1     2        0     2   48 B
  p 1                   p_x201                                                        1     4        0     4   96 B
  p_1                   p_1                                                           1     5        0     5  120 B
  Łódź                  Lodz                                                          1     2        0     2   48 B
  データ                _xe38387_xe383bc_xe382bf                                      1     1        0     1   24 B

Import plan: 8 batch(es), 0 segment(s) packed with others (dumper.batchSize 1.0 GiB)
Dump workers: 2 (dumper.worker.limit)

Unflushed data: none (meta and WAL checked; WAL $d/fx/milvus/wal, found beside the db directory)

Warnings (5):
$(sed 's/^/  - /' <<<"$renames")
TXT
sed -n '/^COLLECTION/,$p' "$d/inspect.out" >"$d/inspect.got"
[ "$status" -eq 0 ] && diff -u "$d/inspect.want" "$d/inspect.got" && ok "inspect: valid names keep theirs, every rewrite shown" \
  || { fail "inspect: exit $status"; cat "$d/inspect.out"; }

status=0
"$bin" run -c "$d/migration.yaml" --report "$d/report" >"$d/run.out" 2>"$d/run.err" || status=$?
[ "$status" -eq 0 ] && [ "$(grep '^dump: warning: ' "$d/run.err")" = "$(sed 's/^/dump: warning: /' <<<"$renames")" ] \
  && ok "dump: says every rewrite before it starts" || { fail "run exit $status"; cat "$d/run.err"; }
grep -qx "5 name(s) rewritten for Milvus 2.x, 5 warning(s) about the 1.x source (0 row(s) of its meta not migrated): listed in the report" "$d/run.out" \
  && ok "verify: points to the rewrites in the report" || { fail "verify text"; cat "$d/run.out"; }
/usr/bin/python3 - "$d/report.json" >"$d/renames.got" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1], encoding="utf-8"))["renames"]:
    print("%s\t%s\t%s\t%s" % (r["collection"], r["partition"], r["from"], r["to"]))
PY
cat >"$d/renames.want" <<'TXT'
bad-name	None	bad-name	bad_x2dname
docs	café	café	cafe
docs	p 1	p 1	p_x201
docs	Łódź	Łódź	Lodz
docs	データ	データ	_xe38387_xe383bc_xe382bf
TXT
diff -u "$d/renames.want" "$d/renames.got" && ok "report.json: every rename, 1.x name and 2.x name" || fail "report.json renames"
grep -q "^| docs | p 1 | p 1 | p_x201 |$" "$d/report.md" && ok "report.md: the renames table" || fail "report.md renames"
mm_check_emulator_ids "each partition's ids under its 2.x name" "$d/fx/expected/liveset.tsv" "$d/report.json"
# The real p_1 owns p_1 in Milvus: its ids, not those of 'p 1'.
/usr/bin/python3 -c 'import json, sys; s = json.load(sys.stdin)["collections"]; print(sorted(int(i) for i in s["docs"]["partitions"]["p_1"]["ids"]) == list(range(1200, 1205)) and sorted(int(i) for i in s["bad_name"]["partitions"]["_default"]["ids"]) == list(range(3000, 3003)))' \
  < <(mm_emulator_state) | grep -qx True && ok "p_1 and bad_name hold their own 1.x rows" || fail "p_1 or bad_name hold other rows"

finish integrity_names
