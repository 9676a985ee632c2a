#!/usr/bin/env bats
# Hostile containers against rc exec: a container's root that races the
# process rc puts into it, plants links for rc to follow, or a config.json
# rewritten behind rc's back.  Each test is an attack that worked against
# runc, crun or an earlier rc.
load ../system/helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox
        PROBES=$RC_WORK/probes
        mkdir -p "$PROBES"
        cc -static -O2 -o "$PROBES/preexec" "$BATS_TEST_DIRNAME/probes/preexec.c"
        cc -static -O2 -o "$PROBES/keyring" "$BATS_TEST_DIRNAME/probes/keyring.c"
        export PROBES
        python3 "$LIB/make-oci-image.py" "$(busybox_tar)" "$RC_WORK/img-probes" --ref localhost/probes:latest \
                --add "$PROBES/preexec:/preexec" --add "$PROBES/keyring:/keyring" --cmd sleep 1000
        tar -C "$RC_WORK/img-probes" -cf "$RC_WORK/img-probes.tar" .
        rc load -i "$RC_WORK/img-probes.tar" >/dev/null
}

teardown_file() {
        rc_teardown_file
}

teardown() {
        rc rm -af >/dev/null 2>&1 || true
}

# The container's root stops every process rc exec puts into it before
# that process execs (its name is still rc's), and tries to reach rc
# through it: /proc/PID/exe is rc's binary, which the user owns (runc's
# CVE-2019-5736: the container rewrote runc through it), cwd and root are
# the host's, mem and fds are rc's.  All of it must be refused; the probe
# must have caught at least one process for the test to mean anything.
preexec_attack() {
        local name=$1
        shift
        rc run -d --name "$name" "$@" localhost/probes >/dev/null
        rc exec -d --privileged "$name" sh -c '/preexec 6 > /tmp/probe.out 2>&1'
        sleep 0.5
        for _ in $(seq 15); do rc exec "$name" true; done
        for _ in $(seq 150); do rc exec "$name" grep -q ^done /tmp/probe.out 2>/dev/null && break; sleep 0.1; done
        run -0 rc exec "$name" cat /tmp/probe.out
        echo "$output" | head -5
        [[ "$output" != *LEAK* ]]
        [[ "$output" == *"caught "*"exe:Permission denied"* ]]
        [[ "$output" =~ done\ [1-9] ]]
}

@test "before its exec, the process rc exec starts cannot be reached from the container (/proc/PID/exe, mem, cwd, fds, ptrace)" {
        preexec_attack pe1
}

@test "the same against a container without seccomp, the probe holding every capability" {
        preexec_attack pe2 --security-opt seccomp=unconfined
}

@test "the exec'd process cannot read the caller's session keyring" {
        rc run -d --name kr --security-opt seccomp=unconfined localhost/probes >/dev/null
        run -0 "$PROBES/keyring" hold rc-test-key s3cret "$PROBES/keyring" find rc-test-key
        [ "$output" = "found s3cret" ]
        run -1 "$PROBES/keyring" hold rc-test-key s3cret "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" \
                exec kr /keyring find rc-test-key
        [ "$output" = "not found: Required key not available" ]
}

@test "-w through /proc magic links, or a link the container planted to one, is refused" {
        rc run -d --name wd localhost/probes >/dev/null
        for dir in /proc/self/fd/3 /proc/self/cwd /proc/self/root /proc/1/root /proc/1/cwd; do
                run -125 rc exec -w "$dir" wd pwd
                [[ "$output" == *"working directory $dir: it is, or passes through, a /proc link"* ]]
        done
        # nothing of rc's is open at that point: higher fds do not exist at all
        for fd in 4 5 6 7; do
                # nothing there (127), or one of the process's own, refused as a magic link (125):
                # never a directory of the host
                status=0
                out=$(rc exec -w "/proc/self/fd/$fd" wd pwd 2>&1 5</etc 7<"$RC_ROOT") || status=$?
                [[ "$status" = 127 && "$out" == *"/proc/self/fd/$fd: No such file or directory"* ||
                        "$status" = 125 && "$out" == *"a /proc link"* ]]
        done
        rc exec wd ln -s /proc/self/fd/3 /work
        run -125 rc exec -w /work wd pwd
        [[ "$output" == *"a /proc link"* ]]
        # a link out of the root stays in it
        rc exec wd sh -c 'mkdir -p /tmp/inside && ln -s ../../../../../../../tmp/inside /escape'
        run -0 rc exec -w /escape wd pwd -P
        [ "$output" = /tmp/inside ]
}

@test "-u: a container's /etc/passwd linked out of its root is read inside it" {
        # a passwd on the host that names user evil 4242
        mkdir -p "$RC_WORK/host-etc"
        echo 'evil:x:4242:4242::/:/bin/sh' > "$RC_WORK/host-etc/passwd"
        rc run -d --name pw localhost/probes >/dev/null
        for target in "$RC_WORK/host-etc/passwd" "../../../../../../..$RC_WORK/host-etc/passwd"; do
                rc exec pw ln -sf "$target" /etc/passwd
                run -125 rc exec -u evil pw id -u
                [[ "$output" == *evil* ]]
                [[ "$output" != *4242* ]]
        done
        # and never through a magic link to another root
        rc exec pw ln -sf /proc/1/root/etc/group /etc/passwd
        run -125 rc exec -u evil pw id -u
        [[ "$output" != *4242* ]]
}

@test "a tampered config.json fails cleanly, naming what is wrong" {
        id=$(rc run -d --name cj localhost/probes)
        cfg=$RC_RUNROOT/containers/$id/config.json
        cp "$cfg" "$RC_WORK/config.json.orig"
        printf 'not json' > "$cfg"
        run -125 rc exec cj true
        [[ "$output" == *"config.json"* ]]
        sed 's/"uid":0/"uid":-5/' "$RC_WORK/config.json.orig" > "$cfg"
        grep -q '"uid":-5' "$cfg" || sed 's/"uid": *0/"uid":-5/' "$RC_WORK/config.json.orig" > "$cfg"
        run -125 rc exec cj true
        [[ "$output" == *"process.user.uid: must not be negative"* ]]
        python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["process"]["capabilities"]["bounding"].append("CAP_EVERYTHING"); json.dump(c, open(sys.argv[2], "w"))' \
                "$RC_WORK/config.json.orig" "$cfg"
        run -125 rc exec cj true
        [[ "$output" == *'unknown capability "CAP_EVERYTHING"'* ]]
        # a huge file is not read
        truncate -s 64M "$cfg"
        run -125 rc exec cj true
        [[ "$output" == *"at most 4 MiB"* ]]
        # a symlink in its place is not followed
        rm "$cfg"
        ln -s /etc/passwd "$cfg"
        run -125 rc exec cj true
        cp "$RC_WORK/config.json.orig" "$cfg.new" && mv "$cfg.new" "$cfg"
        run -0 rc exec cj true
}
