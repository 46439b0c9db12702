# Sourceable: the Milvus 2.x emulator (tests/emulator, Node.js) on 127.0.0.1.
#   mm_emulator_start DIR [emulator args...]   start it on ports the system chooses (read back from
#                                              its ready file), log in DIR/emulator.log; export
#                                              MM_EMU_PORT, MM_EMU_CONTROL_PORT, MM_EMU_PID (pass at
#                                              least --generation 2.2|2.3|2.4|2.5); MM_EMU_GRPC_PORT=P
#                                              asks for gRPC port P instead (fails if it is taken)
#   mm_emulator_stop                           stop it by the recorded PID
#   mm_emulator_free_port                      a port free right now, below the ephemeral range,
#                                              for something that binds it soon and can retry;
#                                              a port that must refuse connections:
#                                              mm_dead_port_hold (tests/lib/checks.sh)
#   mm_emulator_faults JSON                    merge faults (POST /faults)
#   mm_emulator_faults_reset                   clear all faults
#   mm_emulator_state                          print GET /state (JSON)
# The caller installs a trap that calls mm_emulator_stop.

mm_emulator_free_port() {
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

mm_emulator_start() {
  local dir=$1
  shift
  local emu_dir=${MM_SOURCE_DIR:?}/tests/emulator
  if [ ! -d "$emu_dir/node_modules/@zilliz/milvus2-sdk-node" ]; then
    echo "emulator dependencies missing: run 'npm ci --prefix $emu_dir' (scripts/install-deps.sh does it)" >&2
    return 1
  fi
  mkdir -p "$dir"
  local ready=$dir/emulator.ready
  rm -f "$ready"
  node "$emu_dir/emulator.js" --port "${MM_EMU_GRPC_PORT:-0}" --control-port 0 \
    --ready-file "$ready" "$@" >>"$dir/emulator.log" 2>&1 &
  MM_EMU_PID=$!
  MM_EMU_LOG=$dir/emulator.log
  export MM_EMU_PID MM_EMU_LOG
  local i
  for i in $(seq 1 200); do
    if [ -s "$ready" ]; then
      # Written whole (renamed into place) once both ports listen.
      MM_EMU_PORT=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["port"])' "$ready")
      MM_EMU_CONTROL_PORT=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["controlPort"])' "$ready")
      export MM_EMU_PORT MM_EMU_CONTROL_PORT
      return 0
    fi
    if ! kill -0 "$MM_EMU_PID" 2>/dev/null; then
      echo "emulator exited during startup; its log:" >&2
      cat "$dir/emulator.log" >&2
      MM_EMU_PID=
      return 1
    fi
    sleep 0.1
  done
  echo "emulator did not become ready within 20 s; its log:" >&2
  cat "$dir/emulator.log" >&2
  return 1
}

mm_emulator_stop() {
  if [ -n "${MM_EMU_PID:-}" ] && kill -0 "$MM_EMU_PID" 2>/dev/null; then
    kill "$MM_EMU_PID"
    local i
    for i in $(seq 1 50); do
      kill -0 "$MM_EMU_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$MM_EMU_PID" 2>/dev/null || true
  fi
  MM_EMU_PID=
}

mm_emulator_faults() {
  curl -sS --fail-with-body -X POST -H 'content-type: application/json' --data "$1" \
    "http://127.0.0.1:$MM_EMU_CONTROL_PORT/faults"
}

mm_emulator_faults_reset() {
  curl -sS --fail-with-body -X POST "http://127.0.0.1:$MM_EMU_CONTROL_PORT/faults/reset"
}

mm_emulator_state() {
  curl -sS --fail-with-body "http://127.0.0.1:$MM_EMU_CONTROL_PORT/state"
}
