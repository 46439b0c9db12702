#!/usr/bin/env bash
# `milvus-migrate demo`: the headless demo migrates the generated sample into
# the real emulator with the exact verification table (every partition's
# content sampled and read back: the collections are loaded for it, then
# released and their indexes dropped), on every server generation it plays
# (2.3, 2.5, 2.6 and 3.0); it leaves no process and (without --keep) no
# directory behind, also when SIGTERM arrives in the middle of the load or
# while the emulator starts (a stand-in that ignores SIGTERM and has a child
# of its own checks the process-group kill); missing prerequisites and usage
# mistakes
# end with the exact message and exit status.
set -uo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-demo.XXXXXX")
demo_pid=
cleanup() {
  [ -n "$demo_pid" ] && kill -9 "$demo_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
unset MM_EMULATOR_DIR

# A process that still exists (a zombie nobody reaps does not count).
alive() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ $st != Z* ]]
}
# tmp dir of a case: must be empty once the demo has ended.
check_removed() {  # label tmpdir
  if [ -z "$(ls -A "$2")" ]; then ok "$1: temporary directory removed"; else fail "$1: left $(ls -A "$2")"; fi
}
# The demo's own directory and the emulator's pid and port, from its stdout.
parse_stdout() {  # file
  demo_dir=$(sed -n 's/^Configuration: \(.*\)\/migration.yaml$/\1/p' "$1")
  emu_pid=$(sed -n 's/^Milvus 2.x emulator .*, pid \([0-9]*\), log .*/\1/p' "$1")
  emu_port=$(sed -n 's/^Milvus 2.x emulator .*: 127.0.0.1:\([0-9]*\), pid .*/\1/p' "$1")
}
normalise() {  # file -> stdout with DIR, PORT and PID in place of the run's values
  sed "s#$demo_dir#DIR#g; s/127.0.0.1:$emu_port/127.0.0.1:PORT/g; s/pid $emu_pid\b/pid PID/" "$1" |
    grep -v '^dumped \|^loaded '
}

expected_stdout() {  # generation server-version tail-line
  cat <<TXT
Sample Milvus 1.1.1 installation: DIR/milvus-1.x (2 collections, 2 partitions, 6 segments; 2913 live rows, 137 deleted)
Milvus 2.x emulator (generation $1): 127.0.0.1:PORT, pid PID, log DIR/emulator.log
Configuration: DIR/migration.yaml
Verification against 127.0.0.1:PORT (Milvus $2)

COLLECTION               1.X PARTITION  2.X PARTITION                1.X LIVE       STAGED     IMPORTED       MILVUS  SAMPLED  CONTENT           STATUS
fingerprints             (default)      fingerprints._default             810          810          810          810      810  810/810 OK        OK
images                   (default)      images._default                  1440         1440         1440         1440     1000  1000/1000 OK      OK
images                   2024-Q1        images._2024_Q1                   375          375          375          375      375  375/375 OK        OK
images                   café           images.cafe                       288          288          288          288      288  288/288 OK        OK

collection fingerprints: expected 810, Milvus 810: OK
collection images: expected 2103, Milvus 2103: OK

Content sample (up to 1000 row(s) per partition, seed 1): 2473 row(s) of 4 partition(s) read back from Milvus, all identical to the 1.x files.

2 name(s) rewritten for Milvus 2.x, 2 warning(s) about the 1.x source (0 row(s) of its meta not migrated): listed in the report

All counts match.
report: DIR/state/report.json, DIR/state/report.md
Stopped the Milvus 2.x emulator (pid PID).
$3
TXT
}

# ---- the headless demo, generation 2.5, nothing kept ---------------------------
t=$work/tmp-plain
mkdir -p "$t"
status=0
TMPDIR=$t "$bin" demo --headless >"$work/plain.out" 2>"$work/plain.err" || status=$?
parse_stdout "$work/plain.out"
[ "$status" -eq 0 ] && ok "demo --headless exits 0" || { fail "demo --headless exit $status"; cat "$work/plain.err"; }
expected_stdout 2.5 v2.5.4 "Removed DIR" >"$work/plain.want"
normalise "$work/plain.out" >"$work/plain.got"
diff -u "$work/plain.want" "$work/plain.got" && ok "demo --headless: exact output and verification table" ||
  fail "demo --headless output differs"
