#!/usr/bin/env bash
# What each target.remote.cloud puts on the wire, seen by a recording proxy in
# front of a real S3 server (Swift + s3api, which serves virtual hosts under
# localhost): host, path style or virtual host, signing region; and useIAM's
# credentials from the environment, a profile of a fake HOME, and a fake
# instance metadata service, with x-amz-security-token sent and signed. The
# metadata service is asked only when useIMDS says so.
set -euo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-cloud-mapping.XXXXXX")
source "$src/tests/lib/swift.sh"
source "$src/tests/lib/proxy.sh"
proxy_pid= imds_pid=
cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  [ -n "$imds_pid" ] && kill "$imds_pid" 2>/dev/null
  mm_swift_stop
  rm -rf "$work"
}
trap cleanup EXIT
mm_swift_start "$work" || exit 1
curl_s3 -X PUT "$S3_ENDPOINT/a-bucket" -o /dev/null -w '%{http_code}\n' | grep -q 200
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
  AWS_SESSION_TOKEN AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE AWS_EC2_METADATA_SERVICE_ENDPOINT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok   $*"; }

export FAULT_PROXY_LOG=$work/requests.jsonl
mm_proxy_start "$work/proxy.out" /usr/bin/python3 "$src/tests/lib/fault_proxy.py" 0 "$SWIFT_S3_PORT" record 0 || exit 1
proxy_pid=$MM_PROXY_PID proxy_port=$MM_PROXY_PORT

/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/basic_native.json" "$work/fx" >/dev/null
# dump NAME REMOTE-KEYS: dump into a-bucket/NAME/ with target.remote = {REMOTE-KEYS}; the
# requests it made are in $work/NAME/requests.jsonl, its output in out/err, status in $status.
dump() {
  local d=$work/$1
  mkdir -p "$d"
  cat >"$d/migration.yaml" <<YAML
dumper: {worker: {workMode: milvus1x}}
meta: {mode: sqlite, sqliteFile: $work/fx/milvus/db/meta.sqlite}
source: {mode: local, local: {tablesDir: $work/fx/milvus/db/tables}}
target: {mode: remote, remote: {bucket: a-bucket, outputDir: $1/, $2}}
state: {dir: $d/state}
YAML
  chmod 600 "$d/migration.yaml"
  : >"$FAULT_PROXY_LOG"
  status=0
  "$bin" dump -c "$d/migration.yaml" >"$d/out" 2>"$d/err" || status=$?
  cp "$FAULT_PROXY_LOG" "$d/requests.jsonl"
}

# What the first request looked like: "METHOD TARGET host=HOST scope=REGION signed=HEADERS token=TOKEN".
first_request() {
  /usr/bin/python3 - "$work/$1/requests.jsonl" <<'PY'
import json, re, sys
line = open(sys.argv[1]).readline()
r = json.loads(line)
h = {k.lower(): v for k, v in r["headers"].items()}
auth = h.get("authorization", "")
scope = re.search(r"Credential=[^/]*/\d{8}/([^/]*)/s3/aws4_request", auth)
signed = re.search(r"SignedHeaders=([^,]*)", auth)
print(r["method"], r["target"], "host=" + h.get("host", ""), "scope=" + (scope.group(1) if scope else "-"),
      "signed=" + (signed.group(1) if signed else "-"), "token=" + h.get("x-amz-security-token", "-"))
PY
}

# Every request went to HOST with targets under PREFIX.
all_requests() { # NAME HOST PREFIX
  /usr/bin/python3 - "$work/$1/requests.jsonl" "$2" "$3" <<'PY'
import json, sys
bad = [l for l in open(sys.argv[1]) if json.loads(l)["headers"].get("Host") != sys.argv[2]
       or not json.loads(l)["target"].startswith(sys.argv[3])]
n = sum(1 for _ in open(sys.argv[1]))
print("requests=%d bad=%d" % (n, len(bad)))
PY
}

check() { # NAME DESCRIPTION EXPECTED-STATUS EXPECTED-FIRST-REQUEST
  local got
  got=$(first_request "$1")
  if [ "$status" = "$3" ] && [ "$got" = "$4" ]; then pass "$2: $got"
  else fail "$2: status $status, first request: $got (expected $4)"; cat "$work/$1/err"; fi
}

sk="ak: 'test:tester', sk: Sw1ftSecret"
S="host;x-amz-content-sha256;x-amz-date"

