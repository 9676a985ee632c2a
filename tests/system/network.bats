#!/usr/bin/env bats
# The user-mode network (libslirp) and published ports, as an unprivileged
# user: what the container sees, what it reaches on the host, DNS through
# the forwarder, -p/-P for TCP and UDP, and many connections through a
# published port without the monitor growing.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox
        # a UDP server for the busybox image (its nc has no UDP)
        cc -static -O2 -o "$RC_WORK/udp-echo" "$LIB/udp-echo.c"
        export UDP_ECHO=$RC_WORK/udp-echo
}

teardown_file() {
        rc_teardown_file
}

teardown() {
        rc rm -fa >/dev/null 2>&1 || true
        [ -z "${HTTP_PID:-}" ] || kill "$HTTP_PID" 2>/dev/null || true
        [ -z "${DNS_PID:-}" ] || kill "$DNS_PID" 2>/dev/null || true
}

# A TCP port nothing listens on now.
free_port() {
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Wait up to 5 s for a TCP server on 127.0.0.1:$1.
wait_for_port() {
        for _ in $(seq 100); do
                python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null && return 0
                sleep 0.05
        done
        echo "nothing listens on $1" >&2
        return 1
}

# An HTTP server on the host's loopback only, serving "hello-from-host".
host_http() {
        HTTP_PORT=$(free_port)
        mkdir -p "$RC_WORK/www"
        echo hello-from-host >"$RC_WORK/www/index.html"
        python3 -m http.server "$HTTP_PORT" --bind 127.0.0.1 --directory "$RC_WORK/www" >/dev/null 2>&1 &
        HTTP_PID=$!
        wait_for_port "$HTTP_PORT"
}

# busybox httpd in a detached container NAME, answering "$2" on port 80.
web_container() {
        local name=$1 text=$2
        shift 2
        rc run -d --name "$name" "$@" localhost/bb \
                sh -c "mkdir -p /www && echo $text >/www/index.html && exec httpd -f -p 80 -h /www" >/dev/null
}

# The monitor's pid (the process holding the published port).
monitor_pid() {
        rc inspect --format '{{.State.ConmonPid}}' "$1" 2>/dev/null || true
}

@test "the default network: tap0 with 10.0.2.100, a route through 10.0.2.2, the forwarder in resolv.conf" {
        run -0 rc run --rm --hostname web1 localhost/bb sh -c \
                'ip -4 addr show tap0; ip route; cat /etc/resolv.conf; cat /etc/hosts; cat /sys/class/net/tap0/mtu'
        [[ "$output" == *"inet 10.0.2.100/24"* ]]
        [[ "$output" == *"default via 10.0.2.2 dev tap0"* ]]
        [[ "$output" == *"nameserver 10.0.2.3"* ]]
        [[ "$output" == *"10.0.2.100	web1"* ]]
        [[ "$output" == *"10.0.2.2	host.containers.internal"* ]]
        [ "${lines[-1]}" = 65520 ]
        # none keeps only loopback
        run -0 rc run --rm --network none localhost/bb sh -c 'ls /sys/class/net'
        [ "$output" = lo ]
}

@test "--network slirp options: mtu and cidr reach the container" {
        run -0 rc run --rm --network slirp:mtu=1500,cidr=10.9.0.0/16 localhost/bb sh -c \
                'cat /sys/class/net/tap0/mtu; ip -4 addr show tap0; ip route'
        [ "${lines[0]}" = 1500 ]
        [[ "$output" == *"inet 10.9.0.100/16"* ]]
        [[ "$output" == *"default via 10.9.0.2"* ]]
        run -125 rc run --rm --network slirp:mtu=100 localhost/bb true
        [[ "$output" == *"mtu=100: give a number from 1280 to 65521"* ]]
        run -125 rc run --rm --network bridge localhost/bb true
        [[ "$output" == *"slirp"* ]]
}

@test "enable_ipv6=true: an fd00::/64 address from libslirp's router advertisements, the gateway answers" {
        run -0 rc run --rm --network slirp:enable_ipv6=true localhost/bb sh -c \
                'for i in $(seq 50); do ip -6 addr show tap0 | grep -q "inet6 fd00:" && break; sleep 0.1; done
                 ip -6 addr show tap0; ping6 -c1 -W3 fd00::2; grep fd00::3 /etc/resolv.conf'
        [[ "$output" == *"inet6 fd00::"*"scope global"* ]]
        [[ "$output" == *"1 packets received"* ]]
        [[ "$output" == *"nameserver fd00::3"* ]]
        # without it, no IPv6 route out
        run -0 rc run --rm localhost/bb sh -c 'ip -6 addr show tap0 | grep -c "scope global" || true'
        [ "$output" = 0 ]
}

@test "the host's loopback is reachable through 10.0.2.2 with allow_host_loopback=true, and not without" {
        host_http
        run -0 rc run --rm --network slirp:allow_host_loopback=true localhost/bb \
                wget -qO- "http://10.0.2.2:$HTTP_PORT/"
        [ "$output" = hello-from-host ]
        run -1 rc run --rm localhost/bb wget -qO- "http://10.0.2.2:$HTTP_PORT/"
        [[ "$output" != *hello-from-host* ]]
        # the configuration's default can open it too, and --network overrides it
        run -0 rc run --rm --network slirp:allow_host_loopback=false,allow_host_loopback=true localhost/bb \
                wget -qO- "http://10.0.2.2:$HTTP_PORT/"
        [ "$output" = hello-from-host ]
}

@test "DNS: the container resolves through 10.0.2.3, forwarded to a resolver on the host's loopback" {
        command -v dnsmasq >/dev/null || skip "dnsmasq is not installed (Debian package dnsmasq-base)"
        local port conf
        port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        dnsmasq --keep-in-foreground --conf-file=/dev/null --port="$port" --listen-address=127.0.0.1 \
                --bind-interfaces --no-resolv --no-hosts --pid-file= --user= \
                --address=/rc-test.example/192.0.2.55 --log-queries --log-facility=- >"$RC_WORK/dnsmasq.log" 2>&1 &
        DNS_PID=$!
        # the user's own configuration names the resolver (a port of its own,
        # as a local resolver such as dnscrypt-proxy has); the machine's
        # /etc/resolv.conf is not touched
        conf=$RC_WORK/rootless.conf
        printf '[network]\ndns_forward = 127.0.0.1:%s\n' "$port" >"$conf"
        sleep 0.3
        run -0 env RC_CONFIG="$conf" "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" run --rm localhost/bb \
                nslookup -type=a www.rc-test.example
        [[ "$output" == *"Server:"*"10.0.2.3"* ]]
        [[ "$output" == *"Address: 192.0.2.55"* ]]
        grep -q "query\[A\] www.rc-test.example" "$RC_WORK/dnsmasq.log"
        # a name the resolver does not know stays unknown
        run -1 env RC_CONFIG="$conf" "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" run --rm localhost/bb \
                nslookup -type=a nosuch.invalid
}

@test "--dns, --dns-search, --dns-option, --add-host, --no-hosts" {
        run -0 rc run --rm --dns 192.0.2.53 --dns-search corp.example --dns-option ndots:3 \
                --add-host db:10.0.2.2 --add-host gw:host-gateway localhost/bb sh -c 'cat /etc/resolv.conf /etc/hosts'
        [[ "$output" == *"search corp.example"* ]]
        [[ "$output" == *"nameserver 192.0.2.53"* ]]
        [[ "$output" != *"nameserver 10.0.2.3"* ]]
        [[ "$output" == *"options ndots:3"* ]]
        [[ "$output" == *"10.0.2.2	db"* ]]
        [[ "$output" == *"10.0.2.2	gw"* ]]
        # --no-hosts: the image's own file stays
        run -0 rc run --rm --no-hosts localhost/bb sh -c 'cat /etc/hosts 2>&1; true'
        [[ "$output" != *host.containers.internal* ]]
        run -125 rc run --rm --add-host 'db:not-an-ip' localhost/bb true
        [[ "$output" == *"--add-host db:not-an-ip"* ]]
        run -125 rc run --rm --dns resolver.example localhost/bb true
        [[ "$output" == *"--dns resolver.example: not an IP address"* ]]
}

@test "a user's own mount of /etc/resolv.conf wins over rc's" {
        printf 'nameserver 192.0.2.99\n' >"$RC_WORK/my-resolv.conf"
        run -0 rc run --rm -v "$RC_WORK/my-resolv.conf:/etc/resolv.conf:ro" localhost/bb cat /etc/resolv.conf
        [ "$output" = "nameserver 192.0.2.99" ]
}

@test "published TCP: busybox httpd answers curl on the host; two containers, two ports" {
        local p1 p2
        p1=$(free_port)
        p2=$(free_port)
        web_container web1 one -p "$p1:80"
        web_container web2 two -p "127.0.0.1:$p2:80"
        wait_for_port "$p1"
        run -0 curl -sf "http://127.0.0.1:$p1/"
        [ "$output" = one ]
        run -0 curl -sf "http://127.0.0.1:$p2/"
        [ "$output" = two ]
        run -0 rc port web1
        [ "$output" = "80/tcp -> 0.0.0.0:$p1" ]
        run -0 rc port web2 80/tcp
        [ "$output" = "127.0.0.1:$p2" ]
        run -0 rc ps --format '{{.Names}} {{.Ports}}'
        [[ "$output" == *"web1 0.0.0.0:$p1->80/tcp"* ]]
        [[ "$output" == *"web2 127.0.0.1:$p2->80/tcp"* ]]
        run -0 rc inspect --format '{{json .NetworkSettings.Ports}}' web1
        [[ "$output" == *"\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"$p1\"}]"* ]]
}

@test "a taken host port fails before the container starts; the port is free again after rc stop" {
        local p
        p=$(free_port)
        web_container web1 one -p "$p:80"
        wait_for_port "$p"
        run -125 rc run -d --name web2 -p "$p:80" localhost/bb sleep 100
        [[ "$output" == *"publish 0.0.0.0:$p/tcp: the host port is already in use"* ]]
        # it never ran (rc records the failed start, as for any other)
        run -0 rc ps --format '{{.Names}}'
        [ "$output" = web1 ]
        run -0 rc inspect --format '{{.State.Status}} {{.State.ExitCode}}' web2
        [ "$output" = "exited 125" ]
        run -125 rc run --rm -p "$p:80" localhost/bb true
        [[ "$output" == *"already in use"* ]]
        rc stop -t 1 web1
        run -7 curl -s "http://127.0.0.1:$p/"
        # free for the next container
        web_container web3 three -p "$p:80"
        wait_for_port "$p"
        run -0 curl -sf "http://127.0.0.1:$p/"
        [ "$output" = three ]
}

@test "a restart policy's restart keeps the published port and gives the new process a network" {
        local p a b
        p=$(free_port)
        rc run -d --name rs --restart always -p "127.0.0.1:$p:80" localhost/bb sh -c \
                'mkdir -p /www && cat /proc/sys/kernel/random/uuid >/www/index.html && timeout 2 httpd -f -p 80 -h /www; exit 1' >/dev/null
        wait_for_port "$p"
        a=$(curl -sf "http://127.0.0.1:$p/")
        for _ in $(seq 60); do
                b=$(curl -sf "http://127.0.0.1:$p/" || true)
                [ -n "$b" ] && [ "$b" != "$a" ] && break
                sleep 0.1
        done
        [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]
        run -0 rc ps --format '{{.Names}} {{.Ports}}'
        [ "$output" = "rs 127.0.0.1:$p->80/tcp" ]
}

@test "published UDP: datagrams reach the container and its answers come back" {
        local p
        p=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        rc create --name udp -p "127.0.0.1:$p:5353/udp" localhost/bb /udp-echo 5353 >/dev/null
        rc cp "$UDP_ECHO" udp:/udp-echo
        rc start udp >/dev/null
        run -0 python3 - "$p" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
for i in range(5):
    s.sendto(b"ping%d" % i, ("127.0.0.1", int(sys.argv[1])))
    try:
        print(s.recvfrom(100)[0].decode())
        break
    except socket.timeout:
        pass
EOF
        [ "$output" = "echo:ping0" ]
        run -0 rc port udp
        [ "$output" = "5353/udp -> 127.0.0.1:$p" ]
}

@test "-P publishes every EXPOSEd port on a free host port, and rc port shows them" {
        local dir=$RC_WORK/img-expose
        rm -rf "$dir"
        python3 "$LIB/make-oci-image.py" "$(busybox_tar)" "$dir" --ref localhost/expose:latest \
                --config '{"ExposedPorts": {"80/tcp": {}, "5353/udp": {}}}' --cmd sh
        tar -C "$dir" -cf "$dir.tar" .
        rc load -i "$dir.tar" >/dev/null
        rc run -d --name exp -P localhost/expose \
                sh -c 'mkdir -p /www && echo exposed >/www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
        run -0 rc port exp
        [ "${#lines[@]}" -eq 2 ]
        local tcp
        tcp=$(rc port exp 80 | cut -d: -f2)
        [ "$tcp" -gt 0 ]
        [[ "$output" == *"5353/udp -> 0.0.0.0:"* ]]
        wait_for_port "$tcp"
        run -0 curl -sf "http://127.0.0.1:$tcp/"
        [ "$output" = exposed ]
        # --expose adds to the image's, a range too, and is kept for rc start
        rc create --name exp2 -P --expose 8080 --expose 7000-7001/udp localhost/expose sleep 1000 >/dev/null
        rc start exp2 >/dev/null
        run -0 rc port exp2
        [ "${#lines[@]}" -eq 5 ]
        [[ "$output" == *"8080/tcp -> 0.0.0.0:"* && "$output" == *"7001/udp -> 0.0.0.0:"* ]]
        rc rm -f exp2 >/dev/null
        run -125 rc run --rm --expose 80/sctp localhost/bb true
        [[ "$output" == *"the protocol is tcp or udp"* ]]
        run -125 rc run --rm --expose 1-9999 localhost/bb true
        [[ "$output" == *"more than 4096 ports"* ]]
        run -125 rc run --rm --expose 9-3 localhost/bb true
        [[ "$output" == *"give PORT or PORT-PORT"* ]]
}

@test "-p with --network none is refused; ports and ranges are checked before anything runs" {
        run -125 rc run --rm --network none -p 8080:80 localhost/bb true
        [[ "$output" == *"--network none has no port to publish"* ]]
        run -125 rc run --rm -p 1-65535 localhost/bb true
        [[ "$output" == *"more than 4096 published ports"* ]]
        run -125 rc run --rm -p 8080-8081:80 localhost/bb true
        [[ "$output" == *"host range has 2 ports"* ]]
        run -125 rc run --rm -p 70000 localhost/bb true
        [[ "$output" == *"container port '70000'"* ]]
        assert_no_container_left
}

@test "1000 sequential and 50 concurrent connections through a published port, no fd growth in the monitor" {
        local p mon before after
        p=$(free_port)
        web_container web1 hello -p "127.0.0.1:$p:80"
        wait_for_port "$p"
        mon=$(monitor_pid web1)
        [ -n "$mon" ] && [ -d "/proc/$mon" ]
        curl -sf "http://127.0.0.1:$p/" >/dev/null
        before=$(ls "/proc/$mon/fd" | wc -l)
        run -0 python3 - "$p" <<'EOF'
import socket, sys, threading
port = int(sys.argv[1])
def get():
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()
    return data.endswith(b"hello\n")
ok = sum(get() for _ in range(1000))
res = []
def worker():
    res.append(get())
threads = [threading.Thread(target=worker) for _ in range(50)]
for t in threads: t.start()
for t in threads: t.join()
print(ok, sum(res))
EOF
        [ "$output" = "1000 50" ]
        sleep 0.2
        after=$(ls "/proc/$mon/fd" | wc -l)
        echo "monitor fds: $before before, $after after"
        [ "$after" -le "$before" ]
}

@test "a container flooding a published connection does not stall rc logs or rc stop" {
        local p
        p=$(free_port)
        # the container answers every connection with an endless stream
        rc run -d --name flood -p "127.0.0.1:$p:80" localhost/bb \
                sh -c 'echo started; while true; do nc -l -p 80 -e cat /dev/zero; done' >/dev/null
        wait_for_port "$p"
        # a client that reads a lot, and one that never reads
        python3 -c "
import socket, time
a = socket.create_connection(('127.0.0.1', $p)); b = socket.create_connection(('127.0.0.1', $p))
n = 0
while n < 50 * 1024 * 1024:
    n += len(a.recv(1 << 20))
print(n)" >/dev/null &
        local reader=$!
        sleep 1
        run -0 timeout 5 "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" logs flood
        [ "$output" = started ]
        run -0 timeout 10 "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" stop -t 1 flood
        kill "$reader" 2>/dev/null || true
        run -0 rc ps -a --format '{{.Names}} {{.State}}'
        [ "$output" = "flood exited" ]
}

@test "rc ps does not load libslirp" {
        rc run -d --name sl localhost/bb sleep 100 >/dev/null
        run -0 env LD_DEBUG=files "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" ps
        [[ "$output" != *libslirp* ]]
        [[ "$output" != *libglib* ]]
}

@test "slow: apt-get update in a Debian image through the user-mode network" {
        [ "${RC_TEST_SLOW:-}" = 1 ] || skip "slow test: set RC_TEST_SLOW=1"
        [ -s "${RC_TEST_DEBIAN_TAR:-}" ] || skip "no Debian root file system (RC_TEST_DEBIAN_TAR)"
        # the image's sources name Debian's mirror; without it from the host either, there is
        # nothing to compare with (a mirror of the test's own on loopback is not built yet)
        curl -sfI --max-time 10 http://deb.debian.org/debian/dists/bookworm/Release >/dev/null ||
                skip "the host cannot reach deb.debian.org"
        rc import "$RC_TEST_DEBIAN_TAR" localhost/debian >/dev/null
        run -0 rc run --rm localhost/debian apt-get update
        [[ "$output" == *"Reading package lists"* ]]
}
