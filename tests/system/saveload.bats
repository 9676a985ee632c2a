#!/usr/bin/env bats
# rc save / rc load, and both directions with podman.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox localhost/sl
}

teardown_file() {
        rc_teardown_file
}

@test "docker-archive round trip" {
        run -0 rc save -o "$BATS_TEST_TMPDIR/a.tar" localhost/sl
        tar -tf "$BATS_TEST_TMPDIR/a.tar" | grep -qx manifest.json
        rc rmi localhost/sl >/dev/null
        run -0 rc load -i "$BATS_TEST_TMPDIR/a.tar"
        [ "$output" = "Loaded image: localhost/sl:latest" ]
        run -0 rc run --rm localhost/sl stat -c %u /home/user/owned-by-user
        [ "$output" = "1000" ]
}

@test "oci-archive round trip, from standard input" {
        run -0 rc save --format oci-archive -o "$BATS_TEST_TMPDIR/o.tar" localhost/sl
        tar -tf "$BATS_TEST_TMPDIR/o.tar" | grep -qx index.json
        rc rmi localhost/sl >/dev/null
        run -0 bash -c "'$RC_BIN' --root '$RC_ROOT' --runroot '$RC_RUNROOT' load < '$BATS_TEST_TMPDIR/o.tar'"
        run -0 rc run --rm localhost/sl echo oci
        [ "$output" = "oci" ]
}

@test "save of an unknown image fails and leaves no file" {
        run -125 rc save -o "$BATS_TEST_TMPDIR/none.tar" localhost/none
        [ ! -e "$BATS_TEST_TMPDIR/none.tar" ]
        [ -z "$(ls "$BATS_TEST_TMPDIR" | grep none.tar || true)" ]
}

@test "a damaged archive is refused and leaves no image" {
        rc save -o "$BATS_TEST_TMPDIR/a.tar" localhost/sl
        rc rmi localhost/sl >/dev/null
        python3 - "$BATS_TEST_TMPDIR/a.tar" "$BATS_TEST_TMPDIR/bad.tar" <<'PY'
import io, sys, tarfile
src, dst = sys.argv[1], sys.argv[2]
with tarfile.open(src) as s, tarfile.open(dst, "w") as d:
    for m in s.getmembers():
        data = s.extractfile(m).read()
        if m.name.endswith(".tar"):
            data = data[:-20000] + b"\0" * 20000  # same size, different content
        d.addfile(m, io.BytesIO(data))
PY
        run -125 rc load -i "$BATS_TEST_TMPDIR/bad.tar"
        [[ "$output" == *"diff_id"* ]]
        [ -z "$(rc images -q)" ]
        [ -z "$(ls -A "$RC_ROOT/tmp")" ]
        rc load -i "$BATS_TEST_TMPDIR/a.tar" >/dev/null
}

@test "rc save loads in podman, podman save loads in rc" {
        podman_usable || skip "podman is not installed or not usable here"
        rc save -o "$BATS_TEST_TMPDIR/rc.tar" localhost/sl
        run -0 "${PODMAN[@]}" load -i "$BATS_TEST_TMPDIR/rc.tar"
        run -0 "${PODMAN[@]}" run --rm localhost/sl echo podman-runs-it
        [ "${lines[-1]}" = "podman-runs-it" ]
        "${PODMAN[@]}" tag localhost/sl localhost/from-podman
        "${PODMAN[@]}" save -o "$BATS_TEST_TMPDIR/podman.tar" localhost/from-podman 2>/dev/null
        run -0 rc load -i "$BATS_TEST_TMPDIR/podman.tar"
        run -0 rc run --rm localhost/from-podman echo rc-runs-it
        [ "$output" = "rc-runs-it" ]
        podman_cleanup
}
