#!/usr/bin/env bash
# The local target runs out of room: a 1 MiB tmpfs (ENOSPC) and a file size
# limit (ulimit -f, EFBIG); and state.dir runs out of room for the journal. The dump fails with exit 1 naming the file, the
# directory and the room the rest needs; the failed batch leaves no file
# under a final name and no journal record; once there is room the re-run
# completes with exactly the live set. The tmpfs needs root (or an
# unprivileged user namespace); without either that part is skipped, saying
# so, and the test ends with ctest's skip status (77) rather than a pass.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"

# Without root, try again inside a user namespace where mounting a tmpfs is allowed.
if [ "$(id -u)" != 0 ] && [ -z "${MM_DISK_TEST_USERNS:-}" ] && unshare -rm true 2>/dev/null; then
  exec env MM_DISK_TEST_USERNS=1 unshare -rm bash "$0" "$@"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mm-faults-disk.XXXXXX")
mnt=$work/mnt
mounted=0
cleanup() {
  [ "$mounted" = 1 ] && umount "$mnt" 2>/dev/null
  mountpoint -q "$work/state-mnt" 2>/dev/null && umount "$work/state-mnt"
  rm -rf "$work"
}
trap cleanup EXIT

/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/large/split.json" "$work/fx" >/dev/null
before=$(mm_tree_digest "$work/fx/milvus")

job() {  # name output-dir
  d=$work/$1
  mm_write_job_config "$d" "$work/fx" "mode: local" "local: {outputDir: $2}"
  # One worker: the big segment is written first, so the failure point is fixed.
  sed -i 's/^dumper: .*/dumper: {worker: {workMode: milvus1x, limit: 1}}/' "$d/migration.yaml"
}

# Nothing of the failed segment under a final name, no .partial, and the
# journal does not hold it.
clean_failure() {  # label output-dir
  local finals partials recorded
  finals=$(find "$2" -path '*1650000000000000000*' -name '*.npy' | wc -l)
  partials=$(find "$2" -name '*.partial' | wc -l)
  recorded=$(sqlite3 "file:$d/state/journal.sqlite?mode=ro" "SELECT count(*) FROM batch WHERE segment = '1650000000000000000'")
  if [ "$finals" = 0 ] && [ "$partials" = 0 ] && [ "$recorded" = 0 ] && [ ! -e "$2/migration/batches.json" ]; then
    ok "$1: no file under a final name, no .partial, nothing recorded"
  else
    fail "$1: $finals final file(s), $partials .partial file(s), $recorded journal record(s) of the failed segment"
  fi
}

completes() {  # label output-dir
  local status=0
  "$bin" dump -c "$d/migration.yaml" >"$d/rerun.out" 2>"$d/rerun.err" || status=$?
  /usr/bin/python3 "$src/tests/lib/npy_liveset.py" "$2/migration" >"$d/dumped.tsv" 2>/dev/null || true
  if [ "$status" -eq 0 ] && cmp -s "$work/fx/expected/liveset.tsv" "$d/dumped.tsv"; then
    ok "$1: the re-run completes with exactly the live set ($(wc -l <"$d/dumped.tsv") rows)"
  else
    fail "$1: re-run exit $status"; cat "$d/rerun.err"
  fi
}

# ---- ENOSPC on a 1 MiB tmpfs ------------------------------------------------------------
mkdir -p "$mnt"
if mount -t tmpfs -o size=1m,mode=0755 tmpfs "$mnt" 2>"$work/mount.err"; then
  mounted=1
  job full "$mnt"
  # 1020 KiB: manifest.json, written before any batch, takes a page.
  mm_expect_exit "disk full" 1 \
    "milvus-migrate dump: dump collection 'wide' segment 1650000000000000000: write $mnt/migration/tables/wide/1650000000000000000/data.npy.partial: No space left on device; the rest of the dump needs about 2.5 MiB in $mnt/migration, which has 1020.0 KiB free: free space there or set target.local.outputDir to a larger disk, then re-run dump: completed batches are kept" \
    "$bin" dump -c "$d/migration.yaml"
  clean_failure "disk full" "$mnt"
  mount -o remount,size=8m "$mnt"
  completes "disk full, then room made" "$mnt"

  # state.dir full: the journal cannot be written; the message says which
  # disk and what to do, and nothing is dumped.
  state_mnt=$work/state-mnt
  mkdir -p "$state_mnt"
  mount -t tmpfs -o size=2m,mode=0755 tmpfs "$state_mnt"
  dd if=/dev/zero of="$state_mnt/fill" bs=4k 2>/dev/null || true
  job journal_full "$work/journal_full"
  sed -i "s|^state: .*|state: {dir: $state_mnt}|" "$d/migration.yaml"
  mm_expect_exit "journal disk full" 1 \
    "milvus-migrate dump: journal $state_mnt/journal.sqlite: database or disk is full; the disk holding the journal is full: free space there or set state.dir to a larger disk, then run the command again (completed work is kept)" \
    "$bin" dump -c "$d/migration.yaml"
  [ -z "$(find "$work/journal_full" -name '*.npy' 2>/dev/null)" ] && ok "journal disk full: nothing dumped" \
    || fail "journal disk full: files were dumped"
  rm -f "$state_mnt/fill"
  completes "journal disk full, then room made" "$work/journal_full"
  umount "$state_mnt"
else
  mm_skip "ENOSPC and journal-full cases: cannot mount a tmpfs (needs root or unprivileged user namespaces): $(cat "$work/mount.err")"
fi

# ---- EFBIG under ulimit -f (SIGXFSZ ignored, so the write itself fails) --------------
job limited "$work/limited"
mm_expect_exit "file size limit" 1 \
  "milvus-migrate dump: dump collection 'wide' segment 1650000000000000000: copy $work/fx/milvus/db/tables/wide/1650000000000000000/1650000000000000000.rv into $work/limited/migration/tables/wide/1650000000000000000/data.npy.partial: copy_file_range stopped part way: File too large (the file size limit, ulimit -f or the file system's largest file, is below the 2.4 MiB this batch needs); raise it or lower dumper.maxFileSize, then re-run dump: completed batches are kept" \
  bash -c 'ulimit -f 1000; trap "" XFSZ; exec "$@"' limit "$bin" dump -c "$d/migration.yaml"
clean_failure "file size limit" "$work/limited"
completes "file size limit lifted" "$work/limited"

# The same through the read/write path (no copy offload).
job limited_rw "$work/limited_rw"
mm_expect_exit "file size limit, read/write path" 1 \
  "milvus-migrate dump: dump collection 'wide' segment 1650000000000000000: write $work/limited_rw/migration/tables/wide/1650000000000000000/data.npy.partial: File too large (the file size limit, ulimit -f or the file system's largest file, is below the 2.4 MiB this batch needs); raise it or lower dumper.maxFileSize, then re-run dump: completed batches are kept" \
  env MM_DUMP_NO_OFFLOAD=1 bash -c 'ulimit -f 1000; trap "" XFSZ; exec "$@"' limit "$bin" dump -c "$d/migration.yaml"
clean_failure "file size limit, read/write path" "$work/limited_rw"
completes "file size limit lifted, read/write path" "$work/limited_rw"

[ "$(mm_tree_digest "$work/fx/milvus")" = "$before" ] && ok "the 1.x files are untouched (content, size, mode, mtime)" \
  || fail "the 1.x files changed"
finish faults_disk
