#!/usr/bin/env python3
"""Writes a container image archive in docker-archive form (manifest.json, a config and one
layer), the form `ctr image import` reads, from files of this machine. The node's images are
made this way from the binaries the tests build, and imported, never pulled.

  build-node-image.py OUT.tar NAME:TAG [--file SRC=DST]... [--link TARGET=DST]...
                      [--libs-of DST]... [--entrypoint ARG]... [--env K=V]...

--libs-of adds the dynamic loader and the shared libraries an executable of the image needs
(as `ldd` lists them), for binaries that are not static.
"""
import argparse
import hashlib
import io
import json
import os
import subprocess
import tarfile

MTIME = 0  # reproducible: the same inputs give the same image ID


def add_dirs(tar, path, seen):
    parts = path.strip("/").split("/")[:-1]
    for i in range(1, len(parts) + 1):
        d = "/".join(parts[:i])
        if d not in seen:
            seen.add(d)
            info = tarfile.TarInfo(d)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, MTIME
            tar.addfile(info)


def shared_libs(executable):
    out = subprocess.run(["ldd", executable], capture_output=True, text=True).stdout
    libs = []
    for line in out.splitlines():
        words = line.split()
        if "=>" in words and len(words) > words.index("=>") + 1 and words[words.index("=>") + 1].startswith("/"):
            libs.append(words[words.index("=>") + 1])
        elif words and words[0].startswith("/"):
            libs.append(words[0])  # the loader
    return libs


def layer_bytes(files, links, extra_dirs):
    buf = io.BytesIO()
    seen = set()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for d in extra_dirs:
            add_dirs(tar, d.rstrip("/") + "/x", seen)
        for dst, src in sorted(files.items()):
            add_dirs(tar, dst, seen)
            info = tarfile.TarInfo(dst.lstrip("/"))
            info.size, info.mtime = os.path.getsize(src), MTIME
            info.mode = 0o755 if os.access(src, os.X_OK) else 0o644
            with open(src, "rb") as f:
                tar.addfile(info, f)
        for dst, target in sorted(links.items()):
            add_dirs(tar, dst, seen)
            info = tarfile.TarInfo(dst.lstrip("/"))
            info.type, info.linkname, info.mode, info.mtime = tarfile.SYMTYPE, target, 0o777, MTIME
            tar.addfile(info)
    return buf.getvalue()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("ref")
    p.add_argument("--file", action="append", default=[])
    p.add_argument("--link", action="append", default=[])
    p.add_argument("--libs-of", action="append", default=[])
    p.add_argument("--entrypoint", action="append", default=[])
    p.add_argument("--env", action="append", default=[])
    a = p.parse_args()
    files = {}
    for spec in a.file:
        src, dst = spec.split("=", 1)
        files[dst] = os.path.realpath(src)
    for dst in a.libs_of:
        for lib in shared_libs(files[dst]):
            files[lib] = os.path.realpath(lib)
    links = dict(reversed(spec.split("=", 1)) for spec in a.link)
    layer = layer_bytes(files, links, ["/tmp", "/etc", "/var", "/run"])
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] + a.env
    config = json.dumps({
        "architecture": "amd64" if os.uname().machine == "x86_64" else "arm64",
        "os": "linux",
        "created": "1970-01-01T00:00:00Z",
        "config": {"Env": env, "Entrypoint": a.entrypoint or None, "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "build-node-image.py"}],
    }, sort_keys=True).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    layer_name = diff_id[len("sha256:"):] + "/layer.tar"
    manifest = json.dumps([{"Config": config_name, "RepoTags": [a.ref], "Layers": [layer_name]}]).encode()
    tmp = a.out + ".tmp"
    with tarfile.open(tmp, "w", format=tarfile.GNU_FORMAT) as tar:
        for name, data in ((config_name, config), (layer_name, layer), ("manifest.json", manifest)):
            if "/" in name:
                add_dirs(tar, name, set())
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), MTIME, 0o644
            tar.addfile(info, io.BytesIO(data))
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
