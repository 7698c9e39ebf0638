#!/usr/bin/env bash
# `make image`: the OCI image archive of the release binaries that `make dist` made,
# for linux/amd64 and linux/arm64 (tests/tools/build-image.py):
#   dist/kubectl-etcd_v<version>_image.tar    tagged $KETCD_IMAGE:v<version>
# Environment: KETCD_IMAGE (default ghcr.io/kubectl-etcd/kubectl-etcd), KETCD_HOMEPAGE.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=v$(sed -n 's/^project(kubectl-etcd VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
image=${KETCD_IMAGE:-ghcr.io/kubectl-etcd/kubectl-etcd}
homepage=${KETCD_HOMEPAGE:-https://github.com/kubectl-etcd/kubectl-etcd}
args=()
for arch in amd64 arm64; do
  archive=dist/kubectl-etcd_${version}_linux_$arch.tar.gz
  [[ -f $archive ]] || { echo "image: no $archive (make dist)" >&2; exit 1; }
  args+=(--archive "$arch=$archive")
done
[[ -f /etc/ssl/certs/ca-certificates.crt ]] || tests/tools/install-deps.sh ca-certificates
mtime=$(git log -1 --format=%ct 2>/dev/null || echo 0)
python3 tests/tools/build-image.py --version "$version" --name "$image" --source "$homepage" \
  --mtime "$mtime" --out "dist/kubectl-etcd_${version}_image.tar" "${args[@]}"
