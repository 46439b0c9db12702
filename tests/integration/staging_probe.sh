#!/usr/bin/env bash
# run's pre-flight, before anything is dumped or created: Milvus reads import
# files only from its own storage (the emulator reads only inside its
# --storage-dir or its bucket), so
# - target.mode local with a directory Milvus does not see,
# - target.remote.bucket another bucket than Milvus's,
# - a target collection that exists with existingCollection: error
# each end run with the exact message and exit status, nothing dumped, no
# collection created or dropped, and the probe's scratch collection and files
# removed. With the right bucket the same run migrates the exact rows.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/checks.sh"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-staging-probe.XXXXXX")
source "$src/tests/lib/swift.sh"
cleanup() {
  mm_emulator_stop
  mm_swift_stop
  rm -rf "$work"
}
trap cleanup EXIT
mm_swift_start "$work" || exit 1
for b in a-bucket staging; do
  curl_s3 -X PUT "$S3_ENDPOINT/$b" -o /dev/null -w '%{http_code}\n' | grep -q 200 || { echo "bucket $b not created"; exit 1; }
done
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/basic_native.json" "$work/fx" >/dev/null

# Everything the emulator was asked to create or drop outside the probe,
# and the probe's collections still there.
footprint() {
  echo "$(mm_emulator_calls CreateCollection) $(mm_emulator_calls DropCollection) $(mm_emulator_calls Import)"
}
probe_left() {
  mm_emulator_state | /usr/bin/python3 -c 'import json, sys; print(" ".join(c for c in json.load(sys.stdin)["collections"] if c.startswith("milvus_migrate_probe_")))'
}
# The bucket's keys under a prefix.
keys() {  # bucket prefix
  curl_s3 "$S3_ENDPOINT/$1?list-type=2&prefix=$2" | grep -o '<Key>[^<]*</Key>' | sed 's/<[^>]*>//g' | tr '\n' ' '
}

refused() {  # label dir status want-pattern
  local before probes_before status=0
  before=$(footprint)
  probes_before=$(mm_emulator_probe_calls DropCollection)
  "$bin" run -c "$2/migration.yaml" --report "$2/report" >"$2/stdout" 2>"$2/stderr" || status=$?
  local last
  last=$(grep -v '^run: ' "$2/stderr")
  # shellcheck disable=SC2053  # $4 is a pattern: the probe's name is random
  if [ "$status" -eq "$3" ] && [[ $last == $4 ]]; then
    ok "$1: exit $3 with the message"
  else
    fail "$1: exit $status"; cat "$2/stderr"; echo "  expected: $4"
  fi
  [ "$(footprint)" = "$before" ] && ok "$1: no collection created or dropped, no Import of the migration" ||
    fail "$1: the emulator's calls went from '$before' to '$(footprint)'"
  [ -z "$(probe_left)" ] && ok "$1: no scratch collection left ($(( $(mm_emulator_probe_calls DropCollection) - probes_before )) dropped)" ||
    fail "$1: scratch collections left: $(probe_left)"
  [ ! -e "$2/state/journal.sqlite" ] || [ "$(sqlite3 "file:$2/state/journal.sqlite?mode=ro" 'SELECT count(*) FROM batch')" = 0 ] &&
    ok "$1: nothing dumped" || fail "$1: batches were dumped"
}

# ---- local staging Milvus does not see ------------------------------------------------
mm_emulator_start "$work/emu" --generation 2.6 --storage-dir "$work/milvus-storage"
d=$work/local
mm_write_job_config "$d" "$work/fx" "mode: local" "local: {outputDir: $d/out}" \
  "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1}"
refused "local staging Milvus cannot read" "$d" 2 \
  "milvus-migrate run: the run would fail on the target, so nothing was dumped or changed:
- Milvus at 127.0.0.1:$MM_EMU_PORT cannot read what is staged in $d/out (target.local.outputDir): the probe $d/out/milvus-migrate-probe-*/id.npy was written there, and Milvus answered: *no such file or directory*. target.mode: local works only with a Milvus that uses local storage (common.storageType: local) on this host's filesystem, where it reads these paths as they are; a Milvus in a container or on another host reads its own storage: mount the directory into it at the same path, or stage into the bucket Milvus is configured with (target.mode: remote). Nothing was created"
[ ! -e "$d/out" ] && ok "local: the probe's directories removed again" || fail "local: left $(find "$d/out")"

