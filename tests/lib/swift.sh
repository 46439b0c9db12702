# Sourceable: a private Swift + s3api server on 127.0.0.1 for tests, with the
# test account test:tester / Sw1ftSecret.
#   mm_swift_start DIR   start it with its data under DIR/swift (keys from
#                        MM_SWIFT_ACCESS_KEY/MM_SWIFT_SECRET_KEY if set); sets
#                        swift_dir (for mm_swift_stop) and sources its env
#                        (S3_ENDPOINT, S3_REGION, SWIFT_S3_NETRC)
#   mm_swift_stop        stop it and remove its data
#   curl_s3 ARGS...      curl signed for that server
# The caller installs a trap that calls mm_swift_stop.
swift_dir=

mm_swift_free_port() {
  mm_swift_free_ports 1
}

# N consecutive free ports (printed: the first), taken below the kernel's
# ephemeral range (ip_local_port_range) so that outgoing connections of
# other tests cannot be holding them when Swift binds them seconds later.
mm_swift_free_ports() {
  /usr/bin/python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(200):
    base = random.randrange(20000, low - n)
    held = []
    try:
        for p in range(base, base + n):
            t = socket.socket(); held.append(t); t.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        for t in held: t.close()
    print(base); break
PY
}

# Ports are chosen free but bound seconds later by Swift, so a parallel test
# can take one in between: a start that fails is purged and tried again on
# new ports.
mm_swift_start() {
  local dir=$1 attempt
  for attempt in 1 2 3; do
    SWIFT_S3_PORT=$(mm_swift_free_ports 1)
    export SWIFT_S3_DIR=$dir/swift SWIFT_S3_BACKEND_PORT_BASE=$(mm_swift_free_ports 3)
    export SWIFT_S3_PORT SWIFT_S3_ACCESS_KEY=${MM_SWIFT_ACCESS_KEY:-test:tester}
    export SWIFT_S3_SECRET_KEY=${MM_SWIFT_SECRET_KEY:-Sw1ftSecret}
    swift_dir=$SWIFT_S3_DIR
    if bash "${MM_SOURCE_DIR:?}/tests/lib/swift/start-swift-s3.sh" >"$dir/swift.log" 2>&1; then
      source "$swift_dir/env"
      return 0
    fi
    bash "${MM_SOURCE_DIR:?}/tests/lib/swift/stop-swift-s3.sh" --purge "$swift_dir" >/dev/null 2>&1
  done
  cat "$dir/swift.log" >&2
  swift_dir=
  return 1
}

mm_swift_stop() {
  [ -n "$swift_dir" ] && bash "${MM_SOURCE_DIR:?}/tests/lib/swift/stop-swift-s3.sh" --purge "$swift_dir" >/dev/null 2>&1
  swift_dir=
}

curl_s3() { curl -sS --aws-sigv4 "aws:amz:$S3_REGION:s3" --netrc-file "$SWIFT_S3_NETRC" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$@"; }
