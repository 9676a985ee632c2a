#!/bin/bash
# make bench: start-up and `rc run` against the floor the kernel sets and
# against podman, medians side by side in one run (the numbers of a shared
# machine are noisy: compare within a run, not across runs):
#   /bin/true, rc --version, rc ps -a (10 containers in the store),
#   unshare -Urmpf --mount-proc true (a new user, mount and pid namespace: the
#   floor), rc run --rm --network none IMAGE true, podman's run --rm (runc),
#   and runc alone on a bundle already unpacked (for scale)
# with the ratios the targets are stated in; detached containers and
# rc exec (tests/bench/containers.sh, exec.sh); the network (network.sh:
# iperf3 both ways, requests through -p, against podman); then pulls from a loopback
# registry.  As root it runs as the unprivileged test user, like the tests.
# Timings come from hyperfine when it is installed, else from a shell loop.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-bin}
RUNS=${RUNS:-50}
RC_BENCH_PULL=${RC_BENCH_PULL:-1} # 0: start-up and run only
WARMUP=3

if [ "$(id -u)" -eq 0 ] && [ -z "${RC_TEST_AS_USER:-}" ]; then
        "$here/tests/setup-host.sh"
        RC_TEST_DEBIAN_TAR=
        [ "$RC_BENCH_PULL" = 0 ] || RC_TEST_DEBIAN_TAR=$("$here/tests/lib/make-debian-rootfs.sh")
        user=${RC_TEST_USER:-rctest}
        uid=$(id -u "$user")
        status=0
        runuser -u "$user" -- env -i HOME="$(getent passwd "$user" | cut -d: -f6)" USER="$user" \
                PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR="/run/user/$uid" \
                RC_TEST_AS_USER=1 BIN="$BIN" RUNS="$RUNS" RC_BENCH_PULL="$RC_BENCH_PULL" RC_TEST_DEBIAN_TAR="$RC_TEST_DEBIAN_TAR" "$0" "$@" ||
                status=$?
        # then the cgroup step under a real systemd user manager, as its own
        # test user (last: its hundreds of containers made and removed do not
        # weigh on the start-up numbers above)
        case $BIN in /*) rc_abs=$BIN/rc ;; *) rc_abs=$here/$BIN/rc ;; esac
        RC_TEST_ENV="RC_BIN=$rc_abs RUNS=$RUNS" "$here/tests/lib/user-manager.sh" run \
                "${RC_TEST_SYSTEMD_USER:-rctest-systemd}" "$here/tests/bench/cgroups.sh" ||
                echo "cgroups: the benchmark failed"
        exit "$status"
fi

work=$(mktemp -d /tmp/rc-bench-XXXXXX)
# run roots where users have them by default: on the XDG_RUNTIME_DIR tmpfs
run_base=$work
[ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ] && run_base=$(mktemp -d "$XDG_RUNTIME_DIR/rc-bench-XXXXXX")
case $BIN in /*) rc_bin=$BIN/rc ;; *) rc_bin=$here/$BIN/rc ;; esac
rc=("$rc_bin" --root "$work/rc-root" --runroot "$run_base/rc-run")
cleanup() {
        "${rc[@]}" ps -a -q 2>/dev/null | xargs -r "${rc[@]}" rm >/dev/null 2>&1 || true
        "${rc[@]}" rmi -f localhost/bench localhost/bench-build >/dev/null 2>&1 || true
        "${rc[@]}" system migrate >/dev/null 2>&1 || true
        if command -v podman >/dev/null; then
                podman --root "$work/podman-root" --runroot "$run_base/podman-run" rmi -af >/dev/null 2>&1 || true
                podman unshare rm -rf "$work/podman-root" >/dev/null 2>&1 || true
        fi
        for d in "$work" "$run_base"; do
                unshare --user --map-auto --map-root-user rm -rf "$d" 2>/dev/null || rm -rf "$d" 2>/dev/null || true
        done
}
trap cleanup EXIT

"$here/tests/lib/make-busybox-rootfs.sh" "$work/busybox.tar"

# time_runs NAME CMD...: RUNS timed runs after WARMUP; prints "median p95" in ms.
time_runs() {
        local name=$1 t0 t1
        shift
        if command -v hyperfine >/dev/null; then
                hyperfine -N --style none --warmup "$WARMUP" --runs "$RUNS" --export-json "$work/$name.json" \
                        -- "$*" >/dev/null 2>&1
                python3 -c 'import json, sys
t = sorted(json.load(open(sys.argv[1]))["results"][0]["times"])
print("%.2f %.2f" % (t[len(t) // 2] * 1000 if len(t) % 2 else (t[len(t) // 2 - 1] + t[len(t) // 2]) * 500,
                     t[min(len(t) - 1, int(len(t) * 0.95 + 0.999) - 1)] * 1000))' "$work/$name.json"
                return
        fi
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
                printf "%.2f %.2f\n", m / 1000, p / 1000 }'
}

# row LABEL MEDIAN P95 [NOTE]
row() {
        printf '  %-46s %8s ms  (p95 %s)%s\n' "$1" "$2" "$3" "${4:+  $4}"
}
ratio() {
        awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

"${rc[@]}" import "$work/busybox.tar" localhost/bench >/dev/null
for i in $(seq 10); do
        "${rc[@]}" run --name "bench-$i" --network none localhost/bench true >/dev/null
done
echo "medians of $RUNS runs ($(command -v hyperfine >/dev/null && echo hyperfine || echo 'shell loop')):"
read -r true_m true_p < <(time_runs true /bin/true)
row "/bin/true" "$true_m" "$true_p"
read -r ver_m ver_p < <(time_runs version "${rc[@]}" --version)
row "rc --version" "$ver_m" "$ver_p" "$(ratio "$ver_m" "$true_m")x /bin/true (target <= 2x)"
read -r ps_m ps_p < <(time_runs ps "${rc[@]}" ps -a)
row "rc ps -a (10 containers)" "$ps_m" "$ps_p" "(target <= 5 ms)"
read -r floor_m floor_p < <(time_runs floor unshare -Urmpf --mount-proc true)
row "unshare -Urmpf --mount-proc true (floor)" "$floor_m" "$floor_p"
read -r rc_median rc_p95 < <(time_runs rc "${rc[@]}" run --rm --network none localhost/bench true)
row "rc run --rm --network none IMAGE true" "$rc_median" "$rc_p95" \
        "$(ratio "$rc_median" "$floor_m")x the floor (target <= 1.5x)"
# The same with the store on the run root's tmpfs: what the store's disk
# costs (a --rm container's writable layer is made and deleted there)
if [ "$run_base" != "$work" ]; then
        rc_tmpfs=("$rc_bin" --root "$run_base/rc-root" --runroot "$run_base/rc-run")
        "${rc_tmpfs[@]}" import "$work/busybox.tar" localhost/bench >/dev/null
        read -r tmpfs_m tmpfs_p < <(time_runs rc-tmpfs "${rc_tmpfs[@]}" run --rm --network none localhost/bench true)
        row "  the same, the store on a tmpfs" "$tmpfs_m" "$tmpfs_p" \
                "$(ratio "$tmpfs_m" "$floor_m")x the floor; the store's disk costs $(awk -v a="$rc_median" -v b="$tmpfs_m" 'BEGIN { printf "%.2f", a - b }') ms"
        "${rc_tmpfs[@]}" rmi -f localhost/bench >/dev/null 2>&1 || true
fi

if command -v podman >/dev/null; then
        podman=(podman --root "$work/podman-root" --runroot "$run_base/podman-run")
        # crun refuses hybrid cgroup hosts; runc works there
        runtime=()
        if [ -e /sys/fs/cgroup/unified ] && command -v runc >/dev/null; then
                runtime=(--runtime runc)
        fi
        if ! "${podman[@]}" info >/dev/null 2>&1; then
                echo "  podman: not usable here ($("${podman[@]}" info 2>&1 | tail -1))"
        elif "${podman[@]}" import "$work/busybox.tar" localhost/bench >/dev/null 2>&1 &&
                "${podman[@]}" "${runtime[@]}" run --rm --network none localhost/bench true >/dev/null 2>&1; then
                read -r p_median p_p95 < <(time_runs podman "${podman[@]}" "${runtime[@]}" run --rm --network none localhost/bench true)
                row "podman ${runtime[*]} run --rm --network none IMAGE true" "$p_median" "$p_p95" \
                        "rc is $(ratio "$p_median" "$rc_median")x faster (target >= 25x)"
                podman_ok=1
        else
                echo "  podman: run failed here: $("${podman[@]}" "${runtime[@]}" run --rm --network none localhost/bench true 2>&1 | tail -1)"
        fi
else
        echo "  podman: not installed (scripts/install-deps.sh --test installs it)"
fi
# For scale: an OCI runtime alone, given a root file system already
# unpacked and a spec already written (no image, no store, no overlay)
if command -v runc >/dev/null; then
        bundle=$work/runc-bundle
        mkdir -p "$bundle/rootfs"
        tar -xf "$work/busybox.tar" -C "$bundle/rootfs" 2>/dev/null || true
        if (cd "$bundle" && runc spec --rootless) && python3 - "$bundle/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"] = ["true"]
c["process"]["terminal"] = False
c["linux"]["namespaces"].append({"type": "network"})
json.dump(c, open(sys.argv[1], "w"))
PY
        then
                runc_cmd=(runc --root "$run_base/runc-state" run -b "$bundle" bench-runc)
                if "${runc_cmd[@]}" >/dev/null 2>&1; then
                        read -r runc_m runc_p < <(time_runs runc "${runc_cmd[@]}")
                        row "runc run, bundle ready (no image, no store)" "$runc_m" "$runc_p" \
                                "rc run --rm is $(ratio "$runc_m" "$rc_median")x faster"
                else
                        echo "  runc: a rootless run failed here"
                fi
        fi
fi
source "$here/tests/bench/containers.sh"
source "$here/tests/bench/exec.sh"
source "$here/tests/bench/network.sh"
source "$here/tests/bench/build.sh"
echo "where rc run's time goes (one run, --log-level debug):"
"${rc[@]}" --log-level debug run --rm --network none localhost/bench true 2>&1 | sed -n 's/^rc: debug: run: /  /p'

# Pull from a loopback registry into an empty store, rc and podman side by
# side (fresh storage each time, median of 3): 8 layers of 25 MB (half
# random, half text), and a Debian minbase image when mmdebstrap could make
# one (as root).
if [ "$RC_BENCH_PULL" != 0 ] && command -v docker-registry >/dev/null && command -v skopeo >/dev/null; then
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
                "$rc_bin" --config "$work/rc.conf" --root "$d/root" --runroot "$d/run" pull -q "$REGISTRY/$2" >/dev/null
        }
        pull_podman() {
                local d=$work/pull-podman-$1
                podman --root "$d/root" --runroot "$d/run" pull -q --tls-verify=false "$REGISTRY/$2" >/dev/null
        }
        clean_rc() {
                local d=$work/pull-rc-$1
                "$rc_bin" --root "$d/root" --runroot "$d/run" system migrate >/dev/null 2>&1 || true
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
