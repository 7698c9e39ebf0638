#!/usr/bin/env bash
# Regenerates the fixture snapshots in this directory from real etcd releases.
# Each fixture: a few keys, a value larger than a page, a deleted key, a compaction,
# a lease, a user and a role; then `snapshot save`, plus the reference tool's
# `snapshot status -w json` output in <name>.status.json.
#
# usage: make_fixtures.sh   (binaries: /usr/bin for 3.4, ~/.cache/kubectl-etcd/etcd-v3.X.Y for the rest)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${KETCD_CACHE:-$HOME/.cache/kubectl-etcd}
declare -A bins=([3.4]=/usr/bin [3.5]=$cache/etcd-v3.5.35 [3.6]=$cache/etcd-v3.6.16 [3.7]=$cache/etcd-v3.7.3)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

for v in 3.4 3.5 3.6 3.7; do
  bin=${bins[$v]}
  work=$(mktemp -d)
  cport=$(free_port); pport=$(free_port)
  export ETCDCTL_API=3; [[ $v == 3.4 ]] || unset ETCDCTL_API
  "$bin/etcd" --name f --data-dir "$work/data" \
    --listen-client-urls "http://127.0.0.1:$cport" --advertise-client-urls "http://127.0.0.1:$cport" \
    --listen-peer-urls "http://127.0.0.1:$pport" --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
    --initial-cluster "f=http://127.0.0.1:$pport" >"$work/log" 2>&1 &
  pid=$!
  ctl() { "$bin/etcdctl" --endpoints "http://127.0.0.1:$cport" "$@"; }
  for _ in $(seq 100); do ctl endpoint health >/dev/null 2>&1 && break; sleep 0.1; done
  ctl put /registry/pods/default/a "$(head -c 100 /dev/zero | tr '\0' a)" >/dev/null
  ctl put /registry/pods/kube-system/b bbb >/dev/null
  ctl put /registry/namespaces/default ns >/dev/null
  ctl put big "$(head -c 9000 /dev/zero | tr '\0' B)" >/dev/null
  ctl put gone x >/dev/null
  ctl del gone >/dev/null
  ctl put /registry/pods/default/a second >/dev/null
  rev=$(ctl get big -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])')
  ctl compact "$rev" --physical >/dev/null
  ctl lease grant 600 >/dev/null
  ctl role add reader >/dev/null
  ctl user add alice:pw >/dev/null
  ctl user grant-role alice reader >/dev/null
  sleep 1
  ctl snapshot save "$here/etcd-$v.db" >/dev/null 2>&1
  kill "$pid"; wait "$pid" || true
  if [[ $v == 3.4 ]]; then
    ETCDCTL_API=3 "$bin/etcdctl" snapshot status -w json "$here/etcd-$v.db" >"$here/etcd-$v.status.json"
  else
    "$bin/etcdutl" snapshot status -w json "$here/etcd-$v.db" >"$here/etcd-$v.status.json" 2>/dev/null
  fi
  rm -rf "$work"
done
ls -l "$here"
