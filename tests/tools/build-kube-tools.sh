#!/usr/bin/env bash
# Builds kubectl, krew and validate-krew-manifest from their Go modules for the
# release tests (tests/release/), into ${KETCD_CACHE:-~/.cache/kubectl-etcd}/kube-tools/
# and prints that directory. A finished build is reused.
#   kubectl:                k8s.io/kubectl's NewDefaultKubectlCommand (what cmd/kubectl runs)
#   krew, validate-krew-manifest: sigs.k8s.io/krew's own main packages
set -euo pipefail

kubectl_version=${KUBECTL_MODULE_VERSION:-v0.37.2}  # kubectl 1.37
krew_version=${KREW_VERSION:-v0.4.3}                 # newest krew the Go module proxy serves
cache=${KETCD_CACHE:-$HOME/.cache/kubectl-etcd}
out=$cache/kube-tools-kubectl-$kubectl_version-krew-$krew_version
if [[ -x $out/kubectl && -x $out/krew && -x $out/validate-krew-manifest ]]; then
  echo "$out"
  exit 0
fi
export PATH=$PATH:/usr/local/go/bin
command -v go >/dev/null || { echo "build-kube-tools: go is required" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod
mkdir -p "$out.tmp"

# module DIR MODULE@VERSION: a throwaway Go module depending on one tool's module
# (kubectl and krew pin conflicting versions of shared dependencies).
module() {
  mkdir -p "$work/$1"
  printf 'module ketcd.local/%s\n\ngo 1.24\n' "$1" >"$work/$1/go.mod"
}

module kubectl
cat >"$work/kubectl/main.go" <<'GO'
// kubectl: the command tree of k8s.io/kubectl, run the way cmd/kubectl runs it.
package main

import (
	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		util.CheckErr(err)
	}
}
GO
(cd "$work/kubectl" && { go get "k8s.io/kubectl@$kubectl_version" >/dev/null 2>&1 || go get "k8s.io/kubectl@$kubectl_version"; } &&
  { go mod tidy >/dev/null 2>&1 || go mod tidy; } && go build -trimpath -o "$out.tmp/kubectl" .)

module krew
cat >"$work/krew/tools.go" <<'GO'
//go:build tools

package krewtools

import (
	_ "sigs.k8s.io/krew/cmd/krew"
	_ "sigs.k8s.io/krew/cmd/validate-krew-manifest"
)
GO
(cd "$work/krew" && { go get "sigs.k8s.io/krew@$krew_version" >/dev/null 2>&1 || go get "sigs.k8s.io/krew@$krew_version"; } &&
  { go mod tidy >/dev/null 2>&1 || go mod tidy; } &&
  go build -trimpath -o "$out.tmp/krew" sigs.k8s.io/krew/cmd/krew &&
  go build -trimpath -o "$out.tmp/validate-krew-manifest" sigs.k8s.io/krew/cmd/validate-krew-manifest)
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
