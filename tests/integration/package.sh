#!/usr/bin/env bash
# The Debian package as a customer host gets it. cpack builds it from
# build/release (no new build; it brings that one up to date) into a
# temporary directory as milvus-migrate_<version>_<arch>.deb; dpkg-deb -I
# shows the version the binary reports (<project
# version>+git<commits>.<revision>), Depends naming the package of every
# library the binary links, Recommends nodejs at the version the emulator's
# package.json asks for, the description; the package holds every Node
# package the emulator has here, the man pages, the completion, copyright
# and changelog, all owned by root; lintian reports no error. Extracted
# with dpkg -x into a temporary root, the program then runs with the
# source tree unreachable (a private mount namespace lays an empty tmpfs
# over the checkout, build directory included, and makes the extracted
# root read-only, as /usr is to a user): --version names the revision and
# the libraries with the versions pkg-config gives, man -l formats both
# pages without a warning, bash-completion loads its completion from the
# root and completes `milvus-migrate d<TAB>`, the wizard finds its themes,
# `demo --headless` ends with "All counts match", and without node on
# PATH, with a Node.js older than the emulator needs, or relocated without
# its data, the demo says what is missing. Nothing is installed into the
# system.
set -uo pipefail
src=${MM_SOURCE_DIR:?}
build=${MM_BUILD_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-package.XXXXXX")
trap 'rm -rf "$work"' EXIT

have_all=1
for tool in cpack:cmake dpkg-deb:dpkg dpkg-shlibdeps:dpkg-dev lintian:lintian man:man-db git:git; do
  mm_have_tool "${tool%%:*}" "${tool#*:}" || have_all=0
done
completion_lib=/usr/share/bash-completion/bash_completion
if [ ! -f "$completion_lib" ]; then
  if [ "${CI:-}" = true ]; then
    fail "$completion_lib is missing; scripts/install-deps.sh installs bash-completion, so CI must have it"
  else
    mm_skip "$completion_lib is missing (scripts/install-deps.sh installs bash-completion)"
  fi
  have_all=0
fi
[ "$have_all" = 1 ] || { finish package; exit; }

# ---- the package ------------------------------------------------------------------
# cpack first builds what is out of date in build/release (its preinstall
# step, which also records the revision anew), so the version is read after.
if ! cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1; then
  fail "cpack failed"
  tail -20 "$work/cpack.log"
  finish package
  exit
fi
project_version=$(sed -n 's/^project(milvus-migrate VERSION \([0-9.]*\) .*/\1/p' "$src/CMakeLists.txt")
want_version=$project_version+git$(git -C "$src" rev-list --count HEAD).$(git -C "$src" rev-parse --short=12 HEAD)
[ -n "$(git -C "$src" status --porcelain --untracked-files=no)" ] && want_version+=.dirty
version=$("$bin" --version | sed -n 's/^Package version: //p')
arch=$(dpkg --print-architecture)
[ "$version" = "$want_version" ] && ok "package version $version: project version, commits and revision of the checkout" ||
  fail "package version '$version', expected $want_version"
deb=$work/out/milvus-migrate_${version}_$arch.deb
debs=$(find "$work/out" -maxdepth 1 -name '*.deb' -printf '%f\n')
[ -f "$deb" ] && [ "$debs" = "$(basename "$deb")" ] && ok "cpack wrote exactly $(basename "$deb")" ||
  { fail "cpack wrote '$debs', expected $(basename "$deb")"; finish package; exit; }

field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = milvus-migrate ] && [ "$(field Version)" = "$version" ] && [ "$(field Architecture)" = "$arch" ] &&
  ok "dpkg-deb -I: Package, Version $version, Architecture $arch" ||
  fail "dpkg-deb -I: Package '$(field Package)', Version '$(field Version)', Architecture '$(field Architecture)'"
node_major=$(/usr/bin/python3 -c 'import json, re, sys; print(re.match(r">= *(\d+)", json.load(open(sys.argv[1]))["engines"]["node"]).group(1))' "$src/tests/emulator/package.json")
[ "$(field Recommends)" = "nodejs (>= $node_major)" ] && ok "Recommends: nodejs (>= $node_major), as the emulator's package.json asks" ||
  fail "Recommends '$(field Recommends)', expected 'nodejs (>= $node_major)'"
