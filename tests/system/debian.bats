#!/usr/bin/env bats
# Slow: a real Debian image (mmdebstrap --variant=minbase bookworm), pushed
# to a loopback registry with skopeo, pulled and run by rc.  Runs when
# RC_TEST_SLOW=1 (CI sets it); the root file system is made by the test
# runner as root (tests/run-tests.sh).
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        [ "${RC_TEST_SLOW:-}" = 1 ] || return 0
        [ -s "${RC_TEST_DEBIAN_TAR:-}" ] || return 0
        rc_setup_file
        source "$LIB/registry.sh"
        registry_start "$RC_WORK/registry"
        export REGISTRY REGISTRY_PID
        python3 "$LIB/make-oci-image.py" "$RC_TEST_DEBIAN_TAR" "$RC_WORK/debian" --cmd bash
        registry_push "$RC_WORK/debian" debian:bookworm
        printf '[registries]\ninsecure = %s\n' "$REGISTRY" >"$RC_WORK/rc.conf"
}

teardown_file() {
        [ -n "${RC_WORK:-}" ] || return 0
        source "$LIB/registry.sh"
        registry_stop
        rc_teardown_file
}

setup() {
        [ "${RC_TEST_SLOW:-}" = 1 ] || skip "slow test: set RC_TEST_SLOW=1"
        [ -s "${RC_TEST_DEBIAN_TAR:-}" ] || skip "no Debian root file system (mmdebstrap runs as root in tests/run-tests.sh)"
}

@test "pull and run a Debian minbase image" {
        run -0 rc --config "$RC_WORK/rc.conf" pull -q "$REGISTRY/debian:bookworm"
        run -0 rc --config "$RC_WORK/rc.conf" run --rm "$REGISTRY/debian:bookworm" cat /etc/debian_version
        [[ "$output" == 12.* ]]
        run -0 rc --config "$RC_WORK/rc.conf" run --rm "$REGISTRY/debian:bookworm" \
                bash -c 'dpkg-query -W -f="\${Status}\n" coreutils; id -un; stat -c %U /var/log/apt 2>/dev/null || true; apt-get --version | head -1'
        [ "${lines[0]}" = "install ok installed" ]
        [ "${lines[1]}" = "root" ]
        [[ "$output" == *"apt "* ]]
}

@test "a non-root user in the Debian image: its id, and su refused" {
        run -0 rc --config "$RC_WORK/rc.conf" run --rm -u nobody "$REGISTRY/debian:bookworm" id -u
        [ "$output" = "65534" ]
        run rc --config "$RC_WORK/rc.conf" run --rm -u nobody "$REGISTRY/debian:bookworm" su -c true root
        [ "$status" -ne 0 ]
}
