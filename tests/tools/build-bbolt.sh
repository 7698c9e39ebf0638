#!/usr/bin/env bash
# Builds the `bbolt` command of the go.etcd.io/bbolt module (cmd/bbolt: `bbolt check DB`
# walks every page of a database) for the end-to-end tests, once, into
# ${KETCD_CACHE:-~/.cache/kubectl-etcd}/bbolt-<version>/bbolt, and prints that path.
# The version is the one etcd's server module requires (go.etcd.io/etcd/server/v3's go.mod),
# by default of etcd v3.7.3, the newest etcd of the test matrix (etcd v3.6.x use v1.4.3).
# With --no-build it builds nothing and fails when that bbolt is not built yet (as
# etcd-versions.sh --no-build).
#   usage: build-bbolt.sh [--no-build] [ETCD_VERSION]
set -euo pipefail
build=1
[[ ${1:-} == --no-build ]] && { build=0; shift; }
etcd_version=${1:-v3.7.3}
cache=${KETCD_CACHE:-$HOME/.cache/kubectl-etcd}
export PATH=$PATH:/usr/local/go/bin
command -v go >/dev/null || { echo "build-bbolt: go is required to build bbolt" >&2; exit 1; }

gomod=$(go mod download -json "go.etcd.io/etcd/server/v3@$etcd_version" | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')
version=$(awk '$1 == "go.etcd.io/bbolt" { print $2; exit }' "$gomod")
[[ -n $version ]] || { echo "build-bbolt: no go.etcd.io/bbolt in $gomod" >&2; exit 1; }
out=$cache/bbolt-$version
if [[ ! -x $out/bbolt ]]; then
  if ((!build)); then
    echo "bbolt $version is not built in $cache: run make test-servers first" >&2
    exit 1
  fi
  rm -rf "$out.tmp"
  mkdir -p "$out.tmp"
  GOBIN=$out.tmp GOFLAGS=-trimpath go install "go.etcd.io/bbolt/cmd/bbolt@$version"
  rm -rf "$out"
  mv "$out.tmp" "$out"
  echo "build-bbolt: built bbolt $version in $out" >&2
fi
echo "$out/bbolt"