grep -q "^dumped 2913 rows in 6 new batch(es) " "$work/plain.out" && grep -q "^loaded 2913 rows in 6 batch(es) " "$work/plain.out" &&
  ok "demo --headless: 2913 rows dumped and loaded in 6 batches" || fail "demo --headless: dump/load summary"
[ -n "$emu_pid" ] && ! alive "$emu_pid" && ok "demo --headless: emulator pid $emu_pid is gone" ||
  fail "demo --headless: emulator pid '$emu_pid' still runs"
check_removed "demo --headless" "$t"

# ---- the newest generations: 2.6 and 3.0 ----------------------------------------
for played in 2.6:v2.6.22 3.0:v3.0.0; do
  gen=${played%%:*} version=${played#*:}
  t=$work/tmp-$gen
  mkdir -p "$t"
  status=0
  TMPDIR=$t "$bin" demo --headless --generation "$gen" >"$work/$gen.out" 2>"$work/$gen.err" || status=$?
  parse_stdout "$work/$gen.out"
  [ "$status" -eq 0 ] && ok "demo --headless --generation $gen exits 0" || { fail "demo --generation $gen exit $status"; cat "$work/$gen.err"; }
  expected_stdout "$gen" "$version" "Removed DIR" >"$work/$gen.want"
  normalise "$work/$gen.out" >"$work/$gen.got"
  diff -u "$work/$gen.want" "$work/$gen.got" && ok "demo --generation $gen: all counts match against Milvus $version" ||
    fail "demo --generation $gen output differs"
  check_removed "demo --generation $gen" "$t"
done

# ---- --keep --generation 2.3 ------------------------------------------------------
t=$work/tmp-keep
mkdir -p "$t"
status=0
TMPDIR=$t "$bin" demo --headless --keep --generation 2.3 >"$work/keep.out" 2>"$work/keep.err" || status=$?
parse_stdout "$work/keep.out"
[ "$status" -eq 0 ] && ok "demo --keep --generation 2.3 exits 0" || { fail "demo --keep exit $status"; cat "$work/keep.err"; }
expected_stdout 2.3 v2.3.21 "Kept DIR (remove it with: rm -rf DIR)" >"$work/keep.want"
normalise "$work/keep.out" >"$work/keep.got"
diff -u "$work/keep.want" "$work/keep.got" && ok "demo --keep: exact output on 2.3" || fail "demo --keep output differs"
[ -n "$emu_pid" ] && ! alive "$emu_pid" && ok "demo --keep: emulator pid $emu_pid is gone" ||
  fail "demo --keep: emulator pid '$emu_pid' still runs"
[ "$(ls -A "$t")" = "$(basename "$demo_dir")" ] && [ -d "$demo_dir" ] && ok "demo --keep: directory kept" ||
  fail "demo --keep: $t holds '$(ls -A "$t")'"
# The emulator's log: each collection loaded for the sample once, its rows
# read back, then released and the index made for it dropped.
for c in fingerprints images; do
  [ "$(grep -c " LoadCollection $c -> ok$" "$demo_dir/emulator.log")" = 1 ] &&
    grep -q " Query $c -> ok$" "$demo_dir/emulator.log" &&
    [ "$(grep -c " ReleaseCollection $c -> ok$" "$demo_dir/emulator.log")" = 1 ] &&
    [ "$(grep -c " DropIndex $c -> ok$" "$demo_dir/emulator.log")" = 1 ] &&
    ok "demo --keep: $c loaded once for the sample, queried, released, its index dropped" ||
    { fail "demo --keep: $c load/query/release in the emulator's log"; grep " $c " "$demo_dir/emulator.log" | tail -20; }
done
ready_pid=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["pid"])' "$demo_dir/emulator.ready" 2>/dev/null)
[ "$ready_pid" = "$emu_pid" ] && ok "demo --keep: the emulator's ready file names pid $emu_pid" ||
  fail "demo --keep: ready file pid '$ready_pid', stdout pid '$emu_pid'"
