#!/usr/bin/env bats
# Detached containers: the monitor, logs, stop/kill/wait/start/restart, rm -f,
# restart policies, and what a killed monitor leaves.
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

# Wait up to 10 s for container $1 to have status $2 in rc ps -a.
wait_status() {
        for _ in $(seq 200); do
                [ "$(rc ps -a --filter name="^$1\$" --format json | grep -o '"State": "[a-z]*"')" = "\"State\": \"$2\"" ] && return 0
                sleep 0.05
        done
        rc ps -a >&2
        return 1
}

@test "run -d prints the id, returns at once, the container outlives rc and its logs are complete" {
        new_marker
        run -0 rc run -d --name d1 localhost/bb sh -c "echo out-1; echo err-1 >&2; $MARKER; echo out-2"
        [[ "$output" =~ ^[0-9a-f]{64}$ ]]
        id=$output
        wait_for_process "$MARKER"
        run -0 rc ps --format json
        [[ "$output" == *"\"Id\": \"$id\""* ]]
        [[ "$output" == *'"State": "running"'* ]]
        run -0 rc ps
        [[ "${lines[1]}" == "${id:0:12}"*"Up "*"d1" ]]
        # the short id and a unique prefix address it
        run -0 rc logs "${id:0:12}"
        [ "$output" = $'out-1\nerr-1' ]
        pkill -fx "$MARKER"
        run -0 rc wait d1
        [ "$output" = 0 ]
        run -0 --separate-stderr rc logs d1
        [ "$output" = $'out-1\nout-2' ]
        # busybox sh reports the killed sleep ("Terminated") after it
        [ "${stderr%%$'\n'*}" = err-1 ]
        run -0 rc ps -a
        [[ "${lines[1]}" == *"Exited (0) "*" ago"*"d1" ]]
}

@test "logs: --tail, -t, --since, and -f follows until the container exits" {
        rc run -d --name l1 localhost/bb sh -c 'for i in 1 2 3 4 5; do echo $i; done' >/dev/null
        rc wait l1
        run -0 rc logs --tail 2 l1
        [ "$output" = $'4\n5' ]
        run -0 rc logs --tail 0 l1
        [ -z "$output" ]
        run -0 rc logs -t --tail 1 l1
        [[ "$output" =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\ 5$ ]]
        run -0 rc logs --since 2099-01-01T00:00:00Z l1
        [ -z "$output" ]
        run -0 rc logs --since 10m l1
        [ "${#lines[@]}" -eq 5 ]
        run -125 rc logs --since yesterday l1
        [[ "$output" == *"not a time"* ]]
        rc run -d --name l2 localhost/bb sh -c 'echo first; sleep 1; echo second; exit 3' >/dev/null
        run -0 timeout 10 "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" logs -f l2
        [ "$output" = $'first\nsecond' ]
        run -0 rc wait l2
        [ "$output" = 3 ]
}

@test "a line without a newline and a very long line are logged whole" {
        rc run -d --name p1 localhost/bb sh -c 'head -c 40000 /dev/zero | tr "\0" x; echo; printf tail' >/dev/null
        rc wait p1
        run -0 rc logs p1
        [ "${#lines[0]}" -eq 40000 ]
        [ "${lines[1]}" = tail ]
}

@test "stop sends the stop signal, then SIGKILL after the timeout" {
        # sh as pid 1 ignores SIGTERM: only the SIGKILL ends it
        rc run -d --name s1 localhost/bb sh -c 'trap "" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
        wait_status s1 running
        start=$(date +%s%N)
        run -0 rc stop -t 1 s1
        [ "$output" = s1 ]
        elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
        [ "$elapsed" -ge 1000 ]
        run -0 rc wait s1
        [ "$output" = 137 ]
        # a handler that exits on SIGTERM ends it at once, with its own status
        rc run -d --name s2 localhost/bb sh -c 'trap "echo got-term; exit 7" TERM; while :; do sleep 0.1; done' >/dev/null
        wait_status s2 running
        start=$(date +%s%N)
        rc stop -t 20 s2
        [ $(( ($(date +%s%N) - start) / 1000000 )) -lt 5000 ]
        run -0 rc wait s2
        [ "$output" = 7 ]
        run -0 rc logs s2
        [ "$output" = got-term ]
        # stopping a stopped container is not an error
        run -0 rc stop s2
}

@test "--stop-signal and kill -s reach the container's process" {
        rc run -d --name k1 --stop-signal USR1 localhost/bb \
                sh -c 'trap "echo usr1; exit 0" USR1; trap "echo usr2" USR2; while :; do sleep 0.1; done' >/dev/null
        wait_status k1 running
        run -0 rc kill -s USR2 k1
        [ "$output" = k1 ]
        for _ in $(seq 50); do rc logs k1 | grep -q usr2 && break; sleep 0.1; done
        run -0 rc logs k1
        [ "$output" = usr2 ]
        rc stop -t 10 k1
        run -0 rc logs k1
        [ "$output" = $'usr2\nusr1' ]
        run -125 rc kill k1
        [[ "$output" == *"k1 is not running"* ]]
        run -125 rc kill -s NOSUCH k1
        [[ "$output" == *"not a signal"* ]]
}

