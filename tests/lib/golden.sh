# shellcheck shell=bash
# Sourceable: MM_UPDATE_EXPECTED for the tests that compare output with
# files under tests/expected. Set to 1 after a deliberate change, it copies
# each output over its expected file before the comparison, which then
# cannot fail: an inherited variable would turn those tests into passes.
#   mm_golden_guard          call once at the start: under CI=true a set
#                            MM_UPDATE_EXPECTED is refused (exit 1); otherwise
#                            it is announced loudly on stdout and stderr
#   mm_golden_update OUTPUT EXPECTED
#                            when MM_UPDATE_EXPECTED=1, copies OUTPUT over
#                            EXPECTED and says so
mm_golden_guard() {
  [ -n "${MM_UPDATE_EXPECTED:-}" ] || return 0
  if [ "${CI:-}" = true ]; then
    echo "FAIL: MM_UPDATE_EXPECTED is set under CI=true: it would copy the output over tests/expected and pass whatever it is; unset it"
    exit 1
  fi
  local banner="!!! MM_UPDATE_EXPECTED=$MM_UPDATE_EXPECTED: this run REWRITES the expected files it compares with, so it proves nothing; review the diff with git before committing !!!"
  echo "$banner"
  echo "$banner" >&2
}

mm_golden_update() {
  [ "${MM_UPDATE_EXPECTED:-}" = 1 ] || return 0
  cp "$1" "$2"
  echo "UPDATED ${2#"${MM_SOURCE_DIR:-}/"}"
}
