#!/usr/bin/env bash
# Staged files are what the dump wrote, or nothing is imported from them:
# an id.npy edited after the dump (one id changed, same size) is refused
# before its Import, naming the batch and both CRC32s, and a dump re-run
# writes it anew, after which Milvus holds exactly the live ids (nothing
# imported twice); an object of a bucket written again after the upload is
# refused by its ETag; two migrations given one outputDir: the second is
# refused before it writes anything, and the first still loads exactly its
# own rows.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/swift.sh"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-integrity-staged.XXXXXX")
cleanup() { mm_emulator_stop; mm_swift_stop; rm -rf "$work"; }
trap cleanup EXIT

gen() { /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/$1.json" "$2" >/dev/null; }
# Overwrites the first id of an id.npy with 123456789: same size, other content.
edit_first_id() {
  /usr/bin/python3 - "$1" <<'PY'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    head = f.read(10)
    assert head[:6] == b"\x93NUMPY" and head[6] == 1
    f.seek(10 + struct.unpack("<H", head[8:10])[0])
    f.write(struct.pack("<q", 123456789))
PY
}
crc32_of() { /usr/bin/python3 -c 'import sys, zlib; print("%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$1"; }
# Field F of the last batch in ROOT/batches.json.
last_batch() { /usr/bin/python3 -c 'import json, sys; b = json.load(open(sys.argv[1] + "/batches.json"))[-1]; print(b[sys.argv[2]] if sys.argv[2] != "files" else b["files"][0])' "$1" "$2"; }

mm_emulator_start "$work/emu" --generation 2.5 --storage-dir "$work"

# ---- an id.npy changed after the dump ------------------------------------------------------
d=$work/edited
gen basic_native "$d/fx"
mm_write_job_config "$d" "$d/fx" "mode: local" "local: {outputDir: $d/out}" \
  "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1}"
# One import at a time, in journal order: the edited batch is the last one.
sed -i 's/^loader: {worker: {limit: 2}/loader: {worker: {limit: 1}/' "$d/migration.yaml"
"$bin" dump -c "$d/migration.yaml" >/dev/null 2>&1 || fail "edited: dump"
root=$(realpath "$d/out/migration")
batches=$(mm_batch_count "$root")
id_file=$root/$(last_batch "$root" files)
recorded=$(printf '%08x' "$(last_batch "$root" idCrc32)")
segment=$(last_batch "$root" segment)
edit_first_id "$id_file"
status=0
"$bin" load -c "$d/migration.yaml" >"$d/load.out" 2>"$d/load.err" || status=$?
want="milvus-migrate load: batch $segment/0 of collection 'vectors_l2' (partition '_default'): staged file $id_file has CRC32 $(crc32_of "$id_file"), the dump wrote $recorded: it was changed after the dump; nothing of it was imported; run \`milvus-migrate dump\` with the same config to write it again, then load"
if [ "$status" -eq 1 ] && [ "$(tail -1 "$d/load.err")" = "$want" ]; then
  ok "edited id.npy: load refuses it before its Import, naming the batch and both CRC32s"
else
  fail "edited id.npy: load exit $status"; echo "  want: $want"; cat "$d/load.err"
fi
[ "$(mm_emulator_calls Import)" = "$((batches - 1))" ] && ok "edited id.npy: only the other $((batches - 1)) batches were imported" \
  || fail "edited id.npy: $(mm_emulator_calls Import) Imports for $((batches - 1)) intact batches"
"$bin" dump -c "$d/migration.yaml" >"$d/dump2.out" 2>/dev/null || fail "edited: second dump"
grep -q "^dumped [0-9]* rows in 1 new batch(es) .*; $((batches - 1)) batch(es) were already complete" "$d/dump2.out" \
  && ok "edited id.npy: the dump re-run finds the changed batch and writes it again" || { fail "edited: re-dump"; cat "$d/dump2.out"; }
"$bin" load -c "$d/migration.yaml" >/dev/null 2>&1 || fail "edited: second load"
"$bin" verify -c "$d/migration.yaml" --report "$d/report" >"$d/verify.out" 2>&1 || { fail "edited: verify"; cat "$d/verify.out"; }
[ "$(mm_emulator_calls Import)" = "$batches" ] && ok "edited id.npy: $batches batches, $batches Imports" \
  || fail "edited id.npy: $(mm_emulator_calls Import) Imports for $batches batches"
mm_check_emulator_ids "edited id.npy" "$d/fx/expected/liveset.tsv" "$d/report.json"

# ---- two migrations, one outputDir -----------------------------------------------------------
shared=$work/shared
a=$work/job_a
b=$work/job_b
gen binary "$a/fx"
gen all_deleted "$b/fx"
mm_write_job_config "$a" "$a/fx" "mode: local" "local: {outputDir: $shared}" \
  "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1}"
mm_write_job_config "$b" "$b/fx" "mode: local" "local: {outputDir: $shared}" \
  "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1}"
"$bin" dump -c "$a/migration.yaml" >/dev/null 2>&1 || fail "shared: dump of the first migration"
before=$(mm_tree_digest "$shared")
owner=$(/usr/bin/python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); print("job %s, journal %s, %s" % (m["job"], m["journal"], m["fingerprint"]))' "$shared/migration/manifest.json")
mm_expect_exit "shared outputDir: the second migration is refused" 2 \
  "milvus-migrate dump: the staging area $shared/migration/manifest.json belongs to another migration ($owner); this one (journal $b/state/journal.sqlite) would overwrite its files and import its rows. Give each migration its own target.local.outputDir, or remove the staging area if that migration is finished" \
  "$bin" dump -c "$b/migration.yaml"
[ "$(mm_tree_digest "$shared")" = "$before" ] && ok "shared outputDir: the first migration's files are untouched" \
  || fail "shared outputDir: the refused dump changed files"
mm_expect_exit "shared outputDir: its load is refused too" 2 \
  "load: connected to 127.0.0.1:$MM_EMU_PORT (Milvus v2.5.4)
milvus-migrate load: the staging area $shared/migration/manifest.json belongs to another migration ($owner); this one (journal $b/state/journal.sqlite) would overwrite its files and import its rows. Give each migration its own target.local.outputDir, or remove the staging area if that migration is finished" \
  "$bin" load -c "$b/migration.yaml"
"$bin" run -c "$a/migration.yaml" --report "$a/report" >"$a/run.out" 2>&1 || { fail "shared: run of the first migration"; cat "$a/run.out"; }
mm_check_emulator_ids "shared outputDir: the first migration" "$a/fx/expected/liveset.tsv" "$a/report.json"
mm_emulator_stop

# ---- an object of the bucket written again after the upload ------------------------------------
mm_swift_start "$work" || exit 1
curl_s3 -X PUT "$S3_ENDPOINT/a-bucket" -o /dev/null -w '%{http_code}\n' | grep -q 200
mm_emulator_start "$work/emu-s3" --generation 2.5 --s3-endpoint "$S3_ENDPOINT" --s3-bucket a-bucket \
  --s3-access-key test:tester --s3-secret-key Sw1ftSecret --s3-region "$S3_REGION"
d=$work/bucket
gen basic_native "$d/fx"
mm_write_job_config "$d" "$d/fx" "mode: remote" \
  "remote: {cloud: minio, endpoint: '${S3_ENDPOINT#http://}', region: $S3_REGION, bucket: a-bucket, ak: 'test:tester', sk: Sw1ftSecret, outputDir: bucket}" \
  "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1}"
sed -i 's/^loader: {worker: {limit: 2}/loader: {worker: {limit: 1}/' "$d/migration.yaml"
"$bin" dump -c "$d/migration.yaml" >/dev/null 2>&1 || fail "bucket: dump"
key=$(sqlite3 "file:$d/state/journal.sqlite?mode=ro" "SELECT id_key FROM batch ORDER BY collection DESC, segment DESC, batch DESC LIMIT 1")
old_etag=$(sqlite3 "file:$d/state/journal.sqlite?mode=ro" "SELECT id_etag FROM batch WHERE id_key = '$key'")
segment=$(sqlite3 "file:$d/state/journal.sqlite?mode=ro" "SELECT segment FROM batch WHERE id_key = '$key'")
curl_s3 -o "$d/id.npy" "$S3_ENDPOINT/a-bucket/$key"
edit_first_id "$d/id.npy"
curl_s3 -X PUT -T "$d/id.npy" "$S3_ENDPOINT/a-bucket/$key" -o /dev/null
new_etag=$(curl_s3 -I "$S3_ENDPOINT/a-bucket/$key" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
# Refused before anything is created: the sizes and ETags are checked first.
mm_expect_exit "bucket: an object written again after the upload is refused by its ETag" 1 \
  "load: connected to 127.0.0.1:$MM_EMU_PORT (Milvus v2.5.4)
milvus-migrate load: batch $segment/0 of collection 'vectors_l2' (partition '_default'): object $key in s3://a-bucket at $S3_ENDPOINT has ETag $new_etag, the dump's upload had $old_etag: it was written again after the dump; nothing of it was imported; run \`milvus-migrate dump\` with the same config to write it again, then load" \
  "$bin" load -c "$d/migration.yaml"
[ "$new_etag" != "$old_etag" ] && [ -n "$old_etag" ] && ok "bucket: the journal holds the ETag of the upload ($old_etag)" \
  || fail "bucket: ETags '$old_etag' and '$new_etag'"
"$bin" dump -c "$d/migration.yaml" >"$d/dump2.out" 2>/dev/null || fail "bucket: second dump"
grep -q "^dumped [0-9]* rows in 1 new batch(es)" "$d/dump2.out" && ok "bucket: the dump re-run uploads that batch again" \
  || { fail "bucket: re-dump"; cat "$d/dump2.out"; }
"$bin" load -c "$d/migration.yaml" >/dev/null 2>&1 || fail "bucket: second load"
"$bin" verify -c "$d/migration.yaml" --report "$d/report" >"$d/verify.out" 2>&1 || { fail "bucket: verify"; cat "$d/verify.out"; }
mm_check_emulator_ids "bucket" "$d/fx/expected/liveset.tsv" "$d/report.json"

finish integrity_staged