@test "create, start, start -a, restart" {
        run -0 rc create --name c1 localhost/bb sh -c 'echo started; exit 4'
        [[ "$output" =~ ^[0-9a-f]{64}$ ]]
        run -0 rc ps -a
        [[ "${lines[1]}" == *"Created"*"c1" ]]
        run -0 rc start c1
        [ "$output" = c1 ]
        run -0 rc wait c1
        [ "$output" = 4 ]
        run -4 rc start -a c1
        [ "$output" = started ]
        run -0 rc logs c1
        [ "$output" = $'started\nstarted' ]
        rc run -d --name r1 localhost/bb sh -c 'echo run; trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
        wait_status r1 running
        pid1=$(rc ps --format json | grep -o '"Pid": [0-9]*')
        run -0 rc restart -t 5 r1
        [ "$output" = r1 ]
        wait_status r1 running
        pid2=$(rc ps --format json | grep -o '"Pid": [0-9]*')
        [ "$pid1" != "$pid2" ]
        run -0 rc logs r1
        [ "$output" = $'run\nrun' ]
}

@test "a container keeps its files across stop and start" {
        rc run -d --name f1 localhost/bb sh -c 'cat /kept 2>/dev/null; echo here >/kept' >/dev/null
        rc wait f1
        rc start f1 >/dev/null
        rc wait f1
        run -0 rc logs f1
        [ "$output" = here ]
}

@test "a stopped container whose run directory is gone (a reboot clears it) starts again with its /etc files" {
        id=$(rc create --name rb1 --hostname rebooted --add-host db:10.1.2.3 localhost/bb \
                sh -c 'cat /etc/hostname; grep -c "db" /etc/hosts; test -e /run/.containerenv && echo env')
        id2=$(rc create --name rb2 --privileged localhost/bb grep -c '^engine=' /run/.containerenv)
        # a --rm container keeps even its options there: it cannot outlive the machine's uptime
        id3=$(rc create --rm --name rb3 localhost/bb true)
        [ -e "$RC_RUNROOT/containers/$id3/create.json" ] && [ ! -e "$RC_ROOT/containers/$id3/create.json" ]
        [ -d "$RC_RUNROOT/containers/$id" ]
        [ -e "$RC_RUNROOT/containers/$id2/containerenv" ]
        rm -rf "$RC_RUNROOT/containers"
        run -0 rc start -a rb1
        [ "$output" = $'rebooted\n1\nenv' ]
        run -0 rc start -a rb2
        [ "$output" = 1 ]
        run -125 rc start rb3
        [[ "$output" == *"created with --rm"*"remove it with rc rm rb3"* ]]
        rc rm rb3 >/dev/null
        # one made by an rc that kept its options in the store starts as before
        id4=$(rc create --rm --name rb4 localhost/bb echo old)
        mv "$RC_RUNROOT/containers/$id4/create.json" "$RC_ROOT/containers/$id4/create.json"
        run -0 rc start -a rb4
        [ "$output" = old ]
        # and one started by such an rc takes rc exec as before
        id5=$(rc run -d --name rb5 localhost/bb sleep 1000)
        mv "$RC_RUNROOT/containers/$id5/config.json" "$RC_ROOT/containers/$id5/config.json"
        run -0 rc exec rb5 echo old-exec
        [ "$output" = old-exec ]
        rc rm -f rb5 >/dev/null
        run -0 rc inspect --format '{{.HostsPath}}' rb1
        [ -s "$output" ]
        # removal takes both directories
        rc rm rb1 rb2 >/dev/null
        [ ! -e "$RC_RUNROOT/containers/$id" ] && [ ! -e "$RC_ROOT/containers/$id" ]
        [ ! -e "$RC_RUNROOT/containers/$id2" ] && [ ! -e "$RC_ROOT/containers/$id2" ]
}

