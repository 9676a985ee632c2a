#!/usr/bin/env bats
# rc tag and rc push to a real registry (docker-registry on loopback); what
# rc pushed is checked with skopeo and podman, which did not make it.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        source "$LIB/registry.sh"
        registry_start "$RC_WORK/registry"
        export REGISTRY REGISTRY_PID
        fx=$RC_WORK/fixtures
        mkdir -p "$fx"
        python3 "$LIB/make-oci-image.py" "$(busybox_tar)" "$fx/gzip"
        registry_push "$fx/gzip" src/bb:latest
        registry_push "$fx/gzip" src/bb-v2s2:latest --format v2s2
        printf '[registries]\ninsecure = %s\n' "$REGISTRY" > "$RC_WORK/rc.conf"
        export RC_CONFIG=$RC_WORK/rc.conf
        import_busybox localhost/bb
}

teardown_file() {
        podman_cleanup
        registry_stop
        rc_teardown_file
}

inspect() {
        skopeo inspect --tls-verify=false "$@"
}

json() {
        python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"
}

@test "tag adds names; a name moves to the image tagged last" {
        run -0 rc tag localhost/bb localhost/bb:v1 other/name:2
        run -0 rc images --format json
        names=$(json '" ".join(sorted(n for i in d for n in i.get("Names", [])))' <<<"$output")
        [[ "$names" == *"localhost/bb:v1"* ]]
        # a name without a registry is a local one, as in podman
        [[ "$names" == *"localhost/other/name:2"* ]]
        run -125 rc tag localhost/bb 'bad//name'
        [[ "$output" == *"bad//name"* ]]
        run -125 rc tag localhost/bb "localhost/x@sha256:$(printf 'a%.0s' {1..64})"
        [[ "$output" == *"digest"* ]]
        run -125 rc tag localhost/missing localhost/y
        [ "$output" = "Error: localhost/missing: image not known" ]
        rc rmi localhost/bb:v1 other/name:2 >/dev/null
}

@test "push of an imported image: skopeo and podman read it, rc pulls it back" {
        run -0 rc push localhost/bb "$REGISTRY/me/bb:1"
        digest=${lines[-1]}
        [[ "$digest" == sha256:* ]]
        [[ "$output" == *"pushed"* ]]
        run -0 inspect --raw "docker://$REGISTRY/me/bb:1"
        [ "$(json 'd["layers"][0]["mediaType"]' <<<"$output")" = application/vnd.oci.image.layer.v1.tar+gzip ]
        run -0 inspect "docker://$REGISTRY/me/bb:1"
        [ "$(json 'd["Digest"]' <<<"$output")" = "$digest" ]
        # a fresh store pulls and runs it
        RC_ROOT=$RC_WORK/root2 RC_RUNROOT=$RC_WORK/run2 run -0 rc run --rm "$REGISTRY/me/bb:1" \
                stat -c %u /home/user/owned-by-user
        [ "${lines[-1]}" = 1000 ]
        if podman_usable; then
                run -0 "${PODMAN[@]}" run --rm --tls-verify=false "$REGISTRY/me/bb:1" echo podman-runs-it
                [ "${lines[-1]}" = podman-runs-it ]
        fi
}

@test "a second push sends nothing; another repository mounts the blobs" {
        rc push -q localhost/bb "$REGISTRY/me/bb:1" >/dev/null
        run -0 rc push localhost/bb "$REGISTRY/me/bb:1"
        [[ "$output" != *"pushed "* ]]
        [ "$(grep -c '^exists' <<<"$output")" = 2 ]
        run -0 rc push localhost/bb "docker://$REGISTRY/elsewhere/bb:2"
        [ "$(grep -c '^mounted' <<<"$output")" = 2 ]
        run -0 inspect "docker://$REGISTRY/elsewhere/bb:2"
}

