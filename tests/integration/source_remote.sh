#!/usr/bin/env bash
# source.mode: remote and meta.mode: remote: generated 1.x installs (0.9
# partitions over two storage roots, and binary vectors) uploaded to a real
# S3 server (Swift + s3api on loopback) with an exported meta.json, dumped
# from the bucket; every staged .npy equals a dump of the same install read
# locally, byte for byte. No segment is left in the cache afterwards, and a
# re-run downloads no segment again. Wrong bucket, wrong tablesDir, missing
# meta object, a missing and a damaged segment file fail with their exact
# messages, naming the objects.
set -Eeuo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-source-remote.XXXXXX")
source "$src/tests/lib/swift.sh"
source "$src/tests/lib/proxy.sh"
proxy_pid=
cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  mm_swift_stop
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND exited with $?"' ERR
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY
mm_swift_start "$work" || exit 1
curl_s3 -X PUT "$S3_ENDPOINT/legacy" -o /dev/null -w '%{http_code}\n' | grep -q 200
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok   $*"; }
E=${S3_ENDPOINT#http://}

# upload DIR PREFIX: every file below DIR as legacy/PREFIX<relative path>
upload() {
  /usr/bin/python3 - "$1" <<'PY' | while IFS=$'\t' read -r rel key; do
import os, sys, urllib.parse
root = sys.argv[1]
for d, _, files in os.walk(root):
    for f in sorted(files):
        rel = os.path.relpath(os.path.join(d, f), root)
        print(rel + "\t" + urllib.parse.quote(rel, safe="/-_.~"))
PY
    curl_s3 -f --retry 3 --retry-all-errors -T "$1/$rel" "$S3_ENDPOINT/legacy/$2$key" -o /dev/null || return 1
  done
}

gen() { /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/$1.json" "$work/$2" >/dev/null; }
gen partitions_orm fxp
gen binary fxb
upload "$work/fxp/milvus/db/tables" p/db/tables/
upload "$work/fxp/milvus2/db/tables" p/db/tables/   # the 0.9 second root, merged
upload "$work/fxb/milvus/db/tables" b/tables/
"$bin" export -s "$work/fxp/milvus/db/meta.sqlite" -o "$work/export-p" >/dev/null
curl_s3 -f -T "$work/export-p/meta.json" "$S3_ENDPOINT/legacy/exports/p/meta.json" -o /dev/null

# dump NAME META-YAML SOURCE-YAML: local target $work/NAME/out; output in
# $work/NAME/{stdout,stderr}, status in $status.
dump() {
  local d=$work/$1
  mkdir -p "$d"
  cat >"$d/migration.yaml" <<YAML
dumper: {worker: {workMode: milvus1x, limit: 2}}
meta: $2
source: $3
target: {mode: local, local: {outputDir: $d/out}}
state: {dir: $d/state}
YAML
  chmod 600 "$d/migration.yaml"
  status=0
  "$bin" dump -c "$d/migration.yaml" >"$d/stdout" 2>"$d/stderr" || status=$?
}
remote() {  # BUCKET TABLES-DIR [ENDPOINT]
  echo "{mode: remote, remote: {cloud: minio, endpoint: '${3:-$E}', region: $S3_REGION, bucket: $1, ak: 'test:tester', sk: Sw1ftSecret, tablesDir: '$2'}}"
}
same_dump() {  # A B: the same .npy files with the same bytes
  local a=$work/$1/out/migration b=$work/$2/out/migration n=0 f
  [ "$(cd "$a" && find . -name '*.npy' | sort)" = "$(cd "$b" && find . -name '*.npy' | sort)" ] || { echo "  file lists differ"; return 1; }
  while IFS= read -r f; do
    cmp -s "$a/$f" "$b/$f" || { echo "  $f differs"; return 1; }
    n=$((n + 1))
  done < <(cd "$a" && find . -name '*.npy')
  [ "$n" -gt 0 ] && echo "$n"
}
rows() { sed -n 's/^dumped \([0-9]*\) rows .*/\1/p' "$work/$1/stdout"; }

dump local-p "{mode: sqlite, sqliteFile: $work/fxp/milvus/db/meta.sqlite}" \
  "{mode: local, local: {tablesDir: $work/fxp/milvus/db/tables, secondaryTablesDirs: [$work/fxp/milvus2/db/tables]}}"
[ "$status" = 0 ] || { fail "local-p"; cat "$work/local-p/stderr"; }
dump local-b "{mode: sqlite, sqliteFile: $work/fxb/milvus/db/meta.sqlite}" "{mode: local, local: {tablesDir: $work/fxb/milvus/db/tables}}"
[ "$status" = 0 ] || { fail "local-b"; cat "$work/local-b/stderr"; }

# ---- meta.json and segments from the bucket ----------------------------------------
dump remote-p "{mode: remote, remoteMetaFile: exports/p/meta.json}" "$(remote legacy p/db/tables)"
if [ "$status" = 0 ] && n=$(same_dump local-p remote-p) && [ "$(rows remote-p)" = "$(rows local-p)" ]; then
  pass "meta.mode remote + source.mode remote: $n .npy files, $(rows remote-p) rows, equal to the local dump"
else fail "remote-p: status $status"; cat "$work/remote-p/stdout" "$work/remote-p/stderr"; fi
[ -z "$(find "$work/remote-p/state" -maxdepth 1 -name 'source-cache-*')" ] && pass "the source cache is removed" \
  || { fail "cache left"; find "$work/remote-p/state"; }

# A local meta with segments in the bucket; tablesDir written with a leading
# and a trailing '/' (object keys have no leading '/').
dump remote-b "{mode: sqlite, sqliteFile: $work/fxb/milvus/db/meta.sqlite}" "$(remote legacy /b/tables/)"
if [ "$status" = 0 ] && n=$(same_dump local-b remote-b) && [ "$(rows remote-b)" = "$(rows local-b)" ]; then
  pass "binary vectors, meta.mode sqlite + source.mode remote: $n .npy files equal to the local dump"
else fail "remote-b: status $status"; cat "$work/remote-b/stdout" "$work/remote-b/stderr"; fi

# ---- a re-run downloads no segment file: requests seen by a recording proxy ------
mm_proxy_start "$work/proxy.out" env FAULT_PROXY_LOG="$work/requests.jsonl" /usr/bin/python3 \
  "$src/tests/lib/fault_proxy.py" 0 "$SWIFT_S3_PORT" record 0 || exit 1
proxy_pid=$MM_PROXY_PID proxy_port=$MM_PROXY_PORT
sed -i "s|endpoint: '$E'|endpoint: '127.0.0.1:$proxy_port'|" "$work/remote-p/migration.yaml"
status=0
"$bin" dump -c "$work/remote-p/migration.yaml" >"$work/remote-p/stdout2" 2>"$work/remote-p/stderr2" || status=$?
gets() { grep -c "\"method\": \"GET\", \"target\": \"/legacy/p/db/tables/[^\"]*$1\"" "$work/requests.jsonl" || true; }
# The scan reads every deleted_docs (small); the segment data is not read again.
if [ "$status" = 0 ] &&
   [ "$(grep -v '^dump: unflushed data: none (WAL checked at export time, ' "$work/remote-p/stdout2")" = "dumped 0 rows in 0 new batch(es) (0 B) to $work/remote-p/out/migration; 6 batch(es) were already complete; 5 warning(s) about the source (above)
row count: collection 'docs': the 1.x meta counts 18 row(s) (TableFiles.row_count), but its segment files hold 19 live row(s), all of which are migrated: deleted_docs repeats 1 offset(s), which Milvus <= 1.0 subtracted from row_count twice; get_collection_stats in Milvus 2.x counts 19" ] &&
   [ "$(gets '\.\(rv\|uid\)')" = 0 ] && [ "$(gets /deleted_docs)" = 6 ]; then
  pass "re-run: every batch complete, no .rv/.uid downloaded (6 deleted_docs for the scan)"
else fail "re-run: exit $status, $(gets '\.\(rv\|uid\)') segment downloads, $(gets /deleted_docs) deleted_docs"; cat "$work/remote-p/stdout2" "$work/remote-p/stderr2"; fi

# ---- mistakes ------------------------------------------------------------------------
expect() {  # NAME EXIT MESSAGE [partial: other segments may be staged]
  local got
  got=$(sed "s|$S3_ENDPOINT|ENDPOINT|g" "$work/$1/stderr")
  if [ "$status" != "$2" ] || [ "$got" != "$3" ]; then
    fail "$1: exit $status"; echo "  got:      $got"; echo "  expected: $3"
  elif grep -q Sw1ftSecret "$work/$1/stdout" "$work/$1/stderr"; then fail "$1: the secret was printed"
  elif [ -z "${4:-}" ] && [ -n "$(find "$work/$1/out" -name '*.npy' 2>/dev/null)" ]; then fail "$1: files were staged"
  else pass "$1: $got"; fi
}
meta_p="{mode: remote, remoteMetaFile: exports/p/meta.json}"
dump nobucket "{mode: sqlite, sqliteFile: $work/fxb/milvus/db/meta.sqlite}" "$(remote nosuch b/tables)"
expect nobucket 1 "milvus-migrate dump: S3 bucket s3://nosuch at ENDPOINT does not exist; fix source.remote.bucket"

dump noprefix "$meta_p" "$(remote legacy p/db/table)"
expect noprefix 2 "milvus-migrate dump: source.remote.tablesDir 'p/db/table': no object of s3://legacy at ENDPOINT is under it, but the 1.x meta lists 6 segment(s); set it to the key prefix the 1.x db/tables directory was uploaded to (its objects are <tablesDir>/<table_id>/<segment_id>/<file>)"

dump nometa "{mode: remote, remoteMetaFile: exports/none.json}" "$(remote legacy p/db/tables)"
expect nometa 2 "milvus-migrate dump: meta.remoteMetaFile: there is no object 'exports/none.json' in s3://legacy at ENDPOINT; set it to the key of the meta.json written by \`milvus-migrate export\` and uploaded to the source bucket"

upload "$work/fxb/milvus/db/tables" broken/
curl_s3 -f -X DELETE "$S3_ENDPOINT/legacy/broken/bin_sub/1620000000000003000/1620000000000003000.rv" -o /dev/null
dump missing-rv "{mode: sqlite, sqliteFile: $work/fxb/milvus/db/meta.sqlite}" "$(remote legacy broken)"
expect missing-rv 1 "milvus-migrate dump: read the 1.x segments in the source bucket: segment bin_sub/1620000000000003000: 1620000000000003000.rv is missing (looked for s3://legacy/broken/bin_sub/1620000000000003000/1620000000000003000.rv); copy the segment directory again from the stopped 1.x server"

# A length header that disagrees with the object (the listing's lengths agree):
# found when the dump downloads the segment.
uid=bin_jaccard/1620000000000002000/1620000000000002000.uid
/usr/bin/python3 - "$work/fxb/milvus/db/tables/$uid" "$work/bad.uid" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(struct.pack("<Q", len(data)) + data[8:])
PY
curl_s3 -f -T "$work/bad.uid" "$S3_ENDPOINT/legacy/broken/$uid" -o /dev/null
curl_s3 -f -T "$work/fxb/milvus/db/tables/bin_sub/1620000000000003000/1620000000000003000.rv" \
  "$S3_ENDPOINT/legacy/broken/bin_sub/1620000000000003000/1620000000000003000.rv" -o /dev/null
dump bad-header "{mode: sqlite, sqliteFile: $work/fxb/milvus/db/meta.sqlite}" "$(remote legacy broken)"
sed -i '/^dump: /d' "$work/bad-header/stderr"
expect bad-header 1 "milvus-migrate dump: read s3://legacy/broken/$uid: the header says 72 payload bytes but the file holds 64 (truncated copy?); copy the segment directory again from the stopped 1.x server" partial

echo "source_remote: $failures failure(s)"
[ "$failures" -eq 0 ]
