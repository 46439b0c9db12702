# Sourceable: what the helpers that start a test server on 127.0.0.1 share
# (azurite.sh, emulator.sh, mariadb.sh).
#   mm_free_port                a port free right now, below the ephemeral range
#                               (for a server that binds it moments later; a port
#                               that must refuse connections: mm_dead_port_hold)
#   mm_server_wait NAME PID LOG READY...
#                               waits up to 20 s for the command READY... to
#                               succeed; fails with the server's log when PID
#                               exits first (status 2) or time runs out (1)
#   mm_server_stop PID [SECONDS]
#                               stops a process: TERM, up to SECONDS (5) for it
#                               to end, then KILL

# Below ip_local_port_range, so outgoing connections of other tests cannot
# be holding it when the server binds it.
mm_free_port() {
  /usr/bin/python3 - <<'PY'
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(200):
    port = random.randrange(20000, low)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
PY
}

mm_server_wait() {
  local name=$1 pid=$2 log=$3 i
  shift 3
  for i in $(seq 1 200); do
    if "$@"; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited during startup; its log:" >&2
      cat "$log" >&2
      return 2
    fi
    sleep 0.1
  done
  echo "$name did not become ready within 20 s; its log:" >&2
  cat "$log" >&2
  return 1
}

mm_server_stop() {
  local pid=$1 seconds=${2:-5} i
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for i in $(seq 1 $((seconds * 10))); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
}