# ---- an existing collection with existingCollection: error ---------------------------
# The same job staged where Milvus reads, run once; a second migration of
# the same source into the same collections stops before dumping.
d=$work/local-ok
mm_write_job_config "$d" "$work/fx" "mode: local" "local: {outputDir: $work/milvus-storage/out}" \
  "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1}"
if "$bin" run -c "$d/migration.yaml" --report "$d/report" >"$d/stdout" 2>"$d/stderr"; then
  mm_check_emulator_ids "local staging Milvus reads" "$work/fx/expected/liveset.tsv" "$d/report.json"
else
  fail "local staging Milvus reads: run"; cat "$d/stderr"
fi
d=$work/existing
mm_write_job_config "$d" "$work/fx" "mode: local" "local: {outputDir: $work/milvus-storage/out2}" \
  "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1, existingCollection: error}"
refused "existing collection, existingCollection: error" "$d" 2 \
  "milvus-migrate run: the run would fail on the target, so nothing was dumped or changed:
- 2.x collection vectors_ip already exists on 127.0.0.1:$MM_EMU_PORT with 12 row(s), and target.milvus2x.existingCollection is error: the run would stop there. Set it to append, drop or skip, or give the collection another 2.x name (target.milvus2x.names)
- 2.x collection vectors_l2 already exists on 127.0.0.1:$MM_EMU_PORT with * row(s), and target.milvus2x.existingCollection is error: the run would stop there. Set it to append, drop or skip, or give the collection another 2.x name (target.milvus2x.names)"
[ ! -e "$work/milvus-storage/out2" ] && ok "existing collection: nothing staged" || fail "existing collection: staged $(ls "$work/milvus-storage/out2")"
mm_check_emulator_ids "existing collection refused: the rows there untouched" "$work/fx/expected/liveset.tsv" "$work/local-ok/report.json"
mm_emulator_stop

# ---- a staging bucket that is not Milvus's -------------------------------------------
mm_emulator_start "$work/emu-s3" --generation 3.0 --s3-endpoint "$S3_ENDPOINT" --s3-bucket a-bucket \
  --s3-access-key test:tester --s3-secret-key Sw1ftSecret --s3-region "$S3_REGION"
remote_job() {  # dir bucket
  mm_write_job_config "$1" "$work/fx" "mode: remote" \
    "remote: {cloud: minio, endpoint: ${S3_ENDPOINT#http://}, region: $S3_REGION, bucket: $2, ak: 'test:tester', sk: Sw1ftSecret, outputDir: job/}" \
    "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1}"
}
d=$work/wrong-bucket
remote_job "$d" staging
refused "staging bucket is not Milvus's" "$d" 2 \
  "milvus-migrate run: the run would fail on the target, so nothing was dumped or changed:
- Milvus at 127.0.0.1:$MM_EMU_PORT cannot read what is staged in s3://staging at ${S3_ENDPOINT}: the probe job/milvus-migrate-probe-*/id.npy was uploaded there, and Milvus answered: *The specified key does not exist.*. target.remote.bucket must be the bucket Milvus 2.x is configured with (minio.bucketName in milvus.yaml, at the same endpoint): Milvus reads import files as keys of its own bucket. Nothing was created"
[ -z "$(keys staging job/)" ] && ok "wrong bucket: the probe's objects removed again" || fail "wrong bucket: left $(keys staging job/)"

d=$work/right-bucket
remote_job "$d" a-bucket
probes_before=$(mm_emulator_probe_calls DropCollection)
if "$bin" run -c "$d/migration.yaml" --report "$d/report" >"$d/stdout" 2>"$d/stderr"; then
  mm_check_emulator_ids "Milvus's own bucket" "$work/fx/expected/liveset.tsv" "$d/report.json"
  [ -z "$(probe_left)" ] && [ "$(( $(mm_emulator_probe_calls DropCollection) - probes_before ))" = 1 ] &&
    ok "Milvus's own bucket: one probe, its collection dropped" || fail "right bucket: probe collections '$(probe_left)'"
  [ -z "$(keys a-bucket job/milvus-migrate-probe)" ] && ok "Milvus's own bucket: no probe object left" ||
    fail "right bucket: left $(keys a-bucket job/milvus-migrate-probe)"
else
  fail "Milvus's own bucket: run"; cat "$d/stderr"
fi

finish staging_probe
