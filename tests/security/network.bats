#!/usr/bin/env bats
# Hostile input against the network: an image's planted /etc files and
# ExposedPorts, option values that try to smuggle lines into rc's files,
# port ranges meant to exhaust rc, and a container that attacks its monitor
# through the network.
load ../system/helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox
}

teardown_file() {
        rc_teardown_file
}

teardown() {
        rc rm -fa >/dev/null 2>&1 || true
}

hostile_image() {
        local name=$1 dir=$RC_WORK/img-$1
        shift
        rm -rf "$dir"
        python3 "$LIB/make-oci-image.py" "$(busybox_tar)" "$dir" --ref "localhost/$name:latest" "$@"
        tar -C "$dir" -cf "$dir.tar" .
        rc load -i "$dir.tar" >/dev/null
}

@test "an image's /etc/hosts and /etc/resolv.conf symlinked out of the root get rc's files, the targets untouched" {
        local target=$RC_WORK/host-target
        echo untouched >"$target"
        hostile_image etc-links --link "/etc/hosts:$target" --link "/etc/resolv.conf:../../../../..$target" \
                --cmd sh -c 'cat /etc/hosts /etc/resolv.conf; echo written >/etc/hosts 2>/dev/null; true'
        run -0 rc run --rm --add-host db:192.0.2.1 localhost/etc-links
        [[ "$output" == *"192.0.2.1	db"* ]]
        [[ "$output" == *"nameserver 10.0.2.3"* ]]
        [ "$(cat "$target")" = untouched ]
}

@test "--no-hosts leaves the image's symlinked /etc/hosts alone: rc neither follows nor replaces it" {
        local target=$RC_WORK/host-target2
        echo untouched >"$target"
        hostile_image hosts-link --link "/etc/hosts:$target" --cmd sh -c 'readlink /etc/hosts; cat /etc/hosts 2>&1; true'
        run -0 rc run --rm --no-hosts localhost/hosts-link
        [ "${lines[0]}" = "$target" ]
        [[ "$output" != *untouched* ]]
        [ "$(cat "$target")" = untouched ]
}

@test "option values cannot add lines to rc's /etc files" {
        run -125 rc run --rm --add-host $'db:1.2.3.4\n6.6.6.6 evil' localhost/bb true
        run -125 rc run --rm --add-host $'db\n6.6.6.6:1.2.3.4' localhost/bb true
        run -125 rc run --rm --dns-option $'ndots:1\nnameserver 6.6.6.6' localhost/bb true
        [[ "$output" == *"no spaces or control characters"* ]]
        run -125 rc run --rm --dns-search $'example.org\nnameserver 6.6.6.6' localhost/bb true
        run -125 rc run --rm --dns $'1.1.1.1\nnameserver 6.6.6.6' localhost/bb true
        run -125 rc run --rm -h $'web\n6.6.6.6' localhost/bb true
        assert_no_container_left
}

@test "huge and malformed -p values are refused at once, before anything is allocated or bound" {
        local spec
        for spec in 1-65535 0-65535:0-65535 '1-4096:1-4096' '99999999999999999999:80' '80:99999999999999999999' \
                '-80' '80-' ':80:' '::' '1.2.3.4:' 'a:b:c:d' '80/tcp/udp' '80/' '256.0.0.1:80:80' \
                "$(printf '%0300d' 1)"; do
                run -125 timeout 5 "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" run --rm -p "$spec" localhost/bb true
                [[ "$output" == *"-p"* ]] || { echo "-p $spec: $output"; return 1; }
        done
        # many -p that add up beyond the bound
        run -125 rc run --rm -p 1000-3999 -p 5000-6999 localhost/bb true
        [[ "$output" == *"more than 4096"* ]]
        assert_no_container_left
}

@test "an image's ExposedPorts with bogus keys makes -P fail cleanly" {
        hostile_image bad-expose --config '{"ExposedPorts": {"80/tcp": {}, "99999/tcp": {}}}' --cmd true
        run -125 rc run --rm -P localhost/bad-expose
        [[ "$output" == *"exposed port 99999/tcp: not a port number"* ]]
        hostile_image bad-expose2 --config '{"ExposedPorts": {"80/sctp": {}}}' --cmd true
        run -125 rc run --rm -P localhost/bad-expose2
        [[ "$output" == *"not tcp or udp"* ]]
        assert_no_container_left
}

@test "a container sending garbage frames to its tap does not take its monitor down" {
        # raw frames of every length (with lying IPv4/UDP headers) written to
        # the tap through an AF_PACKET socket, then a normal request
        local p
        p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        cc -static -O2 -o "$RC_WORK/frames" "$BATS_TEST_DIRNAME/probes/frames.c"
        rc create --name junk -p "127.0.0.1:$p:80" localhost/bb \
                sh -c '/frames tap0 && mkdir -p /www && echo alive >/www/index.html && exec httpd -f -p 80 -h /www' \
                >/dev/null
        rc cp "$RC_WORK/frames" junk:/frames
        rc start junk >/dev/null
        # (up to 30 s: the frames take a while through a sanitizer build)
        for _ in $(seq 300); do
                curl -sf "http://127.0.0.1:$p/" >/dev/null && break
                sleep 0.1
        done
        run -0 curl -sf "http://127.0.0.1:$p/"
        [ "$output" = alive ]
        run -0 rc ps --format '{{.Names}} {{.State}}'
        [ "$output" = "junk running" ]
}
