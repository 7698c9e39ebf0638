#!/usr/bin/env bash
# Release archive: a stripped kubectl-etcd that needs only glibc, with LICENSE, its
# .sha256, and the Krew manifest filled from krew/etcd.yaml.
#   dist/kubectl-etcd_v<version>_linux_amd64.tar.gz(.sha256)
#   dist/etcd.yaml
# Environment: BUILD_DIST (default build-dist), KETCD_HOMEPAGE, KETCD_RELEASE_URL
# (the uri is $KETCD_RELEASE_URL/v<version>/<archive>), JOBS.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIST:-build-dist}
homepage=${KETCD_HOMEPAGE:-https://github.com/kubectl-etcd/kubectl-etcd}
release_url=${KETCD_RELEASE_URL:-$homepage/releases/download}

version=v$(sed -n 's/^project(kubectl-etcd VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[[ $version != v ]] || { echo "dist: no version in CMakeLists.txt" >&2; exit 1; }
os=linux
arch=$(dpkg --print-architecture)   # amd64, arm64: Go's names, which Krew uses

curl_root=$(tests/tools/build-static-curl.sh)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKETCD_STATIC=ON -DKETCD_BUILD_TESTS=OFF \
  -DKETCD_CURL_ROOT="$curl_root" >/dev/null
cmake --build "$build" -j "${JOBS:-2}" --target kubectl-etcd

# Only glibc's own libraries may be loaded at run time.
allowed='^(linux-vdso\.so|libc\.so|libm\.so|libdl\.so|librt\.so|libpthread\.so|ld-linux-[a-z0-9-]*\.so)'
bad=$(ldd "$build/kubectl-etcd" | awk '{print $1}' | sed 's|.*/||' | grep -Ev "$allowed" || true)
if [[ -n $bad ]]; then
  echo "dist: $build/kubectl-etcd loads libraries outside glibc:" >&2
  echo "$bad" >&2
  exit 1
fi

name=kubectl-etcd_${version}_${os}_${arch}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$build/kubectl-etcd" "$stage/kubectl-etcd"
strip --strip-all "$stage/kubectl-etcd"
cp LICENSE "$stage/LICENSE"
chmod 755 "$stage/kubectl-etcd"
chmod 644 "$stage/LICENSE"
mkdir -p dist
# Reproducible: fixed order, owner and time (the last commit's).
mtime=$(git log -1 --format=%cI 2>/dev/null || echo 2024-01-01T00:00:00Z)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" -C "$stage" \
  -cf - kubectl-etcd LICENSE | gzip -9n >"dist/$name.tar.gz.part"
mv "dist/$name.tar.gz.part" "dist/$name.tar.gz"
(cd dist && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
sha=$(cut -d' ' -f1 "dist/$name.tar.gz.sha256")

sed -e "s|@VERSION@|$version|" -e "s|@HOMEPAGE@|$homepage|" \
    -e "s|@URI@|$release_url/$version/$name.tar.gz|" -e "s|@SHA256@|$sha|" \
    -e '/^# /d' krew/etcd.yaml >dist/etcd.yaml
if grep -q '@[A-Z0-9]*@' dist/etcd.yaml; then
  echo "dist: unfilled placeholder in dist/etcd.yaml" >&2
  exit 1
fi
echo "dist: dist/$name.tar.gz ($(stat -c %s "dist/$name.tar.gz") bytes, binary $(stat -c %s "$stage/kubectl-etcd") bytes)"
echo "dist: sha256 $sha"
echo "dist: dist/etcd.yaml"
