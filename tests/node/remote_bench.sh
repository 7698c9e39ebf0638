#!/usr/bin/env bash
# `make bench`, backup from a workstation on the real kubeadm node (tests/node/lib.sh):
# `kubectl etcd backup` run as remote_test.sh's workstation does it (the node's network
# only, an empty --host-root, admin.conf's copy; kubectl exec and port-forward through the
# API server) against the same backup run on the node, on a database of BENCH_REMOTE_MIB
# MiB (default 1024), BENCH_REMOTE_RUNS runs each (default 3), interleaved. Prints the
# medians and the ratio; the target is at most 1.5x. For the floor of the path, the same
# snapshot stream drained to /dev/null (ketcd_bench_drain) through a plain `kubectl
# port-forward` from the workstation, against draining it on the node.
# usage: remote_bench.sh KUBECTL_ETCD KETCD_BENCH_FILL [KETCD_BENCH_DRAIN]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
KETCD_BIN=$(realpath "${1:?usage: remote_bench.sh KUBECTL_ETCD KETCD_BENCH_FILL}")
fill=$(realpath "${2:?usage: remote_bench.sh KUBECTL_ETCD KETCD_BENCH_FILL}")
drain=${3:+$(realpath "$3")}
source "$here/env.sh"
mib=${BENCH_REMOTE_MIB:-1024}
runs=${BENCH_REMOTE_RUNS:-3}
trap node_down EXIT
node_up

pki=/etc/kubernetes/pki/etcd
ws_dir=$NODE_WORK/workstation
mkdir -p "$ws_dir/root" "$ws_dir/bin" "$NODE_WORK/root/var-lib/bench"
cp "$NODE_WORK/root/etc-kubernetes/admin.conf" "$ws_dir/kubeconfig"
ln -s "$KUBECTL" "$ws_dir/bin/kubectl"
now() { date +%s.%N; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

node_exec "$fill" --endpoint https://127.0.0.1:2379 --cacert $pki/ca.crt \
  --cert $pki/healthcheck-client.crt --key $pki/healthcheck-client.key \
  --keys $((mib * 8)) --value-size 131072 --prefix "/registry/ketcd-bench/remote-" >/dev/null
remote="" onnode=""
for ((r = 1; r <= runs; r++)); do
  t0=$(now)
  nsenter --net="$NODE_WORK/ns/net" -- env PATH="$ws_dir/bin:$PATH" "$KETCD_BIN" backup "$ws_dir/remote.db" --force \
    --kubeconfig "$ws_dir/kubeconfig" --host-root "$ws_dir/root" >/dev/null 2>&1
  t1=$(now)
  node_exec "$KETCD_BIN" backup /var/lib/bench/node.db --force >/dev/null 2>&1
  t2=$(now)
  remote+=" $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')"
  onnode+=" $(awk -v a="$t1" -v b="$t2" 'BEGIN{printf "%.2f", b-a}')"
  rm -f "$ws_dir/remote.db"* "$NODE_WORK/root/var-lib/bench/node.db"*
done
r=$(median <<<"$remote") l=$(median <<<"$onnode")
floor=""
if [[ -n $drain ]]; then
  # One port-forward, kept open for the runs; the stream checked against the etcd CA.
  pf_log=$NODE_WORK/port-forward.log
  nsenter --net="$NODE_WORK/ns/net" -- "$KUBECTL" --kubeconfig "$ws_dir/kubeconfig" port-forward -n kube-system \
    "pod/etcd-$NODE_NAME" --address 127.0.0.1 :2379 >"$pf_log" 2>&1 &
  pf_pid=$!
  node_wait 30 grep -q "Forwarding from 127.0.0.1:" "$pf_log"
  port=$(sed -n 's/^Forwarding from 127.0.0.1:\([0-9]*\) .*/\1/p' "$pf_log" | head -1)
  host_pki=$NODE_WORK/root/etc-kubernetes/pki/etcd
  ws_drain="" node_drain=""
  for ((i = 1; i <= runs; i++)); do
    t0=$(now)
    nsenter --net="$NODE_WORK/ns/net" -- "$drain" --endpoint "https://127.0.0.1:$port" --cacert "$host_pki/ca.crt" \
      --cert "$host_pki/healthcheck-client.crt" --key "$host_pki/healthcheck-client.key" >/dev/null
    t1=$(now)
    node_exec "$drain" --endpoint https://127.0.0.1:2379 --cacert $pki/ca.crt \
      --cert $pki/healthcheck-client.crt --key $pki/healthcheck-client.key >/dev/null
    t2=$(now)
    ws_drain+=" $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')"
    node_drain+=" $(awk -v a="$t1" -v b="$t2" 'BEGIN{printf "%.2f", b-a}')"
  done
  kill "$pf_pid" 2>/dev/null || true
  wait "$pf_pid" 2>/dev/null || true
  dw=$(median <<<"$ws_drain") dn=$(median <<<"$node_drain")
  floor="; the stream alone drained through kubectl port-forward ${dw}s (runs:$ws_drain) against ${dn}s on the node (runs:$node_drain): $(awk -v a="$dw" -v b="$dn" 'BEGIN{printf "%.2f", a/b}')x"
fi
size=$(node_exec "$ETCD_DIR/etcdctl" --endpoints https://127.0.0.1:2379 --cacert $pki/ca.crt \
  --cert $pki/healthcheck-client.crt --key $pki/healthcheck-client.key endpoint status -w json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Status"]["dbSize"] >> 20)')
ratio=$(awk -v a="$r" -v b="$l" 'BEGIN{printf "%.2f", a/b}')
echo "remote backup ($size MiB database, median of $runs): from a workstation ${r}s (runs:$remote), on the node ${l}s (runs:$onnode); ratio ${ratio}x (target <= 1.5x)$floor"
