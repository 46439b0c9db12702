#!/usr/bin/env bash
# Installs everything milvus-migrate needs to build, run and test on Debian 12.
# Idempotent; run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libncurses-dev libyaml-dev libcjson-dev libsqlite3-dev
  libmariadb-dev libcurl4-openssl-dev libssl-dev
  libprotobuf-c-dev protobuf-c-compiler libgrpc-dev
  # test tooling: real servers and checkers
  mariadb-server mariadb-client sqlite3 python3-numpy python3-swift
  tmux curl valgrind clang libclang-rt-14-dev
)
# Node.js 20 with its npm is preinstalled on our machines; Debian's own pair is
# the fallback where no node is on PATH.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node packages of the Milvus 2.x emulator used by the tests (pinned by its
# package-lock.json); skipped when the installed tree already matches the lock.
emu_dir=$(cd "$(dirname "$0")/.." && pwd)/tests/emulator
if [ -f "$emu_dir/package-lock.json" ] &&
   ! cmp -s "$emu_dir/package-lock.json" "$emu_dir/node_modules/.package-lock.json.installed" 2>/dev/null; then
  echo "install-deps: installing the emulator's Node packages"
  npm ci --prefix "$emu_dir" --no-audit --no-fund >/dev/null
  cp "$emu_dir/package-lock.json" "$emu_dir/node_modules/.package-lock.json.installed"
fi
