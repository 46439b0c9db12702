# Sourceable: a private Swift + s3api server on 127.0.0.1 for tests, with the
# test account test:tester / Sw1ftSecret.
#   mm_swift_start DIR   start it with its data under DIR/swift; sets
#                        swift_dir (for mm_swift_stop) and sources its env
#                        (S3_ENDPOINT, S3_REGION, SWIFT_S3_NETRC)
#   mm_swift_stop        stop it and remove its data
#   curl_s3 ARGS...      curl signed for that server
# The caller installs a trap that calls mm_swift_stop.
swift_dir=

mm_swift_free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

mm_swift_start() {
  local dir=$1 base
  base=$(mm_swift_free_port)
  SWIFT_S3_PORT=$(mm_swift_free_port)
  export SWIFT_S3_DIR=$dir/swift SWIFT_S3_BACKEND_PORT_BASE=$((base < 60000 ? base : 40000))
  export SWIFT_S3_PORT SWIFT_S3_ACCESS_KEY=test:tester SWIFT_S3_SECRET_KEY=Sw1ftSecret
  swift_dir=$SWIFT_S3_DIR
  bash "${MM_SOURCE_DIR:?}/tests/lib/swift/start-swift-s3.sh" >"$dir/swift.log" 2>&1 || { cat "$dir/swift.log" >&2; return 1; }
  source "$swift_dir/env"
}

mm_swift_stop() {
  [ -n "$swift_dir" ] && bash "${MM_SOURCE_DIR:?}/tests/lib/swift/stop-swift-s3.sh" --purge "$swift_dir" >/dev/null 2>&1
  swift_dir=
}

curl_s3() { curl -sS --aws-sigv4 "aws:amz:$S3_REGION:s3" --netrc-file "$SWIFT_S3_NETRC" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$@"; }
