#!/usr/bin/env bash
# `make test-dist`: every release test against the archive `make dist` just made.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=v$(sed -n 's/^project(kubectl-etcd VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
archive=dist/kubectl-etcd_${version}_linux_$(dpkg --print-architecture).tar.gz
[[ -f $archive && -f dist/etcd.yaml ]] || { echo "test-dist: run make dist first" >&2; exit 1; }
(cd dist && sha256sum --quiet -c "$(basename "$archive").sha256")
echo "ok: $archive matches its .sha256"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$archive" -C "$work"
echo "ldd $archive:kubectl-etcd:"
ldd "$work/kubectl-etcd" | sed 's/^/  /'

status=0
run() {
  echo "== $*"
  "$@" || { echo "FAILED: $*" >&2; status=1; }
}
run tests/release/no_build_test.sh
if [[ $(id -u) -eq 0 ]]; then
  run tests/release/chroot_test.sh "$archive"
else
  echo "== chroot_test.sh skipped: needs root" >&2
  status=1
fi
run tests/release/krew_test.sh dist/etcd.yaml "$archive"
run tests/release/completion_test.sh "$work/kubectl-etcd"
[[ -x tests/doc/readme_test.sh ]] && run tests/doc/readme_test.sh "$work/kubectl-etcd"
exit $status
