#!/bin/sh
# Prepare this machine the way a desktop distribution already is, so the
# system tests can run as an ordinary user (run as root; idempotent):
#   - a test user "rctest" with subordinate uid/gid ranges
#   - /dev/fuse and /dev/net/tun usable by users (mode 0666, the distro default)
#   - /run/user/UID for the user, a tmpfs (what logind would create)
#   - a second test user "rctest-systemd" for the tests under a systemd user manager
#   - the checkout readable by the user
#   - a 24 MB tmpfs at /var/tmp/rc-test-smallfs (where mounting is allowed)
set -eu
user=${RC_TEST_USER:-rctest}
here=$(cd "$(dirname "$0")/.." && pwd)

if ! id "$user" >/dev/null 2>&1; then
        useradd --create-home --shell /bin/bash "$user"
fi
grep -q "^$user:" /etc/subuid 2>/dev/null || usermod --add-subuids 100000-165535 "$user"
grep -q "^$user:" /etc/subgid 2>/dev/null || usermod --add-subgids 100000-165535 "$user"
for dev in /dev/fuse /dev/net/tun; do
        [ -e "$dev" ] && chmod 0666 "$dev"
done
# /run/user/UID as logind makes it: a tmpfs of the user's (rc's run root
# lives there; without systemd as PID 1, /run may be the root file system)
runtime_dir() {
        mkdir -p "/run/user/$1"
        mountpoint -q "/run/user/$1" ||
                mount -t tmpfs -o "mode=0700,uid=$1,gid=$(id -g "$1"),size=10%" tmpfs "/run/user/$1" 2>/dev/null || true
        chown "$1:$(id -g "$1")" "/run/user/$1"
        chmod 0700 "/run/user/$1"
}
uid=$(id -u "$user")
runtime_dir "$uid"

# The user must reach the checkout: every parent directory needs o+x and
# the tree o+rX (a CI clone under /root, say, has neither).
dir=$here
while [ "$dir" != "/" ]; do
        chmod o+x "$dir"
        dir=$(dirname "$dir")
done
chmod -R o+rX "$here"

# A small file system to fill up: tests of what a full disk does to a pull.
small=/var/tmp/rc-test-smallfs
mkdir -p "$small"
mountpoint -q "$small" || mount -t tmpfs -o size=24m,mode=1777 rc-test-smallfs "$small" 2>/dev/null || true

# A second user for the tests that run under a systemd user manager of
# their own (tests/systemd/, through tests/lib/user-manager.sh): that
# manager's units and cgroups must never meet the other tests' processes.
# Its subordinate range follows rctest's without overlapping it.
sd_user=${RC_TEST_SYSTEMD_USER:-rctest-systemd}
if ! id "$sd_user" >/dev/null 2>&1; then
        useradd --create-home --shell /bin/bash "$sd_user"
fi
grep -q "^$sd_user:" /etc/subuid 2>/dev/null || usermod --add-subuids 165536-231071 "$sd_user"
grep -q "^$sd_user:" /etc/subgid 2>/dev/null || usermod --add-subgids 165536-231071 "$sd_user"
sd_uid=$(id -u "$sd_user")
runtime_dir "$sd_uid"
