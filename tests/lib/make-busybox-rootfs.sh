#!/bin/sh
# make-busybox-rootfs.sh OUT.tar [--gzip|--zstd]
# A small root file system from the host's busybox-static, as a tarball
# with ownership set per entry (root, a "user" 1000, nobody 65534), made
# without privileges.
set -eu
out=$1
compress=${2:-}
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || { echo "make-busybox-rootfs: $busybox missing: apt-get install busybox-static" >&2; exit 1; }
python3 - "$out" "$busybox" "$compress" <<'PY'
import io, os, subprocess, sys, tarfile, time

out, busybox, compress = sys.argv[1], sys.argv[2], sys.argv[3]
applets = subprocess.run([busybox, "--list"], check=True, capture_output=True, text=True).stdout.split()
now = 1700000000  # fixed, so every build of the image is byte-identical

def entry(name, kind=tarfile.REGTYPE, mode=0o644, uid=0, gid=0, data=b"", link=""):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.uid, ti.gid, ti.mtime = kind, mode, uid, gid, now
    ti.uname = ti.gname = ""
    if kind == tarfile.REGTYPE:
        ti.size = len(data)
    ti.linkname = link
    return ti, (io.BytesIO(data) if kind == tarfile.REGTYPE else None)

files = [entry(d, tarfile.DIRTYPE, 0o755) for d in
         ("bin", "etc", "proc", "sys", "dev", "root", "home", "var", "usr", "usr/bin")]
files.append(entry("tmp", tarfile.DIRTYPE, 0o1777))
files.append(entry("home/user", tarfile.DIRTYPE, 0o755, 1000, 1000))
files.append(entry("home/user/owned-by-user", data=b"user file\n", uid=1000, gid=1000))
with open(busybox, "rb") as f:
    files.append(entry("bin/busybox", mode=0o755, data=f.read()))
for a in applets:
    if a != "busybox":
        files.append(entry("bin/" + a, tarfile.SYMTYPE, 0o777, link="busybox"))
files.append(entry("etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\n"
                   b"user:x:1000:1000:user:/home/user:/bin/sh\n"
                   b"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"))
files.append(entry("etc/group", data=b"root:x:0:\ntty:x:5:\nuser:x:1000:\nnogroup:x:65534:\n"))
files.append(entry("etc/owned-by-root", data=b"root file\n", mode=0o600))
files.append(entry("etc/owned-by-nobody", data=b"nobody file\n", uid=65534, gid=65534))
files.append(entry("bin/setuid-copy", mode=0o4755, data=b"#!/bin/sh\necho setuid\n"))

mode = {"--gzip": "w:gz", "": "w", "--zstd": "w"}[compress]
tmp = out + ".tmp"
with tarfile.open(tmp, mode, format=tarfile.PAX_FORMAT) as t:
    for ti, data in files:
        t.addfile(ti, data)
if compress == "--zstd":
    subprocess.run(["zstd", "-q", "-f", "--rm", tmp, "-o", out], check=True)
else:
    os.rename(tmp, out)
PY
