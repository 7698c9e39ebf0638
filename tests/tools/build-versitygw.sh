#!/usr/bin/env bash
# Builds versitygw (github.com/versity/versitygw, an S3 gateway that serves a local directory
# through its posix backend) for the end-to-end tests of S3 backups, once, into
# ${KETCD_CACHE:-~/.cache/kubectl-etcd}/versitygw-<version>/versitygw, and prints that path.
# With --no-build it builds nothing and fails when that versitygw is not built yet (as
# build-bbolt.sh --no-build).
#   usage: build-versitygw.sh [--no-build] [VERSION]
set -euo pipefail
build=1
[[ ${1:-} == --no-build ]] && { build=0; shift; }
version=${1:-v1.8.0}
cache=${KETCD_CACHE:-$HOME/.cache/kubectl-etcd}
out=$cache/versitygw-$version
export PATH=$PATH:/usr/local/go/bin
if [[ ! -x $out/versitygw ]]; then
  if ((!build)); then
    echo "versitygw $version is not built in $cache: run make test-servers first" >&2
    exit 1
  fi
  command -v go >/dev/null || { echo "build-versitygw: go is required to build versitygw" >&2; exit 1; }
  rm -rf "$out.tmp"
  mkdir -p "$out.tmp"
  GOBIN=$out.tmp GOFLAGS=-trimpath go install "github.com/versity/versitygw/cmd/versitygw@$version"
  rm -rf "$out"
  mv "$out.tmp" "$out"
  echo "build-versitygw: built versitygw $version in $out" >&2
fi
echo "$out/versitygw"
