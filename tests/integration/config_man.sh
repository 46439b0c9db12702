#!/usr/bin/env bash
# migration.yaml(5) must match the key table: the KEYS section between the
# BEGIN/END GENERATED KEYS markers is compared byte for byte with what
# gen_config_man prints, the page must format without groff warnings (a
# skip without groff, a failure under CI=true), and
# every example configuration in it must load and validate cleanly.
set -euo pipefail
source "${MM_SOURCE_DIR:?}/tests/lib/checks.sh"

page="${MM_SOURCE_DIR:?}/man/migration.yaml.5"
gen="${MM_TOOLS:?}/gen_config_man"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

begin='.\" BEGIN GENERATED KEYS'
end='.\" END GENERATED KEYS'
[ "$(grep -cxF "$begin" "$page")" = 1 ] || { echo "FAIL: $page: need exactly one line '$begin'"; exit 1; }
[ "$(grep -cxF "$end" "$page")" = 1 ] || { echo "FAIL: $page: need exactly one line '$end'"; exit 1; }

"$gen" >"$work/generated.roff"
# ENVIRON rather than -v: awk would turn the \" of the markers into ".
BEGIN_MARK=$begin END_MARK=$end awk '
    $0 == ENVIRON["END_MARK"] { inside = 0 }
    inside { print }
    $0 == ENVIRON["BEGIN_MARK"] { inside = 1 }
' "$page" >"$work/page.roff"
if ! diff -u "$work/page.roff" "$work/generated.roff"; then
    echo "FAIL: the key list in man/migration.yaml.5 is out of date; regenerate it with:"
    echo "  $gen --splice $page"
    exit 1
fi
[ -s "$work/generated.roff" ] || { echo "FAIL: empty key list"; exit 1; }

# Formatting problems (unknown requests, bad escapes) show up as warnings.
# Without groff this part is skipped (a failure under CI=true).
if mm_have_tool groff groff-base; then
    groff_status=0
    groff -man -Tutf8 -ww -z "$page" 2>"$work/groff.err" || groff_status=$?
    if [ -s "$work/groff.err" ] || [ "$groff_status" -ne 0 ]; then
        echo "FAIL: groff exit $groff_status, warnings for $page:"
        cat "$work/groff.err"
        exit 1
    fi
fi

# Each .nf/.fi block of EXAMPLES that starts with "dumper:" is a complete
# configuration; unescape roff and check it.
awk -v dir="$work" '
    /^\.SH / { in_examples = ($2 == "EXAMPLES") }
    in_examples && /^\.nf$/ { block = 1; n++; file = dir "/example" n ".yaml"; next }
    in_examples && /^\.fi$/ { block = 0; close(file); next }
    block { gsub(/\\-/, "-"); gsub(/\\e/, "\\"); gsub(/\\&/, ""); print > file }
' "$page"
count=0
for example in "$work"/example*.yaml; do
    [ -e "$example" ] || continue
    head -n1 "$example" | grep -qx 'dumper:' || continue
    count=$((count + 1))
    chmod 600 "$example" # it holds passwords; 0644 would (rightly) warn
    if ! "$gen" --check "$example"; then
        echo "FAIL: example $count of $page does not load cleanly:"
        cat -n "$example"
        exit 1
    fi
done
[ "$count" = 2 ] || { echo "FAIL: expected 2 example configurations in $page, found $count"; exit 1; }

# The splice mode rewrites only the generated part.
cp "$page" "$work/copy.5"
sed -i "/^\.\\\\\" BEGIN GENERATED KEYS\$/a .TP\nstale" "$work/copy.5"
"$gen" --splice "$work/copy.5"
cmp "$page" "$work/copy.5" || { echo "FAIL: --splice did not restore the page"; exit 1; }

echo "ok: man/migration.yaml.5 matches the key table; $count examples load"
finish config_man
