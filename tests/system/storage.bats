#!/usr/bin/env bats
# The same container behaviour on every storage driver.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox
}

teardown_file() {
        rc_teardown_file
}

check_driver() {
        local d=$1
        run rc --storage-driver "$d" run --rm localhost/bb sh -c 'echo hi; stat -c %u /etc/owned-by-root /home/user/owned-by-user; echo new > /etc/new; cat /etc/new; exit 5'
        [ "$status" -eq 5 ]
        [ "${lines[0]}" = "hi" ]
        [ "${lines[1]}" = "0" ]
        [ "${lines[2]}" = "1000" ]
        [ "${lines[3]}" = "new" ]
        run rc --storage-driver "$d" run --rm localhost/bb test -e /etc/new
        [ "$status" -eq 1 ]
        # the root shows the driver in use
        run rc --storage-driver "$d" run --rm localhost/bb sh -c 'grep " / " /proc/mounts | cut -d" " -f3'
        case "$d" in
        overlay) [ "$output" = "overlay" ] ;;
        fuse-overlayfs) [ "$output" = "fuse.fuse-overlayfs" ] ;;
        vfs) [ "$output" != "overlay" ] && [ "$output" != "fuse.fuse-overlayfs" ] ;;
        esac
        assert_no_container_left
}

@test "native overlay" {
        check_driver overlay
}

@test "fuse-overlayfs" {
        [ -w /dev/fuse ] || skip "/dev/fuse is not writable for $(id -un)"
        command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs is not installed"
        check_driver fuse-overlayfs
        # its daemon exits with the unmount
        ! pgrep -u "$(id -u)" -f "fuse-overlayfs.*$RC_ROOT" >/dev/null
}

@test "vfs" {
        check_driver vfs
}

@test "auto picks native overlay here and caches the choice" {
        rm -f "$RC_RUNROOT/storage-driver"
        run rc run --rm localhost/bb sh -c 'grep " / " /proc/mounts | cut -d" " -f3'
        [ "$output" = "overlay" ]
        [ "$(cat "$RC_RUNROOT/storage-driver")" = "overlay" ]
}

@test "an unknown storage driver is refused" {
        run rc --storage-driver zfs run --rm localhost/bb true
        [ "$status" -eq 125 ]
        [[ "$output" == *"--storage-driver"* ]]
}

@test "an image of 120 layers runs on native overlay (short layer names) and on fuse-overlayfs" {
        python3 "$LIB/make-oci-image.py" "$(busybox_tar)" "$BATS_TEST_TMPDIR/many" --ref localhost/many:latest --small-layers 119 \
                --cmd sh
        tar -C "$BATS_TEST_TMPDIR/many" -cf "$BATS_TEST_TMPDIR/many.tar" .
        rc load -i "$BATS_TEST_TMPDIR/many.tar" >/dev/null
        for driver in overlay fuse-overlayfs; do
                run -0 "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" --storage-driver $driver \
                        run --rm localhost/many sh -c 'ls /layers | wc -l; cat /layers/1 /layers/119'
                [ "$output" = $'119\n1\n119' ] || { echo "$driver: $output"; false; }
        done
        # a stopped container restarts on the same links
        rc run --name many2 localhost/many sh -c 'ls /layers | wc -l' >/dev/null
        run -0 rc start -a many2
        [ "$output" = 119 ]
        rc rm many2
}
