#!/usr/bin/env python3
"""make-layers-image.py OUT_DIR [N_LAYERS] [MB_PER_LAYER]: an OCI layout with
N gzip layers (default 8) of MB uncompressed bytes each (default 25), half
incompressible random bytes and half compressible text, for pull benchmarks."""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 8
mb = int(sys.argv[3]) if len(sys.argv) > 3 else 25
os.makedirs(f"{out}/blobs/sha256", exist_ok=True)


def put(data):
    d = hashlib.sha256(data).hexdigest()
    with open(f"{out}/blobs/sha256/{d}", "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + d, "size": len(data)}


layers, diff_ids = [], []
half = mb * 1024 * 1024 // 2
for i in range(n):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        rnd = os.urandom(half)
        text = b"".join(b"line %08d of compressible text in layer %d\n" % (j, i) for j in range(half // 48 + 1))[:half]
        for name, data in ((f"layer{i}/random", rnd), (f"layer{i}/text", text)):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    raw = buf.getvalue()
    diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
    layers.append(dict(mediaType="application/vnd.oci.image.layer.v1.tar+gzip", **put(gzip.compress(raw, 6, mtime=0))))
config = {"architecture": "amd64", "os": "linux", "config": {},
          "rootfs": {"type": "layers", "diff_ids": diff_ids}}
cdesc = dict(mediaType="application/vnd.oci.image.config.v1+json", **put(json.dumps(config).encode()))
m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": cdesc, "layers": layers}
top = dict(mediaType=m["mediaType"], **put(json.dumps(m).encode()))
top["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
with open(f"{out}/index.json", "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [top]}, f)
with open(f"{out}/oci-layout", "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
print(sum(l["size"] for l in layers))
