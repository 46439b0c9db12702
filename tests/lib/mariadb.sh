# Sourceable: a private MariaDB server on 127.0.0.1 for tests.
#   mm_mariadb_start DIR   initialise DIR/data, start mariadbd on a free port,
#                          export MM_MARIADB_PORT, MM_MARIADB_SOCKET, MM_MARIADB_PID
#   mm_free_port           a port free right now, below the ephemeral range
#                          (for a server that binds it moments later; a port
#                          that must refuse connections: mm_dead_port_hold)
#   mm_mariadb_stop        stop it by the recorded PID
#   mm_mariadb_sql SQL...  run statements as root over the private socket
# The caller installs a trap that calls mm_mariadb_stop.

# mm_free_port and the rest of what the server helpers share.
source "${BASH_SOURCE[0]%/*}/server.sh"

mm_mariadb_start() {
  local dir=$1
  mkdir -p "$dir/data"
  if ! mariadb-install-db --no-defaults --datadir="$dir/data" --user="$(id -un)" \
        --auth-root-authentication-method=socket --skip-test-db >"$dir/install.log" 2>&1; then
    echo "mariadb-install-db failed; see $dir/install.log" >&2
    cat "$dir/install.log" >&2
    return 1
  fi
  MM_MARIADB_SOCKET=$dir/mysqld.sock
  export MM_MARIADB_SOCKET
  # mariadbd cannot bind port 0 (it means 3306 there): a free port is chosen
  # and bound a moment later, so a start that loses it to another process
  # is tried again on another port.
  local attempt i
  for attempt in 1 2 3; do
    MM_MARIADB_PORT=$(mm_free_port)
    mariadbd --no-defaults --datadir="$dir/data" --socket="$MM_MARIADB_SOCKET" \
      --pid-file="$dir/mysqld.pid" --port="$MM_MARIADB_PORT" --bind-address=127.0.0.1 \
      --user="$(id -un)" --log-error="$dir/error.log" --skip-log-bin \
      --innodb-buffer-pool-size=16M --innodb-log-file-size=8M --performance-schema=OFF \
      >/dev/null 2>&1 &
    MM_MARIADB_PID=$!
    export MM_MARIADB_PORT MM_MARIADB_PID
    for i in $(seq 1 120); do
      kill -0 "$MM_MARIADB_PID" 2>/dev/null || break
      # Over TCP: "alive" (even with access denied to root there) while our
      # server runs means it holds the port.
      if mariadb-admin --no-defaults --protocol=tcp -h127.0.0.1 -P"$MM_MARIADB_PORT" --connect-timeout=2 \
           -uroot ping >/dev/null 2>&1 && kill -0 "$MM_MARIADB_PID" 2>/dev/null; then
        return 0
      fi
      sleep 0.5
    done
    if kill -0 "$MM_MARIADB_PID" 2>/dev/null; then
      echo "mariadbd did not answer within 60 s; see $dir/error.log" >&2
      return 1
    fi
    wait "$MM_MARIADB_PID" 2>/dev/null || true
    grep -q "Bind on TCP/IP port\|Address already in use" "$dir/error.log" || break
  done
  echo "mariadbd exited during startup; its log:" >&2
  cat "$dir/error.log" >&2
  MM_MARIADB_PID=
  return 1
}

mm_mariadb_sql() {
  mariadb --no-defaults --socket="$MM_MARIADB_SOCKET" -uroot "$@"
}

mm_mariadb_stop() {
  mm_server_stop "${MM_MARIADB_PID:-}" 30
  MM_MARIADB_PID=
}
