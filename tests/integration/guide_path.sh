#!/usr/bin/env bash
# The official "From Milvus 1.x" guide, step by step and literally, through
# the `milvus-migration` name it uses, for SQLite and for MySQL meta:
#   1. export the meta: `milvus-migration export -s meta.sqlite -o migration_data`
#      (MySQL: `export -m DSN -o migration_data`), which writes
#      migration_data/meta.json;
#   2. copy the 1.x db/tables directory to migration_data/tables;
#   3. upload migration_data to a bucket of the S3 server (Swift + s3api on
#      loopback), or keep it local;
#   4. write migration.yaml in the guide's shape (meta.mode remote or local,
#      source.mode remote or local, the bucket Milvus 2.x reads as
#      target.remote.bucket, the guide's bufferSize 1024);
#   5. `milvus-migration dump --config=...`, `milvus-migration load --config=...`;
#   6. the counts: `milvus-migration verify --config=...`.
# The Milvus 2.x emulator reads the staged files from that bucket; it ends
# up holding exactly the live rows (ids and vector bytes) of the 1.x
# install, and the row counts that differ from meta.json are explained.
# Every command runs under a timeout that fails the test.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
guide=${bin%/*}/milvus-migration
source "$src/tests/lib/checks.sh"
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/swift.sh"
source "$src/tests/lib/mariadb.sh"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-guide-path.XXXXXX")
cleanup() {
  mm_emulator_stop
  mm_mariadb_stop
  mm_swift_stop
  rm -rf "$work"
}
trap cleanup EXIT
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY

# step LABEL CMD...: CMD under a 120 s timeout; output in $work/step.{out,err},
# status in $status. A command that hangs is a failure of its own.
step() {
  local label=$1
  shift
  status=0
  timeout -k 5 120 "$@" >"$work/step.out" 2>"$work/step.err" || status=$?
  if [ "$status" = 124 ] || [ "$status" = 137 ]; then
    fail "$label: did not end within 120 s"
  elif [ "$status" != 0 ]; then
    fail "$label: exit $status"
    cat "$work/step.out" "$work/step.err"
  fi
  [ "$status" = 0 ]
}

if [ ! -L "$guide" ] || [ "$(readlink "$guide")" != milvus-migrate ]; then
  fail "the build did not put the milvus-migration symlink beside $bin"
  finish guide_path
  exit 1
fi

mm_swift_start "$work" || exit 1
for bucket in milvus-bucket legacy; do
  curl_s3 -X PUT "$S3_ENDPOINT/$bucket" -o /dev/null -w '%{http_code}\n' | grep -q 200
done
E=${S3_ENDPOINT#http://}
mm_mariadb_start "$work/mariadb" || exit 1

/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/basic_native.json" "$work/fx" >/dev/null
pw=Gd-pw-2718
mm_mariadb_sql -e "CREATE DATABASE milvus CHARACTER SET utf8mb4;
  CREATE USER 'mm'@'127.0.0.1' IDENTIFIED BY '$pw'; GRANT SELECT ON milvus.* TO 'mm'@'127.0.0.1';"
mm_mariadb_sql milvus <"$work/fx/meta.sql"
dsn="mm:$pw@tcp(127.0.0.1:$MM_MARIADB_PORT)/milvus?charset=utf8mb4&parseTime=True&loc=Local"
rows_said=$(mm_rows_said basic_native)

# upload DIR PREFIX: every file below DIR as legacy/PREFIX<relative path>, as
# `aws s3 cp --recursive` or `mc cp -r` would.
upload() {
  local rel
  while IFS= read -r rel; do
    curl_s3 --fail-with-body --retry 3 --retry-all-errors -T "$1/$rel" "$S3_ENDPOINT/legacy/$2$rel" -o "$work/upload.out" || { echo "upload $rel failed: $(cat "$work/upload.out")"; return 1; }
  done < <(cd "$1" && find . -type f -printf '%P\n' | LC_ALL=C sort)
}

# config DIR META-LINES SOURCE-LINES: the guide's migration.yaml
config() {
  cat >"$1/migration.yaml" <<YAML
dumper:
  worker:
    workMode: milvus1x
    reader:
      bufferSize: 1024
    writer:
      bufferSize: 1024
loader:
  worker:
    limit: 2
meta:
$2
source:
$3
target:
  mode: remote
  remote:
    outputDir: migration/$(basename "$1")
    ak: test:tester
    sk: Sw1ftSecret
    cloud: aws
    endpoint: $E
    region: $S3_REGION
    bucket: milvus-bucket
    useIAM: false
    useSSL: false
    checkBucket: true
  milvus2x:
    endpoint: 127.0.0.1:$MM_EMU_PORT
    username: root
    password: Milvus
state:
  dir: $1/state
verify:
  statsTimeoutSeconds: 3
YAML
  chmod 600 "$1/migration.yaml"
}

# guide NAME EXPORT-ARGS STORAGE: the whole guide for one meta kind;
# STORAGE is remote (migration_data uploaded) or local (kept on disk).
guide() {
  local name=$1 storage=$3 d=$work/$1
  mkdir -p "$d"
  cd "$d"
  # A Milvus 2.x of its own, configured with milvus-bucket as its bucket
  # (minio.bucketName).
  mm_emulator_stop
  mm_emulator_start "$d/emu" --generation 2.5 --s3-endpoint "$S3_ENDPOINT" --s3-bucket milvus-bucket \
    --s3-access-key test:tester --s3-secret-key Sw1ftSecret --s3-region "$S3_REGION" || { fail "$name: emulator"; return 0; }
  # 1. export (relative paths, as the guide writes them)
  # shellcheck disable=SC2086
  step "$name: export" "$guide" export $2 -o migration_data || return 0
  local said="wrote migration_data/meta.json: 2 collection(s), 0 partition(s), 6 segment(s); unflushed data "
  if [ "$name" = mysql ]; then
    # The guide gives no WAL directory, and the segment files are not beside
    # a MySQL meta: what export can say without them.
    said+="unknown (meta checked: nothing unflushed there; no WAL directory found, see the warning)"
  else
    said+="none (meta and WAL checked; WAL $work/fx/milvus/wal, found beside the db directory)
${rows_said/are migrated/a dump migrates}"
  fi
  [ "$(cat "$work/step.out")" = "$said" ] && ok "$name: export wrote migration_data/meta.json and said why its counts differ" \
    || { fail "$name: export said"; cat "$work/step.out"; echo "  expected: $said"; }
  # 2. the segment files
  cp -a "$work/fx/milvus/db/tables" migration_data/tables
  # 3./4. migration.yaml
  if [ "$storage" = remote ]; then
    upload migration_data "$name/migration_data/"
    config "$d" "  mode: remote
  remoteMetaFile: $name/migration_data/meta.json" "  mode: remote
  remote:
    tablesDir: $name/migration_data/tables/
    ak: test:tester
    sk: Sw1ftSecret
    cloud: aws
    endpoint: $E
    region: $S3_REGION
    bucket: legacy
    useIAM: false
    useSSL: false
    checkBucket: true"
  else
    config "$d" "  mode: local
  localFile: $d/migration_data/meta.json" "  mode: local
  local:
    tablesDir: $d/migration_data/tables/"
  fi
  # 5. dump and load
  step "$name: dump" "$guide" dump --config="$d/migration.yaml" || return 0
  local n
  n=$(curl_s3 "$S3_ENDPOINT/milvus-bucket?list-type=2&prefix=migration%2F$name%2Fmigration%2F" | grep -o '<Key>[^<]*\.npy</Key>' | wc -l)
  said="dumped 29 rows in 5 new batch(es) (2.8 KiB; 1 sent straight from the segment files) to s3://milvus-bucket at $S3_ENDPOINT/migration/$name/migration; 0 batch(es) were already complete; 3 warning(s) about the source (above)
$rows_said"
  if [ "$(grep -v '^dump: unflushed data: none (WAL checked at export time, ' "$work/step.out")" = "$said" ] && [ "$n" = 10 ]; then
    ok "$name: dump staged 29 rows in 5 batches (10 .npy objects) in the Milvus bucket, the meta's count explained"
  else fail "$name: dump said ($n .npy objects)"; cat "$work/step.out"; echo "  expected: $said"; fi
  grep -q 'BACKUP but has no INDEX' "$work/step.err" && fail "$name: a false BACKUP-without-INDEX warning"
  step "$name: load" "$guide" load --config="$d/migration.yaml" || return 0
  said="loaded 29 rows in 5 batch(es) into 127.0.0.1:$MM_EMU_PORT; 0 batch(es) were imported before; collections: 2 created, 0 appended to, 0 skipped, 0 resumed; 0 partition(s) created"
  [ "$(cat "$work/step.out")" = "$said" ] && ok "$name: load imported 29 rows into 2 new collections" \
    || { fail "$name: load said"; cat "$work/step.out"; echo "  expected: $said"; }
  # 6. the counts
  step "$name: verify" "$guide" verify --config="$d/migration.yaml" --report="$d/report" || return 0
  grep -q "^All counts match.$" "$work/step.out" && grep -qxF "$rows_said" "$work/step.out" \
    && ok "$name: verify: all counts match, the meta's count explained" \
    || { fail "$name: verify said"; cat "$work/step.out"; }
  mm_check_emulator_ids "$name" "$work/fx/expected/liveset.tsv" "$d/report.json"
}

guide sqlite "-s $work/fx/milvus/db/meta.sqlite" remote
guide mysql "-m $dsn" remote
guide sqlite-local "-s $work/fx/milvus/db/meta.sqlite" local
cd "$work"
finish guide_path