@test "--restart on-failure:2 restarts a failing container twice, always stops on rc stop" {
        rc run -d --name p2 --restart on-failure:2 localhost/bb sh -c 'echo try; exit 3' >/dev/null
        for _ in $(seq 100); do
                [ "$(rc logs p2 | wc -l)" -eq 3 ] && ! pgrep -f "run -d --name p2" >/dev/null && break
                sleep 0.1
        done
        run -0 rc logs p2
        [ "$output" = $'try\ntry\ntry' ]
        run -0 rc ps -a --format json
        [[ "$output" == *'"Restarts": 2'* ]]
        [[ "$output" == *'"ExitCode": 3'* ]]
        # on-failure does not restart a success
        rc run -d --name p3 --restart on-failure localhost/bb true >/dev/null
        run -0 rc wait p3
        sleep 0.5
        run -0 rc logs p3
        run -0 rc ps -a --filter name=p3 --format json
        [[ "$output" == *'"Restarts": 0'* ]]
        # always restarts until stopped
        rc run -d --name p4 --restart always localhost/bb sh -c 'echo again; sleep 0.2' >/dev/null
        for _ in $(seq 100); do [ "$(rc logs p4 | wc -l)" -ge 3 ] && break; sleep 0.1; done
        [ "$(rc logs p4 | wc -l)" -ge 3 ]
        rc stop -t 1 p4
        n=$(rc logs p4 | wc -l)
        sleep 1
        [ "$(rc logs p4 | wc -l)" -eq "$n" ]
        wait_status p4 exited
        run -125 rc run -d --rm --restart always localhost/bb true
        [[ "$output" == *"--restart and --rm"* ]]
        run -125 rc run -d --restart sometimes localhost/bb true
        [[ "$output" == *"on-failure"* ]]
}

@test "rm: refuses a running container without -f; rm -f leaves no process, mount or record" {
        new_marker
        rc run -d --name m1 localhost/bb sh -c "$MARKER" >/dev/null
        wait_for_process "$MARKER"
        run -2 rc rm m1
        [[ "$output" == *"m1 as it is running"* ]]
        run -0 rc rm -f m1
        [ "$output" = m1 ]
        ! pgrep -fx "$MARKER"
        ! pgrep -f "run -d --name m1"
        assert_no_container_left
        # -f and --ignore: a missing container is not an error
        run -0 rc rm -f nosuch
        run -0 rc rm --ignore nosuch
        run -1 rc rm nosuch
        [[ "$output" == *"nosuch"* ]]
}

@test "--rm with -d: removed when it exits; rc wait still gets its status" {
        rc run -d --rm --name rm1 localhost/bb sh -c 'sleep 0.5; exit 5' >/dev/null
        run -0 rc wait rm1
        [ "$output" = 5 ]
        for _ in $(seq 50); do [ -z "$(rc ps -aq)" ] && break; sleep 0.1; done
        assert_no_container_left
        # rm -f races its monitor's own removal: either way nothing is left
        new_marker
        rc run -d --rm --name rm2 localhost/bb sh -c "$MARKER" >/dev/null
        wait_for_process "$MARKER"
        run -0 rc rm -f rm2
        [ "$output" = rm2 ]
        assert_no_container_left
}

@test "a name is unique; a failed run -d leaves nothing" {
        rc run -d --name u1 localhost/bb sleep 30 >/dev/null
        run -125 rc run -d --name u1 localhost/bb true
        [[ "$output" == *'"u1" is already in use'* ]]
        run -0 rc ps -aq
        [ "${#lines[@]}" -eq 1 ]
        run -127 rc run -d --rm --name u2 localhost/bb /no/such/program
        [[ "$output" == *"/no/such/program"* ]]
        run -0 rc ps -aq
        [ "${#lines[@]}" -eq 1 ]
        run -0 rc rename u1 u3
        run -0 rc ps --filter name=u3 -q
        [ "${#lines[@]}" -eq 1 ]
        rc rm -f u3
        assert_no_container_left
}

@test "SIGKILL of the monitor: ps tells the truth, rm -f leaves nothing (overlay and fuse-overlayfs)" {
        for driver in overlay fuse-overlayfs; do
                new_marker
                "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" --storage-driver $driver \
                        run -d --name k-$driver localhost/bb sh -c "$MARKER" >/dev/null
                wait_for_process "$MARKER"
                monitor=$(pgrep -f -- "run -d --name k-$driver")
                kill -9 $monitor
                wait_for_no_process "$MARKER"
                wait_status k-$driver exited
                run -0 rc ps -a
                [[ "$output" == *"Exited (-1)"*"k-$driver"* ]]
                run -0 rc rm -f k-$driver
                ! pgrep -f "fuse-overlayfs.*$RC_ROOT" || { ps -ef | grep fuse; false; }
                assert_no_container_left
        done
}

@test "20 containers started and removed concurrently leave a clean store" {
        for i in $(seq 20); do
                rc run -d --name par$i localhost/bb sleep 60 >/dev/null &
        done
        wait
        run -0 rc ps -q
        [ "${#lines[@]}" -eq 20 ]
        for i in $(seq 20); do
                rc rm -f par$i >/dev/null &
        done
        wait
        ! pgrep -f "run -d --name par"
        assert_no_container_left
}

