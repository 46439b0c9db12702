#!/usr/bin/env bash
# Every command and long option that --help shows is documented in
# man/milvus-migrate.1, and every command the man page synopsis names exists.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
man=$src/man/milvus-migrate.1
failures=0
commands=$("$bin" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF && $1 != "Commands:" {print $1}')
[ -n "$commands" ] || { echo "FAIL: --help lists no commands"; exit 1; }
for cmd in $commands; do
  grep -q "^\.B $cmd\$" "$man" || { echo "FAIL: command $cmd missing from the man page"; failures=$((failures + 1)); }
  for opt in $("$bin" "$cmd" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
    roff=$(sed 's/-/\\\\-/g' <<<"$opt")
    grep -q -- "$roff" "$man" || { echo "FAIL: $cmd $opt missing from the man page"; failures=$((failures + 1)); }
  done
  echo "ok   $cmd"
done
for cmd in $(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$man" | awk '$1 == ".B" && $2 != "milvus-migrate" && $2 !~ /^\\/ {print $2}'); do
  echo "$commands" | grep -qx "$cmd" || { echo "FAIL: the man page names '$cmd', which --help does not list"; failures=$((failures + 1)); }
done
# The wizard's key list is generated from its key table.
keys=$(sed -n '/^\.\\" BEGIN KEYS/,/^\.\\" END KEYS/p' "$man" | sed '1d;$d')
if [ "$keys" = "$("$bin" wizard --print-keys)" ]; then
  echo "ok   wizard keys match the key table"
else
  echo "FAIL: WIZARD KEYS in the man page differ from 'milvus-migrate wizard --print-keys'"
  failures=$((failures + 1))
fi
[ "$failures" -eq 0 ]
