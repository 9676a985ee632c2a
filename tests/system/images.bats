#!/usr/bin/env bats
# rc import, images, rmi; hostile tarballs.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
}

teardown_file() {
        rc_teardown_file
}

@test "import prints the image id; images lists it" {
        run rc import "$(busybox_tar)" localhost/imp
        [ "$status" -eq 0 ]
        # podman prints sha256:ID
        [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
        id=${output#sha256:}
        run rc images
        [[ "${lines[0]}" == REPOSITORY* ]]
        [[ "$output" == *"localhost/imp"*"latest"*"${id:0:12}"* ]]
        run rc images -q
        [[ "$output" == *"${id:0:12}"* ]]
        run rc images --format json
        echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert any("localhost/imp:latest" in i.get("Names", []) for i in d), d'
        rc rmi localhost/imp
}

@test "gzip and zstd tarballs import to the same layer" {
        plain=$(rc import "$(busybox_tar)" localhost/plain)
        gz=$(rc import "$(busybox_tar --gzip)" localhost/gz)
        zst=$(rc import "$(busybox_tar --zstd)" localhost/zst)
        [ "$(ls "$RC_ROOT/layers" | wc -l)" -eq 1 ]
        run rc run --rm localhost/zst echo zstd works
        [ "$output" = "zstd works" ]
        rc rmi localhost/plain localhost/gz localhost/zst
}

@test "import from stdin" {
        run bash -c "'$RC_BIN' --root '$RC_ROOT' --runroot '$RC_RUNROOT' import - localhost/stdin < '$(busybox_tar)'"
        [ "$status" -eq 0 ]
        rc rmi localhost/stdin
}

@test "a short name finds localhost/NAME; an id prefix works" {
        id=$(rc import "$(busybox_tar)" localhost/short)
        id=${id#sha256:}
        run rc run --rm short echo by-short-name
        [ "$output" = "by-short-name" ]
        run rc run --rm "${id:0:8}" echo by-id
        [ "$output" = "by-id" ]
        rc rmi short
}

@test "rmi removes the image, its layer and blobs" {
        rc import "$(busybox_tar)" localhost/gone >/dev/null
        run rc rmi localhost/gone
        [ "$status" -eq 0 ]
        [[ "$output" == *"Untagged: localhost/gone:latest"* ]]
        [[ "$output" == *"Deleted: "* ]]
        run rc images -q
        [ -z "$output" ]
        [ -z "$(ls -A "$RC_ROOT/layers")" ]
        [ -z "$(ls -A "$RC_ROOT/blobs/sha256")" ]
}

@test "rmi of an unknown image exits 1 and names it" {
        run -1 rc rmi localhost/never-was
        [[ "$output" == *"localhost/never-was"* ]]
}

@test "rmi refuses an image a container uses" {
        rc import "$(busybox_tar)" localhost/used >/dev/null
        rc run --name user-of-image localhost/used true
        run -2 rc rmi localhost/used
        [[ "$output" == "Error: image used by "*": image is in use by a container: consider listing external containers and force-removing image" ]]
        rc rm user-of-image
        rc rmi localhost/used
}

@test "a bad reference is refused with the reason" {
        run -125 rc import "$(busybox_tar)" "Bad/Name"
        [[ "$output" == *"lowercase"* ]]
}

@test "a tarball that is not a tar is refused and leaves nothing" {
        head -c 100000 /dev/urandom > "$BATS_TEST_TMPDIR/junk.tar"
        run -125 rc import "$BATS_TEST_TMPDIR/junk.tar" localhost/junk
        run rc images -q
        [ -z "$output" ]
        [ -z "$(ls -A "$RC_ROOT/tmp")" ]
        [ -z "$(ls -A "$RC_ROOT/layers")" ]
}

@test "hostile tarballs never write outside the layer" {
        canary=rc-evil-$$-$RANDOM
        dir=$BATS_TEST_TMPDIR/hostile
        mkdir -p "$dir"
        python3 "$LIB/make-hostile-tars.py" "$dir" "$canary"
        for t in "$dir"/*.tar; do
                name=localhost/hostile-$(basename "$t" .tar)
                run rc import "$t" "$name"
                echo "$(basename "$t"): status $status: $output"
                if [ "$status" -eq 0 ]; then
                        rc rmi "$name" >/dev/null
                else
                        [ "$status" -eq 125 ]
                        [[ "$output" == *"layer"* ]]
                fi
        done
        # nothing named after the canary exists anywhere we could write
        found=$(find / -xdev -name "*$canary*" -not -path "$dir/*" -not -path "$RC_WORK/*" 2>/dev/null || true)
        echo "found: $found"
        [ -z "$found" ]
        # /etc/passwd was not replaced or linked
        [ "$(stat -c %h /etc/passwd)" -eq 1 ]
}

@test "a symlink then a file of the same name: the file replaces the link" {
        python3 - "$BATS_TEST_TMPDIR/replace.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    s = tarfile.TarInfo("etc-link"); s.type = tarfile.SYMTYPE; s.linkname = "/etc/passwd"; t.addfile(s)
    f = tarfile.TarInfo("etc-link"); data = b"replaced\n"; f.size = len(data); t.addfile(f, io.BytesIO(data))
    d = tarfile.TarInfo("bin"); d.type = tarfile.DIRTYPE; d.mode = 0o755; t.addfile(d)
PY
        rc import "$BATS_TEST_TMPDIR/replace.tar" localhost/replace >/dev/null
        f=$(ls -d "$RC_ROOT"/layers/*/diff/etc-link)
        [ -f "$f" ]
        [ ! -L "$f" ]
        [ "$(cat "$f")" = "replaced" ]
        ! grep -q replaced /etc/passwd
        rc rmi localhost/replace
}
