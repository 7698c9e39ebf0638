#!/usr/bin/env bash
# The release binary depends on nothing on the host: it runs in a root that has no libc,
# no shared library and no /etc at all (an empty directory holding the binary, entered
# with chroot). There it prints its version, backs up a real TLS etcd discovered from a
# kubeadm layout (by IP), by the names `localhost` (RFC 6761, no /etc/hosts) and `node1`
# (from the root's own /etc/hosts, read by the static binary's built-in resolver), checks
# the snapshot and restores it; a real etcd of this machine then serves the restored
# data dir. An arm64 archive runs the same under qemu user-mode emulation, which shows
# that the snapshot and data dir formats do not depend on the architecture.
# usage: chroot_test.sh dist/kubectl-etcd_vX_linux_<arch>.tar.gz
set -euo pipefail
archive=$(realpath "${1:?usage: chroot_test.sh ARCHIVE}")
[[ $(id -u) -eq 0 ]] || { echo "chroot_test: needs root (chroot)" >&2; exit 1; }
source "$(dirname "$0")/lib.sh"
arch=$(archive_arch "$archive")

work=$(mktemp -d)
trap 'stop_etcd; unemulate; rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root" "$work/unpack"
tar -xzf "$archive" -C "$work/unpack"
[[ -f $work/unpack/LICENSE ]] || fail "no LICENSE in the archive"
cp "$work/unpack/kubectl-etcd" "$root/kubectl-etcd"
emulate "$arch"
run() { chroot "$root" /kubectl-etcd "$@"; }

out=$(run version)
[[ $out == "kubectl-etcd v"* ]] || fail "version printed '$out'"
[[ $(ls -A "$root") == kubectl-etcd ]] || fail "the root holds more than the binary: $(ls -A "$root")"
pass "$arch, empty root: $out"

start_etcd "$root/host"
put_keys "$root/host"
run backup /by-ip.db --host-root /host -o json >"$work/backup.json" || fail "backup (discovered, by IP)"
grep -q '"sha256"' "$work/backup.json" || fail "backup -o json: $(cat "$work/backup.json")"
pass "$arch: backup over TLS from the discovered kubeadm layout ($ETCD_URL)"

# The release links Debian's libzstd.a: compression works from the static binary too.
run backup /by-ip.db.zst --compress zstd --host-root /host >/dev/null || fail "backup --compress zstd"
pass "$arch: backup --compress zstd"

port=${ETCD_URL##*:}
tls=(--cacert /host/etc/kubernetes/pki/etcd/ca.crt --cert /host/etc/kubernetes/pki/etcd/healthcheck-client.crt
     --key /host/etc/kubernetes/pki/etcd/healthcheck-client.key)
run backup /by-localhost.db --endpoints "https://localhost:$port" "${tls[@]}" >/dev/null ||
  fail "backup by the name localhost (no /etc/hosts in the root)"
pass "$arch: backup from https://localhost:$port with no /etc/hosts"
mkdir -p "$root/etc"
echo "127.0.0.1 node1" >"$root/etc/hosts"
run backup /by-name.db --endpoints "https://node1:$port" "${tls[@]}" >/dev/null ||
  fail "backup by a name from /etc/hosts"
rm -rf "$root/etc"
pass "$arch: backup from https://node1:$port (the root's /etc/hosts, no NSS library)"
stop_etcd

for snap in by-ip by-localhost by-name; do
  run status "/$snap.db" -o json >"$work/status.json" || fail "status /$snap.db"
  grep -q '"ok": true' "$work/status.json" || fail "status: $(cat "$work/status.json")"
done
mkdir -m 1777 "$root/tmp"  # status decodes a compressed file under $TMPDIR or /tmp
run status /by-ip.db.zst -o json >"$work/status.json" || fail "status /by-ip.db.zst"
grep -q '"ok": true' "$work/status.json" || fail "status of the zstd file: $(cat "$work/status.json")"
pass "$arch: status of the three snapshots and of the zstd one"

peer=$(free_port)
run restore /by-ip.db --data-dir /restored --name restored \
  --initial-cluster "restored=http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
  >/dev/null || fail "restore --data-dir"
[[ -f $root/restored/member/snap/db ]] || fail "restore wrote no member/snap/db"
value=$(serve_restored "$root/restored" restored "$peer")
[[ $value == value2 ]] || fail "the restored etcd served '$value' for /registry/test/key2"
pass "$arch: restore --data-dir; this machine's etcd ($(dpkg --print-architecture)) serves it: key2=$value"
