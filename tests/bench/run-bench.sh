#!/bin/bash
# make bench: how long `rc run --rm --network none IMAGE true` takes, and
# the same with podman side by side when it is installed.  As root it runs
# as the unprivileged test user, like the tests.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-bin}
RUNS=${RUNS:-50}
WARMUP=3

if [ "$(id -u)" -eq 0 ] && [ -z "${RC_TEST_AS_USER:-}" ]; then
        "$here/tests/setup-host.sh"
        user=${RC_TEST_USER:-rctest}
        uid=$(id -u "$user")
        exec runuser -u "$user" -- env -i HOME="$(getent passwd "$user" | cut -d: -f6)" USER="$user" \
                PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR="/run/user/$uid" \
                RC_TEST_AS_USER=1 BIN="$BIN" RUNS="$RUNS" "$0" "$@"
fi

work=$(mktemp -d /tmp/rc-bench-XXXXXX)
rc=("$here/$BIN/rc" --root "$work/rc-root" --runroot "$work/rc-run")
cleanup() {
        "${rc[@]}" rmi -f localhost/bench >/dev/null 2>&1 || true
        "${rc[@]}" system migrate >/dev/null 2>&1 || true
        if command -v podman >/dev/null; then
                podman --root "$work/podman-root" --runroot "$work/podman-run" rmi -af >/dev/null 2>&1 || true
                podman unshare rm -rf "$work/podman-root" >/dev/null 2>&1 || true
        fi
        unshare --user --map-auto --map-root-user rm -rf "$work" 2>/dev/null || rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT

"$here/tests/lib/make-busybox-rootfs.sh" "$work/busybox.tar"

# time_runs NAME CMD...: RUNS timed runs after WARMUP; prints "median p95" in ms.
time_runs() {
        local name=$1 t0 t1
        shift
        for _ in $(seq "$WARMUP"); do "$@" >/dev/null; done
        : >"$work/$name.times"
        for _ in $(seq "$RUNS"); do
                t0=$(date +%s%N)
                "$@" >/dev/null
                t1=$(date +%s%N)
                echo $(((t1 - t0) / 1000)) >>"$work/$name.times"
        done
        sort -n "$work/$name.times" | awk '{ v[NR] = $1 } END {
                m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                p = v[int(NR * 0.95 + 0.999)]
                printf "%.1f %.1f\n", m / 1000, p / 1000 }'
}

"${rc[@]}" import "$work/busybox.tar" localhost/bench >/dev/null
read -r rc_median rc_p95 < <(time_runs rc "${rc[@]}" run --rm --network none localhost/bench true)
echo "rc run --rm --network none IMAGE true: median ${rc_median} ms, p95 ${rc_p95} ms ($RUNS runs)"

if command -v podman >/dev/null; then
        podman=(podman --root "$work/podman-root" --runroot "$work/podman-run")
        # crun refuses hybrid cgroup hosts; runc works there
        if ! "${podman[@]}" info >/dev/null 2>&1; then
                echo "podman: not usable here ($("${podman[@]}" info 2>&1 | tail -1))"
                exit 0
        fi
        runtime=()
        if [ -e /sys/fs/cgroup/unified ] && command -v runc >/dev/null; then
                runtime=(--runtime runc)
        fi
        "${podman[@]}" import "$work/busybox.tar" localhost/bench >/dev/null 2>&1
        if "${podman[@]}" "${runtime[@]}" run --rm --network none localhost/bench true >/dev/null 2>&1; then
                read -r p_median p_p95 < <(time_runs podman "${podman[@]}" "${runtime[@]}" run --rm --network none localhost/bench true)
                echo "podman ${runtime[*]} run --rm --network none IMAGE true: median ${p_median} ms, p95 ${p_p95} ms ($RUNS runs)"
                awk -v p="$p_median" -v r="$rc_median" 'BEGIN { printf "ratio podman/rc (median): %.1fx\n", p / r }'
        else
                echo "podman: run failed here: $("${podman[@]}" "${runtime[@]}" run --rm --network none localhost/bench true 2>&1 | tail -1)"
        fi
else
        echo "podman: not installed (scripts/install-deps.sh --bench installs it)"
fi
