#!/usr/bin/env bash
# Builds the container image from deploy/Dockerfile and runs it — without a Docker engine and without a
# registry — then checks it end to end:
#   1. Debian 12 base images `debian:12` and `debian:12-slim` made with debootstrap from the mirror this
#      machine's apt uses (upgraded, with the official image's apt clean-up), imported under the names the
#      Dockerfile's FROM lines use. The rootfs tarballs are cached ($NDS_CONTAINER_CACHE, default
#      ~/.cache/netbox-dhcp-sync/container; rebuilt after $NDS_CONTAINER_BASE_MAX_DAYS days, default 7).
#   2. `buildah bud --isolation chroot --pull=never -f deploy/Dockerfile` on the source tree without build
#      directories and .git: the full multi-stage source build operators run.
#   3. Checks, each printing PASS or FAIL: the image's size; `--version`; a one-shot `sync` in the container
#      against seeded simulators makes the same NetBox (and DHCP) writes as the host's binary against an
#      identically seeded estate; the service (`run`) answers /healthz, /readyz and /metrics from the host
#      and its start-up sync succeeds; it runs as uid 10001 with a read-only root filesystem; `podman stop`
#      ends it with exit code 0.
# podman and buildah use private storage and settings under a temporary directory (vfs storage, runc,
# cgroupfs; /etc/containers and /var/lib/containers are not touched); everything is removed on exit.
# Needs root (debootstrap, chroot builds). Installs its packages with scripts/install-deps.sh container.
# Exit status 0 when every check passed. Environment: BUILD_DIR (host build, default build),
# NDS_CONTAINER_PORT (service port, default a free one in 19000-19499), NDS_IMAGE_MAX_MB (default 110),
# NDS_CONTAINER_KEEP=1 (keep the work directory and the image for a look afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$(date +%s)

build_dir=${BUILD_DIR:-build}
cache=${NDS_CONTAINER_CACHE:-$HOME/.cache/netbox-dhcp-sync/container}
base_max_days=${NDS_CONTAINER_BASE_MAX_DAYS:-7}
image_max_mb=${NDS_IMAGE_MAX_MB:-110}
image=localhost/netbox-dhcp-sync:test
suite=bookworm
uid_expected=10001

