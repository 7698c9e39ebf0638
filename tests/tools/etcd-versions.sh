#!/usr/bin/env bash
# Builds (once, cached) the etcd versions of the test matrix and prints the
# KETCD_ETCD_VERSIONS value for the end-to-end tests: "3.4=/usr/bin,3.5=...".
# The 3.4 server comes from Debian's etcd-server/etcd-client packages.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${KETCD_CACHE:-$HOME/.cache/kubectl-etcd}
# Newest patch release of each line served by the Go module proxy when this list was made.
versions=(v3.5.35 v3.6.16 v3.7.3)
export PATH=$PATH:/usr/local/go/bin
out="3.4=/usr/bin"
for v in "${versions[@]}"; do
  "$here/build-etcd.sh" "$v" >&2
  minor=${v#v}
  minor=${minor%.*}
  out+=",$minor=$cache/etcd-$v"
done
echo "$out"
