# Sourceable: a private MariaDB server on 127.0.0.1 for tests.
#   mm_mariadb_start DIR   initialise DIR/data, start mariadbd on a free port,
#                          export MM_MARIADB_PORT, MM_MARIADB_SOCKET, MM_MARIADB_PID
#   mm_mariadb_stop        stop it by the recorded PID
#   mm_mariadb_sql SQL...  run statements as root over the private socket
# The caller installs a trap that calls mm_mariadb_stop.

mm_free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

mm_mariadb_start() {
  local dir=$1
  mkdir -p "$dir/data"
  if ! mariadb-install-db --no-defaults --datadir="$dir/data" --user="$(id -un)" \
        --auth-root-authentication-method=socket --skip-test-db >"$dir/install.log" 2>&1; then
    echo "mariadb-install-db failed; see $dir/install.log" >&2
    cat "$dir/install.log" >&2
    return 1
  fi
  MM_MARIADB_PORT=$(mm_free_port)
  MM_MARIADB_SOCKET=$dir/mysqld.sock
  mariadbd --no-defaults --datadir="$dir/data" --socket="$MM_MARIADB_SOCKET" \
    --pid-file="$dir/mysqld.pid" --port="$MM_MARIADB_PORT" --bind-address=127.0.0.1 \
    --user="$(id -un)" --log-error="$dir/error.log" --skip-log-bin \
    --innodb-buffer-pool-size=16M --innodb-log-file-size=8M --performance-schema=OFF \
    >/dev/null 2>&1 &
  MM_MARIADB_PID=$!
  export MM_MARIADB_PORT MM_MARIADB_SOCKET MM_MARIADB_PID
  local i
  for i in $(seq 1 120); do
    if mariadb-admin --no-defaults --socket="$MM_MARIADB_SOCKET" -uroot ping >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$MM_MARIADB_PID" 2>/dev/null; then
      echo "mariadbd exited during startup; its log:" >&2
      cat "$dir/error.log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "mariadbd did not answer within 60 s; see $dir/error.log" >&2
  return 1
}

mm_mariadb_sql() {
  mariadb --no-defaults --socket="$MM_MARIADB_SOCKET" -uroot "$@"
}

mm_mariadb_stop() {
  if [ -n "${MM_MARIADB_PID:-}" ] && kill -0 "$MM_MARIADB_PID" 2>/dev/null; then
    kill "$MM_MARIADB_PID"
    local i
    for i in $(seq 1 60); do
      kill -0 "$MM_MARIADB_PID" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "$MM_MARIADB_PID" 2>/dev/null || true
  fi
  MM_MARIADB_PID=
}