@test "an image pulled and pushed elsewhere keeps its digest and media types" {
        for src in bb bb-v2s2; do
                want=$(inspect "docker://$REGISTRY/src/$src" | json 'd["Digest"]')
                rc pull -q "$REGISTRY/src/$src" >/dev/null
                run -0 rc push "$REGISTRY/src/$src" "$REGISTRY/copy/$src:latest"
                [ "${lines[-1]}" = "$want" ]
                [ "$(grep -c '^mounted' <<<"$output")" = 2 ]
                run -0 inspect --raw "docker://$REGISTRY/copy/$src:latest"
                raw=$output
                run -0 inspect --raw "docker://$REGISTRY/src/$src"
                [ "$raw" = "$output" ]
        done
}

@test "--compression-format zstd re-compresses; the image pulls and runs" {
        run -0 rc push --compression-format zstd localhost/bb "$REGISTRY/me/bb-zstd:1"
        [[ "$output" == *"compressing"* ]]
        run -0 inspect --raw "docker://$REGISTRY/me/bb-zstd:1"
        [ "$(json 'd["layers"][0]["mediaType"]' <<<"$output")" = application/vnd.oci.image.layer.v1.tar+zstd ]
        RC_ROOT=$RC_WORK/root3 RC_RUNROOT=$RC_WORK/run3 run -0 rc run --rm "$REGISTRY/me/bb-zstd:1" echo zstd-ok
        [ "${lines[-1]}" = zstd-ok ]
        run -125 rc push --compression-format lz4 localhost/bb "$REGISTRY/me/x"
        [[ "$output" == *"gzip or zstd"* ]]
}

@test "a layer above the chunk size goes up in PATCH chunks and arrives whole" {
        python3 -c 'import io, os, sys, tarfile
t = tarfile.open(sys.argv[1], "w"); data = os.urandom(40 << 20)
with tarfile.open(sys.argv[2]) as bb:
    for m in bb.getmembers():
        t.addfile(m, bb.extractfile(m) if m.isfile() else None)
ti = tarfile.TarInfo("big"); ti.size = len(data); t.addfile(ti, io.BytesIO(data)); t.close()' \
                "$BATS_TEST_TMPDIR/big.tar" "$(busybox_tar)"
        gzip -1 "$BATS_TEST_TMPDIR/big.tar"
        rc import "$BATS_TEST_TMPDIR/big.tar.gz" localhost/big >/dev/null
        run -0 rc --log-level debug push localhost/big "$REGISTRY/me/big:1"
        [ "$(grep -c 'PATCH .*HTTP 202' <<<"$output")" = 2 ]
        # the registry verified the digest on the final PUT; check it holds the same bytes
        layer=$(inspect --raw "docker://$REGISTRY/me/big:1" | json 'd["layers"][0]["digest"]')
        [ "$layer" = "sha256:$(sha256sum "$BATS_TEST_TMPDIR/big.tar.gz" | cut -d' ' -f1)" ]
        RC_ROOT=$RC_WORK/root4 RC_RUNROOT=$RC_WORK/run4 run -0 rc run --rm "$REGISTRY/me/big:1" stat -c %s /big
        [ "${lines[-1]}" = $((40 << 20)) ]
        rc rmi localhost/big >/dev/null
}

@test "push errors are clear: unknown image, id without destination, registry down, digest destination" {
        run -125 rc push localhost/nothing "$REGISTRY/me/x:1"
        [[ "$output" == *"localhost/nothing: image not known"* ]]
        id=$(rc images --format json | json '[i["Id"] for i in d if "localhost/bb:latest" in i.get("Names", [])][0]')
        run -125 rc push "$id"
        [[ "$output" == *"give a destination"* ]]
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        run -125 rc push --tls-verify=false localhost/bb "127.0.0.1:$port/me/x:1"
        [[ "$output" == *"cannot connect"* ]]
        run -125 rc push localhost/bb "$REGISTRY/me/x@sha256:$(printf 'a%.0s' {1..64})"
        [[ "$output" == *"digest"* ]]
        [ -z "$(ls -A "$RC_ROOT/tmp")" ]
}
