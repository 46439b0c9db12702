#!/usr/bin/env bash
# Installs everything milvus-migrate needs to build, run and test on Debian 12.
# Idempotent; run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libncurses-dev libyaml-dev libcjson-dev libsqlite3-dev
  libmariadb-dev libcurl4-openssl-dev libssl-dev libxml2-dev
  libprotobuf-c-dev protobuf-c-compiler libgrpc-dev libdeflate-dev
  # test tooling: real servers and checkers
  mariadb-server mariadb-client sqlite3 python3-numpy python3-swift
  tmux curl openssl valgrind clang libclang-rt-14-dev groff-base
  # packaging and what the package test runs from the extracted package
  git dpkg-dev lintian man-db bash-completion
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

# Node packages used by the tests, each pinned by its package-lock.json: the
# Milvus 2.x emulator, and Microsoft's Azure Storage emulator Azurite. Skipped
# when the installed tree already matches the lock.
root=$(cd "$(dirname "$0")/.." && pwd)
for node_dir in "$root/tests/emulator" "$root/tests/azurite"; do
  if [ -f "$node_dir/package-lock.json" ] &&
     ! cmp -s "$node_dir/package-lock.json" "$node_dir/node_modules/.package-lock.json.installed" 2>/dev/null; then
    echo "install-deps: installing the Node packages of ${node_dir#"$root/"}"
    npm ci --prefix "$node_dir" --no-audit --no-fund >/dev/null
    cp "$node_dir/package-lock.json" "$node_dir/node_modules/.package-lock.json.installed"
  fi
done
