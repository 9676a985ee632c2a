#!/bin/sh
# Installs the Debian packages rc needs to build, run and test, as listed in
# third_party/components.tsv (the one list of rc's external components).
#   scripts/install-deps.sh          build + run (libraries with their -dev packages, the helpers
#                                    rc runs, the compiler, busybox-static for the quickstart)
#   scripts/install-deps.sh --test   also the rows of kind "test": what the tests and make bench
#                                    use (podman, runc and slirp4netns for interoperability tests and
#                                    side-by-side benchmarks, the loopback registry, bats, cmocka...)
# Works as root or, through sudo, as a user.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
components=$here/third_party/components.tsv
kinds="library helper build dev"
[ "${1:-}" = "--test" ] && kinds="$kinds test"

# Columns: id kind link pkgconfig file runtime build ...; "-" is empty, build is comma-separated.
pkgs=$(awk -F'\t' -v kinds=" $kinds " '
        /^#/ || NF == 0 { next }
        index(kinds, " " $2 " ") {
                if ($6 != "-") print $6
                n = split($7, b, ",")
                for (i = 1; i <= n; i++) if (b[i] != "-") print b[i]
        }' "$components" | sort -u | tr '\n' ' ')
[ -n "$pkgs" ] || { echo "install-deps: no packages read from $components" >&2; exit 1; }

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs
