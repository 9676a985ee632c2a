#!/usr/bin/env python3
"""make-deep-tar.py OUT DEPTH [BASE.tar]: a gzip-compressed tar with the
members of BASE (a root file system, optional) and a chain of DEPTH nested
directories d/d/d/... ending in a file "bottom"; names far longer than
PATH_MAX are written as pax headers."""
import gzip
import io
import sys
import tarfile

out, depth = sys.argv[1], int(sys.argv[2])
base = sys.argv[3] if len(sys.argv) > 3 else None
with gzip.open(out, "wb", compresslevel=1) as gz:
    with tarfile.open(fileobj=gz, mode="w|", format=tarfile.PAX_FORMAT) as t:
        if base:
            with tarfile.open(base) as b:
                for m in b:
                    t.addfile(m, b.extractfile(m) if m.isreg() else None)
        path = ""
        for _ in range(depth):
            path = path + "/d" if path else "d"
            ti = tarfile.TarInfo(path)
            ti.type = tarfile.DIRTYPE
            ti.mode = 0o755
            t.addfile(ti)
        data = b"deep\n"
        ti = tarfile.TarInfo(path + "/bottom")
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
