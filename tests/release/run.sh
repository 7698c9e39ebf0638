#!/usr/bin/env bash
# `make test-dist`: every release test against the archive `make dist` just made.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=v$(sed -n 's/^project(kubectl-etcd VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
archive=dist/kubectl-etcd_${version}_linux_$(dpkg --print-architecture).tar.gz
archives=(dist/kubectl-etcd_"${version}"_linux_{amd64,arm64}.tar.gz)
for a in "${archives[@]}"; do
  [[ -f $a && -f dist/etcd.yaml ]] || { echo "test-dist: run make dist first ($a)" >&2; exit 1; }
  (cd dist && sha256sum --quiet -c "$(basename "$a").sha256")
  echo "ok: $a matches its .sha256"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$archive" -C "$work"
echo "file $archive:kubectl-etcd: $(file -b "$work/kubectl-etcd" 2>/dev/null || echo '?')"

status=0
run() {
  echo "== $*"
  "$@" || { echo "FAILED: $*" >&2; status=1; }
}
run tests/release/no_build_test.sh
if [[ $(id -u) -eq 0 ]]; then
  for a in "${archives[@]}"; do
    run tests/release/chroot_test.sh "$a"
  done
  run tests/release/image_test.sh "dist/kubectl-etcd_${version}_image.tar"
else
  echo "== chroot_test.sh and image_test.sh skipped: need root" >&2
  status=1
fi
for a in "${archives[@]}"; do
  run tests/release/krew_test.sh dist/etcd.yaml "$a"
done
run tests/release/completion_test.sh "$work/kubectl-etcd"
[[ -x tests/doc/readme_test.sh ]] && run tests/doc/readme_test.sh "$work/kubectl-etcd"
exit $status
