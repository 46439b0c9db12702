#!/usr/bin/env bash
# Passwords and keys never leak: with a MySQL password (real MariaDB), an S3
# secret key (real Swift + s3api) and a Milvus password (the emulator with
# --auth), run every command on the good path and on the failure paths
# (wrong password, wrong secret key, unreachable server, malformed DSN, bad
# config value, usage errors, --help), plus a wizard session that types a
# secret, tests both connections, runs the migration and saves the config.
# Then no secret, right or wrong, may appear in any stdout/stderr, report,
# journal, state file, staged object, wizard snapshot, file written under
# HOME or TMPDIR, the emulator's log or Swift's logs; only the config the
# user saved holds them, with mode 0600.
set -uo pipefail
src=${MM_SOURCE_DIR:?}
bin=${MM_BIN:?}
source "$src/tests/lib/mariadb.sh"
source "$src/tests/lib/swift.sh"
source "$src/tests/lib/emulator.sh"
source "$src/tests/lib/checks.sh" # its ok/fail are replaced below
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mm-secrets.XXXXXX")
cleanup() {
  mm_emulator_stop
  mm_swift_stop
  mm_mariadb_stop
  mm_dead_port_release
  [ "${MM_KEEP_WORK:-}" = 1 ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }

# Distinctive values: any hit is a leak, never a coincidence.
mysql_pw=My5qlPw-h3q8Zt2Lx
s3_sk=S3sk-h3Vw4Xn7LpQ
milvus_pw=Mv2Pw-h3Kd9Rb5Tj
mysql_wrong=My5qlPw-WRONG-h3e1
s3_wrong=S3sk-WRONG-h3u6
milvus_wrong=Mv2Pw-WRONG-h3c4
secrets=("$mysql_pw" "$s3_sk" "$milvus_pw" "$mysql_wrong" "$s3_wrong" "$milvus_wrong")
ak=test:tester

cfg=$work/cfg        # configs this test writes (they hold secrets by design)
script=$work/script  # the wizard's keystrokes (they type a secret)
run=$work/run        # everything the program writes or prints
mkdir -p "$cfg" "$script" "$run/logs" "$run/home" "$run/tmp"

# ---- servers -----------------------------------------------------------------
/usr/bin/python3 "$src/tests/fixtures/gen_fixture.py" "$src/tests/fixtures/scenarios/binary.json" "$work/fx" >/dev/null \
  || { echo "fixture generation failed"; exit 1; }
mm_mariadb_start "$work/mariadb" || exit 1
mm_mariadb_sql -e "CREATE DATABASE fx CHARACTER SET utf8mb4;
  CREATE USER 'mm'@'127.0.0.1' IDENTIFIED BY '$mysql_pw'; GRANT SELECT ON fx.* TO 'mm'@'127.0.0.1';" || exit 1
mm_mariadb_sql fx <"$work/fx/meta.sql" || exit 1

# Swift with this test's own access and secret key.
MM_SWIFT_ACCESS_KEY=$ak MM_SWIFT_SECRET_KEY=$s3_sk mm_swift_start "$work" || exit 1
curl_s3 -X PUT "$S3_ENDPOINT/mig" -o /dev/null -w '%{http_code}\n' | grep -q 200 || { echo "bucket creation failed"; exit 1; }

mm_emulator_start "$work/emu" --generation 2.5 --auth "mmuser:$milvus_pw" --s3-endpoint "$S3_ENDPOINT" \
  --s3-bucket mig --s3-access-key "$ak" --s3-secret-key "$s3_sk" --s3-region "$S3_REGION" || exit 1

dsn_with() { echo "mm:$1@tcp(127.0.0.1:$MM_MARIADB_PORT)/fx"; }

# write_config NAME MYSQL_PW S3_SK MILVUS_PW: $cfg/NAME.yaml, staging under
# the prefix NAME/, state in $run/state-NAME.
write_config() {
  local name=$1 sk_line="sk: $3,"
  [ -z "$3" ] && sk_line=""
  cat >"$cfg/$1.yaml" <<YAML
dumper: {worker: {workMode: milvus1x, limit: 2}}
loader: {worker: {limit: 2}, pollIntervalSeconds: 1}
meta: {mode: mysql, mysqlUrl: "$(dsn_with "$2")"}
source: {mode: local, local: {tablesDir: $work/fx/milvus/db/tables}}
target:
  mode: remote
  remote: {cloud: minio, endpoint: "${S3_ENDPOINT#http://}", region: $S3_REGION, bucket: mig, ak: "$ak", $sk_line outputDir: $name/}
  milvus2x: {endpoint: "127.0.0.1:$MM_EMU_PORT", username: mmuser, password: "$4", retries: 1, existingCollection: drop}
verify: {statsTimeoutSeconds: 3}
state: {dir: $run/state-$name}
YAML
  chmod 600 "$cfg/$1.yaml"
}
write_config good "$mysql_pw" "$s3_sk" "$milvus_pw"
write_config wrong_mysql "$mysql_wrong" "$s3_sk" "$milvus_pw"
write_config wrong_s3 "$mysql_pw" "$s3_wrong" "$milvus_pw"
write_config wrong_milvus "$mysql_pw" "$s3_sk" "$milvus_wrong"
write_config wizard "$mysql_pw" "" "$milvus_pw"
chmod 644 "$cfg/wizard.yaml"  # saving must make it private
write_config bad_value "$mysql_pw" "$s3_sk" "$milvus_pw"
sed -i 's/pollIntervalSeconds: 1/pollIntervalSeconds: soon/' "$cfg/bad_value.yaml"

export HOME=$run/home TMPDIR=$run/tmp TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC
unset NO_COLOR LINES COLUMNS
cd "$run" || exit 1

# step NAME STATUS COMMAND...: runs COMMAND with stdout and stderr kept in
# logs/NAME.{out,err}; the exit status must be STATUS.
step() {
  local name=$1 want=$2
  shift 2
  "$@" >"logs/$name.out" 2>"logs/$name.err" </dev/null
  local status=$?
  if [ "$status" -eq "$want" ]; then
    ok "$name: exit $status"
  else
    fail "$name: exit $status, expected $want"
    cat "logs/$name.err" "logs/$name.out"
  fi
}

# ---- the wizard first (its collections are then dropped by the CLI run, --yes) --
# The S3 secret is typed (drawn as '*'), first wrongly: the target test fails.
mkdir -p snaps reports
cat >"$script/wizard.script" <<SCRIPT
snapshot source
t
snapshot source_tested
F3
snapshot config
/
type target.remote.sk
Enter
Enter
type $s3_wrong
snapshot sk_typing
Enter
snapshot sk_wrong_set
F4
t
snapshot target_wrong_sk
F3
/
type target.remote.sk
Enter
Enter
C-u
type $s3_sk
Enter
/
type milvus2x.password
Enter
snapshot password_row
F4
t
snapshot target_tested
F6
Enter
wait-job
snapshot run_done
F7
v
wait-job
snapshot verified
w
snapshot report_written
F3
s
snapshot saved
quit
SCRIPT
step wizard 0 "$bin" wizard --script "$script/wizard.script" --snapshot-dir snaps -c "$cfg/wizard.yaml"
grep -q "All counts match" snaps/verified.txt && ok "wizard: migrated and verified" \
  || { fail "wizard: snaps/verified.txt does not say All counts match"; cat snaps/verified.txt; }
grep -q "> remote.sk  *\*\{${#s3_wrong}\}$" snaps/sk_typing.txt && ok "wizard: the typed secret is drawn as '*'" \
  || { fail "wizard: snaps/sk_typing.txt"; cat snaps/sk_typing.txt; }
grep -q "refused the credentials of access key" snaps/target_wrong_sk.txt && ok "wizard: the wrong S3 secret is refused" \
  || { fail "wizard: snaps/target_wrong_sk.txt"; cat snaps/target_wrong_sk.txt; }

# ---- the command line: good path ----------------------------------------------------
good_dsn=$(dsn_with "$mysql_pw")
step help 0 "$bin" --help
for c in inspect export dump load verify run wizard; do step "help_$c" 0 "$bin" "$c" --help; done
step inspect_config 0 "$bin" inspect -c "$cfg/good.yaml"
step inspect_dsn 0 "$bin" inspect -m "$good_dsn" -t "$work/fx/milvus/db/tables"
step inspect_json 0 "$bin" inspect --json -c "$cfg/good.yaml"
step export 0 "$bin" export -m "$good_dsn" -o export
step dump 0 "$bin" dump -c "$cfg/good.yaml"
step load 0 "$bin" load --yes -c "$cfg/good.yaml"
step verify 0 "$bin" verify -c "$cfg/good.yaml" --report reports/verify
step run 0 "$bin" run --yes -c "$cfg/good.yaml" --report reports/run
grep -q "^All counts match.$" logs/run.out && ok "run: all counts match" || fail "run: no 'All counts match.'"
/usr/bin/python3 "$src/tests/lib/emulator_ids.py" "$work/fx/expected/liveset.tsv" reports/run.json \
  "http://127.0.0.1:$MM_EMU_CONTROL_PORT/state" >"$work/rows.out" 2>&1 \
  && ok "run: Milvus holds exactly the live rows, ids and vector bytes ($(tail -1 "$work/rows.out"))" \
  || { fail "run: rows in Milvus"; cat "$work/rows.out"; }

# ---- failure paths --------------------------------------------------------------------
step inspect_wrong_mysql 1 "$bin" inspect -c "$cfg/wrong_mysql.yaml"
step inspect_wrong_dsn 1 "$bin" inspect -m "$(dsn_with "$mysql_wrong")" -t "$work/fx/milvus/db/tables"
step export_wrong_dsn 1 "$bin" export -m "$(dsn_with "$mysql_wrong")" -o export-wrong
mm_dead_port_hold
closed_port=$MM_DEAD_PORT
step inspect_url_refused 1 "$bin" inspect -m "mysql://mm:$mysql_pw@127.0.0.1:$closed_port/fx" -t "$work/fx/milvus/db/tables"
step inspect_dsn_malformed 2 "$bin" inspect -m "mm:$mysql_pw@tcp(127.0.0.1:$MM_MARIADB_PORT/fx"
step inspect_dsn_usage 2 "$bin" inspect -m "$good_dsn" --bogus
step dump_wrong_mysql 1 "$bin" dump -c "$cfg/wrong_mysql.yaml"
step dump_wrong_s3 1 "$bin" dump -c "$cfg/wrong_s3.yaml"
step run_wrong_s3 1 "$bin" run -c "$cfg/wrong_s3.yaml"
step load_wrong_milvus 1 "$bin" load -c "$cfg/wrong_milvus.yaml"
step verify_wrong_milvus 1 "$bin" verify -c "$cfg/wrong_milvus.yaml"
step run_wrong_milvus 1 "$bin" run -c "$cfg/wrong_milvus.yaml"
step dump_bad_value 2 "$bin" dump -c "$cfg/bad_value.yaml"
step run_unknown_col 2 "$bin" run -c "$cfg/good.yaml" --col nope

# The failure messages name the server and the key to fix, never the value.
# expect_err NAME TEXT: logs/NAME.err is exactly TEXT.
expect_err() {
  if [ "$(cat "logs/$1.err")" = "$2" ]; then ok "$1: exact message"; else
    fail "$1: message differs"; diff <(echo "$2") "logs/$1.err"
  fi
}
expect_err inspect_wrong_mysql "milvus-migrate inspect: MySQL at 127.0.0.1:$MM_MARIADB_PORT refused user 'mm' \
(Access denied for user 'mm'@'localhost' (using password: YES)); check the user and password in the DSN"
expect_err inspect_url_refused "milvus-migrate inspect: cannot reach MySQL at 127.0.0.1:$closed_port (Can't connect \
to server on '127.0.0.1' (115)); check that the server runs and the host and port in the DSN"
expect_err inspect_dsn_malformed "milvus-migrate inspect: parse MySQL DSN \"mm:***@tcp(127.0.0.1:$MM_MARIADB_PORT/fx\": \
the address must be tcp(host:port) or unix(/path/to/socket); expected user:password@tcp(host:port)/database or \
mysql://user:password@host:port/database"
expect_err dump_wrong_s3 "milvus-migrate dump: S3 s3://mig at $S3_ENDPOINT refused the credentials of access key \
'$ak' (403); check target.remote.ak and target.remote.sk"
expect_err load_wrong_milvus "milvus-migrate load: Connect on Milvus at 127.0.0.1:$MM_EMU_PORT: authentication failed \
(auth check failure, please check username and password are correct); check target.milvus2x.username and \
target.milvus2x.password"
expect_err dump_bad_value "milvus-migrate dump: $cfg/bad_value.yaml:2:51: loader.pollIntervalSeconds: expected an \
integer, got \"soon\""

# ---- what may hold secrets ------------------------------------------------------------
mode=$(stat -c %a "$cfg/wizard.yaml")
[ "$mode" = 600 ] && ok "wizard saved its config with mode 600" || fail "wizard config mode $mode, expected 600"
saved=$(/usr/bin/python3 -c 'import sys, yaml; c = yaml.safe_load(open(sys.argv[1]))
print(c["meta"]["mysqlUrl"]); print(c["target"]["remote"]["sk"]); print(c["target"]["milvus2x"]["password"])' \
  "$cfg/wizard.yaml")
[ "$saved" = "$good_dsn
$s3_sk
$milvus_pw" ] && ok "the saved config holds the DSN, the S3 secret and the Milvus password" \
  || fail "the saved config holds: $saved"
extra=$(ls -A "$cfg" | grep -vxE '(good|wrong_mysql|wrong_s3|wrong_milvus|wizard|bad_value)\.yaml')
[ -z "$extra" ] && ok "nothing else was written beside the configs" || fail "files beside the configs: $extra"

# The staged objects, as Milvus would read them.
mkdir -p bucket
curl_s3 "$S3_ENDPOINT/mig?list-type=2&max-keys=1000" -o bucket-list.xml
keys=$(grep -o '<Key>[^<]*</Key>' bucket-list.xml | sed 's/<[^>]*>//g')
for k in $keys; do
  mkdir -p "bucket/$(dirname "$k")"
  curl_s3 -o "bucket/$k" "$S3_ENDPOINT/mig/$k"
done
staged=$(printf '%s\n' "$keys" | grep -c .)

# Every file must exist that the check relies on, or it would pass on nothing.
expect_files=(reports/verify.json reports/verify.md reports/run.json reports/run.md export/meta.json
  snaps/saved.txt snaps/config.txt snaps/password_row.txt snaps/sk_typing.txt "$MM_EMU_LOG")
for f in "${expect_files[@]}"; do [ -s "$f" ] || fail "expected a non-empty $f"; done
journals=$(find "$run" -name '*.sqlite*' -o -name '*journal*' | grep -c .)
[ "$journals" -ge 1 ] && ok "journal files found: $journals" || fail "no journal file under $run"
[ "$staged" -ge 6 ] && ok "staged objects fetched: $staged" || fail "only $staged staged objects in the bucket"
swift_logs=$(find "$swift_dir/log" -type f -size +0 | grep -c .)
[ "$swift_logs" -ge 1 ] && ok "Swift logs: $swift_logs non-empty files" || fail "no Swift log to check"

# scan PATH...: prints "FILE: SECRET" for every secret found in every file
# under PATH (raw bytes, and what `strings` extracts).
scan() {
  local f s
  printf '%s\n' "${secrets[@]}" >"$work/secrets.list"
  while IFS= read -r -d '' f; do
    # One pass for all secrets first: most files hold none.
    grep -qaF -f "$work/secrets.list" -- "$f" || strings -a "$f" | grep -qF -f "$work/secrets.list" || continue
    for s in "${secrets[@]}"; do
      if grep -qaF -- "$s" "$f" || strings -a "$f" | grep -qF -- "$s"; then echo "${f#"$work"/}: $s"; fi
    done
  done < <(find "$@" -type f -print0)
}
# The scan itself finds what is there: the configs hold the good secrets.
found=$(scan "$cfg/good.yaml" "$cfg/wrong_s3.yaml")
[ "$found" = "cfg/good.yaml: $mysql_pw
cfg/good.yaml: $s3_sk
cfg/good.yaml: $milvus_pw
cfg/wrong_s3.yaml: $mysql_pw
cfg/wrong_s3.yaml: $milvus_pw
cfg/wrong_s3.yaml: $s3_wrong" ] && ok "the scan finds secrets where they are" || fail "the scan found: $found"

leaked=$(scan "$run" "$MM_EMU_LOG" "$swift_dir/log")
checked=$(find "$run" "$MM_EMU_LOG" "$swift_dir/log" -type f | wc -l)
if [ "$checked" -lt 60 ]; then
  fail "only $checked files checked"
elif [ -n "$leaked" ]; then
  fail "secrets leaked:"
  echo "$leaked"
else
  ok "no secret in any of the $checked files written, printed or logged"
fi
[ "$failures" -eq 0 ] && echo "$0: all passed"
[ "$failures" -eq 0 ]
