#!/usr/bin/env bats
# Resource limits, stats, pause and units where no cgroup manager can be
# used (the ordinary test user: no systemd user manager, no delegated
# cgroup): every limit is refused before anything starts, with the reason
# and the fix; what needs no cgroup still works.  tests/systemd/ runs the
# same commands against a real systemd user manager.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox
}

teardown_file() {
        rc_teardown_file
}

teardown() {
        rc rm -af >/dev/null 2>&1 || true
}

@test "limit flags with cgroup manager none fail before anything exists, with the reason and the fix" {
        for flags in "--memory 64m" "--cpus 0.5" "--pids-limit 10" "--cpu-shares 512" "--blkio-weight 500" \
                "--memory 64m --memory-swap 128m"; do
                # shellcheck disable=SC2086
                run -125 rc --cgroup-manager none run --rm $flags localhost/bb true
                [[ "$output" == *"resource limits need a cgroup"* ]]
                [[ "$output" == *"never runs a container without a limit it was given"* ]]
                [[ "$output" == *"fix"* ]]
        done
        # detached and create alike; nothing was recorded or mounted
        run -125 rc --cgroup-manager none run -d --name lim --memory 64m localhost/bb sleep 100
        run -125 rc --cgroup-manager none create --name lim --pids-limit 5 localhost/bb true
        assert_no_container_left
        # and without limits, manager none runs containers as before
        run -0 rc --cgroup-manager none run --rm localhost/bb echo ok
        [ "$output" = ok ]
}

@test "limits under auto where no manager works: the reason names each manager's problem" {
        run -0 rc info --format json
        manager=$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["host"]["cgroupManager"])')
        [ "$manager" = none ] || skip "a cgroup manager works for $(id -un) here ($manager): tests/systemd covers it"
        run -125 rc run --rm --memory 64m localhost/bb true
        [[ "$output" == *"systemd: "*"cgroupfs: "* ]]
        assert_no_container_left
}

@test "an explicit manager that cannot work here says why" {
        run -0 rc info --format json
        manager=$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["host"]["cgroupManager"])')
        [ "$manager" = none ] || skip "a cgroup manager works for $(id -un) here ($manager)"
        run -125 rc --cgroup-manager systemd run --rm localhost/bb true
        [[ "$output" == *"cgroup manager systemd cannot work here"* ]]
        run -125 rc --cgroup-manager cgroupfs run --rm localhost/bb true
        [[ "$output" == *"cgroup manager cgroupfs cannot work here"* ]]
        run -125 rc --cgroup-manager bogus run --rm localhost/bb true
        [[ "$output" == *"use auto, systemd, cgroupfs or none"* ]]
        assert_no_container_left
}

@test "[cgroups] manager in rootless.conf; rc info says which manager and why" {
        printf '[cgroups]\nmanager = none\n' >"$BATS_TEST_TMPDIR/rc.conf"
        run -0 rc --config "$BATS_TEST_TMPDIR/rc.conf" info --format text
        [[ "$output" == *"cgroup manager: none: configured"* ]]
        run -0 rc --config "$BATS_TEST_TMPDIR/rc.conf" info --format json
        [[ "$output" == *'"cgroupManager": "none"'* ]]
        [[ "$output" == *'"cgroup_manager_reason": "configured'* ]]
        printf '[cgroups]\nmanager = sometimes\n' >"$BATS_TEST_TMPDIR/bad.conf"
        run -125 rc --config "$BATS_TEST_TMPDIR/bad.conf" info
        [[ "$output" == *"[cgroups] manager 'sometimes' is not one of auto, systemd, cgroupfs, none"* ]]
}

@test "limit flags are checked as they are parsed" {
        run -125 rc run --rm --memory 5m localhost/bb true
        [[ "$output" == *"--memory 5m: the minimum is 6m"* ]]
        run -125 rc run --rm --memory lots localhost/bb true
        [[ "$output" == *"--memory lots: not a size"* ]]
        run -125 rc run --rm --cpus 0 localhost/bb true
        [[ "$output" == *"--cpus 0: the minimum is 0.01"* ]]
        run -125 rc run --rm --cpus 100000 localhost/bb true
        [[ "$output" == *"this machine has"* ]]
        run -125 rc run --rm --cpu-shares 1 localhost/bb true
        [[ "$output" == *"--cpu-shares 1: give a number from 2 to 262144"* ]]
        run -125 rc run --rm --memory-swap 1g localhost/bb true
        [[ "$output" == *"--memory-swap needs --memory"* ]]
        run -125 rc run --rm --memory 1g --memory-swap 512m localhost/bb true
        [[ "$output" == *"at least --memory"* ]]
        assert_no_container_left
}

