#!/usr/bin/env bash
# The bash completion the build writes (build/completion/milvus-migrate,
# from `milvus-migrate --bash-completion`) offers exactly what --help
# lists: the commands, and for every command each of its options, short
# and long, none that --help hides; option values by what they are (the
# choices of --generation, theme names, files for FILE, directories for
# DIR and for inspect's operand), also written as --option=value; the same
# with bash-completion's helpers loaded and without them.
set -uo pipefail
src=${MM_SOURCE_DIR:?}
build=${MM_BUILD_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/checks.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-completion.XXXXXX")
trap 'rm -rf "$work"' EXIT
script=$build/completion/milvus-migrate

# Both names the program is installed under, the guide's milvus-migration
# included, complete alike.
"$bin" --bash-completion milvus-migrate,milvus-migration | cmp -s - "$script" &&
  ok "the build's completion is what --bash-completion writes" ||
  fail "$script differs from 'milvus-migrate --bash-completion milvus-migrate,milvus-migration'"
[ "$(tail -1 "$script")" = "complete -F _milvus_migrate milvus-migrate milvus-migration" ] &&
  ok "it completes milvus-migrate and milvus-migration" || fail "it completes: $(tail -1 "$script")"

# complete WITH_HELPERS WORD...: what TAB offers after the words (the last
# one is the word being completed), sorted on one line.
complete_words() {
  local helpers=$1
  shift
  (
    cd "$work/files" || exit 1
    if [ "$helpers" = 1 ]; then source /usr/share/bash-completion/bash_completion; fi
    source "$script"
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="${COMP_WORDS[*]}"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _milvus_migrate milvus-migrate "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
    printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | LC_ALL=C sort | tr '\n' ' '
  )
}
expect() {  # LABEL WANT WORD...
  local label=$1 want=$2 got
  shift 2
  for helpers in 0 1; do
    [ "$helpers" = 1 ] && [ ! -f /usr/share/bash-completion/bash_completion ] && continue
    got=$(complete_words "$helpers" "$@")
    if [ "$got" = "$want" ]; then
      ok "$label$([ "$helpers" = 1 ] && echo " (bash-completion loaded)")"
    else
      fail "$label$([ "$helpers" = 1 ] && echo " (bash-completion loaded)"): got '$got', want '$want'"
    fi
  done
}
if [ ! -f /usr/share/bash-completion/bash_completion ]; then
  if [ "${CI:-}" = true ]; then
    fail "bash-completion is not installed; scripts/install-deps.sh installs it, so CI must have it"
  else
    mm_skip "bash-completion is not installed: only the completion without its helpers is checked"
  fi
fi

mkdir -p "$work/files/sub-dir" "$work/files/staging"
touch "$work/files/migration.yaml" "$work/files/notes.txt"

commands=$("$bin" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF && $1 != "Commands:" { print $1 }' | LC_ALL=C sort | tr '\n' ' ')
expect "commands" "$commands" milvus-migrate ""
expect "commands starting with d" "demo dump " milvus-migrate d
# The options an --help lists: "  -c, --config FILE  help" and "      --json  help".
help_options() {
  grep -E '^ {2,6}-' | awk '{ for (i = 1; i <= NF && $i ~ /^--?[a-zA-Z]/; i++) { sub(/,$/, "", $i); print $i } }' |
    LC_ALL=C sort | tr '\n' ' '
}
expect "the program's options" "$("$bin" --help | help_options)" milvus-migrate -
for cmd in $commands; do
  options=$("$bin" "$cmd" --help | help_options)
  [ -n "$options" ] || fail "$cmd --help lists no options"
  expect "$cmd: the options of its --help" "$options" milvus-migrate "$cmd" -
done
expect "wizard: the hidden --print-keys is not offered" "" milvus-migrate wizard --pr

# The generations as demo's usage line spells them: [--generation A|B|...].
generations=$("$bin" demo --help | sed -n 's/.*\[--generation \([^]]*\)\].*/\1/p' | tr '|' '\n' | LC_ALL=C sort | tr '\n' ' ')
[[ $generations == *" "*" " ]] || fail "demo --help names no generations in its usage line: '$generations'"
first_generation=${generations%% *}
expect "demo --generation: its choices" "$generations" milvus-migrate demo --generation ""
expect "demo --generation=: its choices" "$generations" milvus-migrate demo --generation = ""
expect "demo --generation=$first_generation" "$first_generation " milvus-migrate demo --generation = "$first_generation"
themes=$(ls "$src/themes" | sed -n 's/\.theme$//p' | LC_ALL=C sort | tr '\n' ' ')
expect "wizard --theme: the theme names" "$themes" milvus-migrate wizard --theme ""
expect "demo --theme: the theme names" "$themes" milvus-migrate demo --theme ""
expect "dump -c: files" "migration.yaml notes.txt staging sub-dir " milvus-migrate dump -c ""
expect "dump --config=m: files" "migration.yaml " milvus-migrate dump --config = m
expect "inspect DIR: directories only" "staging sub-dir " milvus-migrate inspect ""
expect "export -o: directories only" "staging sub-dir " milvus-migrate export -o ""
expect "inspect -m: a DSN, nothing offered" "" milvus-migrate inspect -m ""

finish completion
