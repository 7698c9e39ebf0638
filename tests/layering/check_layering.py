#!/usr/bin/env python3
"""Checks the dependency direction of pkg/ (CONTRIBUTING.md, "Layers"): every
`#include "pkg/<name>/..."` in pkg/ and cmd/ must name the file's own package or a
package of a lower layer. Prints each include that goes sideways or up, and exits 1 if
there is one. A package missing from LAYERS is an error too, so a new package gets a
layer when it is added.

usage: check_layering.py [SOURCE_ROOT]"""
import os
import re
import sys

# Lowest first. A package may include its own files and those of lower layers only.
LAYERS = [
    ["base"],
    ["fsutil", "cli"],
    ["stream"],
    ["bbolt", "etcdclient", "kubeclient", "s3", "age", "k8sobjects"],
    ["envelope", "atrest", "remote", "printers"],
    ["discovery", "snapshot", "restore", "catalog"],
    ["backup"],
    ["noderestore"],
    ["cmd"],
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}
INCLUDE = re.compile(r'^\s*#\s*include\s+"pkg/([A-Za-z0-9_]+)/')
SOURCES = (".cc", ".h")


def owner(rel):
    """The package a file belongs to: pkg/<name>/... or cmd."""
    parts = rel.split(os.sep)
    return parts[1] if parts[0] == "pkg" else "cmd"


def check(root):
    problems = []
    for top in ("pkg", "cmd"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if not f.endswith(SOURCES):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, root)
                pkg = owner(rel)
                if pkg not in LAYER:
                    problems.append(f"{rel}: package {pkg} has no layer in {__file__}")
                    continue
                with open(path, encoding="utf-8", errors="replace") as src:
                    for n, line in enumerate(src, 1):
                        m = INCLUDE.match(line)
                        if not m or m.group(1) == pkg:
                            continue
                        dep = m.group(1)
                        if dep not in LAYER:
                            problems.append(f"{rel}:{n}: includes unknown package pkg/{dep}")
                        elif LAYER[dep] >= LAYER[pkg]:
                            way = "sideways" if LAYER[dep] == LAYER[pkg] else "up"
                            problems.append(f"{rel}:{n}: {pkg} (layer {LAYER[pkg]}) includes pkg/{dep} "
                                            f"(layer {LAYER[dep]}): {way}")
    return problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    problems = check(os.path.abspath(root))
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} include(s) against the layering of pkg/ (CONTRIBUTING.md, \"Layers\")")
        return 1
    print("layering of pkg/ and cmd/: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
