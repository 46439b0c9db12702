#!/usr/bin/env bash
# `dump` exits 0 only when every batch it reports complete is where it was
# staged. The staging directory is removed while a dump runs: the dump is
# held at its last progress line (stderr is a pipe filled beforehand, so
# that write blocks) once the journal holds every batch, the directory is
# removed, and the dump is let go. It must exit 1 naming the first missing
# batch; load then refuses before creating anything in Milvus; a dump re-run
# writes everything again and the run ends with exactly the live ids.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
source "$src/tests/lib/emulator.sh"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-integrity-dump.XXXXXX")
pid=
drain=
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  [ -n "$drain" ] && kill "$drain" 2>/dev/null
  mm_emulator_stop
  rm -rf "$work"
}
trap cleanup EXIT

mm_emulator_start "$work/emu" --generation 2.5 --storage-dir "$work"
d=$work/job
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/special/stale.json" "$d/fx" >/dev/null
mm_write_job_config "$d" "$d/fx" "mode: local" "local: {outputDir: $d/out}" \
  "milvus2x: {endpoint: '127.0.0.1:$MM_EMU_PORT', retries: 1}"
batches=9

# A pipe with no room left: the dump's first line on stderr (the progress
# line of its last segment; this install gives no warning) blocks.
fifo=$work/stderr.fifo
mkfifo "$fifo"
exec 3<>"$fifo"
/usr/bin/python3 - "$fifo" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
for size in (4096, 1):
    try:
        while True:
            os.write(fd, b"#" * size)
    except BlockingIOError:
        pass
PY
"$bin" dump -c "$d/migration.yaml" >"$d/dump.out" 2>"$fifo" 3>&- &
pid=$!
recorded=0
for _ in $(seq 1 300); do
  recorded=$(sqlite3 "file:$d/state/journal.sqlite?mode=ro" "SELECT count(*) FROM batch" 2>/dev/null || echo 0)
  [ "$recorded" = "$batches" ] && break
  sleep 0.1
done
if [ "$recorded" != "$batches" ]; then
  fail "the dump did not record its $batches batches while held ($recorded recorded)"
  finish integrity_dump_check
  exit 1
fi
rm -rf "$d/out/migration"
# The reader opens the pipe before the shell lets go of it: a pipe without
# a reader would kill the dump with SIGPIPE instead.
exec 4<"$fifo"
cat <&4 >"$d/dump.err" 3>&- 4>&- &
drain=$!
exec 3>&- 4<&-
status=0
wait "$pid" || status=$?
pid=
wait "$drain" || true
drain=
got=$(tr -d '#' <"$d/dump.err" | grep -v '^dump: [0-9]*/[0-9]* segments' || true)
want="milvus-migrate dump: $batches batch(es) the dump wrote or found complete are not where they were staged; the first: batch 1680000000000001000/0 of collection 'c_float' (partition '_default'): staged file $d/out/migration/tables/c_float/1680000000000001000/id.npy is missing. The staging area changed while the dump ran (removed, or written by another run at the same time); run dump again: it writes what is missing"
if [ "$status" -eq 1 ] && [ "$got" = "$want" ] && [ ! -s "$d/dump.out" ]; then
  ok "staging directory removed during the dump: exit 1, naming the first missing batch"
else
  fail "removed during the dump: exit $status"; echo "  got:      $got"; echo "  expected: $want"; cat "$d/dump.out"
fi

# load refuses before it creates anything.
mm_expect_exit "load after the failed dump creates nothing" 2 \
  "milvus-migrate load: staging directory $d/out/migration does not exist; run \`milvus-migrate dump\` first" \
  "$bin" load -c "$d/migration.yaml"
[ "$(mm_emulator_state | /usr/bin/python3 -c 'import json, sys; print(len(json.load(sys.stdin)["collections"]))')" = 0 ] \
  && ok "load after the failed dump: Milvus holds no collection" || fail "load created collections"

"$bin" dump -c "$d/migration.yaml" >"$d/dump2.out" 2>/dev/null || fail "second dump"
grep -q "^dumped 7068 rows in $batches new batch(es) (.*) to .*; 0 batch(es) were already complete$" "$d/dump2.out" \
  && ok "the dump re-run writes all $batches batches again" || { fail "second dump summary"; cat "$d/dump2.out"; }
"$bin" run -c "$d/migration.yaml" --report "$d/report" >"$d/run.out" 2>&1 || { fail "run"; cat "$d/run.out"; }
[ "$(mm_emulator_calls Import)" = "$batches" ] && ok "$batches batches, $batches Imports" \
  || fail "$(mm_emulator_calls Import) Imports for $batches batches"
mm_check_emulator_ids "after the re-run" "$d/fx/expected/liveset.tsv" "$d/report.json"

finish integrity_dump_check
