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

# emulate ARCH: runs ARCH's binaries on this machine. Nothing to do for the machine's own
# architecture; otherwise registers Debian's qemu-user-static with the kernel (binfmt_misc,
# "F": the interpreter is opened now, so it works inside a chroot too), unless a handler
# is there already. unemulate removes what emulate added.
declare -A qemu_magic=(
  [arm64]='\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
)
declare -A qemu_name=([arm64]=aarch64)
BINFMT_ADDED=
emulate() {
  local arch=$1 binfmt=/proc/sys/fs/binfmt_misc entry
  [[ $arch != "$(dpkg --print-architecture)" ]] || return 0
  [[ -n ${qemu_magic[$arch]:-} ]] || fail "no emulation known for $arch"
  [[ -x /usr/bin/qemu-${qemu_name[$arch]}-static ]] || "$repo/tests/tools/install-deps.sh" qemu-user-static
  [[ -f $binfmt/register ]] || mount -t binfmt_misc binfmt_misc "$binfmt" ||
    fail "binfmt_misc is not available: cannot run $arch binaries"
  for entry in "$binfmt/ketcd-${qemu_name[$arch]}" "$binfmt/qemu-${qemu_name[$arch]}"; do
    if [[ -f $entry ]] && grep -q '^enabled' "$entry" && grep -q '^flags:.*F' "$entry"; then
      return 0
    fi
  done
  echo ":ketcd-${qemu_name[$arch]}:M::${qemu_magic[$arch]}:/usr/bin/qemu-${qemu_name[$arch]}-static:F" \
    >"$binfmt/register" || fail "cannot register qemu-${qemu_name[$arch]}-static with binfmt_misc"
  BINFMT_ADDED="$binfmt/ketcd-${qemu_name[$arch]}"
}
unemulate() {
  if [[ -n $BINFMT_ADDED && -f $BINFMT_ADDED ]]; then
    echo -1 >"$BINFMT_ADDED" || true
  fi
  BINFMT_ADDED=
}

# archive_arch ARCHIVE: amd64 or arm64, from the Krew-style name.
archive_arch() {
  local name
  name=$(basename "$1" .tar.gz)
  echo "${name##*_}"
}

# put_keys: a few keys in the etcd of start_etcd, through the real etcdctl.
put_keys() {
  local pki=$1/etc/kubernetes/pki/etcd etcdctl i
  etcdctl=$(dirname "$(etcd_bin)")/etcdctl
  for i in 1 2 3; do
    "$etcdctl" --endpoints "$ETCD_URL" --cacert "$pki/ca.crt" \
      --cert "$pki/healthcheck-client.crt" --key "$pki/healthcheck-client.key" \
      put "/registry/test/key$i" "value$i" >/dev/null || fail "etcdctl put"
  done
}

# serve_restored DATA_DIR NAME PEER_PORT: the real etcd (this machine's) on a restored
# data dir, plain HTTP on loopback; prints /registry/test/key2's value, then stops it.
serve_restored() {
  local dir=$1 name=$2 peer=$3 client bin etcdctl i value=""
  bin=$(etcd_bin)
  etcdctl=$(dirname "$bin")/etcdctl
  client=$(free_port)
  "$bin" --name "$name" --data-dir "$dir" --listen-client-urls "http://127.0.0.1:$client" \
    --advertise-client-urls "http://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
    --initial-advertise-peer-urls "http://127.0.0.1:$peer" >"$work/restored-etcd.log" 2>&1 &
  local pid=$!
  for i in $(seq 100); do
    value=$("$etcdctl" --endpoints "http://127.0.0.1:$client" --command-timeout=2s \
      get /registry/test/key2 --print-value-only 2>/dev/null) && [[ -n $value ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [[ -n $value ]] || { cat "$work/restored-etcd.log" >&2; fail "etcd did not serve the restored dir $dir"; }
  echo "$value"
}
