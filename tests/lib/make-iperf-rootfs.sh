#!/bin/sh
# make-iperf-rootfs.sh OUT.tar: a root file system tarball with the host's
# Debian iperf3 (and the shared libraries it needs) over busybox, for the
# network benchmark; no network needed to make it.
set -eu
out=$1
here=$(cd "$(dirname "$0")" && pwd)
iperf=$(command -v iperf3) || { echo "iperf3 is not installed (Debian package iperf3)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$here/make-busybox-rootfs.sh" "$dir/bb.tar" >/dev/null
mkdir "$dir/root"
tar -C "$dir/root" -xf "$dir/bb.tar"
mkdir -p "$dir/root/usr/bin"
cp "$iperf" "$dir/root/usr/bin/iperf3"
# every library ldd names, at the same path, and the dynamic loader
ldd "$iperf" | awk '/=> \// { print $3 } /^\t\// { print $1 }' | while read -r lib; do
        mkdir -p "$dir/root$(dirname "$lib")"
        cp -L "$lib" "$dir/root$lib"
done
tar -C "$dir/root" -cf "$out" .