# ---- S3-compatible clouds at an explicit endpoint -----------------------------
dump minio "cloud: minio, endpoint: '127.0.0.1:$proxy_port', region: $S3_REGION, $sk"
check minio "minio: path style, region as given" 0 "HEAD /a-bucket host=127.0.0.1:$proxy_port scope=$S3_REGION signed=$S token=-"
sed -i 1d "$work/minio/requests.jsonl"
got=$(all_requests minio "127.0.0.1:$proxy_port" /a-bucket/minio/migration/)
[ "$(wc -l <"$work/minio/requests.jsonl")" -gt 2 ] && [ "$got" = "requests=$(wc -l <"$work/minio/requests.jsonl") bad=0" ] \
  && pass "minio: every object request path style" || fail "minio: $got"

dump aws "cloud: aws, endpoint: '127.0.0.1:$proxy_port', $sk"
check aws "aws at an endpoint: path style, us-east-1 when region is empty" 0 \
  "HEAD /a-bucket host=127.0.0.1:$proxy_port scope=us-east-1 signed=$S token=-"

# GCS is signed for region auto; Swift insists on its own region, which shows
# that the scope really said auto.
dump gcp "cloud: gcp, endpoint: '127.0.0.1:$proxy_port', $sk"
check gcp "gcp: path style, signed for region auto" 1 \
  "HEAD /a-bucket host=127.0.0.1:$proxy_port scope=auto signed=$S token=-"
grep -q "^milvus-migrate dump: S3 HEAD s3://a-bucket at http://127.0.0.1:$proxy_port: 400 " "$work/gcp/err" \
  && pass "gcp: Swift refuses the foreign region (400)" || { fail "gcp: error"; cat "$work/gcp/err"; }
dump gcp-region "cloud: gcp, endpoint: '127.0.0.1:$proxy_port', region: $S3_REGION, $sk"
check gcp-region "gcp with region: signed for that region" 0 \
  "HEAD /a-bucket host=127.0.0.1:$proxy_port scope=$S3_REGION signed=$S token=-"

# OSS and COS only serve virtual hosts: the bucket moves into the host name.
# a-bucket.localhost does not resolve, so the recording proxy is used as the
# HTTP proxy (libcurl then sends the absolute URL and resolves nothing) and
# passes the request on to Swift, which serves virtual hosts under localhost.
vhost=a-bucket.localhost:$SWIFT_S3_PORT
for cloud in ali tc; do
  http_proxy=http://127.0.0.1:$proxy_port dump "$cloud" "cloud: $cloud, endpoint: 'localhost:$SWIFT_S3_PORT', region: $S3_REGION, $sk"
  check "$cloud" "$cloud: virtual host, signed for its region" 0 \
    "HEAD http://$vhost/ host=$vhost scope=$S3_REGION signed=$S token=-"
  # After the bucket check, every object key is the path, without the bucket.
  sed -i 1d "$work/$cloud/requests.jsonl"
  got=$(all_requests "$cloud" "$vhost" "http://$vhost/$cloud/migration/")
  [ "$(wc -l <"$work/$cloud/requests.jsonl")" -gt 2 ] && [ "$got" = "requests=$(wc -l <"$work/$cloud/requests.jsonl") bad=0" ] \
    && pass "$cloud: every object request virtual host" || fail "$cloud: $got"
done
dump ali-noregion "cloud: ali, endpoint: 'localhost:$proxy_port', $sk"
want="milvus-migrate dump: target.remote.cloud is ali but target.remote.region is empty; set the bucket's region, e.g. cn-hangzhou: it signs the requests and picks the default endpoint"
[ "$status" = 2 ] && [ "$(cat "$work/ali-noregion/err")" = "$want" ] && [ ! -s "$work/ali-noregion/requests.jsonl" ] \
  && pass "ali without region: refused before any request" || { fail "ali without region: $status"; cat "$work/ali-noregion/err"; }

# ---- useIAM ------------------------------------------------------------------
iam="cloud: minio, endpoint: '127.0.0.1:$proxy_port', region: $S3_REGION, useIAM: true"
ST="host;x-amz-content-sha256;x-amz-date;x-amz-security-token"
# The metadata service address points at the recording proxy: any request to
# it would be in the log.
export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$proxy_port
export HOME=$work/home
mkdir -p "$HOME/.aws"

