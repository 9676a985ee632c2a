# Sourced by run-bench.sh: detached containers, rc next to podman.
#   rc run -d, rc stop -t 0, rc rm (medians), rc ps -a with 100 containers,
#   and the monitor's memory.
# Uses time_runs, row, ratio, rc, work, RUNS from run-bench.sh.

# time_prepared NAME PREPARE CMD: like time_runs, with PREPARE run before each
# timed run (hyperfine --prepare); prints "median p95" in ms.
time_prepared() {
        local name=$1 prepare=$2
        shift 2
        if command -v hyperfine >/dev/null; then
                # a shell for the preparation; hyperfine subtracts its cost from the timings
                hyperfine --style none --warmup 1 --runs "${BENCH_RUNS:-$RUNS}" --prepare "$prepare" \
                        --export-json "$work/$name.json" -- "$*" >/dev/null 2>&1
                python3 -c 'import json, sys
t = sorted(json.load(open(sys.argv[1]))["results"][0]["times"])
print("%.2f %.2f" % (t[len(t) // 2] * 1000, t[min(len(t) - 1, int(len(t) * 0.95 + 0.999) - 1)] * 1000))' "$work/$name.json"
                return
        fi
        local t0 t1
        : >"$work/$name.times"
        for _ in $(seq "${BENCH_RUNS:-$RUNS}"); do
                bash -c "$prepare" >/dev/null 2>&1
                t0=$(date +%s%N)
                "$@" >/dev/null
                t1=$(date +%s%N)
                echo $(((t1 - t0) / 1000)) >>"$work/$name.times"
        done
        sort -n "$work/$name.times" | awk '{ v[NR] = $1 } END {
                printf "%.2f %.2f\n", v[int((NR + 1) / 2)] / 1000, v[int(NR * 0.95 + 0.999)] / 1000 }'
}

echo "detached containers (medians of ${BENCH_RUNS:-$RUNS}):"
rcq="${rc[*]}"
read -r d_m d_p < <(time_runs rund "${rc[@]}" run -d --network none localhost/bench true)
row "rc run -d --network none IMAGE true" "$d_m" "$d_p" "(target <= 25 ms)"
"${rc[@]}" rm -af >/dev/null
read -r s_m s_p < <(time_prepared stop "$rcq rm -f s >/dev/null 2>&1; $rcq run -d --name s --network none localhost/bench sleep 1000" \
        "${rc[@]}" stop -t 0 s)
row "rc stop -t 0 CTR" "$s_m" "$s_p"
read -r r_m r_p < <(time_prepared rm "$rcq create --name r --network none localhost/bench true" "${rc[@]}" rm r)
row "rc rm CTR (created)" "$r_m" "$r_p"
"${rc[@]}" rm -af >/dev/null
for i in $(seq 100); do
        "${rc[@]}" create --name "ps-$i" --network none localhost/bench true >/dev/null
done
read -r ps100_m ps100_p < <(time_runs ps100 "${rc[@]}" ps -a)
row "rc ps -a (100 containers)" "$ps100_m" "$ps100_p" "(target <= 30 ms)"
"${rc[@]}" rm -af >/dev/null
"${rc[@]}" run -d --name mon --network none localhost/bench sleep 1000 >/dev/null
mon=$(pgrep -f -- "--name mon --network none" | head -1)
awk '/^VmRSS/ { rss = $2 } END { printf "  monitor memory: RSS %d KiB", rss }' "/proc/$mon/status"
awk '/^Pss:/ { pss = $2 } /^Private_Dirty/ { priv = $2 } END {
        printf ", PSS %d KiB, private %d KiB (target RSS <= 1024 KiB)\n", pss, priv }' "/proc/$mon/smaps_rollup"
"${rc[@]}" rm -f mon >/dev/null

if [ -n "${podman_ok:-}" ]; then
        pq="${podman[*]} ${runtime[*]}"
        BENCH_RUNS=${PODMAN_RUNS:-10}
        read -r pd_m pd_p < <(time_runs podman-rund "${podman[@]}" "${runtime[@]}" run -d --network none localhost/bench true)
        row "podman run -d --network none IMAGE true" "$pd_m" "$pd_p" "rc is $(ratio "$pd_m" "$d_m")x faster"
        read -r ps_m2 ps_p2 < <(time_prepared podman-stop \
                "$pq rm -f s >/dev/null 2>&1; $pq run -d --name s --network none localhost/bench sleep 1000" \
                "${podman[@]}" "${runtime[@]}" stop -t 0 s)
        row "podman stop -t 0 CTR" "$ps_m2" "$ps_p2" "rc is $(ratio "$ps_m2" "$s_m")x faster"
        read -r pr_m pr_p < <(time_prepared podman-rm "$pq create --name r --network none localhost/bench true" \
                "${podman[@]}" "${runtime[@]}" rm r)
        row "podman rm CTR (created)" "$pr_m" "$pr_p" "rc is $(ratio "$pr_m" "$r_m")x faster"
        "${podman[@]}" rm -af >/dev/null 2>&1 || true
        unset BENCH_RUNS
fi