[ "$(stat -c %a "$demo_dir/migration.yaml")" = 600 ] && ok "demo --keep: migration.yaml is 0600" ||
  fail "demo --keep: migration.yaml mode $(stat -c %a "$demo_dir/migration.yaml")"
cat >"$work/yaml.want" <<YAML
# milvus-migrate configuration; the keys are described in migration.yaml(5).
dumper:
  worker:
    workMode: milvus1x
loader:
  pollIntervalSeconds: 1
meta:
  mode: sqlite
  sqliteFile: "DIR/milvus-1.x/db/meta.sqlite"
source:
  mode: local
  local:
    tablesDir: "DIR/milvus-1.x/db/tables"
    walDir: "DIR/milvus-1.x/wal"
target:
  mode: local
  local:
    outputDir: "DIR/milvus-2.x/staging"
  milvus2x:
    endpoint: "127.0.0.1:PORT"
verify:
  statsTimeoutSeconds: 10
  loadForSample: true
state:
  dir: "DIR/state"
YAML
normalise "$demo_dir/migration.yaml" | diff -u "$work/yaml.want" - && ok "demo --keep: the migration.yaml it wrote" ||
  fail "demo --keep: migration.yaml differs"
# The kept sample is a 1.x installation inspect reads from its data directory.
"$bin" inspect "$demo_dir/milvus-1.x" --json >"$work/inspect.json" 2>"$work/inspect.err" &&
  [ "$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["totals"]["live"])' "$work/inspect.json" 2>/dev/null)" = 2913 ] &&
  ok "demo --keep: inspect finds 2913 live rows in the kept sample" || { fail "demo --keep: inspect"; head -c 600 "$work/inspect.json"; cat "$work/inspect.err"; }
rm -rf "$demo_dir"

# ---- SIGTERM in the middle of the load ----------------------------------------------
t=$work/tmp-term
mkdir -p "$t"
TMPDIR=$t "$bin" demo --headless >"$work/term.out" 2>"$work/term.err" &
demo_pid=$!
ready=
for _ in $(seq 1 300); do
  ready=$(ls "$t"/milvus-migrate-demo.*/emulator.ready 2>/dev/null) && break
  sleep 0.05
done
control=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["controlPort"])' "$ready" 2>/dev/null)
# Once the staging probe's scratch collection is dropped again (run's
# pre-flight, before the dump), import tasks take a minute per state (steps
# already scheduled included): the load is still waiting when SIGTERM comes.
probed() { curl -s "http://127.0.0.1:$control/calls?by=collection" | /usr/bin/python3 -c '
import json, sys
drops = json.load(sys.stdin).get("DropCollection", {})
print(sum(n for c, n in drops.items() if c.startswith("milvus_migrate_probe_")))' 2>/dev/null || echo 0; }
for _ in $(seq 1 300); do [ "$(probed)" -ge 1 ] && break; sleep 0.05; done
curl -sS -X POST -H 'content-type: application/json' --data '{"stepMs": 60000}' \
  "http://127.0.0.1:$control/faults" >/dev/null || fail "SIGTERM: cannot slow the emulator down"
# The load is under way once it created the collections and sent an Import
# (whose task then waits a minute): only then is SIGTERM sent.
imports() { curl -s "http://127.0.0.1:$control/calls" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin).get("Import", 0))' 2>/dev/null || echo 0; }
loading=0
for _ in $(seq 1 300); do
  if grep -q "^load: created collection images" "$work/term.err" && [ "$(imports)" -ge 1 ]; then loading=1; break; fi
  sleep 0.05