AWS_ACCESS_KEY_ID=test:tester AWS_SECRET_ACCESS_KEY=Sw1ftSecret AWS_SESSION_TOKEN=tok-env-1 dump iam-env "$iam"
check iam-env "useIAM from the environment: session token sent and signed" 0 \
  "HEAD /a-bucket host=127.0.0.1:$proxy_port scope=$S3_REGION signed=$ST token=tok-env-1"
grep -qxF "dump: target.remote.useIAM: environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY with AWS_SESSION_TOKEN (access key test:tester)" \
  "$work/iam-env/err" && pass "useIAM from the environment: the source is named" || { fail "iam-env source"; cat "$work/iam-env/err"; }

printf '[default]\naws_access_key_id = nobody\naws_secret_access_key = nothing\n\n[mm]\naws_access_key_id = test:tester\naws_secret_access_key = Sw1ftSecret\n' \
  >"$HOME/.aws/credentials"
AWS_PROFILE=mm dump iam-profile "$iam"
check iam-profile "useIAM from profile mm of the fake HOME" 0 \
  "HEAD /a-bucket host=127.0.0.1:$proxy_port scope=$S3_REGION signed=$S token=-"
grep -qxF "dump: target.remote.useIAM: profile 'mm' of $HOME/.aws/credentials (access key test:tester)" "$work/iam-profile/err" \
  && pass "useIAM from a profile: the source is named" || { fail "iam-profile source"; cat "$work/iam-profile/err"; }
if grep -qF -e Sw1ftSecret -e nothing "$work"/iam-*/err "$work"/iam-*/out; then fail "useIAM: a secret was printed"
else pass "useIAM: no secret in any output"; fi

rm "$HOME/.aws/credentials"
dump iam-none "$iam"
want="milvus-migrate dump: target.remote.useIAM: no AWS credentials found: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set and $HOME/.aws/credentials does not exist; set them, write that profile, or on an EC2 instance with a role set target.remote.useIMDS: true"
[ "$status" = 2 ] && [ "$(cat "$work/iam-none/err")" = "$want" ] && pass "useIAM without credentials: exit 2, sources named" \
  || { fail "iam-none: status $status"; cat "$work/iam-none/err"; }
[ ! -s "$work/iam-none/requests.jsonl" ] && pass "useIAM without useIMDS: the metadata service was not asked" \
  || { fail "iam-none: requests were made"; cat "$work/iam-none/requests.jsonl"; }

# A fake IMDSv2 on loopback: a token first, then the role and its credentials.
# It binds port 0 first and says "ready PORT" once it listens.
cat >"$work/imds.py" <<'PY'
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def reply(self, code, text):
        self.send_response(code); self.send_header("Content-Length", str(len(text))); self.end_headers()
        self.wfile.write(text.encode())
    def do_PUT(self):
        ok = self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        self.reply(200 if ok else 400, "imds-session" if ok else "")
    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") != "imds-session":
            return self.reply(401, "")
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path == base:
            return self.reply(200, "mm-role\n")
        if self.path == base + "mm-role":
            return self.reply(200, json.dumps({"Code": "Success", "AccessKeyId": "test:tester",
                "SecretAccessKey": "Sw1ftSecret", "Token": "tok-imds-7", "Expiration": "2099-01-01T00:00:00Z"}))
        self.reply(404, "")
server = http.server.HTTPServer(("127.0.0.1", 0), H)
print("ready", server.server_address[1], flush=True)
server.serve_forever()
PY
mm_proxy_start "$work/imds.out" /usr/bin/python3 "$work/imds.py" || exit 1
imds_pid=$MM_PROXY_PID imds_port=$MM_PROXY_PORT
AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$imds_port dump iam-imds "$iam, useIMDS: true"
check iam-imds "useIAM + useIMDS: the role's temporary credentials" 0 \
  "HEAD /a-bucket host=127.0.0.1:$proxy_port scope=$S3_REGION signed=$ST token=tok-imds-7"
grep -qxF "dump: target.remote.useIAM: instance metadata service at http://127.0.0.1:$imds_port, role 'mm-role' (access key test:tester, temporary, expires 2099-01-01T00:00:00Z)" \
  "$work/iam-imds/err" && pass "useIMDS: the source is named" || { fail "iam-imds source"; cat "$work/iam-imds/err"; }

echo "cloud_mapping: $failures failure(s)"
[ "$failures" -eq 0 ]
