#!/usr/bin/env bats
# Containers under a real systemd user manager: scopes per container,
# limits (enforced where the manager has the controllers, refused with the
# reason where it has not: this file says which case ran), stats, pause,
# generated units and .container files started with systemctl --user.
#
# It needs a user whose systemd manager runs and whose tests run inside that
# manager's cgroup tree: tests/run-tests.sh (as root) runs it so, through
# tests/lib/user-manager.sh, as the user rctest-systemd; elsewhere it skips.
load ../system/helpers
bats_require_minimum_version 1.5.0

setup_file() {
        export RC_SKIP_ALL=
        if [ ! -S "${XDG_RUNTIME_DIR:-/nonexistent}/systemd/private" ]; then
                RC_SKIP_ALL="no systemd user manager for $(id -un): as root, tests/run-tests.sh runs this file with one (tests/lib/user-manager.sh run rctest-systemd ...)"
                return 0
        fi
        rc_setup_file
        import_busybox
        import_with_helper "$LIB/notify-send.c" notify-send localhost/notify || true
        info=$(rc info --format json)
        manager=$(echo "$info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["host"]["cgroupManager"])')
        if [ "$manager" != systemd ]; then
                RC_SKIP_ALL="rc picks cgroup manager $manager here, not systemd: $(rc info --format text | grep 'cgroup manager')"
                return 0
        fi
        # the limits tests take one branch or the other, and say which
        export RC_LIMITS=no
        if echo "$info" | python3 -c '
import json, sys
c = json.load(sys.stdin)["host"]["cgroupControllers"]
sys.exit(0 if {"memory", "pids", "cpu"} <= set(c) else 1)'; then
                RC_LIMITS=yes
        fi
        export UNIT_DIR=$HOME/.config/systemd/user QUADLET_DIR=$HOME/.config/rc/systemd
        mkdir -p "$UNIT_DIR" "$QUADLET_DIR"
}

teardown_file() {
        [ -n "${RC_WORK:-}" ] || return 0
        for u in $(systemctl --user list-units --all --plain --no-legend 'container-*' 'web*.service' 'ready*.service' | awk '{ print $1 }'); do
                systemctl --user stop "$u" >/dev/null 2>&1 || true
        done
        rm -f "$UNIT_DIR"/container-*.service "$QUADLET_DIR"/*.container
        systemctl --user daemon-reload || true
        rc rm -af >/dev/null 2>&1 || true
        rc_teardown_file
}

setup() {
        [ -z "$RC_SKIP_ALL" ] || skip "$RC_SKIP_ALL"
}

teardown() {
        [ -z "$RC_SKIP_ALL" ] || return 0
        rc rm -af >/dev/null 2>&1 || true
}

# Scopes of rc's containers (not its pause process's).
rc_scopes() {
        systemctl --user list-units --all --plain --no-legend 'rc-*.scope' | awk '{ print $1 }' | grep -v '^rc-pause' || true
}

# Wait up to 5 s for the manager to have collected every container scope.
wait_no_scopes() {
        for _ in $(seq 100); do
                [ -z "$(rc_scopes)" ] && return 0
                sleep 0.05
        done
        echo "scopes left: $(rc_scopes)" >&2
        for u in $(rc_scopes); do systemctl --user status "$u" >&2; done
        return 1
}

# The value of a unit property.
prop() {
        systemctl --user show -p "$2" --value "$1"
}

@test "rc info: the systemd manager, on the manager's own socket" {
        run -0 rc info --format text
        [[ "$output" == *"cgroup manager: systemd: a scope per container from your systemd user manager on $XDG_RUNTIME_DIR/systemd/private"* ]]
        echo "# limits enforceable here: $RC_LIMITS ($(rc info --format text | grep 'cgroup controllers'))" >&3
}

@test "a container runs in its own scope rc-ID.scope, sees that cgroup as its root, and the scope goes with it" {
        id=$(rc run -d --name sc localhost/bb sleep 1000)
        pid=$(rc inspect --format '{{.State.Pid}}' sc)
        grep -qx "0::/user.slice/user-$(id -u).slice/user@$(id -u).service/app.slice/rc-$id.scope" "/proc/$pid/cgroup"
        [ "$(prop "rc-$id.scope" ActiveState)" = active ]
        [ "$(prop "rc-$id.scope" Delegate)" = yes ]
        [ "$(prop "rc-$id.scope" Description)" = "rc container sc" ]
        path=$(rc inspect --format '{{.State.CgroupPath}}' sc)
        [ -d "$path" ]
        grep -qx "$pid" "$path/cgroup.procs"
        # an exec session is born in the container's scope too (it sees the same root)
        run -0 rc exec sc sh -c 'cat /proc/self/cgroup; sleep 0.2'
        grep -qx '0::/' <<<"$output"
        rc exec -d sc sleep 999
        for _ in $(seq 50); do [ "$(wc -l <"$path/cgroup.procs")" -ge 2 ] && break; sleep 0.1; done
        [ "$(wc -l <"$path/cgroup.procs")" -eq 2 ]
        # its own cgroup namespace: the container sees / (also in the foreground, with --rm)
        run -0 rc run --rm localhost/bb cat /proc/self/cgroup
        [[ "$output" == *"0::/"* ]]
        [[ "$output" != *"rc-"* ]]
        rc rm -f sc >/dev/null
        wait_no_scopes
        [ ! -d "$path" ]
}

@test "a command that cannot start leaves no scope; manager none puts nothing in a scope" {
        run -127 rc run --rm localhost/bb no-such-command
        run -126 rc run --rm localhost/bb /etc/passwd
        wait_no_scopes
        rc --cgroup-manager none run -d --name plain localhost/bb sleep 1000 >/dev/null
        [ -z "$(rc_scopes)" ]
        pid=$(rc inspect --format '{{.State.Pid}}' plain)
        ! grep -q 'rc-.*\.scope' "/proc/$pid/cgroup"
}

@test "--memory: past the limit the OOM killer ends the container (137, OOMKilled), or rc refuses before anything starts" {
        if [ "$RC_LIMITS" = yes ]; then
                echo "# memory controller delegated: the limit is enforced" >&3
                run -137 rc run --name oom --memory 32m --memory-swap 32m localhost/bb \
                        sh -c 'x=$(head -c 300000000 /dev/zero | tr "\0" a); echo survived'
                [ "$(rc inspect --format '{{.State.OOMKilled}}' oom)" = true ]
                [ "$(rc inspect --format '{{.HostConfig.Memory}}' oom)" = 33554432 ]
        else
                echo "# no memory controller for the user manager here: rc refuses the limit" >&3
                run -125 rc run --rm --memory 32m localhost/bb true
                [[ "$output" == *"--memory needs the cgroup v2 memory controller"* ]]
                [[ "$output" == *"fix (needs root)"* ]]
        fi
        rc rm -f oom >/dev/null 2>&1 || true
        assert_no_container_left
        wait_no_scopes
}

@test "--pids-limit stops a fork bomb, or rc refuses before anything starts" {
        if [ "$RC_LIMITS" = yes ]; then
                echo "# pids controller delegated: the limit is enforced" >&3
                run timeout 60 "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" run --rm --pids-limit 20 \
                        localhost/bb sh -c 'for i in $(seq 200); do sleep 30 & done 2>&1; echo forked'
                [[ "$output" == *"can't fork"* || "$output" == *"Resource temporarily unavailable"* ]]
        else
                echo "# no pids controller for the user manager here: rc refuses the limit" >&3
                run -125 rc run --rm --pids-limit 20 localhost/bb true
                [[ "$output" == *"--pids-limit needs the cgroup v2 pids controller"* ]]
        fi
        assert_no_container_left
        wait_no_scopes
}

@test "--cpus 0.5 holds a busy container near half a CPU (cpu.stat), or rc refuses before anything starts" {
        if [ "$RC_LIMITS" != yes ]; then
                echo "# no cpu controller for the user manager here: rc refuses the limit" >&3
                run -125 rc run --rm --cpus 0.5 localhost/bb true
                [[ "$output" == *"--cpus needs the cgroup v2 cpu controller"* ]]
                return 0
        fi
        echo "# cpu controller delegated: measuring" >&3
        rc run -d --name cpu --cpus 0.5 localhost/bb sh -c 'while :; do :; done' >/dev/null
        path=$(rc inspect --format '{{.State.CgroupPath}}' cpu)
        grep -qx "50000 100000" "$path/cpu.max"
        a=$(awk '/^usage_usec/ { print $2 }' "$path/cpu.stat")
        sleep 2
        b=$(awk '/^usage_usec/ { print $2 }' "$path/cpu.stat")
        share=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", (b - a) / 2000000 }')
        echo "# --cpus 0.5: $share of a CPU over 2 s" >&3
        awk -v s="$share" 'BEGIN { exit !(s <= 0.6 && s > 0.1) }'
}

@test "rc update changes a running container's limits, or says why it cannot" {
        rc run -d --name upd localhost/bb sleep 1000 >/dev/null
        if [ "$RC_LIMITS" = yes ]; then
                run -0 rc update --memory 64m --pids-limit 50 upd
                path=$(rc inspect --format '{{.State.CgroupPath}}' upd)
                [ "$(cat "$path/memory.max")" = 67108864 ]
                [ "$(cat "$path/pids.max")" = 50 ]
                [ "$(rc inspect --format '{{.HostConfig.PidsLimit}}' upd)" = 50 ]
        else
                run -125 rc update --memory 64m upd
                [[ "$output" == *"--memory needs the cgroup v2 memory controller"* ]]
        fi
}

@test "rc stats: CPU time, CPU %, processes from the container's cgroup; JSON with numbers" {
        rc run -d --name busy localhost/bb sh -c 'while :; do :; done' >/dev/null
        rc run -d --name idle localhost/bb sh -c 'sleep 1000 & sleep 1000 & wait' >/dev/null
        sleep 1
        run -0 rc stats --no-stream --format json busy idle
        echo "$output" | python3 -c '
import json, sys
rows = {r["name"]: r for r in json.load(sys.stdin)}
assert rows["busy"]["cpu_usec"] > 200000, rows["busy"]
assert float(rows["busy"]["cpu_percent"].rstrip("%")) > 20, rows["busy"]
assert rows["idle"]["pids_count"] == 3, rows["idle"]
assert rows["idle"]["cpu_usec"] < rows["busy"]["cpu_usec"]
for r in rows.values():
    for k in ("id", "cpu_time", "avg_cpu", "mem_usage", "mem_percent", "net_io", "block_io", "pids"):
        assert k in r, k
'
        run -0 rc stats --no-stream
        [[ "${lines[0]}" == "ID"*"NAME"*"CPU %"*"MEM USAGE / LIMIT"*"MEM %"*"NET IO"*"BLOCK IO"*"PIDS"*"CPU TIME"*"AVG CPU %" ]]
        [ "${#lines[@]}" -eq 3 ]
        run -0 rc stats --no-stream --format '{{.Name}} {{.PIDs}}' idle
        [ "$output" = "idle 3" ]
        # streaming: a sample per interval until interrupted
        run timeout 3 "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" stats --no-reset -i 1 --format '{{.Name}}' idle
        [ "$(grep -c '^idle$' <<<"$output")" -ge 2 ]
}

@test "pause freezes every process of the container (cgroup.freeze), unpause thaws it, stop ends a paused one" {
        rc run -d --name pz localhost/bb sh -c 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.05; done' >/dev/null
        sleep 0.5
        run -0 rc pause pz
        [ "$output" = pz ]
        path=$(rc inspect --format '{{.State.CgroupPath}}' pz)
        grep -qx 'frozen 1' "$path/cgroup.events"
        [ "$(rc inspect --format '{{.State.Status}} {{.State.Paused}}' pz)" = "paused true" ]
        run -0 rc ps --format '{{.Names}} {{.Status}}'
        [ "$output" = "pz Paused" ]
        run -0 rc ps --filter status=paused -q
        [ -n "$output" ]
        run -125 rc pause pz
        [[ "$output" == *"already paused"* ]]
        n1=$(rc logs pz | wc -l)
        sleep 0.5
        n2=$(rc logs pz | wc -l)
        [ "$n1" -eq "$n2" ]
        run -0 rc unpause pz
        grep -qx 'frozen 0' "$path/cgroup.events"
        sleep 0.5
        n3=$(rc logs pz | wc -l)
        [ "$n3" -gt "$n2" ]
        rc pause pz >/dev/null
        run -0 timeout 20 "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" stop -t 1 pz
        [[ "$(rc ps -a --format '{{.Status}}')" == Exited* ]]
}

@test "rc stop ends a container whose process forked children into the background; nothing is left" {
        rc run -d --name bg localhost/bb sh -c '(sleep 1001 &); sleep 1002 & exec sleep 1003' >/dev/null
        wait_for_process "sleep 1001"
        wait_for_process "sleep 1002"
        path=$(rc inspect --format '{{.State.CgroupPath}}' bg)
        [ "$(wc -l <"$path/cgroup.procs")" -eq 3 ]
        run -0 rc stop -t 1 bg
        wait_for_no_process "sleep 1001"
        wait_for_no_process "sleep 1002"
        wait_for_no_process "sleep 1003"
        wait_no_scopes
        [ ! -d "$path" ]
}

@test "cgroupfs inside the delegated tree: a sibling cgroup per container, removed after it" {
        id=$(rc --cgroup-manager cgroupfs run -d --name fs localhost/bb sleep 1000)
        pid=$(rc inspect --format '{{.State.Pid}}' fs)
        own=$(sed -n 's/^0:://p' /proc/self/cgroup)
        grep -qx "0::$(dirname "$own")/rc-$id" "/proc/$pid/cgroup"
        path=$(rc inspect --format '{{.State.CgroupPath}}' fs)
        run -0 rc stats --no-stream --format '{{.Name}} {{.PIDs}}' fs
        [ "$output" = "fs 1" ]
        rc exec -d fs sleep 999
        for _ in $(seq 50); do [ "$(wc -l <"$path/cgroup.procs")" -ge 2 ] && break; sleep 0.1; done
        run -0 rc stats --no-stream --format '{{.Name}} {{.PIDs}}' fs
        [ "$output" = "fs 2" ]
        run -0 rc pause fs
        grep -qx 'frozen 1' "$path/cgroup.events"
        run -0 rc unpause fs
        run -0 rc --cgroup-manager cgroupfs run --rm localhost/bb cat /proc/self/cgroup
        [[ "$output" == *"0::/"* ]]
        rc rm -f fs >/dev/null
        [ ! -d "$path" ]
        if [ "$RC_LIMITS" != yes ]; then
                run -125 rc --cgroup-manager cgroupfs run --rm --memory 32m localhost/bb true
                [[ "$output" == *"memory controller"* ]]
        fi
}

# A generated unit in the user's unit directory, loaded.
install_unit() {
        (cd "$UNIT_DIR" && rc generate systemd "$@")
        systemctl --user daemon-reload
}

@test "generate systemd --new: systemctl --user start runs it, active once it runs, stop removes it, nothing left" {
        rc create --name gen localhost/bb sh -c 'trap "exit 0" TERM; echo started; while :; do sleep 0.1; done' >/dev/null
        run -0 install_unit --new --name --files gen
        [ "$output" = "$UNIT_DIR/container-gen.service" ]
        rc rm gen >/dev/null # the unit creates its own at every start
        run -0 systemctl --user start container-gen.service
        # start returned: READY came, and the monitor is the unit's main process
        [ "$(prop container-gen.service ActiveState)" = active ]
        [ "$(prop container-gen.service MainPID)" = "$(rc inspect --format '{{.State.ConmonPid}}' gen)" ]
        run -0 rc ps --format '{{.Names}} {{.State}}'
        [ "$output" = "gen running" ]
        run -0 rc logs gen
        [ "$output" = started ]
        id=$(rc inspect --format '{{.Id}}' gen)
        [ "$(prop "rc-$id.scope" ActiveState)" = active ]
        run -0 systemctl --user stop container-gen.service
        [ "$(prop container-gen.service ActiveState)" = inactive ]
        [ "$(prop container-gen.service Result)" = success ]
        assert_no_container_left
        wait_no_scopes
}

@test "generate systemd --new: Restart=on-failure starts a new container after the container's process is killed" {
        rc create --name rs localhost/bb sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
        install_unit --new --name --files rs >/dev/null
        rc rm rs >/dev/null
        systemctl --user start container-rs.service
        first=$(rc inspect --format '{{.Id}}' rs)
        kill -KILL "$(rc inspect --format '{{.State.Pid}}' rs)"
        # (a loaded machine may take seconds for the new rc run)
        for _ in $(seq 600); do
                [ "$(prop container-rs.service NRestarts)" -ge 1 ] && [ "$(prop container-rs.service SubState)" = running ] &&
                        break
                sleep 0.05
        done
        [ "$(prop container-rs.service NRestarts)" -ge 1 ]
        [ "$(prop container-rs.service SubState)" = running ]
        second=$(rc inspect --format '{{.Id}}' rs)
        [ "$first" != "$second" ]
        systemctl --user stop container-rs.service
        assert_no_container_left
        wait_no_scopes
}

@test "generate systemd for an existing container: the unit starts and stops that container, which stays" {
        rc create --name ex localhost/bb sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
        install_unit --name --files ex >/dev/null
        systemctl --user start container-ex.service || {
                systemctl --user status container-ex.service
                cat "$RC_ROOT"/containers/*/monitor.log
                false
        }
        [ "$(prop container-ex.service MainPID)" = "$(rc inspect --format '{{.State.ConmonPid}}' ex)" ]
        [ "$(rc ps --format '{{.Names}}')" = ex ]
        systemctl --user stop container-ex.service
        run -0 rc ps -a --format '{{.Names}} {{.Status}}'
        [[ "$output" == "ex Exited (0)"* ]]
        wait_no_scopes
}

