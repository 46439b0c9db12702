# Sourceable: Microsoft's Azure Storage emulator Azurite (Blob service only,
# npm package pinned in tests/azurite) on 127.0.0.1 for tests, with a private
# account whose key is made up at start.
#   mm_azurite_start DIR    start it with its data under DIR/azurite on a port
#                           the system chooses (--blobPort 0); exports
#                           AZURITE_PORT, AZURITE_ENDPOINT (127.0.0.1:port),
#                           AZURITE_ACCOUNT, AZURITE_KEY, AZURITE_PID
#   mm_azurite_stop         stop it by the recorded PID
#   mm_azurite_free_port    a port free right now, below the ephemeral range,
#                           for something that binds it soon and can retry
#   mm_azurite_call METHOD PATH [QUERY]
#                           one Shared Key signed request (PATH below the
#                           account, e.g. /container); prints the status line
#                           and the body as text
#   mm_azurite_get PATH FILE  downloads the blob PATH (e.g. /container/key)
#                           into FILE byte for byte; fails unless 200
#   mm_azurite_create_container NAME
#   mm_azurite_sas [PERMISSIONS]   an account SAS (default rwdlac) for the blob
#                           service, valid for a day, signed with the account key
# The caller installs a trap that calls mm_azurite_stop.

source "${BASH_SOURCE[0]%/*}/server.sh"

mm_azurite_free_port() {
  mm_free_port
}

mm_azurite_start() {
  local dir=$1/azurite
  local bin=${MM_SOURCE_DIR:?}/tests/azurite/node_modules/.bin/azurite-blob
  if [ ! -x "$bin" ]; then
    echo "Azurite missing: run 'npm ci --prefix ${MM_SOURCE_DIR}/tests/azurite' (scripts/install-deps.sh does it)" >&2
    return 1
  fi
  mkdir -p "$dir/data"
  AZURITE_ACCOUNT=mmacct
  AZURITE_KEY=$(/usr/bin/python3 -c 'import base64, os; print(base64.b64encode(os.urandom(64)).decode())')
  # --disableTelemetry: nothing leaves the machine.
  AZURITE_ACCOUNTS="$AZURITE_ACCOUNT:$AZURITE_KEY" "$bin" --blobHost 127.0.0.1 --blobPort 0 \
    --location "$dir/data" --disableTelemetry --silent >"$dir/azurite.log" 2>&1 &
  AZURITE_PID=$!
  export AZURITE_PID AZURITE_ACCOUNT AZURITE_KEY
  local status=0
  mm_server_wait Azurite "$AZURITE_PID" "$dir/azurite.log" mm_azurite_listening "$dir/azurite.log" || status=$?
  [ "$status" -eq 2 ] && AZURITE_PID=
  return "$status"
}

# It says where it listens once it does.
mm_azurite_listening() {
  AZURITE_PORT=$(sed -n 's|^Azurite Blob service successfully listens on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$1")
  [ -n "$AZURITE_PORT" ] || return 1
  AZURITE_ENDPOINT=127.0.0.1:$AZURITE_PORT
  export AZURITE_PORT AZURITE_ENDPOINT
}

mm_azurite_stop() {
  mm_server_stop "${AZURITE_PID:-}"
  AZURITE_PID=
}

# Signed with the documented Shared Key layout, independently of the C code
# under test.
mm_azurite_call() {
  /usr/bin/python3 - "$@" <<'PY'
import base64, hashlib, hmac, os, sys, urllib.parse, urllib.request, email.utils
method, path = sys.argv[1], sys.argv[2]
query = sys.argv[3] if len(sys.argv) > 3 else ""
account, key = os.environ["AZURITE_ACCOUNT"], base64.b64decode(os.environ["AZURITE_KEY"])
url_path = "/" + account + path
headers = {"x-ms-date": email.utils.formatdate(usegmt=True), "x-ms-version": "2021-08-06"}
params = sorted(urllib.parse.parse_qsl(query, keep_blank_values=True))
content_type = "application/octet-stream" if method == "PUT" else ""
# VERB, Content-Encoding, -Language, -Length (empty for 0), -MD5, -Type, Date,
# If-Modified-Since, If-Match, If-None-Match, If-Unmodified-Since, Range.
to_sign = "\n".join([method, "", "", "", "", content_type] + [""] * 6) + "\n"
to_sign += "".join(f"{k}:{v}\n" for k, v in sorted(headers.items()))
to_sign += "/" + account + url_path + "".join(f"\n{k.lower()}:{v}" for k, v in params)
sig = base64.b64encode(hmac.new(key, to_sign.encode(), hashlib.sha256).digest()).decode()
headers["Authorization"] = f"SharedKey {account}:{sig}"
if content_type:
    headers["Content-Type"] = content_type
url = f"http://{os.environ['AZURITE_ENDPOINT']}{url_path}" + (f"?{query}" if query else "")
req = urllib.request.Request(url, method=method, headers=headers, data=b"" if method == "PUT" else None)
save = os.environ.get("MM_AZURITE_SAVE")
try:
    with urllib.request.urlopen(req) as r:
        body = r.read()
        if save:
            open(save, "wb").write(body)
        else:
            print(r.status, r.reason)
            sys.stdout.write(body.decode())
except urllib.error.HTTPError as e:
    print(e.code, e.reason)
    if save:
        sys.exit(1)
PY
}

mm_azurite_get() {
  MM_AZURITE_SAVE=$2 mm_azurite_call GET "$1" >/dev/null
}

mm_azurite_create_container() {
  mm_azurite_call PUT "/$1" restype=container | head -1 | grep -q '^201 ' || {
    echo "cannot create container $1 in Azurite" >&2
    return 1
  }
}

mm_azurite_sas() {
  /usr/bin/python3 - "${1:-rwdlac}" <<'PY'
import base64, datetime, hashlib, hmac, os, sys, urllib.parse
account, key = os.environ["AZURITE_ACCOUNT"], base64.b64decode(os.environ["AZURITE_KEY"])
perms, version = sys.argv[1], "2021-08-06"
expiry = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
# Account SAS, version 2020-12-06 and later: the encryption scope line is empty.
to_sign = "\n".join([account, perms, "b", "sco", "", expiry, "", "https,http", version, "", ""])
sig = base64.b64encode(hmac.new(key, to_sign.encode(), hashlib.sha256).digest()).decode()
print(urllib.parse.urlencode({"sv": version, "ss": "b", "srt": "sco", "sp": perms, "se": expiry,
                              "spr": "https,http", "sig": sig}))
PY
}
