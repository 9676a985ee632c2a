#!/usr/bin/env bats
# rc pull from a real registry (docker-registry on loopback); fixtures are
# put in with skopeo from OCI layouts made by tests/lib/make-oci-image.py.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        source "$LIB/registry.sh"
        registry_start "$RC_WORK/registry"
        export REGISTRY REGISTRY_PID
        fx=$RC_WORK/fixtures
        mkdir -p "$fx"
        tar=$(busybox_tar)
        python3 "$LIB/make-oci-image.py" "$tar" "$fx/gzip"
        python3 "$LIB/make-oci-image.py" "$tar" "$fx/zstd" --zstd
        python3 "$LIB/make-oci-image.py" "$tar" "$fx/two" --layers2
        python3 "$LIB/make-oci-image.py" "$tar" "$fx/multi" --multiarch
        # an image whose layers nothing else shares, to damage on the registry
        python3 -c 'import io, os, sys, tarfile
t = tarfile.open(sys.argv[1], "w"); data = os.urandom(4096)
ti = tarfile.TarInfo("unique"); ti.size = len(data); t.addfile(ti, io.BytesIO(data)); t.close()' "$fx/unique.tar"
        python3 "$LIB/make-oci-image.py" "$fx/unique.tar" "$fx/unique"
        # 40 MB of incompressible data: a pull that takes long enough to interrupt
        python3 -c 'import io, os, sys, tarfile
t = tarfile.open(sys.argv[1], "w"); data = os.urandom(40 << 20)
with tarfile.open(sys.argv[2]) as bb:
    for m in bb.getmembers():
        t.addfile(m, bb.extractfile(m) if m.isfile() else None)
ti = tarfile.TarInfo("big"); ti.size = len(data); t.addfile(ti, io.BytesIO(data)); t.close()' "$fx/big.tar" "$tar"
        python3 "$LIB/make-oci-image.py" "$fx/big.tar" "$fx/big"
        registry_push "$fx/big" test/big:latest
        registry_push "$fx/gzip" test/bb:latest
        registry_push "$fx/gzip" test/bb-v2s2:latest --format v2s2
        registry_push "$fx/zstd" test/bb-zstd:latest
        registry_push "$fx/two" test/two:latest
        registry_push "$fx/multi" test/multi:latest --all
        registry_push "$fx/gzip" library/alpine:latest
        printf '[registries]\ninsecure = %s\n[mirrors]\ndocker.io = %s\n' "$REGISTRY" "$REGISTRY" > "$RC_WORK/rc.conf"
        export RC_CONF=$RC_WORK/rc.conf
}

teardown_file() {
        source "$LIB/registry.sh"
        registry_stop
        rc_teardown_file
}

rcc() {
        rc --config "$RC_CONF" "$@"
}

@test "pull an OCI image with a gzip layer and run it" {
        run -0 rcc pull "$REGISTRY/test/bb"
        id=${lines[-1]}
        [[ "$id" =~ ^[0-9a-f]{64}$ ]]
        run -0 rcc images
        [[ "$output" == *"$REGISTRY/test/bb"*"latest"*"${id:0:12}"* ]]
        run -0 rcc run --rm "$REGISTRY/test/bb" sh -c 'echo $FROM_IMAGE; stat -c %u /home/user/owned-by-user'
        [ "${lines[0]}" = "yes" ]
        [ "${lines[1]}" = "1000" ]
}

@test "Docker v2 schema 2 and zstd images" {
        run -0 rcc pull "$REGISTRY/test/bb-v2s2"
        run -0 rcc run --rm "$REGISTRY/test/bb-v2s2" echo v2s2
        [ "$output" = "v2s2" ]
        run -0 rcc pull "$REGISTRY/test/bb-zstd"
        run -0 rcc run --rm "$REGISTRY/test/bb-zstd" echo zstd
        [ "$output" = "zstd" ]
}

@test "the same layer is stored once" {
        rcc pull -q "$REGISTRY/test/bb" >/dev/null
        rcc pull -q "$REGISTRY/test/bb-zstd" >/dev/null
        rcc pull -q "$REGISTRY/test/bb-v2s2" >/dev/null
        # gzip and zstd blobs differ, the uncompressed layer is the same
        [ "$(ls "$RC_ROOT/layers" | wc -l)" -eq 1 ] || [ "$(ls "$RC_ROOT/layers" | wc -l)" -eq 3 ]
        n=$(ls "$RC_ROOT/layers" | wc -l)
        rcc pull -q "$REGISTRY/test/bb" >/dev/null
        [ "$(ls "$RC_ROOT/layers" | wc -l)" -eq "$n" ]
}