@test "a .container file becomes a service at daemon-reload, serves, and stops; one with an unknown key is reported, not run" {
        port=$((20000 + RANDOM % 20000))
        if "$RC_BIN" run --help | grep -q -- '--publish'; then
                net="PublishPort=$port:8080"
                serve="httpd -f -p 8080 -h /etc"
        else
                echo "# rc run -p is not in this build: the service uses the host's network instead" >&3
                net="Network=host"
                serve="httpd -f -p 127.0.0.1:$port -h /etc"
        fi
        cat >"$QUADLET_DIR/web.container" <<EOF
[Unit]
Description=web from a .container file

[Container]
Image=localhost/bb
GlobalArgs=--root $RC_ROOT --runroot $RC_RUNROOT
Exec=$serve
$net
HostName=webhost
StopTimeout=2

[Install]
WantedBy=default.target
EOF
        printf '[Container]\nImage=localhost/bb\nFrobnicate=1\n' >"$QUADLET_DIR/webbad.container"
        systemctl --user daemon-reload
        [ "$(prop web.service LoadState)" = loaded ]
        [ "$(prop web.service SourcePath)" = "$QUADLET_DIR/web.container" ]
        [ "$(prop webbad.service LoadState)" = not-found ]
        run -1 rc systemd check "$QUADLET_DIR/webbad.container"
        [[ "$output" == *"webbad.container:3: unknown key Frobnicate"* ]]
        # [Install] WantedBy became a link of the generator
        [ -L "$XDG_RUNTIME_DIR/systemd/generator/default.target.wants/web.service" ]
        systemctl --user start web.service
        run -0 rc ps --format '{{.Names}}'
        [ "$output" = systemd-web ]
        for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/hostname" >/dev/null && break; sleep 0.05; done
        run -0 curl -sf "http://127.0.0.1:$port/hostname"
        [ "$output" = webhost ]
        systemctl --user stop web.service
        [ "$(prop web.service ActiveState)" = inactive ]
        assert_no_container_left
        wait_no_scopes
        rm -f "$QUADLET_DIR/web.container" "$QUADLET_DIR/webbad.container"
        systemctl --user daemon-reload
}

