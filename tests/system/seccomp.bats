#!/usr/bin/env bats
# Seccomp: rc's default filter in every container, --security-opt
# seccomp=unconfined|PROFILE.json, bad profiles, the cache of compiled filters.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox
        # The busybox image plus a static probe that makes single system calls.
        import_with_helper "$LIB/seccomp-probe.c" seccomp-probe localhost/probe || true
}

teardown_file() {
        rc_teardown_file
}

need_probe() {
        [ -x "$RC_WORK/seccomp-probe" ] || skip "no static C compiler (gcc + libc6-dev) for the probe"
}

@test "a default container runs under a seccomp filter with no_new_privs" {
        run rc run --rm localhost/bb sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'
        [ "$status" -eq 0 ]
        [[ "$output" == *"NoNewPrivs:"*"1"* ]]
        [[ "$output" == *"Seccomp:"*"2"* ]]
}

@test "the default filter refuses new namespaces: unshare -U and -m give EPERM" {
        run rc run --rm localhost/bb unshare -U true
        [ "$status" -ne 0 ]
        [[ "$output" == *"Operation not permitted"* ]]
        run rc run --rm localhost/bb unshare -m true
        [ "$status" -ne 0 ]
        [[ "$output" == *"Operation not permitted"* ]]
}

@test "the default filter: keyring, setns, mount, AF_VSOCK, odd personalities denied; clone3 is ENOSYS" {
        need_probe
        run rc run --rm localhost/probe seccomp-probe keyctl add_key setns mount vsock personality-bsd clone3 \
                unshare-user
        [ "$status" -eq 0 ]
        [ "$output" = "keyctl: EPERM
add_key: EPERM
setns: EPERM
mount: EPERM
vsock: EPERM
personality-bsd: EPERM
clone3: ENOSYS
unshare-user: EPERM" ]
}

@test "the default filter lets ordinary calls through" {
        need_probe
        run rc run --rm localhost/probe seccomp-probe getpid unix-socket personality-query unshare-files
        [ "$status" -eq 0 ]
        [ "$output" = "getpid: ok
unix-socket: ok
personality-query: ok
unshare-files: ok" ]
        # fork, exec, pipes, files: a shell pipeline works
        run rc run --rm localhost/bb sh -c 'echo a > /tmp/f && cat /tmp/f | tr a b && ls / | grep -c bin'
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "b" ]
}

@test "--security-opt seccomp=unconfined: no filter, and unshare -U works" {
        run rc run --rm --security-opt seccomp=unconfined localhost/bb sh -c 'grep "^Seccomp:" /proc/self/status'
        [ "$status" -eq 0 ]
        [[ "$output" == "Seccomp:"*"0" ]]
        run rc run --rm --security-opt seccomp=unconfined localhost/bb unshare -U true
        [ "$status" -eq 0 ]
}

@test "a JSON profile that denies mkdir makes mkdir fail with EPERM" {
        cat >"$RC_WORK/no-mkdir.json" <<'JSON'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "comment": "no new directories" }
  ]
}
JSON
        run rc run --rm --security-opt seccomp="$RC_WORK/no-mkdir.json" localhost/bb sh -c \
                'grep "^Seccomp:" /proc/self/status; touch /file-ok && echo touched; mkdir /x'
        [ "$status" -ne 0 ]
        [[ "${lines[0]}" == "Seccomp:"*"2" ]]
        [ "${lines[1]}" = "touched" ]
        [[ "$output" == *"mkdir: can't create directory '/x': Operation not permitted"* ]]
        # with the profile, namespaces are the user's business
        run rc run --rm --security-opt seccomp="$RC_WORK/no-mkdir.json" localhost/bb unshare -U true
        [ "$status" -eq 0 ]
}

@test "a malformed profile: a clear error, status 125, nothing left" {
        printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_DENY"}]}' \
                >"$RC_WORK/bad.json"
        run -125 rc run --security-opt seccomp="$RC_WORK/bad.json" localhost/bb true
        [ "$output" = "Error: seccomp profile $RC_WORK/bad.json: syscalls[0].action: unknown action \"SCMP_ACT_DENY\" (expected SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_TRACE or SCMP_ACT_LOG)" ]
        assert_no_container_left
        printf '{"defaultAction": ' >"$RC_WORK/cut.json"
        run -125 rc run --rm --security-opt seccomp="$RC_WORK/cut.json" localhost/bb true
        [[ "$output" == *"seccomp profile $RC_WORK/cut.json: invalid JSON"* ]]
        run -125 rc run --security-opt seccomp="$RC_WORK/missing.json" localhost/bb true
        [ "$output" = "Error: seccomp profile $RC_WORK/missing.json: No such file or directory" ]
        assert_no_container_left
}

@test "--security-opt: other options are refused clearly" {
        run -125 rc run --rm --security-opt label=level:s0 localhost/bb true
        [[ "$output" == *"--security-opt label=level:s0: not supported"* ]]
        # turning off labels rc never applies is accepted
        run -0 rc run --rm --security-opt label=disable localhost/bb true
        run -125 rc run --rm --security-opt seccomp= localhost/bb true
        [[ "$output" == *"seccomp= needs unconfined or a profile file"* ]]
        run rc run --rm --security-opt no-new-privileges localhost/bb true
        [ "$status" -eq 0 ]
        assert_no_container_left
}

@test "compiled filters are cached in the runroot; a corrupt entry is rebuilt" {
        rm -rf "$RC_RUNROOT/seccomp"
        run rc run --rm localhost/bb true
        [ "$status" -eq 0 ]
        run ls "$RC_RUNROOT/seccomp"
        [ "${#lines[@]}" -eq 1 ]
        [[ "${lines[0]}" =~ ^[0-9a-f]{16}\.bpf$ ]]
        local f=$RC_RUNROOT/seccomp/${lines[0]} size
        size=$(stat -c %s "$f")
        # cut in the middle of an instruction, then garbage of the right size
        truncate -s $((size - 5)) "$f"
        run rc run --rm localhost/bb sh -c 'grep "^Seccomp:" /proc/self/status; unshare -U true'
        [ "$status" -ne 0 ]
        [[ "${lines[0]}" == "Seccomp:"*"2" ]]
        [[ "$output" == *"Operation not permitted"* ]]
        [ "$(stat -c %s "$f")" -eq "$size" ]
        head -c "$size" /dev/zero >"$f"
        run rc run --rm localhost/bb unshare -U true
        [ "$status" -ne 0 ]
        [[ "$output" == *"Operation not permitted"* ]]
        [ "$(stat -c %s "$f")" -eq "$size" ]
        ! cmp -s "$f" /dev/zero
        run rc info --format text
        [[ "$output" == *"seccomp filter: rc's default profile in every container"* ]]
        [[ "$output" == *"seccomp cache: $RC_RUNROOT/seccomp (1 compiled filters)"* ]]
}
