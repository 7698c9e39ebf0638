#!/usr/bin/env bash
# Release archives: a stripped, fully static kubectl-etcd (no shared library, no libc
# needed on the host) for linux/amd64 and linux/arm64 (cross-compiled), each with LICENSE
# and its .sha256, and the Krew manifest filled from krew/etcd.yaml with both platforms.
#   dist/kubectl-etcd_v<version>_linux_<arch>.tar.gz(.sha256)
#   dist/etcd.yaml
# Environment: BUILD_DIST (default build-dist; <BUILD_DIST>-<arch> for the other
# architectures), KETCD_HOMEPAGE, KETCD_RELEASE_URL (the uri is
# $KETCD_RELEASE_URL/v<version>/<archive>), JOBS.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIST:-build-dist}
homepage=${KETCD_HOMEPAGE:-https://github.com/kubectl-etcd/kubectl-etcd}
release_url=${KETCD_RELEASE_URL:-$homepage/releases/download}
arches=(amd64 arm64)  # Go's names, which Krew uses

version=v$(sed -n 's/^project(kubectl-etcd VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[[ $version != v ]] || { echo "dist: no version in CMakeLists.txt" >&2; exit 1; }
host_arch=$(dpkg --print-architecture)

# build_binary ARCH: configures and builds; prints the binary's path.
build_binary() {
  local arch=$1 dir=$build cross=()
  if [[ $arch != "$host_arch" ]]; then
    [[ -f cmake/toolchain-linux-$arch.cmake ]] ||
      { echo "dist: no cross toolchain for $arch (cmake/toolchain-linux-$arch.cmake)" >&2; return 1; }
    tests/tools/install-deps.sh "g++-${cross_triplet[$arch]//_/-}" >&2
    dir=$build-$arch
    cross=(-DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-linux-$arch.cmake
           -DKETCD_SYSROOT="$(tests/tools/build-sysroot.sh "$arch")")
  fi
  local curl_root
  curl_root=$(tests/tools/build-static-curl.sh "$arch")
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKETCD_STATIC=ON -DKETCD_BUILD_TESTS=OFF \
    -DKETCD_CURL_ROOT="$curl_root" "${cross[@]}" >/dev/null
  cmake --build "$dir" -j "${JOBS:-2}" --target kubectl-etcd >&2
  echo "$dir/kubectl-etcd"
}
declare -A cross_triplet=([arm64]=aarch64-linux-gnu [amd64]=x86_64-linux-gnu)
declare -A machine=([arm64]=AArch64 [amd64]=X86-64)

# check_static ARCH BINARY: the right machine, and nothing for a dynamic loader to do.
check_static() {
  local arch=$1 bin=$2 header
  header=$(readelf -hW "$bin")
  grep -q "Machine:.*${machine[$arch]}" <<<"$header" ||
    { echo "dist: $bin is not a ${machine[$arch]} binary" >&2; return 1; }
  if readelf -lW "$bin" | grep -q 'INTERP'; then
    echo "dist: $bin asks for a dynamic loader:" >&2
    readelf -lW "$bin" | grep -A1 INTERP >&2
    return 1
  fi
  if readelf -dW "$bin" | grep -q 'NEEDED'; then
    echo "dist: $bin needs shared libraries:" >&2
    readelf -dW "$bin" | grep NEEDED >&2
    return 1
  fi
}

# Reproducible: fixed order, owner and time (the last commit's).
mtime=$(git log -1 --format=%cI 2>/dev/null || echo 2024-01-01T00:00:00Z)
mkdir -p dist
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
sed_args=(-e "s|@VERSION@|$version|" -e "s|@HOMEPAGE@|$homepage|" -e '/^# /d')
for arch in "${arches[@]}"; do
  bin=$(build_binary "$arch")
  check_static "$arch" "$bin"
  name=kubectl-etcd_${version}_linux_${arch}
  mkdir -p "$stage/$arch"
  cp "$bin" "$stage/$arch/kubectl-etcd"
  "${cross_triplet[$arch]}-strip" --strip-all "$stage/$arch/kubectl-etcd" 2>/dev/null ||
    strip --strip-all "$stage/$arch/kubectl-etcd"
  cp LICENSE "$stage/$arch/LICENSE"
  chmod 755 "$stage/$arch/kubectl-etcd"
  chmod 644 "$stage/$arch/LICENSE"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" -C "$stage/$arch" \
    -cf - kubectl-etcd LICENSE | gzip -9n >"dist/$name.tar.gz.part"
  mv "dist/$name.tar.gz.part" "dist/$name.tar.gz"
  (cd dist && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
  sha=$(cut -d' ' -f1 "dist/$name.tar.gz.sha256")
  upper=${arch^^}
  sed_args+=(-e "s|@URI_$upper@|$release_url/$version/$name.tar.gz|" -e "s|@SHA256_$upper@|$sha|")
  echo "dist: dist/$name.tar.gz ($(stat -c %s "dist/$name.tar.gz") bytes, binary" \
       "$(stat -c %s "$stage/$arch/kubectl-etcd") bytes, static), sha256 $sha"
done

sed "${sed_args[@]}" krew/etcd.yaml >dist/etcd.yaml
if grep -q '@[A-Z0-9_]*@' dist/etcd.yaml; then
  echo "dist: unfilled placeholder in dist/etcd.yaml" >&2
  exit 1
fi
echo "dist: dist/etcd.yaml"
