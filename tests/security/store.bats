#!/usr/bin/env bats
# The store against hostile layers and interrupted commands: trees deeper
# than any fd limit, leftovers clean-up cannot remove, decompression bombs,
# killed imports, trailing garbage, malformed headers.
load ../system/helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox
}

teardown_file() {
        rc_teardown_file
}

# What the store holds besides its database: layers, blobs, staging and
# leftovers, one name per line.
store_files() {
        (cd "$RC_ROOT" && ls -A layers blobs/sha256 tmp leftovers 2>/dev/null) || true
}

# A gzip tarball of one 1 GiB file of zeros (about 1 MiB compressed).
bomb_tar() {
        local tar=$BATS_FILE_TMPDIR/bomb.tar.gz
        if [ ! -s "$tar" ]; then
                { python3 -c 'import sys, tarfile
ti = tarfile.TarInfo("zeros"); ti.size = 1 << 30; ti.mode = 0o644
sys.stdout.buffer.write(ti.tobuf(format=tarfile.USTAR_FORMAT))'
                  head -c $(((1 << 30) + 10240)) /dev/zero; } | gzip -1 >"$tar"
        fi
        echo "$tar"
}

@test "a 10,000-deep layer is imported, run, removed, and rc keeps working" {
        deep=$BATS_FILE_TMPDIR/deep.tar.gz
        python3 "$LIB/make-deep-tar.py" "$deep" 10000 "$(busybox_tar)"
        run rc import "$deep" localhost/deep
        [ "$status" -eq 0 ] || { echo "${output:0:2000}"; false; }
        run rc run --rm localhost/deep sh -c 'cd d/d/d/d/d/d/d/d/d/d && pwd'
        [ "$status" -eq 0 ]
        [[ "$output" == */d/d/d/d/d/d/d/d/d/d ]]
        run rc rmi localhost/deep
        [ "$status" -eq 0 ]
        [ -z "$(ls -A "$RC_ROOT/tmp")" ]
        [ ! -e "$RC_ROOT/leftovers" ]
        run rc run --rm localhost/bb echo still-working
        [ "$status" -eq 0 ]
        [ "$output" = still-working ]
}

@test "a leftover clean-up cannot remove is reported once and commands go on" {
        command -v fuse-overlayfs >/dev/null && command -v fusermount3 >/dev/null ||
                skip "needs fuse-overlayfs and fusermount3 to put a mount point in a leftover"
        # a staging entry of a process that is gone, with a file system
        # mounted inside it: rmdir cannot remove a mount point
        true &
        dead=$!
        wait "$dead"
        left=$RC_ROOT/tmp/layer-$dead-stuck01
        mkdir -p "$left/lower" "$left/upper" "$left/work" "$left/mnt"
        fuse-overlayfs -o "lowerdir=$left/lower,upperdir=$left/upper,workdir=$left/work" "$left/mnt" ||
                skip "fuse-overlayfs cannot mount here"
        run --separate-stderr rc run --rm localhost/bb echo ran
        fusermount3 -u "$RC_ROOT/leftovers/layer-$dead-stuck01/mnt" 2>/dev/null || fusermount3 -u "$left/mnt" || true
        [ "$status" -eq 0 ]
        [ "$output" = ran ]
        [[ "$stderr" == *"warning: store clean-up: cannot remove $left"* ]]
        [[ "$stderr" == *"moved it to $RC_ROOT/leftovers/layer-$dead-stuck01"* ]]
        [[ "$stderr" == *"rm -rf $RC_ROOT/leftovers/layer-$dead-stuck01"* ]]
        [ "$(grep -c 'store clean-up' <<<"$stderr")" -eq 1 ]
        # once: the next commands say nothing about it
        run --separate-stderr rc run --rm localhost/bb echo again
        [ "$status" -eq 0 ]
        [ -z "$stderr" ]
        run --separate-stderr rc images
        [ "$status" -eq 0 ]
        [ -z "$stderr" ]
        unshare --user --map-auto --map-root-user rm -rf "$RC_ROOT/leftovers"
}

