#!/bin/sh
# Build a busybox image from the host's busybox-static, import it and run a
# container: the whole main path of rc, offline.  Uses a scratch store so it
# leaves nothing behind in ~/.local/share/rc.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
rc="$here/bin/rc"
[ -x "$rc" ] || { echo "quickstart: $rc not built: run make first" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/rc-quickstart-XXXXXX")
store="$work/store"
trap 'status=$?; "$rc" --root "$store" --runroot "$work/run" rmi -f localhost/bb >/dev/null 2>&1 || true; \
      "$rc" --root "$store" --runroot "$work/run" system migrate >/dev/null 2>&1 || true; \
      rm -rf "$work" 2>/dev/null || true; exit $status' EXIT INT TERM

"$here/tests/lib/make-busybox-rootfs.sh" "$work/busybox.tar"
R() { "$rc" --root "$store" --runroot "$work/run" "$@"; }
echo "+ rc import busybox.tar localhost/bb"
R import "$work/busybox.tar" localhost/bb
echo "+ rc run --rm localhost/bb sh -c 'echo hello from a container; id; hostname; exit 3'"
set +e
R run --rm localhost/bb sh -c 'echo hello from a container; id; hostname; exit 3'
status=$?
set -e
echo "(container exited with status $status)"
[ "$status" -eq 3 ] || { echo "quickstart: expected status 3" >&2; exit 1; }
echo "+ rc images"
R images