@test "health checks of a .container service: the monitor (the unit's main process) runs them on its timer" {
        cat >"$QUADLET_DIR/webhc.container" <<EOF
[Container]
Image=localhost/bb
GlobalArgs=--root $RC_ROOT --runroot $RC_RUNROOT
Exec=sleep 1000
HealthCmd=test -f /tmp/ready
HealthInterval=1s
HealthRetries=1
EOF
        systemctl --user daemon-reload
        systemctl --user start webhc.service
        [ "$(prop webhc.service MainPID)" = "$(rc inspect --format '{{.State.ConmonPid}}' systemd-webhc)" ]
        for _ in $(seq 100); do
                [ "$(rc inspect --format '{{.State.Health.Status}}' systemd-webhc)" = unhealthy ] && break
                sleep 0.1
        done
        run -0 rc ps --format '{{.Names}} {{.Status}}'
        [[ "$output" == "systemd-webhc Up "*" (unhealthy)" ]]
        rc exec systemd-webhc touch /tmp/ready
        for _ in $(seq 100); do
                [ "$(rc inspect --format '{{.State.Health.Status}}' systemd-webhc)" = healthy ] && break
                sleep 0.1
        done
        run -0 rc ps --format '{{.Names}} {{.Status}}'
        [[ "$output" == "systemd-webhc Up "*" (healthy)" ]]
        # no timer unit of its own: the checks leave nothing behind in the manager
        id=$(rc inspect --format '{{.Id}}' systemd-webhc)
        run -0 systemctl --user list-units --all --plain --no-legend '*.timer'
        [[ "$output" != *"$id"* ]]
        systemctl --user stop webhc.service
        assert_no_container_left
        rm -f "$QUADLET_DIR/webhc.container"
        systemctl --user daemon-reload
}

