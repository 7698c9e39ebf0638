#!/usr/bin/env bash
# Builds etcd, etcdctl and etcdutl of one etcd release from their Go modules, for
# the end-to-end tests, into ${KETCD_CACHE:-~/.cache/kubectl-etcd}/etcd-<version>/.
# A finished build is kept there and reused; the repo itself holds only this recipe.
#
# usage: build-etcd.sh v3.6.16
set -euo pipefail

version=${1:?usage: build-etcd.sh vX.Y.Z}
cache=${KETCD_CACHE:-$HOME/.cache/kubectl-etcd}
out=$cache/etcd-$version
if [[ -x $out/etcd && -x $out/etcdctl && -x $out/etcdutl ]]; then
  exit 0
fi
command -v go >/dev/null || { echo "build-etcd: go is required to build etcd $version" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/etcd" "$work/etcdctl" "$work/etcdutl"

cat >"$work/go.mod" <<GOMOD
module ketcd.local/etcdbin

go 1.24
GOMOD

cat >"$work/etcd/main.go" <<'GO'
// etcd server: the release's own entry package.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO

cat >"$work/etcdctl/main.go" <<'GO'
// etcdctl v3: the release's own command package.
package main

import "go.etcd.io/etcd/etcdctl/v3/ctlv3"

func main() { ctlv3.MustStart() }
GO

cat >"$work/etcdutl/main.go" <<'GO'
// etcdutl: a root command holding the release's snapshot and version commands.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"go.etcd.io/etcd/etcdutl/v3/etcdutl"
)

func main() {
	root := &cobra.Command{Use: "etcdutl", SilenceErrors: true, SilenceUsage: true}
	root.PersistentFlags().StringVarP(&etcdutl.OutputFormat, "write-out", "w", "simple", "output format")
	root.AddCommand(etcdutl.NewSnapshotCommand(), etcdutl.NewVersionCommand())
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}
GO

cd "$work"
export GOFLAGS=-mod=mod
go get "go.etcd.io/etcd/server/v3@$version" "go.etcd.io/etcd/etcdctl/v3@$version" \
       "go.etcd.io/etcd/etcdutl/v3@$version" >/dev/null 2>&1 || \
  go get "go.etcd.io/etcd/server/v3@$version" "go.etcd.io/etcd/etcdctl/v3@$version" "go.etcd.io/etcd/etcdutl/v3@$version"
go mod tidy >/dev/null
mkdir -p "$out.tmp"
for b in etcd etcdctl etcdutl; do
  go build -trimpath -o "$out.tmp/$b" "./$b"
done
rm -rf "$out"
mv "$out.tmp" "$out"
echo "build-etcd: built etcd $version in $out"
