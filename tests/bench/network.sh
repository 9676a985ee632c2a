# Sourced by run-bench.sh: the user-mode network and published ports, rc
# next to podman (slirp4netns, and pasta when installed) and the host's
# loopback, on the same machine in one run:
#   rc run --rm with the default network against --network none (target: within 5 ms);
#   iperf3 container -> host through the user-mode network (target >= 1.5x slirp4netns);
#   iperf3 host -> container through -p (target >= podman's -p, >= 0.8x the host's loopback);
#   many small HTTP requests through -p (latency per request);
#   the monitor's memory with a published port.
# Uses time_runs, row, ratio, rc, rc_median, podman, runtime, podman_ok, work, here from run-bench.sh.
echo "network:"
read -r sl_m sl_p < <(time_runs slirp "${rc[@]}" run --rm localhost/bench true)
row "rc run --rm IMAGE true (default network)" "$sl_m" "$sl_p" \
        "$(awk -v a="$sl_m" -v b="$rc_median" 'BEGIN { printf "%+.2f", a - b }') ms vs --network none (target <= +5 ms)"

if ! command -v iperf3 >/dev/null; then
        echo "  iperf3: not installed (Debian package iperf3): throughput skipped"
        return 0
fi
"$here/tests/lib/make-iperf-rootfs.sh" "$work/iperf.tar"
"${rc[@]}" import "$work/iperf.tar" localhost/iperf >/dev/null
IPERF_TIME=${IPERF_TIME:-5}

# free_port: a TCP port of the loopback nothing listens on
free_port() {
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# gbits: the receiver's Gbit/s from iperf3 -J on stdin
gbits() {
        python3 -c 'import json, sys
try:
    print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception:
    print("0")'
}
# wait_tcp PORT: until something accepts on 127.0.0.1:PORT (5 s)
wait_tcp() {
        for _ in $(seq 100); do
                python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null && return 0
                sleep 0.05
        done
        return 1
}
# host_server: an iperf3 server on the host's loopback for one test; sets
# SRV_PORT and SRV_PID (the caller kills it)
host_server() {
        SRV_PORT=$(free_port)
        iperf3 -s -B 127.0.0.1 -p "$SRV_PORT" >/dev/null 2>&1 &
        SRV_PID=$!
        wait_tcp "$SRV_PORT"
}
# sratio A B: A/B, or "n/a" when B is 0 (that side failed)
sratio() {
        awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'
}
out_row() {
        printf '  %-46s %8s Gbit/s%s\n' "$1" "$2" "${3:+  $3}"
}

host_server
lo=$(iperf3 -c 127.0.0.1 -p "$SRV_PORT" -t "$IPERF_TIME" -J | gbits)
kill "$SRV_PID"
out_row "host loopback (iperf3 on the host)" "$lo"

# container -> host: the server on the host's loopback, reached as 10.0.2.2
host_server
c2h=$("${rc[@]}" run --rm --network slirp:allow_host_loopback=true localhost/iperf \
        iperf3 -c 10.0.2.2 -p "$SRV_PORT" -t "$IPERF_TIME" -J | gbits)
kill "$SRV_PID"
out_row "rc: container -> host (libslirp)" "$c2h" "$(sratio "$c2h" "$lo")x loopback"

# host -> container through -p
pub=$(free_port)
"${rc[@]}" run -d --name iperf -p "127.0.0.1:$pub:5201" localhost/iperf iperf3 -s >/dev/null
wait_tcp "$pub"
h2c=$(iperf3 -c 127.0.0.1 -p "$pub" -t "$IPERF_TIME" -J | gbits)
out_row "rc: host -> container through -p (splice)" "$h2c" "$(sratio "$h2c" "$lo")x loopback (target >= 0.8x)"
mon=$("${rc[@]}" inspect --format '{{.State.ConmonPid}}' iperf)
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$mon/status")
printf '  %-46s %8s KiB\n' "rc: the monitor's RSS (-p, after the test)" "$rss"
"${rc[@]}" rm -f iperf >/dev/null

# latency: sequential small HTTP requests through -p (busybox httpd)
REQS=${REQS:-2000}
# http_latency PORT: mean milliseconds per request over REQS connections
http_latency() {
        python3 - "$1" "$REQS" <<'PYEOF'
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
t0 = time.monotonic()
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    while s.recv(65536):
        pass
    s.close()
print("%.3f" % ((time.monotonic() - t0) * 1000 / n))
PYEOF
}
pub=$(free_port)
"${rc[@]}" run -d --name web -p "127.0.0.1:$pub:80" localhost/bench \
        sh -c 'mkdir -p /www && echo hello >/www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
wait_tcp "$pub"
rc_lat=$(http_latency "$pub")
printf '  %-46s %8s ms per request (%s requests)\n' "rc: HTTP request through -p" "$rc_lat" "$REQS"
"${rc[@]}" rm -f web >/dev/null

if [ -n "${podman_ok:-}" ]; then
        "${podman[@]}" import "$work/iperf.tar" localhost/iperf >/dev/null 2>&1
        for net in slirp4netns pasta; do
                if [ "$net" = pasta ] && ! command -v pasta >/dev/null; then
                        echo "  pasta: not installed (Debian package passt): skipped"
                        continue
                fi
                if [ "$net" = slirp4netns ] && ! command -v slirp4netns >/dev/null; then
                        echo "  slirp4netns: not installed: skipped"
                        continue
                fi
                opt=$net
                [ "$net" = slirp4netns ] && opt="slirp4netns:allow_host_loopback=true"
                host_server
                # the host as the container reaches it: its default gateway
                p_c2h=$("${podman[@]}" "${runtime[@]}" run --rm --network "$opt" localhost/iperf sh -c \
                        "iperf3 -c \$(ip route | awk '/default/ { print \$3 }') -p $SRV_PORT -t $IPERF_TIME -J" \
                        2>/dev/null | gbits)
                kill "$SRV_PID"
                out_row "podman $net: container -> host" "$p_c2h" \
                        "rc is $(sratio "$c2h" "$p_c2h")x (target >= 1.5x slirp4netns)"
                pub=$(free_port)
                "${podman[@]}" "${runtime[@]}" run -d --name iperf --network "$net" -p "127.0.0.1:$pub:5201" \
                        localhost/iperf iperf3 -s >/dev/null 2>&1
                if wait_tcp "$pub"; then
                        p_h2c=$(iperf3 -c 127.0.0.1 -p "$pub" -t "$IPERF_TIME" -J | gbits)
                        out_row "podman $net: host -> container through -p" "$p_h2c" \
                                "rc is $(sratio "$h2c" "$p_h2c")x (target >= 1x)"
                fi
                "${podman[@]}" rm -f -t 0 iperf >/dev/null 2>&1 || true
                pub=$(free_port)
                "${podman[@]}" "${runtime[@]}" run -d --name web --network "$net" -p "127.0.0.1:$pub:80" \
                        localhost/bench sh -c 'mkdir -p /www && echo hello >/www/index.html && exec httpd -f -p 80 -h /www' \
                        >/dev/null 2>&1
                if wait_tcp "$pub"; then
                        p_lat=$(http_latency "$pub")
                        printf '  %-46s %8s ms per request  rc is %sx faster\n' "podman $net: HTTP request through -p" \
                                "$p_lat" "$(sratio "$p_lat" "$rc_lat")"
                fi
                "${podman[@]}" rm -f -t 0 web >/dev/null 2>&1 || true
        done
fi
