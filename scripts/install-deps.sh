#!/bin/sh
# Installs the Debian packages rc needs to build, run and test.
#   scripts/install-deps.sh          build + run
#   scripts/install-deps.sh --test   also what the test suite uses
#   scripts/install-deps.sh --bench  also podman and runc, to compare against in make bench
set -eu
build="build-essential pkg-config libjson-c-dev libarchive-dev libinih-dev libsqlite3-dev \
libssl-dev zlib1g-dev libzstd-dev libseccomp-dev libsystemd-dev libcurl4-openssl-dev \
libslirp-dev libglib2.0-dev"
run="uidmap fuse-overlayfs fuse3 busybox-static"
test="libcmocka-dev bats python3 zstd clang curl docker-registry skopeo iproute2 procps util-linux psmisc"
pkgs="$build $run"
bench="podman runc"
[ "${1:-}" = "--test" ] && pkgs="$pkgs $test"
[ "${1:-}" = "--bench" ] && pkgs="$pkgs $test $bench"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $pkgs
