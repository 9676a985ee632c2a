#!/bin/bash
# make bench, cgroups: what the systemd cgroup manager adds to rc run (a
# transient scope per container: one D-Bus round trip and the manager's job)
# next to --cgroup-manager none, rc run with a limit where the host can
# enforce one, and rc stats --no-stream with 20 containers.  It runs under
# a systemd user manager: run-bench.sh (as root) starts it through
# tests/lib/user-manager.sh for the user rctest-systemd.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${RUNS:-50}
RC_BIN=${RC_BIN:-$here/bin/rc}

if [ ! -S "${XDG_RUNTIME_DIR:-/nonexistent}/systemd/private" ]; then
        echo "cgroups: skipped (no systemd user manager for $(id -un); make bench as root starts one)"
        exit 0
fi
work=$(mktemp -d /tmp/rc-bench-cgroups-XXXXXX)
rc=("$RC_BIN" --root "$work/root" --runroot "$work/run")
cleanup() {
        "${rc[@]}" rm -af >/dev/null 2>&1 || true
        "${rc[@]}" system migrate >/dev/null 2>&1 || true
        unshare --user --map-auto --map-root-user rm -rf "$work" 2>/dev/null || rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT
"$here/tests/lib/make-busybox-rootfs.sh" "$work/busybox.tar" >/dev/null
"${rc[@]}" import "$work/busybox.tar" localhost/bench >/dev/null

# times NAME CMD...: RUNS runs after 5 warm-ups; prints the median and p95 in ms
times() {
        local name=$1
        shift
        if command -v hyperfine >/dev/null; then
                hyperfine -N --style none --warmup 5 --runs "$RUNS" --export-json "$work/$name.json" -- "$*" >/dev/null 2>&1
                python3 -c 'import json, sys
t = sorted(json.load(open(sys.argv[1]))["results"][0]["times"])
print("%.2f %.2f" % (t[len(t) // 2] * 1000, t[min(len(t) - 1, int(len(t) * 0.95 + 0.999) - 1)] * 1000))' "$work/$name.json"
                return
        fi
        local t0 t1
        for _ in 1 2 3 4 5; do "$@" >/dev/null; done
        : >"$work/$name.times"
        for _ in $(seq "$RUNS"); do
                t0=$(date +%s%N)
                "$@" >/dev/null
                t1=$(date +%s%N)
                echo $(((t1 - t0) / 1000)) >>"$work/$name.times"
        done
        sort -n "$work/$name.times" | awk '{ v[NR] = $1 } END {
                printf "%.2f %.2f\n", v[int((NR + 1) / 2)] / 1000, v[int(NR * 0.95 + 0.999)] / 1000 }'
}
row() {
        printf '  %-52s %8s ms  (p95 %s)%s\n' "$1" "$2" "$3" "${4:+  $4}"
}

echo "cgroups, as $(id -un) under its systemd user manager (medians of $RUNS; the two alternate, twice):"
run_none=("${rc[@]}" --cgroup-manager none run --rm localhost/bench true)
run_sd=("${rc[@]}" --cgroup-manager systemd run --rm localhost/bench true)
# alternating rounds, so that load from elsewhere falls on both alike
read -r n1 n1p < <(times none1 "${run_none[@]}")
read -r s1 s1p < <(times sd1 "${run_sd[@]}")
read -r n2 n2p < <(times none2 "${run_none[@]}")
read -r s2 s2p < <(times sd2 "${run_sd[@]}")
none=$(awk -v a="$n1" -v b="$n2" 'BEGIN { printf "%.2f", (a + b) / 2 }')
sd=$(awk -v a="$s1" -v b="$s2" 'BEGIN { printf "%.2f", (a + b) / 2 }')
row "rc --cgroup-manager none run --rm IMAGE true" "$none" "$n1p/$n2p"
row "rc --cgroup-manager systemd run --rm IMAGE true" "$sd" "$s1p/$s2p" \
        "the scope costs $(awk -v a="$sd" -v b="$none" 'BEGIN { printf "%.2f", a - b }') ms (target <= 3 ms)"
if out=$("${rc[@]}" --cgroup-manager systemd run --rm --memory 64m localhost/bench true 2>&1); then
        read -r m mp < <(times mem "${rc[@]}" --cgroup-manager systemd run --rm --memory 64m localhost/bench true)
        row "rc run --rm --memory 64m IMAGE true (systemd)" "$m" "$mp" \
                "the limit adds $(awk -v a="$m" -v b="$sd" 'BEGIN { printf "%.2f", a - b }') ms to the scope"
else
        echo "  rc run --rm --memory 64m IMAGE true: refused here, as it must be: ${out#Error: }" | cut -c1-200
fi
echo "  where the time goes (one run, --log-level debug):"
"${rc[@]}" --cgroup-manager systemd --log-level debug run --rm localhost/bench true 2>&1 |
        sed -n 's/^rc: debug: run: /    /p' | grep -E 'spec|cgroup|start|total'

for i in $(seq 20); do
        "${rc[@]}" --cgroup-manager systemd run -d --name "stats-$i" localhost/bench sleep 1000 >/dev/null
done
RUNS=$((RUNS / 2 > 5 ? RUNS / 2 : 5))
read -r st stp < <(times stats "${rc[@]}" stats --no-stream)
row "rc stats --no-stream (20 containers)" "$st" "$stp"
"${rc[@]}" rm -af >/dev/null