[ "$(field Description | head -1)" = "migrate a Milvus 0.9.x-1.x installation into Milvus 2.x" ] &&
  [ "$(field Description | wc -l)" -ge 5 ] && [ -n "$(field Maintainer)" ] && [ "$(field Section)" = database ] &&
  ok "Description (synopsis and extended text), Maintainer, Section" || { fail "description fields"; dpkg-deb -I "$deb"; }
# Depends: the package of each library the binary needs, found with dpkg -S
# independently of dpkg-shlibdeps.
depends=$(field Depends)
missing=
for soname in $(objdump -p "$bin" | awk '$1 == "NEEDED" { print $2 }'); do
  path=$(ldconfig -p | awk -v so="$soname" '$1 == so { print $NF; exit }')
  # dpkg knows a library by the path its package ships (/lib or /usr/lib).
  owner=
  for p in "$path" "$(readlink -f "$path")" "${path#/usr}" "/usr${path#/usr}"; do
    owner=$(dpkg -S "$p" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$owner" ] && break
  done
  [ -n "$owner" ] && [[ ", $depends," == *", $owner "* || ", $depends," == *", $owner,"* ]] || missing+=" $soname($owner)"
done
[ -z "$missing" ] && ok "Depends names the package of every library the binary links ($(grep -o ',' <<<"$depends" | wc -l) + 1 entries)" ||
  fail "Depends '$depends' lacks:$missing"

dpkg-deb -c "$deb" >"$work/contents"
not_root=$(awk '$2 != "root/root"' "$work/contents")
[ -z "$not_root" ] && ok "every entry is owned by root/root" || fail "entries not owned by root: $(head -3 <<<"$not_root")"
for f in usr/bin/milvus-migrate usr/share/man/man1/milvus-migrate.1.gz usr/share/man/man5/migration.yaml.5.gz \
         usr/share/bash-completion/completions/milvus-migrate usr/share/doc/milvus-migrate/copyright \
         usr/share/doc/milvus-migrate/changelog.gz usr/share/milvus-migrate/themes/default.theme \
         usr/share/milvus-migrate/emulator/emulator.js usr/share/milvus-migrate/emulator/package.json; do
  grep -q " \./$f$" "$work/contents" || fail "the package lacks /$f"
done
# The reference tool's name the migration guide uses: a link to the
# program, completed like it.
for f in usr/bin/milvus-migration usr/share/bash-completion/completions/milvus-migration; do
  grep -q "^l.* \./$f -> milvus-migrate$" "$work/contents" && ok "/$f: a link to milvus-migrate" ||
    fail "the package lacks the link /$f -> milvus-migrate"
done
# Every Node package the emulator has in this checkout is in the package.
lock=$src/tests/emulator/node_modules/.package-lock.json
node_missing=$(/usr/bin/python3 - "$lock" "$src/tests/emulator" "$work/contents" <<'PY'
import json, os, sys
lock, emu, contents = sys.argv[1:]
have = set(line.split()[-1] for line in open(contents))
for key in json.load(open(lock))["packages"]:
    if key.startswith("node_modules/") and os.path.isdir(os.path.join(emu, key)):
        if "./usr/share/milvus-migrate/emulator/%s/package.json" % key not in have:
            print(key)
PY
)
node_count=$(grep -c '/node_modules/[^/]*/package.json$\|/node_modules/@[^/]*/[^/]*/package.json$' "$work/contents")
[ -z "$node_missing" ] && [ "$node_count" -gt 10 ] && ok "all the emulator's Node packages are in it ($node_count package.json files)" ||
  fail "Node packages missing from the package: $node_missing"

lintian --tag-display-limit 0 "$deb" >"$work/lintian.out" 2>"$work/lintian.err"
lintian_status=$?
errors=$(grep -c '^E: ' "$work/lintian.out")
if [ "$lintian_status" -eq 0 ] && [ "$errors" -eq 0 ]; then
  ok "lintian: no errors ($(grep -c '^W: ' "$work/lintian.out") warning(s))"
else
  fail "lintian: exit $lintian_status, $errors error(s)"
  cat "$work/lintian.out" "$work/lintian.err" | head -20
fi

# The Node packages' scripts keep their executable bit, everything else of
# the emulator is 0644.
grep -q 'script-not-executable\|executable-not-elf-or-script' "$work/lintian.out" &&
  fail "lintian: $(grep -m1 'script-not-executable\|executable-not-elf-or-script' "$work/lintian.out")" ||
  ok "lintian: the emulator's scripts, and only they, are executable"

# ---- from the extracted package, the source tree out of reach -------------------------
root=$work/root
dpkg -x "$deb" "$root" || { fail "dpkg -x"; finish package; exit; }
strings -a "$root/usr/bin/milvus-migrate" | grep -qF "$src" && fail "the binary holds the source tree's path $src" ||
  ok "no path of the source tree in the binary"

# What the inside checks compare with, worked out while the tree is visible.
awk '/^set\(MM_LIBRARIES/ { on = 1; next } on { last = /\)$/; sub(/\)$/, ""); print; if (last) exit }' "$src/CMakeLists.txt" |
  while read -r _prefix module name; do
    printf '  %s\t%s\n' "${name//\"/}" "$(pkg-config --modversion "$module")"
  done >"$work/libraries.want"
{
  echo "milvus-migrate $project_version (git revision $("$bin" --version | sed -n 's/.*(git revision \(.*\))$/\1/p'))"
  echo "Package version: $version"
  echo "Built with:"
} >"$work/version.want"
ls "$src/themes" | sed -n 's/\.theme$//p' | LC_ALL=C sort | tr '\n' ' ' >"$work/themes.want"
"$bin" demo --help | sed -n 's/.*\[--generation \([^]]*\)\].*/\1/p' | tr '|' '\n' | LC_ALL=C sort | tr '\n' ' ' \
  >"$work/generations.want"
mkdir -p "$work/old-node" "$work/no-node" "$work/tmp" "$work/relocated/opt/mm/bin"
printf '#!/bin/sh\necho v%s.9.0\n' "$((node_major - 2))" >"$work/old-node/node"
chmod +x "$work/old-node/node"
cp "$root/usr/bin/milvus-migrate" "$work/relocated/opt/mm/bin/"

cat >"$work/inside.sh" <<'INSIDE'
# Runs with the source tree hidden; prints ok/FAIL lines.
set -uo pipefail
src=$1 work=$2 node_major=$3
root=$work/root
mm=$root/usr/bin/milvus-migrate
ok() { echo "ok   $*"; }
fail() { echo "FAIL: $*"; }
cd /
export TMPDIR=$work/tmp HOME=$work/tmp LC_ALL=C.UTF-8 TERM=xterm-256color
unset MM_EMULATOR_DIR MM_THEMES_DIR MM_SOURCE_DIR MM_BUILD_DIR MM_BIN MM_TOOLS
[ -z "$(ls -A "$src" 2>/dev/null)" ] && ok "the source tree $src is empty here" || echo "NOTE: the source tree is visible"
# The demo writes nothing where it is installed (a user cannot write /usr).
if [ -n "${MM_READ_ONLY_ROOT:-}" ]; then
  ! touch "$root/usr/share/milvus-migrate/emulator/probe" 2>/dev/null && ok "the extracted root is read-only here" ||
    fail "the extracted root is writable"
fi

"$mm" --version >"$work/version.got" 2>&1
{ cat "$work/version.want"; cat "$work/libraries.want"; } >"$work/version.all"
# The library lines: name, then its version after at least two spaces.
sed 's/^  \(.*[^ ]\)  *\([^ ][^ ]*\)$/  \1\t\2/' "$work/version.got" >"$work/version.norm"
if diff -u "$work/version.all" "$work/version.norm"; then
  ok "--version: revision, package version and the libraries at the versions pkg-config gives"
else
  fail "--version differs"
fi

for page in man1/milvus-migrate.1.gz:MILVUS-MIGRATE\(1\) man5/migration.yaml.5.gz:MIGRATION.YAML\(5\); do
  file=$root/usr/share/man/${page%%:*}
  MANWIDTH=80 MANROFFOPT=-ww man -l "$file" >"$work/man.out" 2>"$work/man.err"
  status=$?
  if [ "$status" -eq 0 ] && [ ! -s "$work/man.err" ] && head -1 "$work/man.out" | grep -qF "${page#*:}" && [ "$(wc -l <"$work/man.out")" -gt 50 ]; then
    ok "man -l ${page%%:*}: $(wc -l <"$work/man.out") lines, no warning"
  else
    fail "man -l ${page%%:*}: exit $status"
    head -5 "$work/man.err"
  fi
done

# Completion as bash-completion loads it for a command typed at a prompt:
# from <dir>/bash-completion/completions of XDG_DATA_DIRS.
cat >"$work/complete.sh" <<'BASH'
source /usr/share/bash-completion/bash_completion
XDG_DATA_DIRS=$1/usr/share
prog=$2
__load_completion "$prog" || { echo "no completion loaded"; exit 1; }
fn=$(complete -p "$prog" | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
shift 2
for line in "$@"; do
  read -ra COMP_WORDS <<<"$line"
  [[ $line == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) COMP_LINE=$line COMP_POINT=${#line} COMPREPLY=()
  "$fn" "$prog" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' '
  echo
done
BASH
mapfile -t got < <(bash "$work/complete.sh" "$root" milvus-migrate "milvus-migrate d" "milvus-migrate demo --g" \
  "milvus-migrate demo --generation " "milvus-migrate wizard --theme ")
alias_got=$(bash "$work/complete.sh" "$root" milvus-migration "milvus-migration d")
[ "$alias_got" = "demo dump " ] && ok "completion: milvus-migration d<TAB> -> demo dump" ||
  fail "completion of 'milvus-migration d': '$alias_got'"
[ "${got[0]:-}" = "demo dump " ] && ok "completion: milvus-migrate d<TAB> -> demo dump" ||
  fail "completion of 'milvus-migrate d': '${got[0]:-}'"
[ "${got[1]:-}" = "--generation " ] && [ "${got[2]:-}" = "$(cat "$work/generations.want")" ] && [ -n "${got[2]:-}" ] &&
  ok "completion: demo --g<TAB> -> --generation, then ${got[2]}" || fail "completion of demo options: '${got[1]:-}' '${got[2]:-}'"
[ "${got[3]:-}" = "$(cat "$work/themes.want")" ] && ok "completion: wizard --theme <TAB> -> ${got[3]}" ||
  fail "completion of --theme: '${got[3]:-}', themes: $(cat "$work/themes.want")"

printf 'snapshot source\n' >"$work/theme.script"
"$mm" wizard --theme dark --script "$work/theme.script" --snapshot-dir "$work/tmp" >/dev/null 2>"$work/theme.err" &&
  "$mm" wizard --theme nope --script "$work/theme.script" --snapshot-dir "$work/tmp" >/dev/null 2>"$work/nope.err"
[ ! -s "$work/theme.err" ] && grep -qF "(themes are $root/usr/share/milvus-migrate/themes/NAME.theme:" "$work/nope.err" &&
  ok "the wizard loads its themes from $root/usr/share/milvus-migrate/themes" ||
  { fail "themes"; cat "$work/theme.err" "$work/nope.err"; }

# The alias is the same program, finding the same data through its link.
"$root/usr/bin/milvus-migration" wizard --theme nope --script "$work/theme.script" --snapshot-dir "$work/tmp" \
  >/dev/null 2>"$work/nope.err"
grep -qF "(themes are $root/usr/share/milvus-migrate/themes/NAME.theme:" "$work/nope.err" &&
  cmp -s <("$root/usr/bin/milvus-migration" --version) "$work/version.got" &&
  ok "milvus-migration: the same --version, themes from $root/usr/share/milvus-migrate/themes" ||
  { fail "milvus-migration from the package"; cat "$work/nope.err"; }

"$mm" demo --headless >"$work/demo.out" 2>"$work/demo.err"
status=$?
if [ "$status" -eq 0 ] && grep -qx "All counts match." "$work/demo.out" && [ -z "$(ls -A "$work/tmp" | grep milvus-migrate-demo)" ]; then
  ok "demo --headless from the package: All counts match, its directory removed"
else
  fail "demo --headless: exit $status"
  tail -5 "$work/demo.out" "$work/demo.err"
fi

fix="install Node.js $node_major or later (the nodejs package, or Node.js's own packages where the distribution's is older) so that 'node' is on PATH"
env PATH="$work/no-node" "$mm" demo --headless >/dev/null 2>"$work/err"
status=$?
[ "$status" -eq 1 ] && [ "$(cat "$work/err")" = "milvus-migrate demo: the Milvus 2.x emulator needs Node.js $node_major or later, but 'node' is not on PATH; $fix" ] &&
  ok "demo without node: exit 1 and what to install" || fail "demo without node: exit $status: $(cat "$work/err")"
old=$(PATH=$work/old-node node --version)
env PATH="$work/old-node:/usr/bin:/bin" "$mm" demo --headless >/dev/null 2>"$work/err"
status=$?
[ "$status" -eq 1 ] && [ "$(cat "$work/err")" = "milvus-migrate demo: the Milvus 2.x emulator needs Node.js $node_major or later, but $work/old-node/node is $old; $fix" ] &&
  ok "demo with Node.js $old: exit 1 and what to install" || fail "demo with an old node: exit $status: $(cat "$work/err")"
"$work/relocated/opt/mm/bin/milvus-migrate" demo --headless >/dev/null 2>"$work/err"
status=$?
[ "$status" -eq 1 ] && [ "$(cat "$work/err")" = "milvus-migrate demo: the Milvus 2.x emulator of the demo is not installed (looked in $work/relocated/opt/mm/share/milvus-migrate/emulator, then $work/relocated/opt/mm/bin/share/milvus-migrate/emulator); reinstall the milvus-migrate package, which installs it in share/milvus-migrate/emulator, or set MM_EMULATOR_DIR to its directory" ] &&
  ok "a binary copied without its data: exit 1 naming where it looked" || fail "binary without data: exit $status: $(cat "$work/err")"
[ -z "$(ls -A "$work/tmp" | grep milvus-migrate-demo)" ] && ok "no demo directory left behind" || fail "left: $(ls "$work/tmp")"
INSIDE

# A private mount namespace (as root, or as a user namespace's root) where
# an empty tmpfs covers the checkout; elsewhere the checks still run from
# the extracted root, and the path check above stands for the rest.
hide="mount -t tmpfs -o size=1m,mode=0755 tmpfs '$src' && mount --bind '$root' '$root' &&
  mount -o remount,bind,ro '$root' && MM_READ_ONLY_ROOT=1 exec bash '$work/inside.sh' '$src' '$work' '$node_major'"
if [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null; then
  unshare -m --propagation private sh -c "$hide" >"$work/inside.out" 2>&1
elif unshare -rm true 2>/dev/null; then
  unshare -rm sh -c "$hide" >"$work/inside.out" 2>&1
else
  echo "NOTE: no mount namespace here: the source tree stays visible" >"$work/inside.out"
  bash "$work/inside.sh" "$src" "$work" "$node_major" >>"$work/inside.out" 2>&1
fi
cat "$work/inside.out"
grep -q '^ok   the source tree .* is empty here$' "$work/inside.out" || grep -q '^NOTE: no mount namespace' "$work/inside.out" ||
  fail "the source tree could not be hidden"
mm_failures=$((mm_failures + $(grep -c '^FAIL: ' "$work/inside.out")))
# Every check inside passed or failed: none was left out by an early end.
want_checks=16
grep -q '^NOTE: no mount namespace' "$work/inside.out" && want_checks=14
checks=$(grep -c '^ok   \|^FAIL: ' "$work/inside.out")
[ "$checks" -eq "$want_checks" ] || fail "$checks checks ran from the extracted package, expected $want_checks"

finish package
