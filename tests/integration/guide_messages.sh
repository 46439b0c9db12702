#!/usr/bin/env bash
# What a DBA following the "From Milvus 1.x" guide meets when a step is not
# quite right, one case per item of the guide's pitfalls: the exact message
# (side, key, cause and fix) and exit status, each command under a timeout
# that fails the test (nothing may hang: FIFOs where files belong, SIGINT at
# any point). Servers: Swift + s3api and the Milvus 2.x emulator on loopback.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
guide=${bin%/*}/milvus-migration
source "$src/tests/lib/checks.sh"
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/swift.sh"
source "$src/tests/lib/proxy.sh"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-guide-messages.XXXXXX")
victim= proxy_pid=
cleanup() {
  [ -n "$victim" ] && kill -9 "$victim" 2>/dev/null
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  mm_dead_port_release
  mm_emulator_stop
  mm_swift_stop
  rm -rf "$work"
}
trap cleanup EXIT
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE
export HOME=$work/home AWS_EC2_METADATA_DISABLED=true
mkdir -p "$HOME"

# expect LABEL STATUS WANT-STDERR CMD...: CMD under a 60 s timeout (which
# fails the case: exit 124) exits STATUS with exactly WANT on stderr.
expect() {
  mm_expect_exit "$1" "$2" "$3" timeout -k 5 60 "${@:4}"
}

mm_swift_start "$work" || exit 1
curl_s3 -X PUT "$S3_ENDPOINT/milvus-bucket" -o /dev/null -w '%{http_code}\n' | grep -q 200
E=${S3_ENDPOINT#http://}
mm_emulator_start "$work/emu" --generation 2.5 --s3-endpoint "$S3_ENDPOINT" --s3-bucket milvus-bucket \
  --s3-access-key test:tester --s3-secret-key Sw1ftSecret --s3-region "$S3_REGION"

gen() { /usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/$1.json" "$work/$2" >/dev/null; }
gen basic_native fx
gen partitions_orm fx09
# The guide's layout: migration_data/{meta.json,tables}
(cd "$work" && "$guide" export -s fx/milvus/db/meta.sqlite -o migration_data >/dev/null 2>&1)
cp -a "$work/fx/milvus/db/tables" "$work/migration_data/tables"
md=$work/migration_data

# job NAME TARGET-REMOTE-EXTRA [SOURCE-LOCAL-TABLES] [META-LINE]: the guide's
# migration.yaml in $work/NAME, staging in milvus-bucket
job() {
  local d=$work/$1
  mkdir -p "$d"
  cat >"$d/migration.yaml" <<YAML
dumper:
  worker:
    workMode: milvus1x
    reader:
      bufferSize: 1024
    writer:
      bufferSize: 1024
meta:
  ${4:-"mode: local"}
  localFile: $md/meta.json
source:
  mode: local
  local:
    tablesDir: ${3:-$md/tables/}
target:
  mode: remote
  remote:
    outputDir: $1
    cloud: aws
    endpoint: $E
    region: $S3_REGION
    bucket: milvus-bucket
    useSSL: false
    checkBucket: true
$2
  milvus2x:
    endpoint: 127.0.0.1:$MM_EMU_PORT
state:
  dir: $d/state
loader:
  pollIntervalSeconds: 1
verify:
  statsTimeoutSeconds: 3
YAML
  chmod 600 "$d/migration.yaml"
}
keys="    ak: test:tester
    sk: Sw1ftSecret"
warnings="dump: warning: collection 'vectors_l2': segment 1615497440111439000 has file_id 1615497440111439555; reading 1615497440111439555.rv/.uid
dump: warning: collection 'vectors_l2': segment 1615497440111436000: meta row_count is 7 but 8 rows are live; deleted_docs repeats 1 offset(s) (Milvus <= 1.0 counted them twice); the files are trusted
dump: warning: collection 'vectors_l2': segment 1615497440111437000: meta row_count is 4 but 5 rows are live; deleted_docs repeats 1 offset(s) (Milvus <= 1.0 counted them twice); the files are trusted"

# ---- 1. region mismatch: the server's reason, the side, the key ----------------------
job region "$keys" && sed -i "s/region: $S3_REGION/region: us-west-2/" "$work/region/migration.yaml"
expect "1. target region wrong" 1 "milvus-migrate dump: S3 HEAD s3://milvus-bucket at $S3_ENDPOINT: 400 AuthorizationHeaderMalformed: The authorization header is malformed; the region 'us-west-2' is wrong; expecting '$S3_REGION'; set target.remote.region to $S3_REGION, the bucket's region (the requests were signed for us-west-2)" "$guide" dump --config="$work/region/migration.yaml"
sed -i 's/checkBucket: true/checkBucket: false/' "$work/region/migration.yaml"
expect "1. checkBucket: false still checks the bucket (documented)" 1 "milvus-migrate dump: S3 HEAD s3://milvus-bucket at $S3_ENDPOINT: 400 AuthorizationHeaderMalformed: The authorization header is malformed; the region 'us-west-2' is wrong; expecting '$S3_REGION'; set target.remote.region to $S3_REGION, the bucket's region (the requests were signed for us-west-2)" "$guide" dump --config="$work/region/migration.yaml"

# ---- 2. useIAM refused: the credentials actually used are named --------------------
job iam "    useIAM: true"
expect "2. useIAM with wrong AWS_* variables" 1 "dump: target.remote.useIAM: environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (access key AKIAWRONG)
milvus-migrate dump: S3 s3://milvus-bucket at $S3_ENDPOINT refused the credentials of access key 'AKIAWRONG' (403); check the credentials target.remote.useIAM took from environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (access key AKIAWRONG): fix them there, or set target.remote.useIAM: false and give target.remote.ak and target.remote.sk" \
  env AWS_ACCESS_KEY_ID=AKIAWRONG AWS_SECRET_ACCESS_KEY=wrong-secret "$guide" dump --config="$work/iam/migration.yaml"

# ---- 4. meta.localFile missing ---------------------------------------------------------
job nometa "$keys" "" "mode: local" && sed -i "s|localFile: .*|localFile: /outputDir/test/meta.json|" "$work/nometa/migration.yaml"
expect "4. meta.localFile missing" 2 "milvus-migrate dump: meta.localFile /outputDir/test/meta.json does not exist; set meta.localFile to the meta.json that \`milvus-migrate export\` wrote (\`export -s meta.sqlite -o DIR\` or \`export -m DSN -o DIR\` writes DIR/meta.json)" "$guide" dump --config="$work/nometa/migration.yaml"

# ---- 5. tablesDir one level too high -------------------------------------------------
job high "$keys" "$md/"
expect "5. tablesDir is migration_data/, not migration_data/tables/" 2 "milvus-migrate dump: read the 1.x segments (run \`milvus-migrate inspect\` for every problem): segment vectors_ip/1615497440222000000: source.local.tablesDir $md is one level too high: the collection directories are in $md/tables; set source.local.tablesDir (inspect: --tables-dir) to $md/tables" "$guide" dump --config="$work/high/migration.yaml"

# ---- 6. a 0.9 install with a second storage root ---------------------------------------
(cd "$work" && timeout 60 "$guide" export -s fx09/milvus/db/meta.sqlite -o md09 >"$work/md09.out" 2>"$work/md09.err") || fail "6. export of the 0.9 install"
cp -a "$work/fx09/milvus/db/tables" "$work/md09/tables"
job roots "$keys" "$work/md09/tables" && sed -i "s|localFile: .*|localFile: $work/md09/meta.json|" "$work/roots/migration.yaml"
expect "6. only tables/ copied from a 0.9 install with two roots" 1 "milvus-migrate dump: read the 1.x segments (run \`milvus-migrate inspect\` for every problem): segment docs/1614924431171827000: 1614924431171827000.uid is missing (looked for $work/md09/tables/docs/1614924431171827000/1614924431171827000.uid); this 0.9 installation keeps segments on more than one storage root (storage_config.secondary_path in fx09/milvus/conf/server_config.yaml, recorded in the meta.json by export), and the segment may be on another one: copy the db/tables directory of each ($work/fx09/milvus2/db/tables) and list the copies in source.local.secondaryTablesDirs; otherwise copy the segment directory again from the stopped 1.x server" "$guide" dump --config="$work/roots/migration.yaml"

# ---- 8. the guide's writer.bufferSize 1024 is KiB; a byte-looking value is warned ------
job buf "$keys" && sed -i 's/      bufferSize: 1024$/      bufferSize: 1048576/' "$work/buf/migration.yaml"
expect "8. bufferSize in bytes" 0 "warning: dumper.worker.writer.bufferSize is in KiB (as the reference tool documents it): 1048576 means 1024 MiB per output file; if 1048576 bytes were meant, write 1024
$warnings" "$guide" dump --config="$work/buf/migration.yaml"

# ---- 9. counts that differ from meta.json ---------------------------------------------
job counts "$keys"
rows_said=$(mm_rows_said basic_native)
expect "9. dump" 0 "$warnings" "$guide" dump --config="$work/counts/migration.yaml"
[ "$(tail -1 "$work/expect.out")" = "$rows_said" ] && ok "9. dump: why the meta counts 15 rows of vectors_l2 and 17 are migrated" \
  || { fail "9. dump's row count line"; cat "$work/expect.out"; }

# ---- 7. verify and load ask no credentials they do not need ------------------------------
expect "7. load" 0 "load: connected to 127.0.0.1:$MM_EMU_PORT (Milvus v2.5.4)
load: created collection vectors_ip (FloatVector, dim 16)
load: created collection vectors_l2 (FloatVector, dim 8)" "$guide" load --config="$work/counts/migration.yaml"
job creds "    useIAM: true"
sed -i "s|outputDir: creds|outputDir: counts|" "$work/creds/migration.yaml"
cp -a "$work/counts/state" "$work/creds/state"
expect "7. verify with useIAM and no credentials anywhere" 0 "" "$guide" verify --config="$work/creds/migration.yaml"
grep -qx 'All counts match.' "$work/expect.out" && ok "7. verify: all counts match" || { fail "7. verify said"; cat "$work/expect.out"; }
# 9. the report: the same explanation, and in its JSON
grep -qxF "$rows_said" "$work/expect.out" && grep -qxF -- "- ${rows_said#row count: }" "$work/creds/state/report.md" &&
  [ "$(/usr/bin/python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["rowCounts"]; print(len(r), r[0]["collection"], r[0]["metaRowCount"], r[0]["liveRows"], r[0]["repeatedOffsets"])' "$work/creds/state/report.json")" = "1 vectors_l2 15 17 2" ] \
  && ok "9. verify and its report explain the meta's row count" || { fail "9. verify's row counts"; cat "$work/expect.out" "$work/creds/state/report.md"; }

# ---- 10. paths and files ----------------------------------------------------------------
touch "$work/afile"
job outfile "$keys" && sed -i "s|  dir: $work/outfile/state|  dir: $work/afile/state|" "$work/outfile/migration.yaml"
expect "10. state.dir below a file" 2 "milvus-migrate dump: state.dir $work/afile/state cannot be created: $work/afile is a regular file, not a directory; set state.dir to a directory (or a path below one)" "$guide" dump --config="$work/outfile/migration.yaml"
mkdir -p "$work/rel/db"
expect "10. a relative meta.sqlite that is not there" 2 "milvus-migrate export: -s db/meta.sqlite does not exist (relative to the working directory $work/rel); set -s to the 1.x db/meta.sqlite, copied from the stopped 1.x server together with meta.sqlite-wal and meta.sqlite-shm (the three files belong together)" env -C "$work/rel" "$guide" export -s db/meta.sqlite -o "$work/rel/out"
job journal "$keys" && mkdir -p "$work/journal/state" && head -c 8192 /dev/urandom >"$work/journal/state/journal.sqlite"
expect "10. a garbage journal" 1 "milvus-migrate dump: journal $work/journal/state/journal.sqlite is not a usable SQLite database (damaged, or not written by milvus-migrate); start over with --restart, which sets it aside and starts a new journal (staged batches are then dumped again), or move it out of state.dir $work/journal/state" "$guide" dump --config="$work/journal/migration.yaml"
expect "10. a garbage journal, --restart" 0 "dump: discarded the journal $work/journal/state/journal.sqlite: the migration starts over
$warnings" "$guide" dump --config="$work/journal/migration.yaml" --restart
[ -n "$(find "$work/journal/state" -name 'journal.sqlite.damaged-*')" ] && ok "10. --restart kept the damaged journal aside" \
  || { fail "10. the damaged journal is gone"; ls "$work/journal/state"; }

# A read-only file system and one out of inodes (4 MiB free), each a tmpfs
# mounted in a private mount namespace of an unprivileged user namespace.
mkdir -p "$work/mnt"
# in_tmpfs OPTIONS CMD...: CMD with a fresh tmpfs on $work/mnt, under the
# same timeout as expect's
in_tmpfs() {
  unshare -rm sh -c 'mount -t tmpfs -o "$0" none "$1" && shift && exec timeout -k 5 60 "$@"' "$1" "$work/mnt" "${@:2}"
}
mkdir -p "$work/mntjob"
cat >"$work/mntjob/migration.yaml" <<YAML
dumper: {worker: {limit: 1}}
meta: {mode: sqlite, sqliteFile: $work/fx/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: $work/fx/milvus/db/tables}}
target: {mode: local, local: {outputDir: $work/mnt/out}}
state: {dir: $work/mntjob/state}
YAML
if in_tmpfs ro,size=1m true 2>/dev/null; then
  mm_expect_exit "10. outputDir on a read-only file system" 2 "milvus-migrate dump: target.local.outputDir $work/mnt/out cannot be written: $work/mnt: the file system is mounted read-only; set target.local.outputDir to a directory on a writable file system" \
    in_tmpfs ro,size=1m "$guide" dump --config="$work/mntjob/migration.yaml"
  rm -rf "$work/mntjob/state"
  mm_expect_exit "10. outputDir out of inodes" 1 "$warnings
milvus-migrate dump: dump collection 'vectors_ip' segment 1615497440222000000: create $work/mnt/out/migration/tables/vectors_ip/1615497440222000000/id.npy.partial: No space left on device; $work/mnt/out/migration has 4.0 MiB free but no free inodes (df -i $work/mnt/out/migration shows them): remove files there or set target.local.outputDir to another file system, then re-run dump: completed batches are kept" \
    in_tmpfs size=4m,nr_inodes=8 "$guide" dump --config="$work/mntjob/migration.yaml"
else
  mm_skip "10. read-only and inode-less file systems: unshare -rm cannot mount a tmpfs here (user namespaces disabled)"
fi

# ---- 10. (cont.) what is where a file belongs ----------------------------------------
# copy NAME: a copy of the 1.x install, to break one file of
copy() { rm -rf "$work/$1"; cp -a "$work/fx" "$work/$1"; }
local_job() {  # NAME: a local dump of the copy NAME
  mkdir -p "$work/$1/job"
  cat >"$work/$1/job/migration.yaml" <<YAML
meta: {mode: sqlite, sqliteFile: $work/$1/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: $work/$1/milvus/db/tables}}
target: {mode: local, local: {outputDir: $work/$1/job/out}}
state: {dir: $work/$1/job/state}
YAML
}
seg=milvus/db/tables/vectors_ip/1615497440222000000
copy loop && rm "$work/loop/$seg/1615497440222000000.rv" && ln -s 1615497440222000000.rv "$work/loop/$seg/1615497440222000000.rv"
local_job loop
expect "10. a symlink loop where a .rv belongs" 1 "milvus-migrate dump: read the 1.x segments (run \`milvus-migrate inspect\` for every problem): read $work/loop/$seg/1615497440222000000.rv: it is a symbolic link that leads back to itself (a loop), not a file; copy the segment directory again from the stopped 1.x server" "$guide" dump --config="$work/loop/job/migration.yaml"
copy chr && rm "$work/chr/$seg/1615497440222000000.rv" && ln -s /dev/null "$work/chr/$seg/1615497440222000000.rv"
local_job chr
expect "10. a character device where a .rv belongs" 1 "milvus-migrate dump: read the 1.x segments (run \`milvus-migrate inspect\` for every problem): read $work/chr/$seg/1615497440222000000.rv: it is a character device, not a file; copy the segment directory again from the stopped 1.x server" "$guide" dump --config="$work/chr/job/migration.yaml"
copy dir && rm "$work/dir/$seg/1615497440222000000.rv" && mkdir "$work/dir/$seg/1615497440222000000.rv"
local_job dir
expect "10. a directory where a .rv belongs" 1 "milvus-migrate dump: read the 1.x segments (run \`milvus-migrate inspect\` for every problem): read $work/dir/$seg/1615497440222000000.rv: it is a directory, not a file; copy the segment directory again from the stopped 1.x server" "$guide" dump --config="$work/dir/job/migration.yaml"

# ---- 11. FIFOs where files belong: named, never waited on -------------------------------
for f in "$seg/1615497440222000000.rv" "$seg/1615497440222000000.uid" "$seg/deleted_docs"; do
  copy fifo && rm "$work/fifo/$f" && mkfifo "$work/fifo/$f"
  local_job fifo
  expect "11. a FIFO as ${f##*/}: dump" 1 "milvus-migrate dump: read the 1.x segments (run \`milvus-migrate inspect\` for every problem): read $work/fifo/$f: it is a FIFO (named pipe), not a file; copy the segment directory again from the stopped 1.x server" "$guide" dump --config="$work/fifo/job/migration.yaml"
  expect "11. a FIFO as ${f##*/}: inspect" 1 "milvus-migrate inspect: not every segment could be read; first failure: read $work/fifo/$f: it is a FIFO (named pipe), not a file; copy the segment directory again from the stopped 1.x server" "$guide" inspect -s "$work/fifo/milvus/db/meta.sqlite"
done
copy fifo && rm -f "$work/fifo/milvus/db/meta.sqlite-wal" && mkfifo "$work/fifo/milvus/db/meta.sqlite-wal"
expect "11. a FIFO as meta.sqlite-wal: export" 1 "milvus-migrate export: read $work/fifo/milvus/db/meta.sqlite-wal: it is a FIFO (named pipe), not a file; copy meta.sqlite, meta.sqlite-wal and meta.sqlite-shm again from the stopped 1.x server (or restore them from a backup)" "$guide" export -s "$work/fifo/milvus/db/meta.sqlite" -o "$work/fifo/out"
copy fifo && rm -f "$work/fifo/milvus/db/meta.sqlite-shm" && mkfifo "$work/fifo/milvus/db/meta.sqlite-shm"
expect "11. a FIFO as meta.sqlite-shm: export" 1 "milvus-migrate export: read $work/fifo/milvus/db/meta.sqlite-shm: it is a FIFO (named pipe), not a file; copy meta.sqlite, meta.sqlite-wal and meta.sqlite-shm again from the stopped 1.x server (or restore them from a backup)" "$guide" export -s "$work/fifo/milvus/db/meta.sqlite" -o "$work/fifo/out"
copy fifo && rm -f "$work/fifo/milvus/wal/mxlog.meta" && mkfifo "$work/fifo/milvus/wal/mxlog.meta"
expect "11. a FIFO as wal/mxlog.meta: export" 1 "milvus-migrate export: read $work/fifo/milvus/wal/mxlog.meta: it is a FIFO (named pipe), not a file; copy the 1.x WAL directory (wal.path) again from the stopped 1.x server" "$guide" export -s "$work/fifo/milvus/db/meta.sqlite" -o "$work/fifo/out"

# ---- 11. SIGINT ends a command promptly, the journal consistent ----------------------
# interrupt LABEL WANT-STATUS WANT-STDERR WAIT-CMD CMD...: CMD in the background;
# once WAIT-CMD succeeds, SIGINT; CMD must end within 10 s, its stderr
# matching the shell pattern WANT-STDERR.
interrupt() {
  local label=$1 want_status=$2 want=$3 ready=$4 status=0 i
  shift 4
  "$@" >"$work/int.out" 2>"$work/int.err" &
  victim=$!
  for i in $(seq 1 300); do eval "$ready" && break; sleep 0.1; done
  kill -INT "$victim" 2>/dev/null || { fail "$label: ended before the SIGINT"; cat "$work/int.out" "$work/int.err"; }
  for i in $(seq 1 100); do kill -0 "$victim" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$victim" 2>/dev/null; then
    fail "$label: still running 10 s after SIGINT"; kill -9 "$victim"; wait "$victim" 2>/dev/null || true; victim=; return
  fi
  wait "$victim" || status=$?
  victim=
  local got
  got=$(grep -v '^dump: [0-9]*/[0-9]* segments\|^load: [0-9]*/[0-9]* batches' "$work/int.err" || true)
  # shellcheck disable=SC2053
  if [ "$status" = "$want_status" ] && [[ $got == $want ]]; then ok "$label"
  else fail "$label: exit $status (expected $want_status)"; echo "  got:      $got"; echo "  expected: $want"; fi
}
# While load waits for Milvus to finish its imports (the emulator's import
# steps slowed to minutes).
mm_emulator_stop
mm_emulator_start "$work/emu2" --generation 2.5 --s3-endpoint "$S3_ENDPOINT" --s3-bucket milvus-bucket \
  --s3-access-key test:tester --s3-secret-key Sw1ftSecret --s3-region "$S3_REGION"
job sigint "$keys"
# The slowed imports are the migration's: no staging probe before them.
sed -i 's/^  pollIntervalSeconds: 1$/  pollIntervalSeconds: 1\n  probeStaging: false/' "$work/sigint/migration.yaml"
timeout 60 "$guide" dump --config="$work/sigint/migration.yaml" >/dev/null 2>&1 || fail "11. dump for the SIGINT case"
mm_emulator_faults '{"stepMs": 600000}' >/dev/null
imports=$(mm_emulator_calls Import)
interrupt "11. SIGINT while load waits for Milvus" 1 "load: connected to 127.0.0.1:$MM_EMU_PORT (Milvus v2.5.4)
load: created collection vectors_ip (FloatVector, dim 16)
load: created collection vectors_l2 (FloatVector, dim 8)
milvus-migrate load: interrupted: stopped waiting for import task * (batch * of *); it is recorded and a re-run of load waits for it instead of importing again" '[ "$(mm_emulator_calls Import)" -gt "$imports" ]' \
  "$guide" load --config="$work/sigint/migration.yaml"
mm_emulator_faults_reset >/dev/null
expect "11. load after the interrupted load completes" 0 "load: connected to 127.0.0.1:$MM_EMU_PORT (Milvus v2.5.4)" "$guide" load --config="$work/sigint/migration.yaml"
expect "11. verify" 0 "" "$guide" verify --config="$work/sigint/migration.yaml" --report="$work/sigint/report"
mm_check_emulator_ids "11. after SIGINT and a re-run" "$work/fx/expected/liveset.tsv" "$work/sigint/report.json"
# While load retries a Milvus that refuses connections.
mm_dead_port_hold
job sigdead "$keys" && sed -i "s|endpoint: 127.0.0.1:$MM_EMU_PORT|endpoint: 127.0.0.1:$MM_DEAD_PORT\n    retries: 20|" "$work/sigdead/migration.yaml"
interrupt "11. SIGINT while load retries an unreachable Milvus" 1 "milvus-migrate load: interrupted: Connect on Milvus at 127.0.0.1:$MM_DEAD_PORT: server unavailable after * attempts (*); check target.milvus2x.endpoint and that Milvus is running and reachable" 'sleep 1' \
  "$guide" load --config="$work/sigdead/migration.yaml"
mm_dead_port_release

# While dump backs off between retries of uploads the server refuses (503
# from a proxy in front of the S3 server); afterwards the same dump, the
# server answering again, completes: nothing staged half is taken as done.
echo '{"mode": "503", "count": 1000000, "methods": "PUT,POST"}' >"$work/faults.json"
mm_proxy_start "$work/proxy.out" env FAULT_PROXY_CONTROL="$work/faults.json" FAULT_PROXY_FAULTS="$work/faults" \
  /usr/bin/python3 "$src/tests/lib/fault_proxy.py" 0 "$SWIFT_S3_PORT" 503 0 || exit 1
proxy_pid=$MM_PROXY_PID
job sigdump "$keys" && sed -i "s|endpoint: $E|endpoint: 127.0.0.1:$MM_PROXY_PORT|" "$work/sigdump/migration.yaml"
interrupt "11. SIGINT while dump retries refused uploads" 1 "$warnings
milvus-migrate dump: interrupted; completed batches are recorded in $work/sigdump/state/journal.sqlite and a re-run continues from there: *" \
  '[ -s "$work/faults" ]' "$guide" dump --config="$work/sigdump/migration.yaml"
echo '{"mode": "503", "count": 0}' >"$work/faults.json"
expect "11. dump after the interrupted dump completes" 0 "$warnings" "$guide" dump --config="$work/sigdump/migration.yaml"
[ "$(grep '^dumped ' "$work/expect.out")" = "dumped 29 rows in 5 new batch(es) (2.8 KiB; 1 sent straight from the segment files) to s3://milvus-bucket at http://127.0.0.1:$MM_PROXY_PORT/sigdump/migration; 0 batch(es) were already complete; 3 warning(s) about the source (above)" ] \
  && ok "11. the re-run dumped every batch" || { fail "11. the re-run after SIGINT said"; cat "$work/expect.out"; }

# ---- 12. deeply nested YAML -------------------------------------------------------
job deep "$keys"
/usr/bin/python3 -c 'import sys; sys.stdout.write("x: " + "[" * 100000 + "]" * 100000 + "\n")' >>"$work/deep/migration.yaml"
expect "12. 100,000 levels of YAML" 2 "milvus-migrate dump: $work/deep/migration.yaml:35:35: nested more than 32 levels deep, where a migration.yaml nests 5 at most; is this really a migration.yaml?" "$guide" dump --config="$work/deep/migration.yaml"

# ---- 13. remoteMetaPath: did you mean; the milvus-migration alias -----------------------
job typo "$keys" && sed -i "s|  localFile: |  remoteMetaPath: x\n  localFile: |" "$work/typo/migration.yaml"
expect "13. meta.remoteMetaPath" 0 "warning: $work/typo/migration.yaml:10:3: unknown key meta.remoteMetaPath (ignored); did you mean meta.remoteMetaFile?
$warnings" "$guide" dump --config="$work/typo/migration.yaml"

finish guide_messages
