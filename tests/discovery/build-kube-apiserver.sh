#!/usr/bin/env bash
# Builds a real kube-apiserver from the k8s.io/kubernetes Go module for the discovery
# end-to-end test (tests/e2e/discovery_test.cc, KubeApiServerE2e). The staging modules
# (k8s.io/api, apiserver, client-go, ...) are pinned to the matching v0.X.Y releases with
# replace lines, since k8s.io/kubernetes itself points them at ./staging.
#   usage: build-kube-apiserver.sh OUT_DIR [KUBERNETES_VERSION]   (default v1.36.3)
#   then:  KETCD_KUBE_APISERVER=OUT_DIR/kube-apiserver ctest -L e2e
set -euo pipefail
out=${1:?usage: build-kube-apiserver.sh OUT_DIR [VERSION]}
ver=${2:-v1.36.3}
staging_ver=v0.${ver#v1.}
mkdir -p "$out/src"
cd "$out/src"
cat >main.go <<'GO'
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() { os.Exit(cli.Run(app.NewAPIServerCommand())) }
GO
go mod download "k8s.io/kubernetes@$ver"
kmod=$(go env GOMODCACHE)/k8s.io/kubernetes@$ver
{
  echo "module kapi"
  echo
  grep '^go ' "$kmod/go.mod"
  echo
  echo "require k8s.io/kubernetes $ver"
  echo
  echo "replace ("
  grep -E '^\s+k8s.io/[a-z0-9-]+ => ./staging' "$kmod/go.mod" | awk -v v="$staging_ver" '{print "\t" $1 " => " $1 " " v}'
  echo ")"
} >go.mod
GOFLAGS=-mod=mod go mod tidy
go build -trimpath -ldflags=-s -o "$out/kube-apiserver" .
echo "$out/kube-apiserver"
