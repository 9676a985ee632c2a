#!/usr/bin/env bats
# rc top: a container's processes with podman's columns.
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

@test "top: podman's default columns, the container's pids and users, exec'd processes too" {
        rc run -d --name t1 -u user localhost/bb sh -c 'sleep 1000 & wait' >/dev/null
        new_marker
        rc exec -d t1 $MARKER
        wait_for_process "$MARKER"
        run -0 rc top t1
        [[ "${lines[0]}" =~ ^USER\ +PID\ +PPID\ +%CPU\ +ELAPSED\ +TTY\ +TIME\ +COMMAND$ ]]
        # pid 1 (sh), its child sleep with ppid 1, the exec'd process (its parent is outside: 0)
        # (ELAPSED and TIME as Go prints durations: 1.5s, 2m3.25s, 10ms, 0s)
        [[ "${lines[1]}" =~ ^user\ +1\ +0\ +[0-9]+\.[0-9]{3}\ +[0-9hm.]+(ms|s)\ +\?\ +[0-9.]+m?s\ +sh\ -c\ sleep\ 1000\ \&\ wait$ ]]
        [[ "${lines[2]}" =~ ^user\ +[0-9]+\ +1\ +.*sleep\ 1000$ ]]
        [[ "${lines[3]}" =~ ^user\ +[0-9]+\ +0\ +.*$MARKER$ ]]
        [ "${#lines[@]}" = 4 ]
}

@test "top: descriptors, comma-separated or apart, AIX forms, host columns" {
        rc run -d --name t2 localhost/bb sleep 1000 >/dev/null
        run -0 rc top t2 pid,user comm
        [[ "${lines[0]}" =~ ^PID\ +USER\ +COMMAND$ ]]
        [[ "${lines[1]}" =~ ^1\ +root\ +sleep$ ]]
        run -0 rc top t2 %p %U %a
        [[ "${lines[1]}" =~ ^1\ +root\ +sleep\ 1000$ ]]
        run -0 rc top t2 hpid huser seccomp
        pid=$(rc inspect --format '{{.State.Pid}}' t2)
        [[ "${lines[1]}" =~ ^$pid\ +$(id -un)\ +filter$ ]]
}

@test "top: other arguments go to ps in the container; errors as podman" {
        rc run -d --name t3 localhost/bb sleep 1000 >/dev/null
        run -0 rc top t3 -o pid,comm
        [[ "${lines[0]}" =~ PID\ +COMMAND ]]
        [[ "$output" == *"sleep"* ]]
        run -125 rc top nosuch
        [[ "$output" == *'no container with name or ID "nosuch" found'* ]]
        rc create --name t4 localhost/bb true >/dev/null
        run -125 rc top t4
        [ "$output" = "Error: container t4 is not running: start it with rc start t4" ]
        run -125 rc top
        [[ "$output" == *"top needs a container"* ]]
}
