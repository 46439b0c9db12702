#!/usr/bin/env bash
# A migration.yaml that is malformed or wrongly typed, and a meta.json that
# is malformed: the exact message (file, line and column, key, what was
# expected), exit 2 for the configuration and 1 for the meta.json, nothing
# written anywhere (no staging directory, no journal), the 1.x files
# untouched; with the file corrected the same job completes.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-bad-config.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Run from an empty directory of our own: a write relative to the working
# directory would land here, where the end of the test looks.
mkdir "$work/cwd"
cd "$work/cwd"

/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/basic_native.json" "$work/fx" >/dev/null
fx=$work/fx/milvus/db
before=$(mm_tree_digest "$work/fx/milvus")
good_source="meta: {mode: sqlite, sqliteFile: $fx/meta.sqlite}
source: {mode: local, local: {tablesDir: $fx/tables}}"

# One case: DIR/migration.yaml with the given text (OUTDIR in it becomes the
# absolute DIR/out); dump must fail exactly and write nothing but what was
# there.
bad_yaml() {  # name status message text
  local d=$work/$1
  mkdir -p "$d"
  printf '%s\n' "${4//OUTDIR/$d/out}" >"$d/migration.yaml"
  mm_expect_exit "$1" "$2" "${3//@/$d/migration.yaml}" "$bin" dump -c "$d/migration.yaml"
  [ "$(ls -A "$d")" = "migration.yaml" ] || { fail "$1: files were written"; ls -A "$d"; }
}
target="target: {mode: local, local: {outputDir: OUTDIR}}"

bad_yaml tab_indent 2 "milvus-migrate dump: @:2:1: invalid YAML: found character that cannot start any token (while scanning for the next token at line 2)" \
  "dumper:
	worker: {limit: 2}"
bad_yaml unclosed_flow 2 "milvus-migrate dump: @:2:1: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 1)" \
  "dumper: {worker: {limit: 2}
$good_source"
bad_yaml bad_indent 2 "milvus-migrate dump: @:4:4: invalid YAML: did not find expected key (while parsing a block mapping at line 2)" \
  "dumper:
  worker:
    limit: 2
   nanPolicy: skip"
bad_yaml not_utf8 2 "milvus-migrate dump: @:1:1: invalid YAML: invalid leading UTF-8 octet" \
  $'meta: {mode: sqlite, sqliteFile: /data/\xff\xfe.sqlite}'
bad_yaml empty 2 "milvus-migrate dump: @: the file is empty (expected a mapping with keys such as meta.mode, source.mode and target.mode)" ""
bad_yaml scalar_document 2 "milvus-migrate dump: @:1:1: expected a mapping of keys at the top level, got \"just a string\"" \
  "just a string"
bad_yaml list_document 2 "milvus-migrate dump: @:1:1: expected a mapping of keys at the top level, got a sequence" \
  "- meta
- source"
bad_yaml duplicate_key 2 "milvus-migrate dump: @:3:1: meta: duplicate key (first at line 1)" \
  "$good_source
meta: {mode: mysql}"
bad_yaml int_as_text 2 "milvus-migrate dump: @:1:26: dumper.worker.limit: expected an integer, got \"many\"" \
  "dumper: {worker: {limit: many}}
$good_source
$target"
bad_yaml size_as_text 2 "milvus-migrate dump: @:1:23: dumper.maxFileSize: expected a size such as 16GiB, 512MiB or 1048576 (bytes), got \"12 parsecs\"" \
  "dumper: {maxFileSize: 12 parsecs}
$good_source
$target"
bad_yaml list_as_path 2 "milvus-migrate dump: @:1:34: meta.sqliteFile: expected a path, got a sequence" \
  "meta: {mode: sqlite, sqliteFile: [a, b]}"
bad_yaml mapping_as_choice 2 "milvus-migrate dump: @:1:14: meta.mode: expected one of sqlite, mysql, local, mock, remote, got a mapping" \
  "meta: {mode: {x: 1}}"
bad_yaml bool_as_text 2 "milvus-migrate dump: @:1:32: source.missingDeletedDocsOk: expected true or false, got \"perhaps\"" \
  "source: {missingDeletedDocsOk: perhaps}"
bad_yaml unknown_choice 2 "milvus-migrate dump: @:1:21: dumper.nanPolicy: expected one of fail, skip, got \"zero\"" \
  "dumper: {nanPolicy: zero}
$good_source
$target"
bad_yaml no_target 2 "milvus-migrate dump: @: target.mode is not set (expected one of local, remote)" \
  "$good_source"