@test "a container without a cgroup of its own: stats shows what it can, pause and update say why not" {
        rc --cgroup-manager none run -d --name plain localhost/bb sleep 1000 >/dev/null
        run -0 --separate-stderr rc stats --no-stream plain
        [[ "$stderr" == *"no cgroup of its own"* ]]
        [[ "${lines[0]}" == "ID"*"NAME"*"CPU %"*"MEM USAGE / LIMIT"*"PIDS"* ]]
        [[ "${lines[1]}" == *plain*"--"* ]]
        run -125 rc pause plain
        [[ "$output" == *"container plain: it has no cgroup of its own: it was started with cgroup manager none"* ]]
        run -125 rc --cgroup-manager none update --memory 64m plain
        [[ "$output" == *"resource limits need a cgroup"* ]]
        run -125 rc stats --no-stream nosuch
        run -125 rc pause
        [[ "$output" == *"at least one container"* ]]
        run -125 rc update plain
        [[ "$output" == *"give at least one limit"* ]]
        rc stop -t 0 plain >/dev/null
        run -125 rc stats --no-stream plain
        [[ "$output" == *"not running"* ]]
}

@test "--sdnotify: under a service manager the monitor sends MAINPID (itself) and READY=1 once the container runs" {
        sock=$BATS_TEST_TMPDIR/notify.sock
        python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".ready", "w").close()
s.settimeout(20)
print(s.recv(4096).decode())' "$sock" >"$BATS_TEST_TMPDIR/msg" &
        listener=$!
        for _ in $(seq 100); do [ -e "$sock.ready" ] && break; sleep 0.05; done
        NOTIFY_SOCKET=$sock rc --cgroup-manager none run -d --name n1 localhost/bb sleep 1000 >/dev/null
        wait "$listener"
        monitor=$(rc inspect --format '{{.State.ConmonPid}}' n1)
        [ "$(cat "$BATS_TEST_TMPDIR/msg")" = "MAINPID=$monitor
READY=1" ]
        # --sdnotify=ignore: nothing is sent (the socket does not even exist now)
        NOTIFY_SOCKET=$sock rc --cgroup-manager none run -d --sdnotify=ignore --name n2 localhost/bb true >/dev/null
        run -125 rc run --rm --sdnotify=bogus localhost/bb true
        [[ "$output" == *"--sdnotify takes conmon"* ]]
        # --sdnotify=container: tests/system/sdnotify.bats
}

@test "--replace removes a container that has the name" {
        rc --cgroup-manager none run -d --name rep localhost/bb sleep 1000 >/dev/null
        old=$(rc inspect --format '{{.Id}}' rep)
        run -125 rc --cgroup-manager none run -d --name rep localhost/bb sleep 1000
        run -0 rc --cgroup-manager none run -d --replace --name rep localhost/bb sleep 1000
        [ "$output" != "$old" ]
        run -0 rc ps -a --format '{{.Names}}'
        [ "$output" = rep ]
        # a name that is only an id prefix of another container replaces nothing
        run -0 rc --cgroup-manager none create --replace --name "${output:0:3}x" localhost/bb true
        [ "$(rc ps -a -q | wc -l)" -eq 2 ]
}

