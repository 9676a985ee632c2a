# Shared by the system tests: a private store per test file, the rc
# wrapper, the busybox test image.
RC_BIN=${RC_BIN:-$BATS_TEST_DIRNAME/../../bin/rc}
LIB=$BATS_TEST_DIRNAME/../lib

# A store and runroot of this file's own, outside bats' temp dir: the store
# holds files owned by subordinate ids that only rc (or a user namespace)
# can remove.
rc_setup_file() {
        RC_WORK=$(mktemp -d /tmp/rc-bats-XXXXXX)
        export RC_WORK RC_ROOT=$RC_WORK/root RC_RUNROOT=$RC_WORK/run
}

rc_teardown_file() {
        [ -n "${RC_WORK:-}" ] || return 0
        "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" system migrate >/dev/null 2>&1 || true
        unshare --user --map-auto --map-root-user rm -rf "$RC_WORK" 2>/dev/null || rm -rf "$RC_WORK" 2>/dev/null || true
}

rc() {
        "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" "$@"
}

# The busybox image tarball, made once per run.
busybox_tar() {
        local tar=$BATS_RUN_TMPDIR/busybox${1:-}.tar
        case "${1:-}" in --gzip) tar=$tar.gz ;; --zstd) tar=$tar.zst ;; esac
        [ -s "$tar" ] || "$LIB/make-busybox-rootfs.sh" "$tar" ${1:-} >&2
        echo "$tar"
}

import_busybox() {
        rc import "$(busybox_tar)" "${1:-localhost/bb}" >/dev/null
}

# import_with_helper SOURCE.c NAME IMAGE: the busybox image plus SOURCE.c
# built static as /bin/NAME (also left in $RC_WORK/NAME).  Fails (1) when
# there is no static C compiler (gcc + libc6-dev).
import_with_helper() {
        command -v cc >/dev/null && cc -static -O2 -o "$RC_WORK/$2" "$1" 2>/dev/null || return 1
        cp "$(busybox_tar)" "$RC_WORK/$2.tar"
        python3 - "$RC_WORK/$2.tar" "$RC_WORK/$2" "bin/$2" <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[1], "a", format=tarfile.PAX_FORMAT) as t:
    ti = t.gettarinfo(sys.argv[2], sys.argv[3])
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = ""
    ti.mode = 0o755
    with open(sys.argv[2], "rb") as f:
        t.addfile(ti, f)
PY
        rc import "$RC_WORK/$2.tar" "$3" >/dev/null
}

# Nothing of any container may remain: no directories, no records, no
# mounts, no processes.
assert_no_container_left() {
        local left
        left=$(ls -A "$RC_ROOT/containers" 2>/dev/null)
        [ -z "$left" ] || { echo "left in containers/: $left"; return 1; }
        left=$(rc ps -a -q)
        [ -z "$left" ] || { echo "records left: $left"; return 1; }
        left=$(ls -A "$RC_RUNROOT/containers" 2>/dev/null || true)
        [ -z "$left" ] || { echo "left in the run root's containers/: $left"; return 1; }
        ! grep -q -e "$RC_ROOT/containers" -e "$RC_RUNROOT/containers" /proc/mounts || { echo "mounts left"; return 1; }
}

# run_marked SCRIPT: start `rc run --rm localhost/bb sh -c SCRIPT` in the
# background, where SCRIPT contains $MARKER (a unique `sleep N` command),
# and wait until that process runs.  Sets RC_BG (rc's pid) and MARKER.
new_marker() {
        MARKER="sleep $((100000 + RANDOM * 8 + RANDOM % 8))"
}

run_marked() {
        "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" run --rm localhost/bb sh -c "$1" 3>&- &
        RC_BG=$!
        wait_for_process "$MARKER"
}

# Wait up to 5 s for a process whose command line is exactly $1.
wait_for_process() {
        for _ in $(seq 100); do
                pgrep -fx "$1" >/dev/null && return 0
                sleep 0.05
        done
        echo "process '$1' did not start" >&2
        return 1
}

# Wait up to 5 s for no process with command line $1 to remain.
wait_for_no_process() {
        for _ in $(seq 100); do
                pgrep -fx "$1" >/dev/null || return 0
                sleep 0.05
        done
        echo "process '$1' is still there" >&2
        return 1
}

# podman with a store of this file's own, as the PODMAN array; false when
# podman is missing or cannot run here.  (crun refuses the hybrid cgroup
# layout; runc copes.)
podman_usable() {
        command -v podman >/dev/null || return 1
        PODMAN=(podman --root "$RC_WORK/podman-root" --runroot "$RC_WORK/podman-run")
        [ -e /sys/fs/cgroup/unified ] && command -v runc >/dev/null && PODMAN+=(--runtime runc)
        "${PODMAN[@]}" info >/dev/null 2>&1
}

podman_cleanup() {
        [ -n "${PODMAN:-}" ] || return 0
        "${PODMAN[@]}" rmi -af >/dev/null 2>&1 || true
        podman unshare rm -rf "$RC_WORK/podman-root" >/dev/null 2>&1 || true
}
