#!/usr/bin/env bash
# Installs the Debian 12 packages this project builds with. Boost must be 1.81 (Debian's default 1.74 has
# no Boost.JSON); libboost-json1.81-dev has to be named explicitly.
set -euo pipefail
packages=(build-essential cmake ninja-build ccache pkg-config
          libboost1.81-dev libboost-json1.81-dev libssl-dev libyaml-cpp-dev doctest-dev
          systemd)  # systemd-analyze verify checks the unit file in the tests
# `install-deps.sh fuzz` adds clang and its libFuzzer runtime for fuzz/run.sh.
if [ "${1:-}" = fuzz ]; then packages+=(clang-14 libclang-rt-14-dev); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "installing: ${missing[*]}"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
