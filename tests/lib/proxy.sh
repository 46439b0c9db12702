# shellcheck shell=bash
# Sourceable: start a helper server of tests/lib (fault_proxy.py,
# tls_proxy.py, ...) that binds port 0 and prints "ready PORT" once it
# listens, so no port is picked free and bound later by someone else.
#   mm_proxy_start OUTFILE COMMAND...   runs COMMAND in the background with its
#                                       output in OUTFILE; sets MM_PROXY_PORT and
#                                       MM_PROXY_PID once it is ready
# The caller keeps the PID and stops it from its trap.
mm_proxy_start() {
  local out=$1
  shift
  : >"$out"
  "$@" >"$out" 2>&1 &
  MM_PROXY_PID=$!
  MM_PROXY_PORT=
  for _ in $(seq 1 200); do
    MM_PROXY_PORT=$(sed -n 's/^ready \([0-9][0-9]*\)$/\1/p' "$out")
    [ -n "$MM_PROXY_PORT" ] && return 0
    kill -0 "$MM_PROXY_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "$* did not become ready; its output:" >&2
  cat "$out" >&2
  return 1
}
