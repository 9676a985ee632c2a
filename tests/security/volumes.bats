#!/usr/bin/env bats
# Hostile images and inputs against volumes, bind mounts and the files rc
# reads for run: a mount target the image planted as a symlink (to /, to
# the host through /proc), an image's files copied into a new volume,
# VOLUMEs over rc's kernel file systems, --env-file pointing at devices.
load ../system/helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox
        mkdir -p "$RC_WORK/hostdir"
        echo host-file >"$RC_WORK/hostdir/host-file"
}

teardown_file() {
        rc_teardown_file
}

teardown() {
        rc rm -af >/dev/null 2>&1 || true
        rc volume rm -af >/dev/null 2>&1 || true
}

# hostile_image NAME [make-oci-image.py options...]
hostile_image() {
        local name=$1 dir=$RC_WORK/img-$1
        shift
        rm -rf "$dir"
        python3 "$LIB/make-oci-image.py" "$(busybox_tar)" "$dir" --ref "localhost/$name:latest" "$@" >/dev/null
        tar -C "$dir" -cf "$dir.tar" .
        rc load -i "$dir.tar" >/dev/null
}

@test "a volume target planted as a symlink to / gets a directory of its own; the root is not covered" {
        hostile_image vol-root --link /data:/ --config '{"Volumes":{"/data":{}}}' \
                --cmd sh -c 'echo pwned > /data/pwned; test -e /pwned && echo root-written; test -x /bin/busybox && echo root-intact; grep -c " /data " /proc/mounts'
        run -0 rc run --rm localhost/vol-root
        [ "$output" = $'root-intact\n1' ]
        # the same through -v and --mount
        run -0 rc run --rm -v named:/data localhost/bb true
        run -0 rc run --rm -v named:/data --entrypoint sh localhost/vol-root -c 'ls /data; test -e /pwned || echo clean'
        [ "$output" = clean ]
}

@test "a volume or bind target symlinked to the host through /proc does not redirect the mount or the copy" {
        # at mount time the container's /proc/1/root is still the host's root
        hostile_image vol-proc --link "/hostlink:/proc/1/root$RC_WORK/hostdir" --link "/self:/proc/self/root$RC_WORK/hostdir" \
                --config '{"Volumes":{"/hostlink":{}}}' \
                --cmd sh -c 'echo pwned > /hostlink/pwned; ls /hostlink; grep -c " /hostlink " /proc/mounts'
        run -0 rc run --name vp localhost/vol-proc
        # the volume is a directory of the container's: nothing of the host was copied into it
        [ "$output" = $'pwned\n1' ]
        [ ! -e "$RC_WORK/hostdir/pwned" ]
        run -0 rc inspect --format '{{range .Mounts}}{{.Name}}{{end}}' vp
        run -0 ls -A "$RC_ROOT/volumes/$output/_data"
        [ "$output" = pwned ]
        run -0 rc run --rm -v "$RC_WORK/hostdir:/self" --entrypoint sh localhost/vol-proc -c 'cat /self/host-file; touch /self/inside'
        [ "$output" = host-file ]
        [ -e "$RC_WORK/hostdir/inside" ]
        # a target below a /proc magic link is refused, not followed
        run -125 rc run --rm -v v2:/self/sub --entrypoint true localhost/vol-proc
        [[ "$output" == *"/self/sub"* ]]
        [ ! -e "$RC_WORK/hostdir/sub" ]
        run -125 rc run --rm --tmpfs /self/sub --entrypoint true localhost/vol-proc
        # below the image's VOLUME it lands in that volume (mounted first, over the link)
        run -0 rc run --rm -v v2:/hostlink/sub --entrypoint sh localhost/vol-proc -c 'grep -c " /hostlink/sub " /proc/mounts'
        [ "$output" = 1 ]
        [ ! -e "$RC_WORK/hostdir/sub" ]
        [ "$(ls "$RC_WORK/hostdir")" = $'host-file\ninside' ]
}

@test "a relative symlink out of the root as volume target stays inside the container" {
        hostile_image vol-up --link /up:../../../../../../.. --config '{"Volumes":{"/up/tmp/made-by-rc":{}}}' \
                --cmd sh -c 'echo x > /up/tmp/made-by-rc/f; ls -d /tmp/made-by-rc'
        run -0 rc run --rm localhost/vol-up
        [ "$output" = /tmp/made-by-rc ]
        [ ! -e /tmp/made-by-rc ]
}

@test "the image's symlinks copied into a new volume stay symlinks: no host file is copied or followed" {
        hostile_image vol-links --link /data/passwd:/etc/passwd --link /data/hostpw:/proc/1/root/etc/passwd \
                --link "/data/home:/proc/1/root$RC_WORK/hostdir" --link /data/up:../../../../../../.. \
                --config '{"Volumes":{"/data":{}}}' --cmd true
        rc run --name vl localhost/vol-links
        vol=$(rc inspect --format '{{range .Mounts}}{{.Name}}{{end}}' vl)
        data=$RC_ROOT/volumes/$vol/_data
        [ "$(readlink "$data/passwd")" = /etc/passwd ]
        [ "$(readlink "$data/hostpw")" = /proc/1/root/etc/passwd ]
        [ "$(readlink "$data/up")" = ../../../../../../.. ]
        [ -L "$data/home" ]
        # removing it follows none of them
        rc rm -v vl >/dev/null
        [ ! -e "$data" ]
        [ -f "$RC_WORK/hostdir/host-file" ]
}

@test "an image's VOLUME over /, /proc, /sys or /dev is ignored with a warning" {
        hostile_image vol-kernel --config '{"Volumes":{"/proc":{},"/dev/shm":{},"/sys/fs":{},"/":{},"/ok":{}}}' \
                --cmd sh -c 'test -e /proc/self/status && echo procfs; grep -c -E " /(ok|dev/shm|sys/fs) " /proc/mounts'
        run -0 --separate-stderr rc run --rm localhost/vol-kernel
        [ "$output" = $'procfs\n2' ]
        [[ "$stderr" == *'ignoring VOLUME "/proc"'* ]]
        [[ "$stderr" == *'ignoring VOLUME "/"'* ]]
}

@test "--env-file and --label-file take regular files only: devices, fifos and directories are refused at once" {
        mkfifo "$RC_WORK/fifo"
        for f in /dev/zero "$RC_WORK/fifo" "$RC_WORK" /dev/stdin; do
                run -125 timeout 10 "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" run --rm --env-file "$f" localhost/bb true
                [[ "$output" == *"not a regular file"* ]]
                run -125 timeout 10 "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" create --label-file "$f" localhost/bb true
        done
        assert_no_container_left
}

@test "a path-like volume name is never a path: ../ names are refused everywhere" {
        run -125 rc run --rm --mount type=volume,source=../../containers,target=/x localhost/bb true
        [[ "$output" == *"not a valid volume name"* ]]
        run -125 rc volume create ../../containers
        run -1 rc volume rm ../../containers
        [ -d "$RC_ROOT/containers" ]
        # "../x" in -v is a host path relative to the caller, as with podman: it must exist
        run -125 rc run --rm -v ../no-such-dir-here:/x localhost/bb true
        [[ "$output" == *"statfs "*"no-such-dir-here"* ]]
        assert_no_container_left
}