results=()
failures=0
pass() { results+=("PASS  $1"); echo "PASS  $1"; }
fail() { results+=("FAIL  $1"); echo "FAIL  $1"; failures=$((failures + 1)); }
step() { echo "== $* ($(( $(date +%s) - started )) s)"; }
die() { echo "container-test: $*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap and buildah's chroot isolation)"

#------------------------------------------------------------------------------------------------------------
step "packages (scripts/install-deps.sh container)"
bash scripts/install-deps.sh container

step "host binaries in $build_dir: the daemon, the simulators and the seeded estate"
BUILD_DIR=$build_dir bash scripts/build.sh netbox-dhcp-sync netbox_sim psu_sim netbox-dhcp-sync-sim-estate
host_daemon=$root/$build_dir/daemon/netbox-dhcp-sync
estate_program=$root/$build_dir/tests/support/netbox-dhcp-sync-sim-estate

#------------------------------------------------------------------------------------------------------------
# The work directory: private podman/buildah storage and settings, the build context, the estates.
unmount_under() { findmnt -rn -o TARGET | grep "^$1/" | sort -r | while read -r mount; do umount -l "$mount"; done; }
# A run that was killed (SIGKILL, a lost machine) left its work directory: its containers are removed with
# its own settings, then the directory. Only directories whose owner process is gone are touched.
for stale in /tmp/nds-container-*/; do
    stale=${stale%/}
    [ -f "$stale/owner.pid" ] && ! kill -0 "$(cat "$stale/owner.pid")" 2>/dev/null || continue
    echo "removing the work directory of an earlier run: $stale"
    # Only with that run's own settings: without them podman would act on the machine's default storage.
    if [ -f "$stale/storage.conf" ] && [ -f "$stale/containers.conf" ]; then
        CONTAINERS_STORAGE_CONF=$stale/storage.conf CONTAINERS_CONF=$stale/containers.conf \
            timeout 120 podman rm -af -t 0 >/dev/null 2>&1 || true
    fi
    unmount_under "$stale"
    rm -rf "$stale"
done
work=$(mktemp -d /tmp/nds-container-XXXXXX)
echo $$ >"$work/owner.pid"
containers=()
estate_pids=()
cleanup() {
    local status=$?
    set +e
    for name in "${containers[@]}"; do timeout 60 podman rm -f -t 5 "$name" >/dev/null 2>&1; done
    for pid in "${estate_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${estate_pids[@]}"; do timeout 10 tail --pid="$pid" -f /dev/null; done
    if [ "${NDS_CONTAINER_KEEP:-0}" = 1 ]; then
        echo "kept: $work (CONTAINERS_STORAGE_CONF=$work/storage.conf CONTAINERS_CONF=$work/containers.conf)"
    else
        timeout 60 podman rmi -f "$image" >/dev/null 2>&1
        # podman leaves a tmpfs (the containers' /dev/shm) mounted under its storage until the container is gone.
        unmount_under "$work"
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/storage" "$work/run" "$work/tmp" "$work/libpod" "$cache"

cat >"$work/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$work/storage"
runroot = "$work/run"
EOF
# Podman's default ulimits exceed this machine kind's hard limits; crun refuses the hybrid cgroup layout.
cat >"$work/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$work/libpod"
image_copy_tmp_dir = "$work/tmp"
EOF
# Short names (FROM debian:12) resolve to docker.io/library/, where the imported base images are.
cat >"$work/registries.conf" <<EOF
unqualified-search-registries = ["docker.io"]
short-name-mode = "permissive"
EOF
export CONTAINERS_STORAGE_CONF=$work/storage.conf CONTAINERS_CONF=$work/containers.conf
export CONTAINERS_REGISTRIES_CONF=$work/registries.conf TMPDIR=$work/tmp

#------------------------------------------------------------------------------------------------------------
# Base images. The mirror is the one this machine's apt uses (a deb822 .sources stanza or a one-line .list
# entry for bookworm); the security suite is taken from its own entry, or debian-security next to the mirror.
mirror_for() {  # $1 = suite; prints the first URI of an enabled entry for exactly that suite
    local suite=$1 file
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$file" ] || continue
        awk -v s="$suite" '$1 == "deb" { sub(/\[[^]]*\]/, ""); $0 = $0; if ($3 == s) { print $2; exit } }' "$file"
    done
    for file in /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] || continue
        awk -v s="$suite" 'BEGIN { RS = ""; FS = "\n" }
            { uri = ""; hit = 0; off = 0
              for (n = 1; n <= NF; n++) {
                  if ($n ~ /^URIs:/) { split($n, u, /[ \t]+/); uri = u[2] }
                  if ($n ~ /^Suites:/) { m = split($n, w, /[ \t]+/); for (k = 2; k <= m; k++) if (w[k] == s) hit = 1 }
                  if ($n ~ /^Enabled:[ \t]*no/) off = 1
              }
              if (hit && !off && uri != "") { print uri; exit } }' "$file"
    done
}
mirror=$(mirror_for "$suite" | head -n 1)
[ -n "$mirror" ] || die "no apt entry for $suite in /etc/apt/sources.list*: cannot tell which mirror to debootstrap from"
security_mirror=$(mirror_for "$suite-security" | head -n 1)
[ -n "$security_mirror" ] || security_mirror=${mirror%/debian}/debian-security
mirror=${mirror%/} security_mirror=${security_mirror%/}

# The official image's apt configuration (debuerreotype): no package caches or translations kept in a layer.
write_official_apt_config() {  # $1 = rootfs
    local conf=$1/etc/apt/apt.conf.d
    cat >"$conf/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    echo 'Acquire::Languages "none";' >"$conf/docker-no-languages"
    echo 'Acquire::GzipIndexes "true";' >"$conf/docker-gzip-indexes"
    echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$conf/docker-autoremove-suggests"
    echo 'force-unsafe-io' >"$1/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
    # What this machine's mirror needs (a snapshot mirror has expired Release files) and its proxy, if any.
    apt-config dump | grep -E '^Acquire::(Check-Valid-Until|Check-Date|https?::Proxy) ' >"$conf/99host-mirror" || true
    rm -f "$1/etc/apt/sources.list"
    cat >"$1/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security_mirror
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    # Services a package installs are not started in a build (as in the official image).
    printf '#!/bin/sh\nexit 101\n' >"$1/usr/sbin/policy-rc.d"
    chmod 0755 "$1/usr/sbin/policy-rc.d"
}

in_rootfs() {  # $1 = rootfs, then a command (at most 15 min); /proc mounted in a private mount namespace
    local rootfs=$1
    shift
    timeout 900 unshare --mount --propagation private --fork sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' \
        "$rootfs" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"
}

# The slim variant's dpkg excludes (as in debian:12-slim), and the already installed files they cover removed.
slim_rootfs() {  # $1 = rootfs
    cat >"$1/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
EOF
    find "$1/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    find "$1/usr/share/doc" -mindepth 1 -type d -empty -delete
    rm -rf "$1"/usr/share/{groff,info,linda,lintian,man}/*
    find "$1/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
}

pack_rootfs() {  # $1 = rootfs, $2 = tarball; no device nodes, host resolver or caches in the image
    rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb \
        "$1"/var/cache/debconf/*-old "$1"/var/lib/dpkg/*-old "$1"/tmp/* "$1"/dev/* "$1"/run/*
    find "$1/var/log" -type f -exec truncate --size 0 {} +
    : >"$1/etc/resolv.conf"
    : >"$1/etc/hostname"
    : >"$1/etc/machine-id"
    tar --numeric-owner --xattrs -C "$1" -cf "$2.partial" .
    mv "$2.partial" "$2"
}

make_base_images() {
    local rootfs=$work/rootfs
    echo "debootstrap --variant=minbase $suite from $mirror (security: $security_mirror)"
    timeout 900 debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
        || { tail -n 30 "$work/debootstrap.log"; die "debootstrap failed"; }
    write_official_apt_config "$rootfs"
    in_rootfs "$rootfs" sh -c 'apt-get update -q && apt-get upgrade -y -q && apt-get clean' \
        >"$work/upgrade.log" 2>&1 || { tail -n 30 "$work/upgrade.log"; die "apt-get upgrade in the rootfs failed"; }
    grep -E '^[0-9]+ upgraded' "$work/upgrade.log" || true
    pack_rootfs "$rootfs" "$cache/debian-12.tar"
    slim_rootfs "$rootfs"
    pack_rootfs "$rootfs" "$cache/debian-12-slim.tar"
    rm -rf "$rootfs"
    echo "$base_stamp" >"$cache/stamp"
}

# The cache is valid for this mirror and this recipe (a changed function above makes new base images).
base_stamp="mirror=$mirror security=$security_mirror suite=$suite recipe=$(declare -f make_base_images \
    write_official_apt_config in_rootfs slim_rootfs pack_rootfs | md5sum | cut -c 1-12)"
base_started=$(date +%s)
step "base images debian:12 and debian:12-slim"
if [ -f "$cache/debian-12.tar" ] && [ -f "$cache/debian-12-slim.tar" ] && [ "$(cat "$cache/stamp" 2>/dev/null)" = "$base_stamp" ] \
   && [ -z "$(find "$cache/stamp" -mtime +"$base_max_days")" ]; then
    echo "rootfs tarballs from the cache ($cache, made $(date -r "$cache/stamp" '+%F %T'))"
else
    make_base_images
fi
timeout 300 podman import -q --change 'CMD ["bash"]' "$cache/debian-12.tar" docker.io/library/debian:12 >/dev/null
timeout 300 podman import -q --change 'CMD ["bash"]' "$cache/debian-12-slim.tar" docker.io/library/debian:12-slim >/dev/null
base_seconds=$(( $(date +%s) - base_started ))

#------------------------------------------------------------------------------------------------------------
step "buildah bud -f deploy/Dockerfile (the multi-stage source build)"
context=$work/context
mkdir -p "$context"
tar -C "$root" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$context" -xf -
build_started=$(date +%s)
# Each log line with the seconds since the build started: where the time goes.
if timeout 2400 buildah bud --isolation chroot --pull=never --layers=false \
        -f "$context/deploy/Dockerfile" --ignorefile "$context/deploy/Dockerfile.dockerignore" \
        -t "$image" "$context" 2>&1 \
   | while IFS= read -r line; do printf '%4d %s\n' $(( $(date +%s) - build_started )) "$line"; done >"$work/build.log"; then
    grep -E '^ *[0-9]+ \[[0-9]/[0-9]\] STEP|^ *[0-9]+ COMMIT' "$work/build.log" | cut -c 1-110
    build_seconds=$(( $(date +%s) - build_started ))
    pass "image built in $build_seconds s"
else
    tail -n 40 "$work/build.log"
    fail "image build (log above)"
    printf '%s\n' "${results[@]}"
    exit 1
fi

size_bytes=$(podman image inspect --format '{{.Size}}' "$image")
slim_bytes=$(podman image inspect --format '{{.Size}}' docker.io/library/debian:12-slim)
size_mb=$(( (size_bytes + 500000) / 1000000 ))
layers_mb=$(( (size_bytes - slim_bytes + 500000) / 1000000 ))
if [ "$size_mb" -le "$image_max_mb" ]; then pass "image size $size_mb MB (debian:12-slim + $layers_mb MB; bound $image_max_mb MB)"
else fail "image size $size_mb MB (debian:12-slim + $layers_mb MB) exceeds $image_max_mb MB"; fi

#------------------------------------------------------------------------------------------------------------
run_name() { echo "nds-container-test-$$-$1"; }
start_estate() {  # $1 = name, $2 = service listen address; sets estate_dir and estate_pid
    estate_dir=$work/estate-$1
    mkdir -p "$estate_dir"
    "$estate_program" --work-dir "$estate_dir" --service-listen "$2" --max-seconds 1800 \
        >"$estate_dir/estate.out" 2>"$estate_dir/estate.err" &
    estate_pid=$!
    estate_pids+=("$estate_pid")
    local i
    for i in $(seq 1 100); do
        grep -qx READY "$estate_dir/estate.out" && return 0
        kill -0 "$estate_pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$estate_dir/estate.err"
    die "the simulators of estate $1 did not start"
}
stop_estate() {  # $1 = estate dir, $2 = pid: SIGTERM makes it write writes.json
    kill -TERM "$2"
    timeout 30 tail --pid="$2" -f /dev/null
    [ -s "$1/writes.json" ]
}
estate_field() { sed -n "s/^$2=//p" "$1/estate.out"; }

step "podman run: --version"
host_version=$("$host_daemon" --version)
if image_version=$(timeout 60 podman run --rm --network none "$image" --version 2>&1) && [ "$image_version" = "$host_version" ]; then
    pass "--version in the container: $image_version"
else
    fail "--version in the container: '$image_version' (host binary: '$host_version')"
fi

step "podman run: sync in the container and on the host against identically seeded simulators"
start_estate host 127.0.0.1:0
host_estate=$estate_dir host_estate_pid=$estate_pid
start_estate container 127.0.0.1:0
container_estate=$estate_dir container_estate_pid=$estate_pid
set +e
timeout 300 env -u NETBOX_TOKEN "$host_daemon" sync -v --config "$(estate_field "$host_estate" CONFIG)" >"$host_estate/sync.out" 2>"$host_estate/sync.err"
host_status=$?
name=$(run_name sync)
containers+=("$name")
timeout 300 podman run --rm --name "$name" --network host --read-only --read-only-tmpfs=false \
    -v "$(estate_field "$container_estate" CONFIG)":/etc/netbox-dhcp-sync/config.yaml:ro \
    "$image" sync -v --config /etc/netbox-dhcp-sync/config.yaml >"$container_estate/sync.out" 2>"$container_estate/sync.err"
container_status=$?
set -e
stop_estate "$host_estate" "$host_estate_pid" || fail "host estate wrote no writes.json"
stop_estate "$container_estate" "$container_estate_pid" || fail "container estate wrote no writes.json"
host_changes=$(estate_field "$host_estate" NETBOX_CHANGES)
container_changes=$(estate_field "$container_estate" NETBOX_CHANGES)
echo "host sync (exit $host_status):"; sed 's/^/    /' "$host_estate/sync.out" | head -n 12
echo "container sync (exit $container_status):"; sed 's/^/    /' "$container_estate/sync.out" | head -n 12
if [ "$host_status" = 0 ] && [ "$container_status" = 0 ]; then pass "sync exit code 0 in the container and on the host"
else fail "sync exit codes: host $host_status, container $container_status (stderr: $container_estate/sync.err)"; fi
if [ "${host_changes:-0}" -gt 0 ] && cmp -s "$host_estate/writes.json" "$container_estate/writes.json"; then
    pass "the container's sync made the same writes as the host's ($container_changes NetBox changes; NetBox and DHCP state identical)"
else
    fail "writes differ: host $host_changes NetBox changes, container $container_changes (diff $host_estate/writes.json $container_estate/writes.json)"
fi

step "podman run -d: the service (run) with --read-only"
port=${NDS_CONTAINER_PORT:-}
if [ -z "$port" ]; then
    for candidate in $(seq 19000 19499 | shuf); do
        ss -Htln "sport = :$candidate" | grep -q . || { port=$candidate; break; }
    done
fi
start_estate service "127.0.0.1:$port"
service_estate=$estate_dir
name=$(run_name service)
containers+=("$name")
timeout 60 podman run -d --name "$name" --network host --read-only --read-only-tmpfs=false \
    -v "$(estate_field "$service_estate" SERVICE_CONFIG)":/etc/netbox-dhcp-sync/config.yaml:ro "$image" >/dev/null
http_get() { curl -sS --max-time 5 -o "$work/body" -w '%{http_code}' "http://127.0.0.1:$port$1" 2>/dev/null || true; }
healthz=""
for _ in $(seq 1 100); do
    healthz=$(http_get /healthz)
    [ "$healthz" = 200 ] && break
    [ "$(podman inspect --format '{{.State.Running}}' "$name")" = true ] || break
    sleep 0.2
done
if [ "$healthz" = 200 ]; then pass "/healthz from the host: 200"
else fail "/healthz from the host: '${healthz:-no answer}' (podman logs $name: $(podman logs "$name" 2>&1 | tail -n 3))"; fi
readyz=$(http_get /readyz)
if [ "$readyz" = 200 ]; then pass "/readyz from the host: 200 (NetBox simulator reachable from the container)"
else fail "/readyz from the host: '${readyz:-no answer}'"; fi
# The service syncs once at start-up: its metrics show the run.
metrics=""
for _ in $(seq 1 100); do
    metrics=$(http_get /metrics)
    [ "$metrics" = 200 ] && grep -q '^netbox_dhcp_sync_runs_total{.*outcome="success".*} [1-9]' "$work/body" && break
    sleep 0.2
done
if [ "$metrics" = 200 ] && grep -q '^netbox_dhcp_sync_runs_total{.*outcome="success".*} [1-9]' "$work/body"; then
    pass "/metrics from the host: 200, $(grep '^netbox_dhcp_sync_runs_total{' "$work/body" | head -n 1)"
else
    fail "/metrics from the host: '${metrics:-no answer}', no successful run counted"
fi

pid=$(podman inspect --format '{{.State.Pid}}' "$name")
uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$pid/status" 2>/dev/null || true)
if [ "$uids" = "$uid_expected $uid_expected $uid_expected $uid_expected" ]; then
    pass "the service runs as uid $uid_expected (not root): /proc/$pid/status Uid: $uids"
else
    fail "the service's uids are '$uids', expected $uid_expected"
fi
if [ "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$name")" = true ] \
   && ! podman exec --user 0 "$name" touch /probe 2>"$work/probe.err" \
   && grep -qi "read-only file system" "$work/probe.err"; then
    pass "root filesystem read-only (even root in the container: $(head -n 1 "$work/probe.err"))"
else
    fail "root filesystem not read-only ($(cat "$work/probe.err"))"
fi

stop_started=$(date +%s%N)
timeout 60 podman stop -t 30 "$name" >/dev/null
stop_ms=$(( ($(date +%s%N) - stop_started) / 1000000 ))
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
if [ "$exit_code" = 0 ]; then pass "podman stop: exit code 0 after $stop_ms ms"
else fail "podman stop: exit code $exit_code (podman logs: $(podman logs "$name" 2>&1 | tail -n 3))"; fi

#------------------------------------------------------------------------------------------------------------
echo
echo "== summary (image $image, $size_mb MB; $(( $(date +%s) - started )) s in total: base images $base_seconds s, image build $build_seconds s)"
printf '%s\n' "${results[@]}"
if [ "$failures" -eq 0 ]; then
    echo "container-test: ${#results[@]} passed, 0 failed"
else
    echo "container-test: $(( ${#results[@]} - failures )) passed, $failures failed"
    exit 1
fi
