#!/usr/bin/env python3
"""Container image of the release binary, as an OCI image layout in one tar archive.

usage: build-image.py --version vX.Y.Z --name REPOSITORY --out dist/kubectl-etcd_vX.Y.Z_image.tar
                      --archive amd64=dist/...amd64.tar.gz --archive arm64=... [--ca-bundle FILE]
                      [--mtime SECONDS]

One layer per architecture: /usr/local/bin/kubectl-etcd (the static binary of that
architecture's release archive), the CA roots at
/etc/ssl/certs/ca-certificates.crt (and /usr/lib/ssl/cert.pem, where the static OpenSSL
looks), an empty /tmp. The archive's index.json names one image index (multi-platform)
tagged REPOSITORY:VERSION; no registry and no container daemon are needed to build it.
Byte-for-byte reproducible for the same inputs and --mtime.
Layout: https://github.com/opencontainers/image-spec (image-layout.md, image-index.md,
manifest.md, config.md), v1.1.
"""
import argparse
import datetime
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
BINARY_PATH = "usr/local/bin/kubectl-etcd"


def tar_bytes(entries, mtime):
    """entries: (path, kind, mode, data_or_target) in order; a reproducible tar."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, kind, mode, payload in entries:
            info = tarfile.TarInfo(path)
            info.mtime, info.uid, info.gid, info.uname, info.gname, info.mode = mtime, 0, 0, "", "", mode
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, payload
                tar.addfile(info)
            else:
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


def layer_entries(binary, ca_bundle):
    entries = [("etc", "dir", 0o755, None), ("etc/ssl", "dir", 0o755, None),
               ("etc/ssl/certs", "dir", 0o755, None)]
    if ca_bundle:
        entries.append(("etc/ssl/certs/ca-certificates.crt", "file", 0o644, ca_bundle))
    entries += [("tmp", "dir", 0o1777, None), ("usr", "dir", 0o755, None),
                ("usr/lib", "dir", 0o755, None), ("usr/lib/ssl", "dir", 0o755, None)]
    if ca_bundle:
        entries.append(("usr/lib/ssl/cert.pem", "symlink", 0o777, "/etc/ssl/certs/ca-certificates.crt"))
    entries += [("usr/local", "dir", 0o755, None), ("usr/local/bin", "dir", 0o755, None),
                (BINARY_PATH, "file", 0o755, binary)]
    return entries


class Layout:
    """Blobs of an OCI image layout, kept in memory until written."""

    def __init__(self):
        self.blobs = {}

    def add(self, data, media_type, **extra):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        self.blobs[digest] = data
        return dict(mediaType=media_type, digest=digest, size=len(data), **extra)

    def add_json(self, obj, media_type, **extra):
        return self.add(json.dumps(obj, indent=2, sort_keys=True).encode() + b"\n", media_type, **extra)


def image_manifest(layout, arch, binary, ca_bundle, args):
    layer_tar = tar_bytes(layer_entries(binary, ca_bundle), args.mtime)
    layer_gz = gzip.compress(layer_tar, compresslevel=9, mtime=0)
    layer = layout.add(layer_gz, OCI_LAYER_GZIP)
    created = datetime.datetime.fromtimestamp(args.mtime, tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    config = {
        "architecture": arch, "os": "linux", "created": created,
        "config": {
            "Entrypoint": ["/" + BINARY_PATH],
            "Env": ["PATH=/usr/local/bin:/usr/bin:/bin"],
            "WorkingDir": "/",
            "Labels": {"org.opencontainers.image.version": args.version,
                       "org.opencontainers.image.source": args.source,
                       "org.opencontainers.image.licenses": "Apache-2.0"},
        },
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer_tar).hexdigest()]},
        "history": [{"created": created, "created_by": "tests/tools/build-image.py"}],
    }
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": layout.add_json(config, OCI_CONFIG), "layers": [layer]}
    return layout.add_json(manifest, OCI_MANIFEST, platform={"architecture": arch, "os": "linux"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True)
    parser.add_argument("--name", required=True, help="repository, e.g. ghcr.io/OWNER/kubectl-etcd")
    parser.add_argument("--source", default="")
    parser.add_argument("--out", required=True)
    parser.add_argument("--archive", action="append", required=True, help="ARCH=release archive (.tar.gz)")
    parser.add_argument("--ca-bundle", default="/etc/ssl/certs/ca-certificates.crt")
    parser.add_argument("--mtime", type=int, default=0)
    args = parser.parse_args()

    ca_bundle = open(args.ca_bundle, "rb").read() if args.ca_bundle else b""
    layout = Layout()
    manifests = []
    for item in args.archive:
        arch, _, path = item.partition("=")
        with tarfile.open(path, "r:gz") as archive:
            binary = archive.extractfile("kubectl-etcd").read()
        manifests.append(image_manifest(layout, arch, binary, ca_bundle, args))
    ref = f"{args.name}:{args.version}"
    image_index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}
    top = layout.add_json(image_index, OCI_INDEX, annotations={
        "io.containerd.image.name": ref, "org.opencontainers.image.ref.name": args.version})
    files = [("oci-layout", "file", 0o644, b'{"imageLayoutVersion": "1.0.0"}\n'),
             ("index.json", "file", 0o644,
              json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [top]},
                         indent=2, sort_keys=True).encode() + b"\n"),
             ("blobs", "dir", 0o755, None), ("blobs/sha256", "dir", 0o755, None)]
    files += [(f"blobs/sha256/{d.split(':')[1]}", "file", 0o644, data) for d, data in sorted(layout.blobs.items())]
    tmp = args.out + ".part"
    with open(tmp, "wb") as f:
        f.write(tar_bytes(files, args.mtime))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, args.out)
    print(f"image: {args.out} ({os.path.getsize(args.out)} bytes), {ref}, "
          f"platforms {', '.join(m['platform']['architecture'] for m in manifests)}, index {top['digest']}")


if __name__ == "__main__":
    sys.exit(main())