done
if [ "$loading" = 1 ] && alive "$demo_pid"; then
  kill -TERM "$demo_pid"
  status=0
  wait "$demo_pid" || status=$?
  demo_pid=
  parse_stdout "$work/term.out"
  last=$(tail -1 "$work/term.err")
  [ "$status" -eq 1 ] && [[ $last == "milvus-migrate demo: "* ]] && ok "SIGTERM during the load: exit 1 ($last)" ||
    { fail "SIGTERM during the load: exit $status"; cat "$work/term.err"; }
  ! grep -q "^All counts match" "$work/term.out" && tail -2 "$work/term.out" | head -1 | grep -q "^Stopped the Milvus 2.x emulator (pid $emu_pid).$" &&
    ok "SIGTERM during the load: stopped before verifying, emulator stopped" || { fail "SIGTERM: stdout"; cat "$work/term.out"; }
  [ -n "$emu_pid" ] && ! alive "$emu_pid" && ok "SIGTERM during the load: emulator pid $emu_pid is gone" ||
    fail "SIGTERM during the load: emulator pid '$emu_pid' still runs"
  check_removed "SIGTERM during the load" "$t"
else
  fail "SIGTERM: the load was never seen under way (collections created, an Import sent), so SIGTERM was not sent during it"
  cat "$work/term.out" "$work/term.err"
fi

# ---- stand-in emulators: startup failures and the process-group kill --------------
fake_emulator() {  # dir script
  mkdir -p "$1/node_modules/@zilliz/milvus2-sdk-node"
  echo '{}' >"$1/node_modules/@zilliz/milvus2-sdk-node/package.json"
  printf '%s\n' "$2" >"$1/emulator.js"
}
fake_emulator "$work/fake-hang" "
const fs = require('node:fs');
const { spawn } = require('node:child_process');
process.on('SIGTERM', () => {});
const child = spawn('sleep', ['300'], { stdio: 'ignore' });
fs.writeFileSync(process.env.FAKE_PIDS, process.pid + ' ' + child.pid + '\n');
setInterval(() => {}, 1000);"
fake_emulator "$work/fake-exit" "
process.stderr.write('emulator: cannot listen on 127.0.0.1:0: no free port\n');
process.exit(2);"

t=$work/tmp-hang
mkdir -p "$t"
TMPDIR=$t MM_EMULATOR_DIR=$work/fake-hang FAKE_PIDS=$work/fake.pids "$bin" demo --headless >"$work/hang.out" 2>"$work/hang.err" &
demo_pid=$!
for _ in $(seq 1 300); do [ -s "$work/fake.pids" ] && break; sleep 0.05; done
read -r fake_pid grandchild_pid <"$work/fake.pids"
kill -TERM "$demo_pid"
status=0
wait "$demo_pid" || status=$?
demo_pid=
[ "$status" -eq 1 ] && [ "$(cat "$work/hang.err")" = "milvus-migrate demo: cancelled by SIGTERM while starting the Milvus 2.x emulator" ] &&
  ok "SIGTERM while the emulator starts: exit 1, exact message" || { fail "SIGTERM at startup: exit $status"; cat "$work/hang.err"; }
! alive "$fake_pid" && ! alive "$grandchild_pid" &&
  ok "an emulator ignoring SIGTERM is killed with its whole process group" ||
  fail "emulator $fake_pid or its child $grandchild_pid survived"
grep -q "^Stopped the Milvus 2.x emulator (pid $fake_pid).$" "$work/hang.out" && ok "SIGTERM at startup: stop reported" ||
  { fail "SIGTERM at startup: stdout"; cat "$work/hang.out"; }
check_removed "SIGTERM while the emulator starts" "$t"

t=$work/tmp-exit
mkdir -p "$t"
mm_expect_exit "an emulator that exits during startup" 1 \
  "milvus-migrate demo: start the Milvus 2.x emulator: it exited with status 2 during startup; its log ends with:
emulator: cannot listen on 127.0.0.1:0: no free port" env TMPDIR="$t" MM_EMULATOR_DIR="$work/fake-exit" "$bin" demo --headless
check_removed "an emulator that exits during startup" "$t"

# ---- prerequisites and usage ---------------------------------------------------------
t=$work/tmp-pre
mkdir -p "$t" "$work/no-emulator" "$work/no-packages"
echo "// stand-in" >"$work/no-packages/emulator.js"
mm_expect_exit "MM_EMULATOR_DIR without the emulator" 1 \
  "milvus-migrate demo: no Milvus 2.x emulator in $work/no-emulator (emulator.js is missing); set MM_EMULATOR_DIR to the tests/emulator directory of the milvus-migrate source tree" \
  env TMPDIR="$t" MM_EMULATOR_DIR="$work/no-emulator" "$bin" demo --headless
