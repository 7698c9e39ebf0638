#!/usr/bin/env bash
# `make bench`, control-plane downtime on the real kubeadm node (tests/node/lib.sh): from
# the first moment the API server stops answering `kubectl get` until it answers again,
# for `kubectl etcd restore FILE --yes` and for the manual procedure (move the API server's
# manifest out, `etcdutl snapshot restore`, edit etcd.yaml's hostPath, move it back), on
# databases of BENCH_NODE_SIZES MiB (default "100 1024"), BENCH_NODE_RUNS runs each
# (default 3), interleaved. Also prints, from the same runs, how long our restore spent
# restoring, waiting for etcd and waiting for the API server (the times at which it
# reports each step), and the target: at most half the manual downtime, and at most the
# restore time plus twice (etcd start + API server start).
# usage: downtime_bench.sh KUBECTL_ETCD KETCD_BENCH_FILL
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
KETCD_BIN=$(realpath "${1:?usage: downtime_bench.sh KUBECTL_ETCD KETCD_BENCH_FILL}")
fill=$(realpath "${2:?usage: downtime_bench.sh KUBECTL_ETCD KETCD_BENCH_FILL}")
source "$here/env.sh"
sizes=${BENCH_NODE_SIZES:-100 1024}
runs=${BENCH_NODE_RUNS:-3}
trap node_down EXIT
node_up

pki=/etc/kubernetes/pki/etcd
now() { date +%s.%N; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

probe_start() {
  node_exec bash -c 'while :; do
      if "$0" --kubeconfig /etc/kubernetes/admin.conf --request-timeout=2s get --raw /api/v1/namespaces/kube-system >/dev/null 2>&1
      then echo "up $(date +%s.%N)"; else echo "down $(date +%s.%N)"; fi; sleep 0.05; done' "$KUBECTL" \
    >"$NODE_WORK/probe.log" 2>/dev/null &
  probe_pid=$!
}
probe_stop() {  # prints the downtime in seconds
  node_wait 300 node_exec "$KUBECTL" --kubeconfig /etc/kubernetes/admin.conf get --raw /api/v1/namespaces/kube-system
  sleep 0.5
  kill "$probe_pid" 2>/dev/null; wait "$probe_pid" 2>/dev/null || true
  awk '$1 == "down" && !d {d = $2} $1 == "up" && d && !u {u = $2} END {printf "%.1f", u - d}' "$NODE_WORK/probe.log"
}

# Data dirs of earlier runs that etcd no longer uses (the disk holds a few GiB at most).
prune_data_dirs() {
  node_exec bash -c 'cur=$(awk "/path: \/var\/lib\/etcd/ {print \$2}" /etc/kubernetes/manifests/etcd.yaml)
    for d in /var/lib/etcd-restored-* /var/lib/etcd-manual-*; do [[ -e $d && $d != "$cur" ]] && rm -rf "$d"; done; true'
}

ours() {  # snapshot → "downtime restore etcd apiserver"
  probe_start
  node_exec "$KETCD_BIN" restore "$1" --yes 2>&1 >/dev/null | while IFS= read -r line; do echo "$(now) $line"; done \
    >"$NODE_WORK/ours.log"
  local down
  down=$(probe_stop)
  # Each step's line is printed when it ends: a step took the time since the line before.
  awk -v d="$down" '
    {t[NR] = $1; line[NR] = $0}
    END {
      for (i = 2; i <= NR; i++) {
        s = t[i] - t[i - 1]
        if (line[i] ~ /\] restore the snapshot/) r = s
        if (line[i] ~ /\] wait until (etcd serves|this member runs)/) e = s
        if (line[i] ~ /\] (put .* back$|wait until the API server answers)/) a += s
      }
      printf "%s %.1f %.1f %.1f\n", d, r, e, a
    }' "$NODE_WORK/ours.log"
}

manual() {  # snapshot run → downtime
  probe_start
  node_exec bash -euc '
    m=/etc/kubernetes/manifests snap=$1 dir=/var/lib/etcd-manual-$2 etcdutl=$3
    mkdir -p /etc/kubernetes/manual
    mv $m/kube-apiserver.yaml /etc/kubernetes/manual/
    while "$4" --kubeconfig /etc/kubernetes/admin.conf --request-timeout=1s get --raw /livez >/dev/null 2>&1; do sleep 0.2; done
    "$etcdutl" snapshot restore "$snap" --data-dir "$dir" >/dev/null 2>&1
    sed -i -E "s#path: /var/lib/etcd(-restored-[0-9a-f-]*|-manual-[0-9a-z-]*)?\$#path: $dir#" $m/etcd.yaml
    mv /etc/kubernetes/manual/kube-apiserver.yaml $m/' bash "$1" "$2" "$ETCD_DIR/etcdutl" "$KUBECTL"
  probe_stop
}

filled=0
for mib in $sizes; do
  # 128 KiB values outside every Kubernetes resource's prefix: the API server does not
  # load them, etcd and the restore handle every byte.
  node_exec "$fill" --endpoint https://127.0.0.1:2379 --cacert $pki/ca.crt \
    --cert $pki/healthcheck-client.crt --key $pki/healthcheck-client.key \
    --keys $(((mib - filled) * 8)) --value-size 131072 --prefix "/registry/ketcd-bench/$mib-" >/dev/null
  filled=$mib
  node_exec "$KETCD_BIN" backup "/var/lib/bench-$mib.db" >/dev/null 2>&1
  size=$(stat -c %s "$NODE_WORK/root/var-lib/bench-$mib.db")
  o_down="" o_rest="" o_etcd="" o_api="" m_down=""
  for ((r = 1; r <= runs; r++)); do
    read -r d rs e a < <(ours "/var/lib/bench-$mib.db")
    o_down+=" $d" o_rest+=" $rs" o_etcd+=" $e" o_api+=" $a"
    prune_data_dirs
    m_down+=" $(manual "/var/lib/bench-$mib.db" "$mib-$r")"
    prune_data_dirs
  done
  od=$(median <<<"$o_down") md=$(median <<<"$m_down")
  rs=$(median <<<"$o_rest") e=$(median <<<"$o_etcd") a=$(median <<<"$o_api")
  budget=$(awk -v r="$rs" -v e="$e" -v a="$a" 'BEGIN {printf "%.1f", r + 2 * (e + a)}')
  echo "node downtime, $((size / 1048576)) MiB database, median of $runs:"
  echo "  kubectl etcd restore --yes  ${od}s   (runs:$o_down; restore ${rs}s, etcd start ${e}s, API server start ${a}s)"
  echo "  manual procedure            ${md}s   (runs:$m_down)"
  awk -v o="$od" -v m="$md" -v b="$budget" 'BEGIN {
    printf "  ours/manual %.2fx (target <= 0.50x: %s); ours vs restore + 2x(etcd + API server start) = %.1fs: %s\n",
      o / m, (o <= m / 2) ? "met" : "NOT met", b, (o <= b) ? "met" : "NOT met" }'
done
