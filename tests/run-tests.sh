#!/bin/bash
# Runs rc's tests and ends with "N passed, N failed, N skipped".
#   unit tests   build/tests/test_* (cmocka, TAP output)
#   system tests tests/system/*.bats (bats, driving bin/rc)
#   security     tests/security/*.bats (bats: escapes, hostile layers, denial of service)
#   systemd      tests/systemd/*.bats (bats, as a second test user under a systemd
#                user manager of its own: needs root to start that manager)
#   fuzzing      build-fuzz/fuzz/* for a few seconds each, when built
# As root it prepares the machine (tests/setup-host.sh) and runs everything
# as the unprivileged test user, the way users run rc.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
BIN=${BIN:-bin}
unit_only=0
[ "${1:-}" = "--unit-only" ] && unit_only=1

if [ "$(id -u)" -eq 0 ] && [ -z "${RC_TEST_AS_USER:-}" ]; then
        "$here/tests/setup-host.sh" || { echo "run-tests: host set-up failed"; echo "0 passed, 1 failed"; exit 1; }
        # Slow tests use a real Debian root file system; making one needs root.
        if [ "${RC_TEST_SLOW:-}" = 1 ]; then
                RC_TEST_DEBIAN_TAR=$("$here/tests/lib/make-debian-rootfs.sh" 2>&1 | tail -1)
                [ -s "$RC_TEST_DEBIAN_TAR" ] || RC_TEST_DEBIAN_TAR=
        fi
        # tests/systemd/: as a user of their own, under a real systemd user
        # manager that tests/lib/user-manager.sh starts and stops around them
        # (PID 1 need not be systemd); their TAP is counted with the rest
        user=${RC_TEST_USER:-rctest}
        systemd_tap=$(mktemp /tmp/rc-systemd-tests-XXXXXX.tap)
        chown "$user" "$systemd_tap"
        case $BIN in /*) rc_abs=$BIN/rc ;; *) rc_abs=$here/$BIN/rc ;; esac
        if [ "$unit_only" -eq 0 ] && compgen -G "$here/tests/systemd/*.bats" >/dev/null; then
                RC_USER_GENERATOR=$rc_abs RC_TEST_ENV="RC_BIN=$rc_abs" \
                        timeout 1800 "$here/tests/lib/user-manager.sh" run "${RC_TEST_SYSTEMD_USER:-rctest-systemd}" \
                        bats --tap "$here/tests/systemd" >"$systemd_tap" 2>&1
                echo "exit $?" >>"$systemd_tap"
        fi
        uid=$(id -u "$user")
        exec runuser -u "$user" -- env -i RC_TEST_SYSTEMD_TAP="$systemd_tap" HOME="$(getent passwd "$user" | cut -d: -f6)" USER="$user" \
                LOGNAME="$user" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
                XDG_RUNTIME_DIR="/run/user/$uid" RC_TEST_AS_USER=1 BUILD="$BUILD" BIN="$BIN" \
                RC_TEST_SLOW="${RC_TEST_SLOW:-}" RC_TEST_DEBIAN_TAR="${RC_TEST_DEBIAN_TAR:-}" \
                FUZZ_SECONDS="${FUZZ_SECONDS:-}" TMPDIR=/tmp LANG=C.UTF-8 \
                "$0" "$@"
fi

cd "$here" || exit 1
passed=0 failed=0 skipped=0
failures=()
log=$(mktemp "${TMPDIR:-/tmp}/rc-tests-XXXXXX.log")

# Count TAP lines of one suite; print failures and skip reasons.
count_tap() {
        local suite=$1 out=$2 status=$3 line n_before=$failed
        while IFS= read -r line; do
                case "$line" in
                "ok "*"# skip"* | "ok "*"# SKIP"* | "not ok "*"# SKIP"* | "not ok "*"# skip"*)
                        # cmocka marks a skipped test "not ok N # SKIP"
                        skipped=$((skipped + 1))
                        echo "  skipped: $suite: ${line#*ok }"
                        ;;
                "not ok "*)
                        failed=$((failed + 1))
                        failures+=("$suite: ${line#not ok }")
                        ;;
                "ok "*)
                        passed=$((passed + 1))
                        ;;
                esac
        done <"$out"
        if [ "$status" -ne 0 ] && [ "$failed" -eq "$n_before" ]; then
                # the runner failed without naming a test (crash, bad file)
                failed=$((failed + 1))
                failures+=("$suite: exited with status $status")
        fi
}

echo "== unit tests (as $(id -un))"
for t in "$BUILD"/tests/test_*; do
        [ -x "$t" ] || continue
        name=$(basename "$t")
        CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log" 2>&1
        status=$?
        count_tap "$name" "$log" "$status"
        [ "$status" -ne 0 ] && sed 's/^/    /' "$log"
        echo "  $name: done (status $status)"
done

if [ "$unit_only" -eq 0 ]; then
        echo "== system tests (as $(id -un))"
        export RC_BIN="$here/$BIN/rc"
        for f in tests/system/*.bats tests/security/*.bats; do
                [ -e "$f" ] || continue
                name=$(basename "$f" .bats)
                case "$f" in tests/security/*) name=security/$name ;; esac
                start=$(date +%s)
                bats --tap "$f" >"$log" 2>&1
                status=$?
                count_tap "$name" "$log" "$status"
                grep -v '^ok ' "$log" | grep -v '^1\.\.' | sed 's/^/    /' | head -200
                echo "  $name: done in $(($(date +%s) - start))s (status $status)"
        done

        if [ -n "${RC_TEST_SYSTEMD_TAP:-}" ] && [ -s "$RC_TEST_SYSTEMD_TAP" ]; then
                # run before, as rctest-systemd under its own user manager (see above)
                status=$(sed -n 's/^exit //p' "$RC_TEST_SYSTEMD_TAP" | tail -1)
                grep -v '^exit [0-9]*$' "$RC_TEST_SYSTEMD_TAP" >"$log"
                count_tap systemd "$log" "${status:-1}"
                grep -v '^ok ' "$log" | grep -v '^1\.\.' | sed 's/^/    /' | head -200
                echo "  systemd: done (status ${status:-?}, as ${RC_TEST_SYSTEMD_USER:-rctest-systemd} under a systemd user manager)"
                rm -f "$RC_TEST_SYSTEMD_TAP"
        elif [ "$(id -u)" -ne 0 ] && [ -z "${RC_TEST_AS_USER:-}" ]; then
                echo "  systemd: not run (it needs root to start a systemd user manager: run make check as root)"
        fi

        if compgen -G "build-fuzz/fuzz/fuzz_*" >/dev/null; then
                echo "== fuzzing (${FUZZ_SECONDS:-10}s per target)"
                for f in build-fuzz/fuzz/fuzz_*; do
                        name=$(basename "$f")
                        corpus=$(mktemp -d "${TMPDIR:-/tmp}/rc-fuzz-XXXXXX")
                        [ -d "tests/fuzz/seeds/$name" ] && cp "tests/fuzz/seeds/$name"/* "$corpus"/ 2>/dev/null
                        if "$f" -max_total_time="${FUZZ_SECONDS:-10}" -print_final_stats=1 "$corpus" >"$log" 2>&1; then
                                passed=$((passed + 1))
                                echo "  $name: ok ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?') runs)"
                        else
                                failed=$((failed + 1))
                                failures+=("fuzz: $name")
                                tail -40 "$log" | sed 's/^/    /'
                        fi
                        rm -rf "$corpus"
                done
        else
                echo "== fuzzing: skipped (no fuzz targets built; 'make fuzz' needs clang)"
        fi
fi
rm -f "$log"

if [ "${#failures[@]}" -gt 0 ]; then
        echo "== failures"
        printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