# A typo in a key is reported with the likely key, and does not stop the job.
d=$work/typo
mkdir -p "$d"
printf '%s\n' "dumper: {worker: {limt: 3}}" "$good_source" "target: {mode: local, local: {outputDir: $d/out}}" >"$d/migration.yaml"
mm_expect_exit "unknown key" 0 "warning: $d/migration.yaml:1:19: unknown key dumper.worker.limt (ignored); did you mean dumper.worker.limit?
dump: warning: collection 'vectors_l2': segment 1615497440111439000 has file_id 1615497440111439555; reading 1615497440111439555.rv/.uid
dump: warning: collection 'vectors_l2': segment 1615497440111436000: meta row_count is 7 but 8 rows are live; deleted_docs repeats 1 offset(s) (Milvus <= 1.0 counted them twice); the files are trusted
dump: warning: collection 'vectors_l2': segment 1615497440111437000: meta row_count is 4 but 5 rows are live; deleted_docs repeats 1 offset(s) (Milvus <= 1.0 counted them twice); the files are trusted" \
  "$bin" dump -c "$d/migration.yaml"

# Corrected, a failed configuration runs: nothing of the failure is in the way.
d=$work/int_as_text
printf '%s\n' "dumper: {worker: {limit: 2}}" "$good_source" "target: {mode: local, local: {outputDir: $d/out}}" >"$d/migration.yaml"
if "$bin" dump -c "$d/migration.yaml" >"$d/out.txt" 2>"$d/err.txt"; then
  mm_check_dumped_liveset "corrected configuration" "$d/out/migration" "$work/fx/expected/liveset.tsv"
else
  fail "corrected configuration"; cat "$d/err.txt" "$d/out.txt"
fi

# ---- meta.json -------------------------------------------------------------------------
"$bin" export -s "$fx/meta.sqlite" -o "$work/export" >/dev/null 2>&1
export_hint="; write it again from the 1.x meta with \`milvus-migrate export -s meta.sqlite -o DIR\` (or -m DSN)"
bad_meta_json() {  # name message python-edit-of-t
  local d=$work/json-$1
  mkdir -p "$d"
  /usr/bin/python3 - "$work/export/meta.json" "$d/meta.json" "$3" <<'PY'
import json, sys
t = open(sys.argv[1]).read()
exec(sys.argv[3])
open(sys.argv[2], "w").write(t)
PY
  printf '%s\n' "meta: {mode: local, localFile: $d/meta.json}" "source: {mode: local, local: {tablesDir: $fx/tables}}" \
    "target: {mode: local, local: {outputDir: $d/out}}" "state: {dir: $d/state}" >"$d/migration.yaml"
  mm_expect_exit "meta.json: $1" 1 "milvus-migrate dump: meta.json $d/meta.json: $2$export_hint" "$bin" dump -c "$d/migration.yaml"
  [ ! -e "$d/out" ] && [ ! -e "$d/state" ] || fail "meta.json $1: files were written"
}
bad_meta_json truncated "invalid JSON at byte offset 333" "t = t[:341]"
bad_meta_json not_json "invalid JSON at byte offset 0" "t = 'collections: none'"
bad_meta_json empty "invalid JSON at byte offset 0" "t = ''"
bad_meta_json top_level_array "(top level): expected an object" "t = '[]'"
bad_meta_json dim_as_text "collections[0].dim: expected a non-negative integer" \
  "j = json.loads(t); j['collections'][0]['dim'] = '16'; t = json.dumps(j)"
bad_meta_json negative_rows "collections[0].segments[1].rows: expected a non-negative integer" \
  "j = json.loads(t); j['collections'][0]['segments'][1]['rows'] = -3; t = json.dumps(j)"
bad_meta_json no_name "collections[1].collection: missing" \
  "j = json.loads(t); del j['collections'][1]['collection']; t = json.dumps(j)"
bad_meta_json segments_object "collections[0].segments: expected an array" \
  "j = json.loads(t); j['collections'][0]['segments'] = {}; t = json.dumps(j)"

d=$work/json-truncated
cp "$work/export/meta.json" "$d/meta.json"
if "$bin" dump -c "$d/migration.yaml" >"$d/out.txt" 2>"$d/err.txt"; then
  mm_check_dumped_liveset "meta.json written again" "$d/out/migration" "$work/fx/expected/liveset.tsv"
else
  fail "meta.json repaired"; cat "$d/err.txt" "$d/out.txt"
fi

# A report directory that does not exist is refused before any work.
status=0
"$bin" verify -c "$d/migration.yaml" --report "$work/no-such-dir/report" >/dev/null 2>"$work/report.err" || status=$?
[ "$status" -eq 2 ] && [ "$(head -1 "$work/report.err")" = "milvus-migrate verify: --report $work/no-such-dir/report: directory $work/no-such-dir does not exist or is not writable; create it first" ] \
  && ok "--report into a missing directory: exit 2 before any work" || { fail "--report missing dir: exit $status"; cat "$work/report.err"; }

[ -z "$(ls -A "$work/cwd")" ] && ok "nothing was written into the working directory" \
  || { fail "files were written into the working directory"; ls -A "$work/cwd"; }
[ "$(mm_tree_digest "$work/fx/milvus")" = "$before" ] && ok "the 1.x files are untouched (content, size, mode, mtime)" \
  || fail "the 1.x files changed"
finish bad_input_config
