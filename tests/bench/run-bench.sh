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
        RC_TEST_DEBIAN_TAR=$("$here/tests/lib/make-debian-rootfs.sh")
        user=${RC_TEST_USER:-rctest}
        uid=$(id -u "$user")
        exec runuser -u "$user" -- env -i HOME="$(getent passwd "$user" | cut -d: -f6)" USER="$user" \
                PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR="/run/user/$uid" \
                RC_TEST_AS_USER=1 BIN="$BIN" RUNS="$RUNS" RC_TEST_DEBIAN_TAR="$RC_TEST_DEBIAN_TAR" "$0" "$@"
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
        echo "podman: not installed (scripts/install-deps.sh --test installs it)"
fi

# Pull from a loopback registry into an empty store, rc and podman side by
# side (fresh storage each time, median of 3): 8 layers of 25 MB (half
# random, half text), and a Debian minbase image when mmdebstrap could make
# one (as root).
if command -v docker-registry >/dev/null && command -v skopeo >/dev/null; then
        source "$here/tests/lib/registry.sh"
        registry_start "$work/registry"
        trap 'registry_stop; cleanup' EXIT
        layers_bytes=$(python3 "$here/tests/bench/make-layers-image.py" "$work/layers")
        registry_push "$work/layers" bench/layers:latest
        if [ -s "${RC_TEST_DEBIAN_TAR:-}" ]; then
                python3 "$here/tests/lib/make-oci-image.py" "$RC_TEST_DEBIAN_TAR" "$work/debian" --cmd bash
                registry_push "$work/debian" bench/debian:bookworm
                debian_bytes=$(skopeo inspect --raw --tls-verify=false "docker://$REGISTRY/bench/debian:bookworm" |
                        python3 -c 'import json, sys; print(sum(l["size"] for l in json.load(sys.stdin)["layers"]))')
        fi
        printf '[registries]\ninsecure = %s\n' "$REGISTRY" >"$work/rc.conf"
        pull_rc() {
                local d=$work/pull-rc-$1
                "$here/$BIN/rc" --config "$work/rc.conf" --root "$d/root" --runroot "$d/run" pull -q "$REGISTRY/$2" >/dev/null
        }
        pull_podman() {
                local d=$work/pull-podman-$1
                podman --root "$d/root" --runroot "$d/run" pull -q --tls-verify=false "$REGISTRY/$2" >/dev/null
        }
        clean_rc() {
                local d=$work/pull-rc-$1
                "$here/$BIN/rc" --root "$d/root" --runroot "$d/run" system migrate >/dev/null 2>&1 || true
                unshare --user --map-auto --map-root-user rm -rf "$d"
        }
        clean_podman() {
                podman --root "$work/pull-podman-$1/root" --runroot "$work/pull-podman-$1/run" rmi -af >/dev/null 2>&1 || true
                podman unshare rm -rf "$work/pull-podman-$1" >/dev/null 2>&1 || true
        }
        # time_pull TOOL IMAGE: median wall time of 3 pulls into empty stores, in ms
        time_pull() {
                local tool=$1 image=$2 t0 t1 i
                : >"$work/pull-$tool.times"
                for i in 1 2 3; do
                        t0=$(date +%s%N)
                        "pull_$tool" "$i" "$image"
                        t1=$(date +%s%N)
                        echo $(((t1 - t0) / 1000000)) >>"$work/pull-$tool.times"
                        "clean_$tool" "$i"
                done
                sort -n "$work/pull-$tool.times" | sed -n 2p
        }
        # compare LABEL IMAGE BYTES
        compare() {
                local label=$1 image=$2 bytes=$3 rc_ms p_ms
                rc_ms=$(time_pull rc "$image")
                awk -v l="$label" -v ms="$rc_ms" -v b="$bytes" 'BEGIN { printf "rc pull (%s, %.0f MB compressed): median %d ms, %.0f MB/s\n", l, b / 1e6, ms, b / 1e6 / (ms / 1000) }'
                command -v podman >/dev/null || return 0
                p_ms=$(time_pull podman "$image")
                awk -v l="$label" -v ms="$p_ms" -v b="$bytes" 'BEGIN { printf "podman pull (%s): median %d ms, %.0f MB/s\n", l, ms, b / 1e6 / (ms / 1000) }'
                awk -v l="$label" -v p="$p_ms" -v r="$rc_ms" 'BEGIN { printf "ratio rc/podman pull time (%s): %.2f (target <= 0.5)\n", l, r / p }'
        }
        compare "8 x 25 MB layers" bench/layers "$layers_bytes"
        if [ -n "${debian_bytes:-}" ]; then
                compare "Debian bookworm minbase" bench/debian:bookworm "$debian_bytes"
        else
                echo "Debian minbase pull: skipped (needs mmdebstrap, run make bench as root)"
        fi
fi
