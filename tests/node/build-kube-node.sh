#!/usr/bin/env bash
# Builds the Kubernetes parts of the real-node test from the k8s.io/kubernetes Go module:
# one static binary, `kube-node`, that runs as kubelet, kubeadm, kube-apiserver,
# kube-controller-manager, kube-scheduler or pause depending on the name it is called by
# (as hyperkube did): the five share most of their packages, so linking them once takes a
# fraction of five builds. The staging modules (k8s.io/api, client-go, ...) are pinned to the
# matching v0.X.Y releases, since k8s.io/kubernetes points them at ./staging. The version is
# stamped the way Kubernetes' own build does, so kubeadm picks the matching images and checks.
#   usage: build-kube-node.sh OUT_DIR [KUBERNETES_VERSION]   (default v1.37.2)
#   then:  OUT_DIR/kubelet, OUT_DIR/kubeadm, ... (symbolic links to OUT_DIR/kube-node)
set -euo pipefail
out=${1:?usage: build-kube-node.sh OUT_DIR [VERSION]}
ver=${2:-v1.37.2}
staging_ver=v0.${ver#v1.}
minor=${ver#v1.}; minor=${minor%%.*}
mkdir -p "$out/src"
cd "$out/src"
cat >main.go <<'GO'
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kubeadm "k8s.io/kubernetes/cmd/kubeadm/app"
	kubeadmerrors "k8s.io/kubernetes/cmd/kubeadm/app/util/errors"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
	_ "time/tzdata"
)

// pause holds a pod's namespaces: it waits for a signal to stop and reaps orphans.
func pause() {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range sigs {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}

func main() {
	name := filepath.Base(os.Args[0])
	if name == "kube-node" && len(os.Args) > 1 {
		name = os.Args[1]
		os.Args = os.Args[1:]
	}
	var command *cobra.Command
	switch name {
	case "kubelet":
		command = kubelet.NewKubeletCommand(context.Background())
	case "kube-apiserver":
		command = apiserver.NewAPIServerCommand()
	case "kube-controller-manager":
		command = controllermanager.NewControllerManagerCommand()
	case "kube-scheduler":
		command = scheduler.NewSchedulerCommand()
	case "kubeadm":
		kubeadmerrors.HandleError(kubeadm.Run())
		return
	case "pause":
		pause()
		return
	default:
		fmt.Fprintln(os.Stderr, "kube-node: run as kubelet, kubeadm, kube-apiserver, kube-controller-manager, kube-scheduler or pause")
		os.Exit(2)
	}
	os.Exit(cli.Run(command))
}
GO
go mod download "k8s.io/kubernetes@$ver"
kmod=$(go env GOMODCACHE)/k8s.io/kubernetes@$ver
{
  echo "module kubenode"
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
stamp=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  stamp+=" -X $pkg.gitVersion=$ver -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  stamp+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w$stamp" -o "$out/kube-node.new" .
mv "$out/kube-node.new" "$out/kube-node"
for name in kubelet kubeadm kube-apiserver kube-controller-manager kube-scheduler pause; do
  ln -sfn kube-node "$out/$name"
done
echo "$out/kube-node"
