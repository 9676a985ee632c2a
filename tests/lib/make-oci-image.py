#!/usr/bin/env python3
"""make-oci-image.py ROOTFS.tar OUT_DIR [--zstd] [--layers2] [--multiarch] [--ref NAME]
                     [--config JSON] [--add SRC:DEST]... [--link PATH:TARGET]...
                     [--small-layers N] [--cmd CMD...]

Writes an OCI image layout (what skopeo reads as oci:OUT_DIR:latest) from a
root file system tarball: one gzip (or zstd) layer, or with --layers2 a
second layer that adds /etc/layer2, deletes /etc/owned-by-nobody with a
whiteout and makes /home opaque.  --multiarch wraps it in an index with an
amd64 and an arm64 entry (the arm64 one differs only in its config).
--config merges JSON into the image config's "config" object (hostile
WorkingDir, User, Env...); --add (a host file) and --link (a symlink) go
into one more layer on top.  --ref sets the name an oci-archive of the
layout loads as (default "latest").  --small-layers N adds N layers, the
Kth adding /layers/K (for images with many layers).  --cmd takes the rest
of the line.
Made with python3 alone so rc is tested against images it did not make."""
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

src, out = sys.argv[1], sys.argv[2]
zstd = "--zstd" in sys.argv
layers2 = "--layers2" in sys.argv
multiarch = "--multiarch" in sys.argv
cmd = sys.argv[sys.argv.index("--cmd") + 1:] if "--cmd" in sys.argv else ["sh"]
opts = sys.argv[:sys.argv.index("--cmd")] if "--cmd" in sys.argv else sys.argv


def values(flag):
    return [opts[i + 1] for i, a in enumerate(opts) if a == flag and i + 1 < len(opts)]


extra_config = json.loads(values("--config")[-1]) if values("--config") else {}
adds, links = values("--add"), values("--link")
ref = values("--ref")[-1] if values("--ref") else "latest"
os.makedirs(f"{out}/blobs/sha256", exist_ok=True)


def put(data):
    d = hashlib.sha256(data).hexdigest()
    with open(f"{out}/blobs/sha256/{d}", "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + d, "size": len(data)}


def compress(data):
    if zstd:
        return subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True, check=True).stdout
    return gzip.compress(data, mtime=0)


def second_layer():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, kind in (("etc", tarfile.DIRTYPE), ("home", tarfile.DIRTYPE)):
            ti = tarfile.TarInfo(name); ti.type = kind; ti.mode = 0o755; t.addfile(ti)
        data = b"from layer 2\n"
        ti = tarfile.TarInfo("etc/layer2"); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
        ti = tarfile.TarInfo("etc/.wh.owned-by-nobody"); t.addfile(ti, io.BytesIO(b""))
        ti = tarfile.TarInfo("home/.wh..wh..opq"); t.addfile(ti, io.BytesIO(b""))
        ti = tarfile.TarInfo("home/new"); ti.type = tarfile.DIRTYPE; ti.mode = 0o755; t.addfile(ti)
    return buf.getvalue()


def extra_layer():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for spec in adds:
            host, dest = spec.split(":", 1)
            ti = t.gettarinfo(host, dest.lstrip("/"))
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            with open(host, "rb") as f:
                t.addfile(ti, f)
        for spec in links:
            path, target = spec.split(":", 1)
            ti = tarfile.TarInfo(path.lstrip("/"))
            ti.type, ti.linkname, ti.mode = tarfile.SYMTYPE, target, 0o777
            t.addfile(ti)
    return buf.getvalue()


def small_layer(k):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        ti = tarfile.TarInfo("layers"); ti.type = tarfile.DIRTYPE; ti.mode = 0o755; t.addfile(ti)
        data = f"{k}\n".encode()
        ti = tarfile.TarInfo(f"layers/{k}"); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


tars = [open(src, "rb").read()]
tars += [small_layer(k) for k in range(1, int((values("--small-layers") or ["0"])[-1]) + 1)]
if layers2:
    tars.append(second_layer())
if adds or links:
    tars.append(extra_layer())
layer_media = "application/vnd.oci.image.layer.v1.tar+" + ("zstd" if zstd else "gzip")
layers = [dict(mediaType=layer_media, **put(compress(t))) for t in tars]
diff_ids = ["sha256:" + hashlib.sha256(t).hexdigest() for t in tars]


def manifest_for(arch):
    config = {"architecture": arch, "os": "linux", "created": "2024-01-01T00:00:00Z",
              "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "FROM_IMAGE=yes"], "Cmd": cmd,
                         "WorkingDir": "/", "Labels": {"org.example.fixture": "make-oci-image"},
                         **extra_config},
              "rootfs": {"type": "layers", "diff_ids": diff_ids},
              # one entry per layer, and one that made no layer
              "history": [{"created": "2024-01-01T00:00:00Z", "created_by": f"ADD layer{i}.tar /"}
                          for i in range(len(tars))] +
                         [{"created": "2024-01-02T00:00:00Z", "created_by": "ENV FROM_IMAGE=yes",
                           "empty_layer": True}]}
    cdesc = dict(mediaType="application/vnd.oci.image.config.v1+json", **put(json.dumps(config).encode()))
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
         "config": cdesc, "layers": layers}
    return dict(mediaType=m["mediaType"], **put(json.dumps(m).encode()))


if multiarch:
    entries = []
    for arch in ("amd64", "arm64"):
        d = manifest_for(arch)
        d["platform"] = {"architecture": arch, "os": "linux"}
        if arch == "arm64":
            d["platform"]["variant"] = "v8"
        entries.append(d)
    idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries}
    top = dict(mediaType=idx["mediaType"], **put(json.dumps(idx).encode()))
else:
    top = manifest_for("amd64")
top["annotations"] = {"org.opencontainers.image.ref.name": ref}
with open(f"{out}/index.json", "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [top]}, f)
with open(f"{out}/oci-layout", "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
