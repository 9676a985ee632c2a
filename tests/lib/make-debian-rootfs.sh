#!/bin/bash
# As root: make (once) a Debian bookworm minbase root file system tarball
# with mmdebstrap for the slow tests and the benchmark, and print its path.
# Prints nothing when mmdebstrap is missing or fails.
deb=/var/tmp/rc-test-debian-bookworm.tar
command -v mmdebstrap >/dev/null || exit 0
if [ ! -s "$deb" ]; then
        echo "== making a Debian minbase root file system (mmdebstrap)" >&2
        mmdebstrap --quiet --variant=minbase --format=tar bookworm "$deb.tmp" >&2 && mv "$deb.tmp" "$deb"
fi
[ -s "$deb" ] && chmod 0644 "$deb" && echo "$deb"
exit 0
