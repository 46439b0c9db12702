# Sourceable: the Milvus 2.x emulator (tests/emulator, Node.js) on 127.0.0.1.
#   mm_emulator_start DIR [emulator args...]   start it on ports the system chooses (read back from
#                                              its ready file), log in DIR/emulator.log; export
#                                              MM_EMU_PORT, MM_EMU_CONTROL_PORT, MM_EMU_PID (pass at
#                                              least --generation 2.2|2.3|2.4|2.5|2.6|3.0 and the
#                                              storage Milvus reads imports from: --storage-dir D,
#                                              outside which it reads nothing, as Milvus reads only
#                                              its own storage (tests that stage locally pass their
#                                              work directory), or a bucket); MM_EMU_GRPC_PORT=P
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

source "${BASH_SOURCE[0]%/*}/server.sh"

mm_emulator_free_port() {
  mm_free_port
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
  local status=0
  mm_server_wait emulator "$MM_EMU_PID" "$dir/emulator.log" mm_emulator_ready "$ready" || status=$?
  [ "$status" -eq 2 ] && MM_EMU_PID=
  return "$status"
}

# The ready file is written whole (renamed into place) once both ports listen.
mm_emulator_ready() {
  [ -s "$1" ] || return 1
  MM_EMU_PORT=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["port"])' "$1")
  MM_EMU_CONTROL_PORT=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["controlPort"])' "$1")
  export MM_EMU_PORT MM_EMU_CONTROL_PORT
}

mm_emulator_stop() {
  mm_server_stop "${MM_EMU_PID:-}"
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
