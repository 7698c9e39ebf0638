#!/usr/bin/env bash
# Builds (once, cached) the etcd versions of the test matrix and prints the
# KETCD_ETCD_VERSIONS value for the end-to-end tests: "3.4=/usr/bin,3.5=...".
# The 3.4 server comes from Debian's etcd-server/etcd-client packages.
# With --no-build it builds nothing and fails at once when a version is not built yet:
# tests call it that way, so that no build ever runs inside a test's timed wait.
#   usage: etcd-versions.sh [--no-build]
set -euo pipefail
build=1
[[ ${1:-} == --no-build ]] && build=0
here=$(cd "$(dirname "$0")" && pwd)
cache=${KETCD_CACHE:-$HOME/.cache/kubectl-etcd}
# Newest patch release of each line served by the Go module proxy when this list was made.
versions=(v3.5.35 v3.6.16 v3.7.3)
export PATH=$PATH:/usr/local/go/bin
out="3.4=/usr/bin"
for v in "${versions[@]}"; do
  if ((build)); then
    "$here/build-etcd.sh" "$v" >&2
  elif [[ ! -x $cache/etcd-$v/etcd ]]; then
    echo "etcd $v is not built in $cache: run make test-servers first" >&2
    exit 1
  fi
  minor=${v#v}
  minor=${minor%.*}
  out+=",$minor=$cache/etcd-$v"
done
echo "$out"
