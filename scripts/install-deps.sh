#!/usr/bin/env bash
# Installs the Debian 12 packages this project builds and tests with. Boost must be 1.81 (Debian's default
# 1.74 has no Boost.JSON); libboost-json1.81-dev has to be named explicitly.
#   install-deps.sh          build + test: compiler, libraries, and the real servers the tests start
#   install-deps.sh fuzz     adds clang and its libFuzzer runtime (fuzz/run.sh)
#   install-deps.sh container adds buildah, podman, runc, debootstrap and curl (scripts/container-test.sh)
set -euo pipefail
packages=(build-essential cmake ninja-build ccache pkg-config
          libboost1.81-dev libboost-json1.81-dev libssl-dev libyaml-cpp-dev doctest-dev
          libssh-dev        # dhcpd backend: SSH and SFTP to the DHCP host (docs/backends.md)
          libhiredis-dev    # coordination.redis: per-server locks shared by replicas
          systemd           # systemd-analyze verify checks the unit file in the tests
          # real servers and clients the tests start on 127.0.0.1 and in network namespaces
          kea-dhcp4-server kea-ctrl-agent kea-admin isc-dhcp-server isc-dhcp-client udhcpc busybox
          openssh-server openssh-client redis-server iproute2
          patch)            # the dhcpd tests apply the backend's unified diffs with GNU patch
case "${1:-}" in
  fuzz) packages+=(clang-14 libclang-rt-14-dev) ;;
  container) packages+=(buildah podman runc debootstrap curl) ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "installing: ${missing[*]}"
  $sudo_cmd apt-get update -q
  # policy-rc.d: the packages' own services (kea, dhcpd, sshd, redis) are not started; the tests start
  # their own instances on their own ports.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee /usr/sbin/policy-rc.d >/dev/null
    $sudo_cmd chmod +x /usr/sbin/policy-rc.d
    trap '$sudo_cmd rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