@test "--log-opt max-size rotates the log; logs reads both files" {
        rc run -d --name lg --log-opt max-size=4k localhost/bb sh -c 'for i in $(seq 200); do echo "line $i of the log"; done' >/dev/null
        rc wait lg
        dir=$RC_ROOT/containers/$(rc ps -aq --no-trunc --filter name=lg)
        [ -s "$dir/ctr.log.1" ]
        [ "$(stat -c %s "$dir/ctr.log")" -le 4096 ]
        run -0 rc logs --tail 1 lg
        [ "$output" = "line 200 of the log" ]
}

@test "ps: filters, -q, -n, --noheading" {
        rc run -d --name fa localhost/bb sleep 30 >/dev/null
        rc run -d --name fb localhost/bb true >/dev/null
        rc wait fb >/dev/null
        run -0 rc ps -q
        [ "${#lines[@]}" -eq 1 ]
        run -0 rc ps -a --filter status=exited --format json
        [[ "$output" == *'"fb"'* && "$output" != *'"fa"'* ]]
        run -0 rc ps -a --filter name=f --noheading
        [ "${#lines[@]}" -eq 2 ] || { echo "$output"; false; }
        run -0 rc ps -n 1 --noheading
        [[ "$output" == *" fb" ]]
        run -0 rc ps -a --filter ancestor=localhost/bb -q
        [ "${#lines[@]}" -eq 2 ]
        run -125 rc ps --filter color=red
        [[ "$output" == *"status, name, id, ancestor, label and health"* ]]
}

@test "unknown containers get a clear error for every command" {
        for cmd in stop kill wait logs start; do
                run -125 rc $cmd nosuch
                [[ "$output" == *'"nosuch"'* ]]
        done
}

@test "-d -i keeps stdin for rc attach; attach relays stdout and stderr and ends with the exit status" {
        rc run -d -i --name at1 localhost/bb sh -c 'while read l; do echo "got $l"; echo "err $l" >&2; done; exit 9' >/dev/null
        wait_status at1 running
        run -9 --separate-stderr bash -c "printf 'a\nb\n' | '$RC_BIN' --root '$RC_ROOT' --runroot '$RC_RUNROOT' attach at1"
        [ "$output" = $'got a\ngot b' ]
        [ "$stderr" = $'err a\nerr b' ]
        # two pipes: each stream keeps its order, not their interleaving
        run -0 --separate-stderr rc logs at1
        [ "$output" = $'got a\ngot b' ]
        [ "$stderr" = $'err a\nerr b' ]
        run -125 rc attach at1
        [[ "$output" == *"at1 is not running"* ]]
        run -125 rc attach --detach-keys ctrl-+ at1
        [[ "$output" == *"ctrl-LETTER"* ]]
}

@test "container exists, container prune, container ls and inspect" {
        rc run -d --name keep localhost/bb sleep 30 >/dev/null
        rc run -d --name gone localhost/bb true >/dev/null
        rc wait gone >/dev/null
        run -0 rc container exists keep
        [ -z "$output" ]
        run -1 rc container exists nosuch
        [ -z "$output" ]
        run -0 rc container inspect gone
        [[ "$output" == *'"Status": "exited"'* ]]
        [[ "$output" == *'"Name": "gone"'* ]]
        [[ "$output" == *'"Path": "true"'* ]]
        run -0 rc inspect keep
        [[ "$output" == *'"Running": true'* ]]
        [[ "$output" == *'"Type": "k8s-file"'* ]]
        run -0 rc container prune -f
        [ "${#lines[@]}" -eq 1 ]
        run -0 rc container ls -a --format json
        [[ "$output" == *'"keep"'* && "$output" != *'"gone"'* ]]
}

@test "generated names never collide: 80 unnamed containers all get a name of their own" {
        for _ in $(seq 80); do
                rc create localhost/bb true >/dev/null
        done
        run -0 rc ps -a --format '{{.Names}}'
        [ "${#lines[@]}" -eq 80 ]
        [ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq 80 ]
        rc rm -a >/dev/null
}

@test "ps -s: the writable layer's size and the whole root's, also as JSON numbers" {
        rc run --name sized localhost/bb sh -c 'head -c 3000 /dev/zero >/big; mkdir /d; echo 123456789 >/d/f' >/dev/null
        run -0 rc ps -a -s --format '{{.Names}} {{.Size}}'
        [[ "$output" == "sized 3.01 kB (virtual "*" MB)" ]]
        run -0 rc ps -as --format json
        python3 -c '
import json, sys
c = json.loads(sys.argv[1])[0]
assert c["Size"]["rwSize"] == 3010, c["Size"]
assert c["Size"]["rootFsSize"] > 1000000 + 3010, c["Size"]' "$output"
        run -0 rc ps -a --size
        [[ "${lines[0]}" == *"NAMES"*"SIZE" ]]
        rc rm sized >/dev/null
}
