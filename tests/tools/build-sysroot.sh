#!/usr/bin/env bash
# A Debian root of another architecture holding the headers and static libraries the
# release binary links (for cross-compiling; nothing in it is run). Made by mmdebstrap,
# which resolves the dependencies with apt and only extracts the packages, from the same
# Debian release as the build machine, so that protoc and the libraries' versions match.
# Output: ${KETCD_CACHE:-~/.cache/kubectl-etcd}/sysroot-<release>-<arch>
#
# usage: build-sysroot.sh ARCH           (prints the root)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
arch=${1:?usage: build-sysroot.sh ARCH}
# shellcheck source=packages.sh
source "$here/packages.sh"
release=$(. /etc/os-release && echo "$VERSION_CODENAME")
cache=${KETCD_CACHE:-$HOME/.cache/kubectl-etcd}
out=$cache/sysroot-$release-$arch
want=$(printf '%s\n' "${release}" "${library_packages[@]}" protobuf-compiler-grpc)
if [[ -f $out/.packages && $(cat "$out/.packages") == "$want" ]]; then
  echo "$out"
  exit 0
fi
"$here/install-deps.sh" mmdebstrap >&2
rm -rf "$out.tmp"
# protobuf-compiler-grpc: gRPC's CMake package checks that its plugins exist (the build
# runs the build machine's own).
extra=(libc6-dev protobuf-compiler-grpc)
include=$(IFS=,; echo "${extra[*]},${library_packages[*]}")
if ! mmdebstrap --quiet --variant=extract --arch="$arch" --include="$include" \
    "$release" "$out.tmp" >&2; then
  echo "build-sysroot: mmdebstrap failed for $arch" >&2
  rm -rf "$out.tmp"
  exit 1
fi
printf '%s\n' "$want" >"$out.tmp/.packages"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
