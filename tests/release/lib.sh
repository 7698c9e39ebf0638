# Shared by the release tests: a TLS etcd on 127.0.0.1 laid out like kubeadm's.
# Source it; needs $work (a scratch directory the test removes).

here_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here_lib/../.." && pwd)

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The newest etcd of the test matrix, built beforehand by `make test-servers`: this
# builds nothing, and fails at once when the server is missing.
etcd_bin() {
  local versions
  versions=$("$repo/tests/tools/etcd-versions.sh" --no-build) || fail "the etcd test servers are not built"
  echo "${versions##*=}/etcd"
}

# start_etcd ROOT: certificates in ROOT/etc/kubernetes/pki/etcd, data in ROOT/var/lib/etcd,
# a static-pod manifest in ROOT/etc/kubernetes/manifests/etcd.yaml naming the host paths.
# Sets ETCD_PID, ETCD_URL.
start_etcd() {
  local root=$1 pki=$1/etc/kubernetes/pki/etcd client peer bin
  # Resolved before the clock below starts: a missing server is a failure, never a build.
  bin=${ETCD_BIN:-}
  [[ -n $bin ]] || bin=$(etcd_bin)
  [[ -x $bin ]] || fail "no etcd at $bin"
  "$repo/tests/tools/gen-certs.sh" "$pki" node1 >/dev/null
  client=$(free_port)
  peer=$(free_port)
  ETCD_URL=https://127.0.0.1:$client
  mkdir -p "$root/var/lib/etcd" "$root/etc/kubernetes/manifests"
  chmod 700 "$root/var/lib/etcd"
  "$bin" --name node1 --data-dir "$root/var/lib/etcd" \
    --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
    --listen-peer-urls "https://127.0.0.1:$peer" --initial-advertise-peer-urls "https://127.0.0.1:$peer" \
    --initial-cluster "node1=https://127.0.0.1:$peer" \
    --cert-file "$pki/server.crt" --key-file "$pki/server.key" --trusted-ca-file "$pki/ca.crt" \
    --client-cert-auth --peer-cert-file "$pki/peer.crt" --peer-key-file "$pki/peer.key" \
    --peer-trusted-ca-file "$pki/ca.crt" --peer-client-cert-auth >"$work/etcd.log" 2>&1 &
  ETCD_PID=$!
  cat >"$root/etc/kubernetes/manifests/etcd.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
  labels: {component: etcd, tier: control-plane}
spec:
  hostNetwork: true
  containers:
  - name: etcd
    image: registry.k8s.io/etcd:3.6.0-0
    command:
    - etcd
    - --name=node1
    - --data-dir=/var/lib/etcd
    - --advertise-client-urls=$ETCD_URL
    - --listen-client-urls=$ETCD_URL
    - --initial-advertise-peer-urls=https://127.0.0.1:$peer
    - --initial-cluster=node1=https://127.0.0.1:$peer
    - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    - --key-file=/etc/kubernetes/pki/etcd/server.key
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    - --client-cert-auth=true
    - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt
    - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
    - --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    - --peer-client-cert-auth=true
    volumeMounts:
    - {mountPath: /var/lib/etcd, name: etcd-data}
    - {mountPath: /etc/kubernetes/pki/etcd, name: etcd-certs}
  volumes:
  - {hostPath: {path: /etc/kubernetes/pki/etcd, type: DirectoryOrCreate}, name: etcd-certs}
  - {hostPath: {path: /var/lib/etcd, type: DirectoryOrCreate}, name: etcd-data}
YAML
  local i
  for i in $(seq 100); do
    if curl -sf --cacert "$pki/ca.crt" --cert "$pki/healthcheck-client.crt" \
         --key "$pki/healthcheck-client.key" "$ETCD_URL/health" >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$ETCD_PID" 2>/dev/null || { cat "$work/etcd.log" >&2; fail "etcd exited"; }
    sleep 0.1
  done
  cat "$work/etcd.log" >&2
  fail "etcd did not become healthy at $ETCD_URL"
}

stop_etcd() {
  if [[ -n ${ETCD_PID:-} ]]; then
    kill "$ETCD_PID" 2>/dev/null || true
    wait "$ETCD_PID" 2>/dev/null || true
    ETCD_PID=
  fi
}