@test "max_layer_size stops a decompression bomb and leaves nothing" {
        bomb=$(bomb_tar)
        conf=$BATS_TEST_TMPDIR/rootless.conf
        printf '[storage]\nmax_layer_size = 100m\n' >"$conf"
        before=$(store_files)
        run "$RC_BIN" --config "$conf" --root "$RC_ROOT" --runroot "$RC_RUNROOT" import "$bomb" localhost/bomb
        [ "$status" -eq 125 ]
        [[ "$output" == *"import $bomb: layer: expands beyond the limit of 100.0 MiB (104857600 bytes)"* ]]
        [[ "$output" == *"[storage] max_layer_size in rootless.conf"* ]]
        [ "$(store_files)" = "$before" ]
        run rc images
        [[ "$output" != *localhost/bomb* ]]
}

# Start an import of the bomb (no limit), wait until it writes its staging,
# send signal $1; sets status.
interrupt_import() {
        "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" import "$(bomb_tar)" localhost/bomb 2>"$BATS_TEST_TMPDIR/err" &
        pid=$!
        for _ in $(seq 200); do
                ls "$RC_ROOT/tmp" | grep -q "^layer-$pid-" && break
                sleep 0.05
        done
        ls "$RC_ROOT/tmp" | grep -q "^layer-$pid-"
        sleep 0.3
        kill "-$1" "$pid"
        status=0
        wait "$pid" || status=$?
}

@test "an import interrupted by SIGINT or SIGTERM removes its staging" {
        before=$(store_files)
        interrupt_import INT
        [ "$status" -eq 130 ]
        grep -q "interrupted by SIGINT" "$BATS_TEST_TMPDIR/err"
        [ "$(store_files)" = "$before" ]
        interrupt_import TERM
        [ "$status" -eq 143 ]
        grep -q "interrupted by SIGTERM" "$BATS_TEST_TMPDIR/err"
        [ "$(store_files)" = "$before" ]
}

@test "an import killed with SIGKILL leaves nothing after the next rc images" {
        before=$(store_files)
        interrupt_import KILL
        [ "$status" -eq 137 ]
        [ "$(store_files)" != "$before" ] # staging the killed rc could not remove
        run rc images
        [ "$status" -eq 0 ]
        [ "$(store_files)" = "$before" ]
}

@test "gzip with trailing garbage is refused" {
        gz=$BATS_TEST_TMPDIR/trailing.tar.gz
        cp "$(busybox_tar --gzip)" "$gz"
        size=$(stat -c %s "$gz")
        echo "this is not gzip" >>"$gz"
        before=$(store_files)
        run rc import "$gz" localhost/trailing
        [ "$status" -eq 125 ]
        [[ "$output" == *"trailing data after the end of the gzip stream (byte $size "* ]]
        [ "$(store_files)" = "$before" ]
        # zero padding, as tape blocking leaves, is still fine
        cp "$(busybox_tar --gzip)" "$gz"
        head -c 4096 /dev/zero >>"$gz"
        run rc import "$gz" localhost/padded
        [ "$status" -eq 0 ]
        rc rmi localhost/padded
}

@test "a tar cut inside a pax header says so, not (null)" {
        cut=$BATS_TEST_TMPDIR/cut.tar
        python3 -c 'import io, sys, tarfile
b = io.BytesIO()
with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as t:
    ti = tarfile.TarInfo("dir/" + "x" * 120 + "/f"); ti.size = 5
    t.addfile(ti, io.BytesIO(b"hello"))
sys.stdout.buffer.write(b.getvalue()[:685])' >"$cut"
        run rc import "$cut" localhost/cut
        [ "$status" -eq 125 ]
        [[ "$output" != *"(null)"* ]]
        [[ "$output" == *"import $cut: layer: damaged tar stream: the first header (before byte "*"): malformed or truncated tar header"* ]]
}
