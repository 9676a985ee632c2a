#!/usr/bin/env python3
"""make-hostile-tars.py DIR CANARY: tarballs that try to write outside the
layer they are extracted into.  Every file they try to create outside has
CANARY in its name, so a test can search for it afterwards."""
import io
import sys
import tarfile

out, canary = sys.argv[1], sys.argv[2]


def reg(name, data=b"evil\n"):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    return ti, io.BytesIO(data)


def sym(name, target):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.SYMTYPE
    ti.linkname = target
    return ti, None


def hard(name, target):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.LNKTYPE
    ti.linkname = target
    return ti, None


cases = {
    "dotdot": [reg(f"../{canary}-1")],
    "absolute": [reg(f"/tmp/{canary}-2")],
    "dotdot-inside": [reg(f"a/../../{canary}-3")],
    "symlink-root": [sym("link", "/"), reg(f"link/tmp/{canary}-4")],
    "symlink-up": [sym("up", "../../../../../../.."), reg(f"up/tmp/{canary}-5")],
    "symlink-chain": [sym("a", "b"), sym("b", "/tmp"), reg(f"a/{canary}-6")],
    "hardlink-abs": [hard("h", "/etc/passwd")],
    "hardlink-dotdot": [hard("h2", "../../../../etc/passwd")],
    "symlink-dir-then-file": [sym("d", "/tmp"), reg(f"d/{canary}-7")],
}
for name, entries in cases.items():
    with tarfile.open(f"{out}/{name}.tar", "w", format=tarfile.GNU_FORMAT) as t:
        for ti, data in entries:
            t.addfile(ti, data)
