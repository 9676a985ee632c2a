#!/usr/bin/env bats
# Hostile images against rc's runtime: what an image config or a planted
# symlink reaches, which fds and keys a container is handed.  Each test is
# an attack that worked against an earlier rc or against runc/crun.
load ../system/helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox
        # the probes below, built statically so they run in the busybox image
        PROBES=$RC_WORK/probes
        mkdir -p "$PROBES"
        cc -static -O2 -o "$PROBES/keyring" "$BATS_TEST_DIRNAME/probes/keyring.c"
        export PROBES
}

teardown_file() {
        rc_teardown_file
}

# hostile_image NAME [make-oci-image.py options...]: the busybox root file
# system with the given config and planted files, loaded as localhost/NAME.
hostile_image() {
        local name=$1 dir=$RC_WORK/img-$1
        shift
        rm -rf "$dir"
        python3 "$LIB/make-oci-image.py" "$(busybox_tar)" "$dir" --ref "localhost/$name:latest" "$@"
        tar -C "$dir" -cf "$dir.tar" .
        rc load -i "$dir.tar" >/dev/null
}

@test "WorkingDir /proc/self/fd/N in an image config is refused, nothing outside the root is touched" {
        hostile_image wd-fd --config '{"WorkingDir":"/proc/self/fd/3"}' \
                --cmd sh -c 'echo pwned > ../PWNED; ls ../../..'
        for fd in 3 4 5 6 7 8; do
                run -125 rc run --rm -w "/proc/self/fd/$fd" localhost/wd-fd
                [[ "$output" == *"/proc/self/fd/$fd"* ]]
        done
        for driver in overlay fuse-overlayfs vfs; do
                run -125 rc --storage-driver "$driver" run --rm localhost/wd-fd
                [[ "$output" == *"working directory /proc/self/fd/3: it is, or passes through, a /proc link"* ]]
        done
        run find "$RC_WORK" "$HOME" -maxdepth 3 -name PWNED
        [ -z "$output" ]
        assert_no_container_left
}

@test "-w through /proc magic links (cwd, root, /proc/1/root) is refused" {
        for dir in /proc/self/cwd /proc/self/root /proc/1/root /proc/1/cwd /proc/self/root/etc; do
                run -125 rc run --rm -w "$dir" localhost/bb pwd
                [[ "$output" == *"working directory $dir: it is, or passes through, a /proc link"* ]]
        done
        assert_no_container_left
}

@test "a working directory through a symlink the image planted to /proc/self/fd/3 is refused" {
        hostile_image wd-link --link /work:/proc/self/fd/3 --config '{"WorkingDir":"/work/x"}' --cmd pwd
        run -125 rc run --rm localhost/wd-link
        [[ "$output" == *"working directory /work/x: it is, or passes through, a /proc link"* ]]
}

@test "a symlink out of the root as working directory stays inside the container" {
        hostile_image wd-out --link /escape:../../../../../../.. \
                --config '{"WorkingDir":"/escape/tmp/made-by-rc"}' --cmd sh -c 'pwd -P; touch here; ls /tmp/made-by-rc'
        run -0 rc run --rm localhost/wd-out
        [ "${lines[0]}" = /tmp/made-by-rc ]
        [ "${lines[1]}" = here ]
        [ ! -e /tmp/made-by-rc ]
}

@test "the container's process holds only fds 0, 1 and 2, whatever rc and its caller hold" {
        # 5 and 7 are open in rc's caller without close-on-exec
        run -0 rc run --rm localhost/bb sh -c 'ls /proc/$$/fd; true' 5</etc/hostname 7>"$BATS_TEST_TMPDIR/x"
        [ "$(echo $output)" = "0 1 2" ]
        run -0 rc run --rm -i localhost/bb sh -c 'ls /proc/$$/fd; true' </dev/null 5</etc/hostname
        [ "$(echo $output)" = "0 1 2" ]
        # fd 3 and up were closed before the root was set up, not only at exec:
        # a working directory through any of them finds nothing (not a host directory)
        for fd in 3 4 5 6 7; do
                run -125 rc run --rm -w "/proc/self/fd/$fd" localhost/bb true 5</etc 7<"$RC_ROOT"
                [[ "$output" != *"Not a directory"* ]]
        done
}

@test "rc started with stdin, stdout and stderr closed still runs the container" {
        run -0 bash -c "'$RC_BIN' --root '$RC_ROOT' --runroot '$RC_RUNROOT' run --rm localhost/bb sh -c 'echo out >/tmp/o; cat /tmp/o >&2' 0<&- 1>&- 2>'$BATS_TEST_TMPDIR/err'"
        [ "$(cat "$BATS_TEST_TMPDIR/err")" = out ]
}

@test "the container cannot read the caller's session keyring" {
        hostile_image keyring --add "$PROBES/keyring:/keyring" --cmd /keyring find rc-test-key
        # the probe itself shows the key where it is held
        run -0 "$PROBES/keyring" hold rc-test-key s3cret "$PROBES/keyring" find rc-test-key
        [ "$output" = "found s3cret" ]
        # without the seccomp filter (which refuses keyctl too): the keyring itself must be new
        run -1 "$PROBES/keyring" hold rc-test-key s3cret "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" \
                run --rm --security-opt seccomp=unconfined localhost/keyring
        [ "$output" = "not found: Required key not available" ]
        run -1 "$PROBES/keyring" hold rc-test-key s3cret "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" \
                run --rm localhost/keyring
        [ "$output" = "not found: Operation not permitted" ]
}

@test "an image's /etc/hosts symlinked to /dev/null does not redirect rc's mounts or masks" {
        hostile_image hosts-null --link /etc/hosts:/dev/null --link /etc/resolv.conf:/etc/passwd \
                --link /etc/hostname:/proc/keys \
                --cmd sh -c 'test -c /dev/null && echo null-is-a-device; echo "null:$(cat /dev/null)"; echo "keys:$(cat /proc/keys)"; grep -c localhost /etc/hosts; grep -c ^root: /etc/passwd'
        run -0 rc run --rm localhost/hosts-null
        [ "${lines[0]}" = null-is-a-device ]
        [ "${lines[1]}" = "null:" ]
        [ "${lines[2]}" = "keys:" ]
        [ "${lines[3]}" -ge 1 ]
        [ "${lines[4]}" = 1 ]
        assert_no_container_left
}

@test "a planted /proc symlink does not move rc's /proc mount" {
        hostile_image proc-link --link /proc:/tmp/fakeproc \
                --cmd sh -c 'ls -ld /proc | cut -c1; test -e /proc/self/status && echo procfs; ls /tmp'
        run -0 rc run --rm localhost/proc-link
        [ "${lines[0]}" = d ]
        [ "${lines[1]}" = procfs ]
        [[ "$output" != *fakeproc* ]]
}