mm_expect_exit "the emulator's Node packages missing" 1 \
  "milvus-migrate demo: the Node packages of the Milvus 2.x emulator are not installed in $work/no-packages/node_modules; run 'bash scripts/install-deps.sh' in the milvus-migrate source tree" \
  env TMPDIR="$t" MM_EMULATOR_DIR="$work/no-packages" "$bin" demo --headless
# One of the packages the emulator's package.json depends on missing from
# an otherwise complete node_modules (the others linked to the real ones).
emu=$work/partial-packages
mkdir -p "$emu/node_modules"
cp "$src/tests/emulator/emulator.js" "$src/tests/emulator/package.json" "$emu/"
mapfile -t deps < <(/usr/bin/python3 -c 'import json, sys; print("\n".join(sorted(json.load(open(sys.argv[1]))["dependencies"])))' "$emu/package.json")
for dep in "${deps[@]:0:${#deps[@]}-1}"; do
  mkdir -p "$(dirname "$emu/node_modules/$dep")"
  ln -s "$src/tests/emulator/node_modules/$dep" "$emu/node_modules/$dep"
done
[ "${#deps[@]}" -ge 2 ] && [ -d "$src/tests/emulator/node_modules/${deps[-1]}" ] && [ ! -e "$emu/node_modules/${deps[-1]}" ] ||
  fail "the partial node_modules is not one package short of the emulator's"
mm_expect_exit "one of the emulator's Node packages (${deps[-1]}) missing" 1 \
  "milvus-migrate demo: the Node packages of the Milvus 2.x emulator are not installed in $emu/node_modules; run 'bash scripts/install-deps.sh' in the milvus-migrate source tree" \
  env TMPDIR="$t" MM_EMULATOR_DIR="$emu" "$bin" demo --headless
node_major=$(/usr/bin/python3 -c 'import json, re, sys; print(re.match(r">= *(\d+)", json.load(open(sys.argv[1]))["engines"]["node"]).group(1))' "$src/tests/emulator/package.json")
mm_expect_exit "node not on PATH" 1 \
  "milvus-migrate demo: the Milvus 2.x emulator needs Node.js $node_major or later, but 'node' is not on PATH; run 'bash scripts/install-deps.sh' in the milvus-migrate source tree" \
  env TMPDIR="$t" PATH="$work/no-emulator" "$bin" demo --headless
# The emulator's package.json asks for a Node.js version; an older node is
# refused before anything starts (a stand-in that only answers --version).
mkdir -p "$work/old-node"
printf '#!/bin/sh\necho v%s.1.0\n' "$((node_major - 1))" >"$work/old-node/node"
chmod +x "$work/old-node/node"
mm_expect_exit "a Node.js older than the emulator asks for" 1 \
  "milvus-migrate demo: the Milvus 2.x emulator needs Node.js $node_major or later, but $work/old-node/node is v$((node_major - 1)).1.0; install Node.js $node_major or later (the nodejs package, or Node.js's own packages where the distribution's is older) so that 'node' is on PATH" \
  env TMPDIR="$t" PATH="$work/old-node:$PATH" "$bin" demo --headless
mm_expect_exit "no terminal without --headless" 2 \
  "milvus-migrate demo: the wizard needs a terminal (standard input and output are not both terminals); run 'milvus-migrate demo --headless' to migrate the sample without it" \
  env TMPDIR="$t" "$bin" demo </dev/null
mm_expect_exit "--generation 2.4" 2 "milvus-migrate demo: --generation expects 2.3, 2.5, 2.6 or 3.0, got '2.4'
Try 'milvus-migrate demo --help'." "$bin" demo --headless --generation 2.4
mm_expect_exit "an extra argument" 2 "milvus-migrate demo: unexpected argument 'now'
Try 'milvus-migrate demo --help'." "$bin" demo --headless now
check_removed "prerequisite and usage errors" "$t"

finish demo
