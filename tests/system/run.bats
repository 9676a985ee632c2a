#!/usr/bin/env bats
# rc run: output, exit codes, isolation, clean-up.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox
}

teardown_file() {
        rc_teardown_file
}

@test "run prints output and passes the exit status through" {
        run rc run --rm localhost/bb sh -c 'echo hi; id -u; exit 3'
        [ "$status" -eq 3 ]
        [ "${lines[0]}" = "hi" ]
        [ "${lines[1]}" = "0" ]
}

@test "exit status 0" {
        run rc run --rm localhost/bb true
        [ "$status" -eq 0 ]
}

@test "a process killed by SIGKILL gives 137" {
        run rc run --rm localhost/bb sh -c 'sh -c "kill -9 \$\$"; exit $?'
        [ "$status" -eq 137 ]
}

@test "the container's init killed from outside gives 137" {
        new_marker
        run_marked "exec $MARKER"
        kill -9 "$(pgrep -fx "$MARKER")"
        status=0
        wait "$RC_BG" || status=$?
        [ "$status" -eq 137 ]
        assert_no_container_left
}

@test "a missing command exits 127, a non-executable one 126" {
        run -127 rc run --rm localhost/bb no-such-command
        [ "$status" -eq 127 ]
        [[ "$output" == *"executable file not found"* ]]
        run -126 rc run --rm localhost/bb /etc/passwd
}

@test "an unknown image is rc's own error: 125" {
        run -125 rc run --rm --pull=never localhost/no-such-image true
        [[ "$output" == *"localhost/no-such-image: image not known"* ]]
        # with the default --pull=missing rc tries the registry and says both
        run -125 rc run --rm localhost:1/no-such-image true
        [[ "$output" == *"not in the local store and pulling it failed"*"localhost:1"* ]]
}

@test "the command is pid 1 and sees only the container's processes" {
        run rc run --rm localhost/bb sh -c 'echo $$; ls /proc | grep -c "^[0-9]"'
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "1" ]
        [ "${lines[1]}" -le 3 ]
        # a host process is not visible
        run rc run --rm localhost/bb test -e /proc/$$
        [ "$status" -ne 0 ]
}

@test "uid_map maps root to the user and 1.. to the subordinate range" {
        run rc run --rm localhost/bb cat /proc/self/uid_map
        [ "$status" -eq 0 ]
        read -r c h n <<<"${lines[0]}"
        [ "$c" = 0 ] && [ "$h" = "$(id -u)" ] && [ "$n" = 1 ]
        read -r c h n <<<"${lines[1]}"
        [ "$c" = 1 ]
        start=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
        [ "$h" = "$start" ]
        [ "$n" -ge 65535 ]
}

@test "file ownership from the image is kept inside" {
        run rc run --rm localhost/bb stat -c '%u:%g %a' /etc/owned-by-root /home/user/owned-by-user /etc/owned-by-nobody /bin/setuid-copy
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "0:0 600" ]
        [ "${lines[1]}" = "1000:1000 644" ]
        [ "${lines[2]}" = "65534:65534 644" ]
        [ "${lines[3]}" = "0:0 4755" ]
}

@test "a file written in one container is absent in the next" {
        run rc run --rm localhost/bb sh -c 'echo x > /etc/written && cat /etc/written'
        [ "$status" -eq 0 ]
        run rc run --rm localhost/bb test -e /etc/written
        [ "$status" -eq 1 ]
}

@test "--rm leaves nothing behind" {
        rc run --rm localhost/bb true
        assert_no_container_left
}

@test "without --rm the container stays until rc rm" {
        rc run --name keep localhost/bb sh -c 'exit 4' || true
        run rc ps -a
        [[ "$output" == *"keep"* ]]
        [[ "$output" == *"Exited (4)"* ]]
        run rc rm keep
        [ "$status" -eq 0 ]
        assert_no_container_left
}

@test "two containers run at once" {
        rc run --rm localhost/bb sh -c 'echo first' >"$BATS_TEST_TMPDIR/first.out" &
        bg=$!
        run rc run --rm localhost/bb echo second
        [ "$status" -eq 0 ]
        [ "$output" = "second" ]
        wait "$bg"
        grep -qx first "$BATS_TEST_TMPDIR/first.out"
}

@test "two running containers overlap in time" {
        new_marker
        run_marked "trap 'exit 42' TERM; $MARKER & wait"
        run rc ps -q
        [ "${#lines[@]}" -eq 1 ]
        run rc run --rm localhost/bb echo alongside
        [ "$output" = "alongside" ]
        # SIGTERM to rc reaches the container's process, whose trap exits 42
        kill -TERM "$RC_BG"
        status=0
        wait "$RC_BG" || status=$?
        [ "$status" -eq 42 ]
        assert_no_container_left
}

