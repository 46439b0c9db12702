#!/usr/bin/env bash
# The demo on a real terminal: tmux runs `milvus-migrate demo` in a detached
# session (a private server socket); it generates a sample 1.x install,
# starts the Milvus 2.x emulator and opens the wizard. Real keys walk Source
# -> Preview -> Config -> Target -> Plan -> Run -> Verify, the Verify screen
# must show matching counts for every partition, line for line, and quitting
# must stop the emulator and remove the demo's directory. The window is
# resized while the run goes on; NO_COLOR=1 sends no colour escape; TERM=dumb
# is refused with the reason. Every wait polls
# the screen until a deadline, so a slow machine only makes it slower.
set -uo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
command -v tmux >/dev/null || { echo "FAIL tmux is not installed (scripts/install-deps.sh installs it)"; exit 1; }
work=$(mktemp -d /tmp/mm-tmux.XXXXXX)
sock=$work/sock
cleanup() { tmux -S "$sock" kill-server 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }

export LC_ALL=C.UTF-8 TZ=UTC HOME=$work
unset NO_COLOR LINES COLUMNS MM_THEMES_DIR TMUX
# The search for installations looks in a private place, not on this host.
export MM_INSTALL_SEARCH_PATH=$work/no-install-here
cd "$work" || exit 1

tm() { tmux -S "$sock" "$@"; }
screen() { tm capture-pane -p -t wiz 2>/dev/null; }
# wait_for TEXT SECONDS: polls the screen until it shows TEXT.
wait_for() {
  local deadline=$((SECONDS + $2))
  while [ "$SECONDS" -le "$deadline" ]; do
    screen | grep -qF -- "$1" && return 0
    sleep 0.1
  done
  fail "the screen did not show '$1' within $2 s; it shows:"
  screen
  return 1
}
keys() { tm send-keys -t wiz "$@"; }
step() {  # step KEY TEXT SECONDS LABEL
  keys "$1"
  wait_for "$2" "$3" && ok "$4"
}

# remain-on-exit keeps the pane after the demo ends, to read what it printed.
tm -f /dev/null new-session -d -s wiz -x 100 -y 30 \
  "env TERM=screen-256color TMPDIR='$work' '$bin' demo 2>'$work/stderr'; echo \$? >'$work/rc'; sleep 60"
wait_for "Where is the Milvus 1.x installation?" 30 && ok "the demo opens the wizard on a terminal" || exit 1
demo_dir=$(ls -d "$work"/milvus-migrate-demo.* 2>/dev/null)
[ -d "$demo_dir/milvus-1.x" ] && ok "the sample installation is in $demo_dir" || fail "no demo directory in $work"
# The banner printed before the wizard opened is behind its screen: the
# Source screen says where the demo's files and emulator are.
screen | tr -s ' \n' ' ' | grep -qF "Demo: sample 1.x installation, staging and journal in $demo_dir; Milvus 2.x emulator" \
  && ok "the Source screen shows the demo's banner" || { fail "no demo banner on the Source screen"; screen; }
step t "Source connected: Tab shows the Preview" 20 "Source: test connection"
step Tab "Migrating all 2 collection(s)." 10 "Preview"
step Tab "dumper.worker.workMode:" 10 "Config"
keys Tab
wait_for "Press t to test" 10 && step t "Target test passed" 20 "Target: staging and Milvus 2.x"
step Tab "Total: 2 collection(s), 4 partition(s), 6 batch(es), 2,913 rows, 1.1 MiB staged." 10 "Plan"
keys Tab
# The window shrinks to 80x24 while the run goes on: the screen is laid
# out again at the new size (no line wider than the pane, the progress
# still drawn), then grows back.
wait_for "Enter dumps the live 1.x rows" 10 && keys Enter
tm resize-window -t wiz -x 80 -y 24
wait_for "Migrated and verified: all counts match" 60 && ok "Run: dump and load, resized to 80x24 while it ran"
size=$(tm display -p -t wiz '#{pane_width}x#{pane_height}')
[ "$size" = 80x24 ] && ok "the pane is 80x24" || fail "the pane is $size, expected 80x24"
wide=$(screen | awk 'length($0) > 80' | wc -l)
[ "$wide" = 0 ] && ok "no line wider than 80 columns after the resize" || fail "$wide line(s) wider than 80 columns"
screen | grep -qE '^ Load +\[' && ok "the Load progress is drawn at 80x24" || { fail "no Load progress at 80x24"; screen; }
tm resize-window -t wiz -x 100 -y 30
wait_for " 1 Source  2 Preview  3 Config  4 Target  5 Plan [6 Run] 7 Verify" 10 && ok "laid out again at 100x30"
step Tab "All counts and sampled rows match." 10 "Verify"

screen >verify.txt
# The demo loads its collections for the content sample: every partition is
# read back, the large one up to verify.sample (1000) rows.
while IFS= read -r line; do
  grep -qxF -- "$line" verify.txt && ok "verify line: $(echo "$line" | tr -s ' ')" || fail "missing verify line: '$line'"
done <<'LINES'
 1.X COLLECTION / PA… 2.X NAME             1.X LIVE   STAGED IMPORTED   MILVUS CONTENT      STATUS
