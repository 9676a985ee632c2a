# Sourced by run-bench.sh: rc build next to podman build.  A 2-stage
# Dockerfile on the busybox image (RUN, COPY of a 20 MB tree, ENV, RUN
# deleting files, WORKDIR, CMD, COPY --from): a full build (--no-cache,
# median of 3) and a rebuild with nothing changed (median of 10).
# Uses row, ratio, rc, work, podman, runtime, podman_ok from run-bench.sh.

bctx=$work/build-context
mkdir -p "$bctx"
python3 - "$bctx/tree" <<'PY'
import os, random, sys
random.seed(1)
root = sys.argv[1]
words = b"lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ".split()
for d in range(10):
    os.makedirs(f"{root}/d{d}/sub", exist_ok=True)
    for f in range(20):
        # 100 kB each, half random bytes (incompressible), half text
        if f % 2:
            data = random.randbytes(100000)
        else:
            data = b" ".join(random.choice(words) for _ in range(20000))[:100000]
        with open(f"{root}/d{d}/sub/f{f}", "wb") as out:
            out.write(data)
PY
cat >"$bctx/Dockerfile" <<'DOCKERFILE'
FROM localhost/bench AS build
RUN mkdir -p /out && echo built > /out/app
COPY tree /tree
ENV MODE=release
RUN rm -rf /tree/d0 /tree/d1
WORKDIR /srv
CMD ["cat", "/out/app"]

FROM localhost/bench
COPY --from=build /out /out
CMD ["cat", "/out/app"]
DOCKERFILE

# time_build N CMD...: median wall time of N runs, in ms
time_build() {
        local n=$1 t0 t1
        shift
        : >"$work/build.times"
        for _ in $(seq "$n"); do
                t0=$(date +%s%N)
                "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
                t1=$(date +%s%N)
                echo $(((t1 - t0) / 1000)) >>"$work/build.times"
        done
        sort -n "$work/build.times" | awk '{ v[NR] = $1 } END { printf "%.1f\n", v[int((NR + 1) / 2)] / 1000 }'
}

echo "rc build (2 stages, COPY of a 20 MB tree):"
rc_full=$(time_build 3 "${rc[@]}" build --no-cache --network none -t localhost/bench-build "$bctx")
row "rc build --no-cache (full build)" "$rc_full" "-"
rc_cached=$(time_build 10 "${rc[@]}" build --network none -t localhost/bench-build "$bctx")
row "rc build (nothing changed)" "$rc_cached" "-" "(target <= 100 ms)"
if [ -n "${podman_ok:-}" ]; then
        p_full=$(time_build 3 "${podman[@]}" build "${runtime[@]}" --no-cache --network none -t localhost/bench-build "$bctx")
        row "podman build --no-cache (full build)" "$p_full" "-" \
                "rc takes $(ratio "$rc_full" "$p_full")x podman's time (target <= 0.5)"
        p_cached=$(time_build 5 "${podman[@]}" build "${runtime[@]}" --network none -t localhost/bench-build "$bctx")
        row "podman build (nothing changed)" "$p_cached" "-" "rc is $(ratio "$p_cached" "$rc_cached")x faster"
        "${podman[@]}" rmi -f localhost/bench-build >/dev/null 2>&1 || true
fi
echo "where rc build's time goes (one full build, then one with nothing changed; --log-level debug):"
"${rc[@]}" --log-level debug build --no-cache --network none -q "$bctx" 2>&1 | sed -n 's/^rc: debug: build: /  /p'
"${rc[@]}" --log-level debug build --network none -q "$bctx" 2>&1 | sed -n 's/^rc: debug: build: /  cached: /p'
