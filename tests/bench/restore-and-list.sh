#!/bin/sh
# The etcd way to list objects of a snapshot, for bench.py: etcdutl snapshot restore into a new
# data dir, start etcd on it (127.0.0.1, the given ports), wait until it serves, then
# etcdctl get --prefix PREFIX > /dev/null. etcd is killed after the list (SIGKILL: its data dir
# is thrown away, so stopping it costs nothing) and waited for, so its peak RSS counts.
#   restore-and-list.sh ETCD_DIR SNAPSHOT DATA_DIR CLIENT_PORT PEER_PORT METRICS_PORT PREFIX
set -eu
etcd_dir=$1 snap=$2 data=$3 client=$4 peer=$5 metrics=$6 prefix=$7
peer_url=http://127.0.0.1:$peer
"$etcd_dir/etcdutl" snapshot restore "$snap" --data-dir "$data" --name ref \
  --initial-cluster "ref=$peer_url" --initial-advertise-peer-urls "$peer_url" >/dev/null 2>&1
"$etcd_dir/etcd" --name ref --data-dir "$data" \
  --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
  --listen-peer-urls "$peer_url" --initial-advertise-peer-urls "$peer_url" \
  --initial-cluster "ref=$peer_url" --listen-metrics-urls "http://127.0.0.1:$metrics" \
  >/dev/null 2>"$data.log" &
etcd=$!
stop() { kill -9 "$etcd" 2>/dev/null || true; wait "$etcd" 2>/dev/null || true; }
trap stop EXIT
tries=0
until curl -fs "http://127.0.0.1:$metrics/health" 2>/dev/null | grep -q true; do
  tries=$((tries + 1))
  if [ "$tries" -gt 600 ]; then echo "etcd did not become healthy (log: $data.log)" >&2; exit 1; fi
  sleep 0.05
done
"$etcd_dir/etcdctl" --endpoints "http://127.0.0.1:$client" get --prefix "$prefix" >/dev/null
