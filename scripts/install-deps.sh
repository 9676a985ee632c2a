#!/bin/sh
# Installs the Debian packages rc needs to build, run and test.
#   scripts/install-deps.sh          build + run
#   scripts/install-deps.sh --test   also what the tests and make bench use (podman, runc and
#                                    slirp4netns, which podman needs for its default network, for
#                                    interoperability tests and side-by-side benchmarks)
set -eu
build="build-essential pkg-config libjson-c-dev libarchive-dev libinih-dev libsqlite3-dev \
libssl-dev zlib1g-dev libzstd-dev libseccomp-dev libsystemd-dev libcurl4-openssl-dev \
libslirp-dev libglib2.0-dev"
run="uidmap fuse-overlayfs fuse3 busybox-static"
test="libcmocka-dev bats python3 zstd clang curl podman runc slirp4netns tmux mmdebstrap docker-registry skopeo iproute2 procps util-linux psmisc openssl apache2-utils python3-cryptography"
pkgs="$build $run"
[ "${1:-}" = "--test" ] && pkgs="$pkgs $test"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $pkgs