@test "-e, -w, --entrypoint, -u" {
        run rc run --rm -e FOO=bar -e EMPTY= localhost/bb sh -c 'echo "$FOO:$EMPTY:${#HOSTNAME}"'
        [ "$output" = "bar::12" ]
        FROM_HOST=passed run rc run --rm -e FROM_HOST localhost/bb sh -c 'echo $FROM_HOST'
        [ "$output" = "passed" ]
        run rc run --rm -w /srv/work localhost/bb pwd
        [ "$output" = "/srv/work" ]
        run rc run --rm --entrypoint /bin/echo localhost/bb from entrypoint
        [ "$output" = "from entrypoint" ]
        run rc run --rm -u user localhost/bb id -u
        [ "$output" = "1000" ]
        run rc run --rm -u nobody localhost/bb cat /etc/owned-by-root
        [ "$status" -ne 0 ]
}

@test "a name is unique while its container exists" {
        rc run --name dup localhost/bb true
        run rc run --name dup localhost/bb true
        [ "$status" -eq 125 ]
        [[ "$output" == *'"dup" is already in use'* ]]
        rc rm dup
}

@test "-i passes stdin; without -i stdin is empty" {
        run bash -c "echo hello | '$RC_BIN' --root '$RC_ROOT' --runroot '$RC_RUNROOT' run --rm -i localhost/bb cat"
        [ "$output" = "hello" ]
        run bash -c "echo hello | '$RC_BIN' --root '$RC_ROOT' --runroot '$RC_RUNROOT' run --rm localhost/bb cat"
        [ "$output" = "" ]
}

@test "--network none has only lo; --network host sees the host's interfaces" {
        run rc run --rm --network none localhost/bb sh -c 'ls /sys/class/net'
        [ "$output" = "lo" ]
        host_ifaces=$(ls /sys/class/net | wc -l)
        run rc run --rm --network host localhost/bb sh -c 'grep -c : /proc/net/dev'
        [ "$output" -eq "$host_ifaces" ]
}

@test "the host name is the short container id" {
        run rc run --rm localhost/bb hostname
        [[ "$output" =~ ^[0-9a-f]{12}$ ]]
        run rc run --rm -h box localhost/bb cat /etc/hostname
        [ "$output" = "box" ]
}

@test "/dev, /dev/pts, /dev/shm, /dev/mqueue, read-only /sys" {
        run rc run --rm localhost/bb sh -c 'for d in null zero full random urandom tty; do test -c /dev/$d || echo missing $d; done; head -c 4 /dev/zero | wc -c'
        [ "$output" = "4" ]
        run rc run --rm localhost/bb sh -c 'grep -E " /dev/(pts|shm|mqueue) " /proc/mounts | wc -l'
        [ "$output" = "3" ]
        run rc run --rm localhost/bb sh -c 'touch /sys/x'
        [ "$status" -ne 0 ]
        [[ "$output" == *"Read-only"* ]]
        run rc run --rm localhost/bb sh -c 'echo > /dev/shm/x && echo ok'
        [ "$output" = "ok" ]
}

@test "the default capability set and no_new_privs" {
        run rc run --rm localhost/bb sh -c 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status'
        [ "${lines[0]}" = $'CapEff:\t00000000a80425fb' ]
        [ "${lines[1]}" = $'NoNewPrivs:\t1' ]
}

@test "masked paths are hidden" {
        # files are covered by /dev/null (char 1:3), directories by an empty tmpfs
        run rc run --rm localhost/bb sh -c 'for f in /proc/keys /proc/timer_list; do [ -e $f ] && stat -c "%n %t:%T" $f; done; ls -A /sys/firmware | wc -l'
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -ge 2 ]
        for l in "${lines[@]:0:${#lines[@]}-1}"; do
                [[ "$l" == *" 1:3" ]]
        done
        [ "${lines[-1]}" = "0" ]
}

@test "Ctrl-C (SIGINT to rc) reaches the container; --rm cleans up after it" {
        new_marker
        run_marked "trap 'exit 130' INT; $MARKER & wait"
        kill -INT "$RC_BG"
        status=0
        wait "$RC_BG" || status=$?
        [ "$status" -eq 130 ]
        # the pid namespace went with its init: no process of it is left
        wait_for_no_process "$MARKER"
        assert_no_container_left
}