@test "rc system check: the user manager answers; lingering is off for this user and the fix is given" {
        run rc system check
        [[ "$output" == *"[ OK ] cgroup manager: systemd"* ]]
        if [ -d /run/systemd/system ]; then
                [[ "$output" == *"[ OK ] systemd user manager: systemd "*" answers on $XDG_RUNTIME_DIR/systemd/private"* ]]
                [[ "$output" == *"lingering: "* ]]
                if [ ! -e "/var/lib/systemd/linger/$(id -un)" ]; then
                        [[ "$output" == *"[WARN] lingering: off for $(id -un)"* ]]
                        [[ "$output" == *"loginctl enable-linger $(id -un)"* ]]
                fi
        fi
}

@test "Notify=true: the unit is active only once the container says READY=1, with its status; the monitor is its main process" {
        [ -x "$RC_WORK/notify-send" ] || skip "no static C compiler (gcc + libc6-dev) for notify-send"
        cat >"$QUADLET_DIR/ready.container" <<EOF
[Container]
Image=localhost/notify
GlobalArgs=--root $RC_ROOT --runroot $RC_RUNROOT
Notify=true
Exec=sh -c 'sleep 2; notify-send "STATUS=warmed up" READY=1; exec sleep 1000'
EOF
        systemctl --user daemon-reload
        t0=$(date +%s%N)
        systemctl --user start ready.service
        t1=$(date +%s%N)
        [ $(((t1 - t0) / 1000000)) -ge 1800 ] || { echo "active after $(((t1 - t0) / 1000000)) ms, before READY=1"; false; }
        [ "$(prop ready.service ActiveState)" = active ]
        [ "$(prop ready.service StatusText)" = "warmed up" ]
        [ "$(prop ready.service MainPID)" = "$(rc inspect --format '{{.State.ConmonPid}}' systemd-ready)" ]
        systemctl --user stop ready.service
        assert_no_container_left
        rm -f "$QUADLET_DIR/ready.container"
        systemctl --user daemon-reload
}