@test "two layers: whiteouts and opaque directories apply" {
        run -0 rcc pull "$REGISTRY/test/two"
        run -0 rcc run --rm "$REGISTRY/test/two" sh -c 'cat /etc/layer2; test -e /etc/owned-by-nobody && echo still-there; ls /home'
        [ "${lines[0]}" = "from layer 2" ]
        [ "${lines[1]}" = "new" ]
        run -0 rcc --storage-driver vfs run --rm "$REGISTRY/test/two" sh -c 'test -e /etc/owned-by-nobody || echo gone; ls /home'
        [ "${lines[0]}" = "gone" ]
        [ "${lines[1]}" = "new" ]
}

@test "a multi-arch index: the host's entry, or --platform" {
        run -0 rcc pull "$REGISTRY/test/multi"
        host_id=${lines[-1]}
        run -0 rcc pull --platform linux/arm64 "$REGISTRY/test/multi"
        arm_id=${lines[-1]}
        [ "$host_id" != "$arm_id" ]
        run -125 rcc pull --platform linux/s390x "$REGISTRY/test/multi"
        [[ "$output" == *"s390x"* ]]
}

@test "pull by digest is verified" {
        digest=$(skopeo inspect --tls-verify=false "docker://$REGISTRY/test/bb" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')
        run -0 rcc pull "$REGISTRY/test/bb@$digest"
        run -125 rcc pull "$REGISTRY/test/bb@sha256:$(printf '0%.0s' $(seq 64))"
}

@test "a pull by digest of a stored image leaves rc images as it was (podman)" {
        run -0 rcc pull "$REGISTRY/test/bb"
        digest=$(rcc inspect --format '{{.Digest}}' "$REGISTRY/test/bb")
        before=$(rcc images)
        run -0 rcc pull "$REGISTRY/test/bb@$digest"
        [ "$(rcc images)" = "$before" ]
        [[ "$(rcc images)" != *"@sha256"* ]]
        run -0 rcc images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' "$REGISTRY/test/bb"
        [ "$output" = "$REGISTRY/test/bb latest $digest" ]
        # the digest name is a name of its own: rmi untags it only
        run -0 rcc rmi "$REGISTRY/test/bb@$digest"
        [ "$output" = "Untagged: $REGISTRY/test/bb@$digest" ]
        run -0 rcc image exists "$REGISTRY/test/bb"
        # an image known only by digest lists as REPOSITORY <none>
        rcc untag "$REGISTRY/test/bb"
        run -0 rcc pull "$REGISTRY/test/bb@$digest"
        run -0 rcc images --format '{{.Repository}} {{.Tag}}' --filter reference="*test/bb*"
        [ "$output" = "$REGISTRY/test/bb <none>" ]
        rcc rmi -f "$REGISTRY/test/bb@$digest" >/dev/null
}

@test "a short name goes to docker.io through the mirror" {
        run -0 rcc pull alpine
        run -0 rcc images
        [[ "$output" == *"docker.io/library/alpine"* ]]
        run -0 rcc run --rm alpine echo ok
        [ "$output" = "ok" ]
}

@test "rc run pulls a missing image; --pull=never does not" {
        rcc rmi -f "$REGISTRY/test/bb-zstd" >/dev/null 2>&1 || true
        run -125 rcc run --rm --pull=never "$REGISTRY/test/bb-zstd" true
        run -0 rcc run --rm "$REGISTRY/test/bb-zstd" echo pulled
        [ "${lines[-1]}" = "pulled" ]
}

@test "errors: unknown tag, unknown repository, no registry" {
        run -125 rcc pull "$REGISTRY/test/bb:nope"
        [[ "$output" == *"manifest unknown"* ]]
        run -125 rcc pull "$REGISTRY/test/nothing-here"
        run -125 rc pull 127.0.0.1:1/test/bb
        [[ "$output" == *"127.0.0.1:1"* ]]
}

@test "a corrupted blob is refused and leaves no image" {
        source "$LIB/registry.sh"
        registry_push "$RC_WORK/fixtures/unique" test/corrupt:latest
        before=$(rcc images -q | sort)
        manifest=$(skopeo inspect --raw --tls-verify=false "docker://$REGISTRY/test/corrupt")
        layer=$(echo "$manifest" | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"].split(":")[1])')
        blob=$RC_WORK/registry/storage/docker/registry/v2/blobs/sha256/${layer:0:2}/$layer/data
        [ -f "$blob" ]
        printf 'garbage' | dd of="$blob" bs=1 seek=20 conv=notrunc 2>/dev/null
        run -125 rcc pull "$REGISTRY/test/corrupt"
        [[ "$output" == *"$layer"* ]] || [[ "$output" == *"digest"* ]]
        [ "$(rcc images -q | sort)" = "$before" ]
        [ -z "$(ls -A "$RC_ROOT/tmp")" ]
}

@test "two pulls of the same image at once both succeed" {
        rcc rmi -f "$REGISTRY/test/two" >/dev/null 2>&1 || true
        rcc pull -q "$REGISTRY/test/two" >"$BATS_TEST_TMPDIR/a" 2>&1 &
        a=$!
        rcc pull -q "$REGISTRY/test/two" >"$BATS_TEST_TMPDIR/b" 2>&1 &
        b=$!
        wait "$a"
        wait "$b"
        [ "$(cat "$BATS_TEST_TMPDIR/a")" = "$(cat "$BATS_TEST_TMPDIR/b")" ]
        run -0 rcc run --rm "$REGISTRY/test/two" cat /etc/layer2
        [ "$output" = "from layer 2" ]
}

@test "kill -9 during a pull leaves no half image; the next pull succeeds" {
        for delay in 0.05 0.2 0.5; do
                rcc rmi -f "$REGISTRY/test/big" >/dev/null 2>&1 || true
                "$RC_BIN" --config "$RC_CONF" --root "$RC_ROOT" --runroot "$RC_RUNROOT" pull -q "$REGISTRY/test/big" >/dev/null 2>&1 &
                p=$!
                sleep "$delay"
                kill -9 "$p" 2>/dev/null || true
                wait "$p" || true
                # either the whole image is there, or none of it
                if rcc images --format json | grep -q "$REGISTRY/test/big"; then
                        run -0 rcc run --rm "$REGISTRY/test/big" test -s /big
                fi
        done
        run -0 rcc pull -q "$REGISTRY/test/big"
        run -0 rcc run --rm "$REGISTRY/test/big" sh -c 'test $(wc -c < /big) -eq 41943040 && echo whole'
        [ "$output" = "whole" ]
        # leftovers of the killed pulls are gone after the next command that cleans up
        rcc rmi "$REGISTRY/test/big" >/dev/null
        [ -z "$(ls -A "$RC_ROOT/tmp")" ]
}

@test "a full disk: a clear error, no half image, and the store still works" {
        small=/var/tmp/rc-test-smallfs
        mountpoint -q "$small" || skip "no small file system (tests/setup-host.sh mounts one as root)"
        root=$(mktemp -d "$small/store-XXXXXX")
        full() { "$RC_BIN" --config "$RC_CONF" --root "$root" --runroot "$RC_WORK/run-full" "$@"; }
        run -125 full pull -q "$REGISTRY/test/big"
        [[ "$output" == *"No space left on device"*"free space under $root"* ]]
        [ -z "$(full images -q)" ]
        [ -z "$(ls -A "$root/tmp")" ]
        [ -z "$(ls -A "$root/layers")" ]
        # the space is back: a small image pulls and runs
        run -0 full pull -q "$REGISTRY/test/bb"
        run -0 full run --rm "$REGISTRY/test/bb" echo still-works
        [ "$output" = still-works ]
        full system migrate >/dev/null 2>&1 || true
        unshare --user --map-auto --map-root-user rm -rf "$root"
}

@test "a mirror that fails: the pull falls back to the next endpoint and says which failed and why" {
        printf '[registries]\ninsecure = %s\n[mirrors]\ndocker.io = 127.0.0.1:1, %s\n' "$REGISTRY" "$REGISTRY" \
                >"$BATS_TEST_TMPDIR/m.conf"
        run -0 --separate-stderr rc --config "$BATS_TEST_TMPDIR/m.conf" pull -q docker.io/library/alpine
        [[ "$stderr" == *"mirror 127.0.0.1:1: "*"used $REGISTRY instead"* ]]
}