@test "generate systemd: the unit of an existing container, and --new from its create command" {
        rc create --name web -e 'GREETING=hello world' --stop-timeout 3 --restart always localhost/bb \
                sh -c 'echo "$GREETING"; exec sleep 1000' >/dev/null
        run -0 rc generate systemd --new --name web
        [[ "${lines[0]}" == "# container-web.service" ]]
        [[ "$output" == *"Description=rc container web"* ]]
        [[ "$output" == *"Restart=on-failure"* ]]
        [[ "$output" == *"TimeoutStopSec=63"* ]]
        [[ "$output" == *"ExecStart=$(realpath "$RC_BIN") --root $RC_ROOT --runroot $RC_RUNROOT run --name web --replace --rm -d --sdnotify=conmon -e \"GREETING=hello world\""* ]]
        [[ "$output" == *"localhost/bb sh -c \"echo \\\"\$\$GREETING\\\"; exec sleep 1000\""* ]]
        [[ "$output" != *"--restart"* ]] # systemd's Restart= restarts it
        [[ "$output" == *"ExecStop=$(realpath "$RC_BIN") --root $RC_ROOT --runroot $RC_RUNROOT stop --ignore -t 3 web"* ]]
        [[ "$output" == *"ExecStopPost=-"*" rm -f --ignore web"* ]]
        [[ "$output" == *"Type=notify"*"NotifyAccess=all"* ]]
        [[ "$output" == *"WantedBy=default.target"* ]]
        # without --new: it starts and stops this container, named by id unless --name
        id=$(rc inspect --format '{{.Id}}' web)
        run -0 rc generate systemd --restart-policy always --restart-sec 5 -t 7 --no-header web
        [[ "${lines[0]}" == "[Unit]" ]]
        [[ "$output" == *"ExecStart="*" start $id"* ]]
        [[ "$output" == *"Restart=always"*"RestartSec=5"*"TimeoutStopSec=67"* ]]
        [[ "$output" != *"ExecStopPost"* ]]
        # --files writes ./container-NAME.service
        cd "$BATS_TEST_TMPDIR"
        run -0 rc generate systemd --new --name --files web
        [ "$output" = "$BATS_TEST_TMPDIR/container-web.service" ]
        grep -q '^ExecStart=.* run --name web ' container-web.service
        run -125 rc generate systemd --restart-policy sometimes web
        [[ "$output" == *"--restart-policy sometimes"* ]]
        run -125 rc generate systemd nosuch
}

@test ".container files: rc systemd check reports an unknown key with its line; generate --dry-run shows the service" {
        mkdir -p "$BATS_TEST_TMPDIR/config/rc/systemd"
        cat >"$BATS_TEST_TMPDIR/config/rc/systemd/app.container" <<EOF
[Unit]
Description=an app

[Container]
Image=localhost/bb
Exec=httpd -f -p 80
PublishPort=8080:80
Environment=A=1
Memory=256m
GlobalArgs=--root $RC_ROOT --runroot $RC_RUNROOT

[Service]
Restart=always

[Install]
WantedBy=default.target
EOF
        printf '[Container]\nImage=localhost/bb\nFrobnicate=yes\n' >"$BATS_TEST_TMPDIR/config/rc/systemd/bad.container"
        run -0 rc systemd check "$BATS_TEST_TMPDIR/config/rc/systemd/app.container"
        [[ "$output" == *"app.container: ok (app.service)"* ]]
        run -1 rc systemd check "$BATS_TEST_TMPDIR/config/rc/systemd/bad.container"
        [[ "$output" == *"bad.container:3: unknown key Frobnicate in [Container] (rc knows: Image"* ]]
        run -1 --separate-stderr env XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config" "$RC_BIN" systemd generate --dry-run
        [[ "$stderr" == *"bad.container:3: unknown key Frobnicate"* ]]
        [[ "$output" == *"---app.service---"* ]]
        [[ "$output" == *"ExecStart=$(realpath "$RC_BIN") --root $RC_ROOT --runroot $RC_RUNROOT run --name systemd-app --replace --rm -d --sdnotify=conmon -p 8080:80 -e A=1 --memory 256m localhost/bb httpd -f -p 80"* ]]
        [[ "$output" != *"bad.service"* ]]
        # the generator as systemd runs it: argv[0] rc-user-generator, output directory first
        ln -s "$(realpath "$RC_BIN")" "$BATS_TEST_TMPDIR/rc-user-generator"
        mkdir "$BATS_TEST_TMPDIR/out"
        run -1 env XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config" "$BATS_TEST_TMPDIR/rc-user-generator" \
                "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/out"
        [[ "$output" == *"rc-user-generator: "*"bad.container:3"* ]]
        [ -s "$BATS_TEST_TMPDIR/out/app.service" ]
        [ "$(readlink "$BATS_TEST_TMPDIR/out/default.target.wants/app.service")" = ../app.service ]
        [ ! -e "$BATS_TEST_TMPDIR/out/bad.service" ]
}

@test "rc system check explains what works without a cgroup manager" {
        run rc system check
        [[ "$output" == *"cgroup manager: "* ]]
        run -0 rc info --format json
        manager=$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["host"]["cgroupManager"])')
        run rc system check
        if [ "$manager" = none ]; then
                [[ "$output" == *"[INFO] cgroup manager: none ("*"rc stats, rc pause and resource limits"* ]]
        else
                [[ "$output" == *"[ OK ] cgroup manager: $manager"* ]]
        fi
}