>fingerprints         fingerprints              810      810      810      810 OK           OK
   (default)            _default                810      810      810      810 810/810 OK   OK
 images               images                   2103     2103     2103     2103 OK           OK
   (default)            _default               1440     1440     1440     1440 1000/1000 OK OK
   2024-Q1              _2024_Q1                375      375      375      375 375/375 OK   OK
   café                 cafe                    288      288      288      288 288/288 OK   OK
LINES
grep -q "MISMATCH" verify.txt && fail "the verify screen shows a MISMATCH"

keys q
deadline=$((SECONDS + 20))
while [ ! -s "$work/rc" ] && [ "$SECONDS" -le "$deadline" ]; do sleep 0.1; done
rc=$(cat "$work/rc" 2>/dev/null)
[ "$rc" = 0 ] && ok "q quits the demo with status 0" || { fail "exit status '$rc' after q: $(cat "$work/stderr")"; screen; }
# Long paths wrap in the pane: join the lines before reading them.
final=$(tm capture-pane -p -J -t wiz 2>/dev/null)
pid=$(sed -n 's/^Stopped the Milvus 2.x emulator (pid \([0-9]*\))\.$/\1/p' <<<"$final")
if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then ok "the emulator (pid $pid) is stopped"
else fail "emulator not reported stopped, or still running: '$pid'"; echo "$final"; fi
grep -qxF "Removed $demo_dir" <<<"$final" && [ ! -e "$demo_dir" ] && ok "the demo directory is removed" \
  || { fail "demo directory left behind: $demo_dir"; echo "$final"; }

# NO_COLOR=1: not one colour escape reaches the terminal (attributes such
# as reverse video stay); TERM=dumb, which cannot address the cursor, is
# refused with the reason instead of a blank screen.
tm new-session -d -s nocolor -x 100 -y 30 \
  "env NO_COLOR=1 TERM=screen-256color '$bin' wizard 2>'$work/nocolor.err'; echo \$? >'$work/rc-nocolor'; sleep 30"
deadline=$((SECONDS + 15))
until tm capture-pane -p -t nocolor 2>/dev/null | grep -qF "Where is the Milvus 1.x installation?" || [ "$SECONDS" -gt "$deadline" ]; do sleep 0.1; done
tm capture-pane -e -p -t nocolor >nocolor.txt
/usr/bin/python3 - nocolor.txt <<'PY' && ok "NO_COLOR: no colour escape on the first screen" || fail "NO_COLOR: colour escapes on screen"
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
seen = 0
for m in re.finditer(r"\x1b\[([0-9;:]*)m", text):
    seen += 1
    params = [p for p in re.split(r"[;:]", m.group(1)) if p]
    # 39 and 49 select the terminal's own colours: tmux writes them when it resets.
    if any((30 <= int(p) <= 49 and int(p) not in (39, 49)) or 90 <= int(p) <= 107 for p in params):
        print("colour escape:", repr(m.group(0)))
        sys.exit(1)
if "Where is the Milvus 1.x installation?" not in text:
    print("the first screen is not drawn"); sys.exit(1)
PY
tm send-keys -t nocolor q
deadline=$((SECONDS + 15))
while [ ! -s "$work/rc-nocolor" ] && [ "$SECONDS" -le "$deadline" ]; do sleep 0.1; done
[ "$(cat "$work/rc-nocolor" 2>/dev/null)" = 0 ] && ok "NO_COLOR wizard quits with q" || fail "NO_COLOR wizard: '$(cat "$work/rc-nocolor" 2>/dev/null)'"
tm new-session -d -s dumb -x 100 -y 30 "env TERM=dumb '$bin' wizard 2>'$work/dumb.err'; echo \$? >'$work/rc-dumb'"
deadline=$((SECONDS + 15))
while [ ! -s "$work/rc-dumb" ] && [ "$SECONDS" -le "$deadline" ]; do sleep 0.1; done
[ "$(cat "$work/rc-dumb" 2>/dev/null)" = 2 ] && grep -qF "terminal type 'dumb' cannot move the cursor" "$work/dumb.err" \
  && ok "TERM=dumb is refused with the reason" || fail "TERM=dumb: exit '$(cat "$work/rc-dumb" 2>/dev/null)': $(cat "$work/dumb.err")"

# No command on a terminal opens the wizard.
tm new-session -d -s bare -x 100 -y 30 "env TERM=screen-256color '$bin'; echo \$? >'$work/rc-bare'"
deadline=$((SECONDS + 15))
until tm capture-pane -p -t bare 2>/dev/null | grep -qF "Where is the Milvus 1.x installation?" || [ "$SECONDS" -gt "$deadline" ]; do sleep 0.1; done
tm send-keys -t bare q
deadline=$((SECONDS + 15))
while [ ! -s "$work/rc-bare" ] && [ "$SECONDS" -le "$deadline" ]; do sleep 0.1; done
[ "$(cat "$work/rc-bare" 2>/dev/null)" = 0 ] && ok "no command on a terminal opens the wizard" || fail "bare milvus-migrate: '$(cat "$work/rc-bare" 2>/dev/null)'"

[ "$failures" -eq 0 ] && echo "$0: all passed"
[ "$failures" -eq 0 ]
