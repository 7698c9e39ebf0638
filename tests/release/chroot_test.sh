#!/usr/bin/env bash
# The release binary runs on a bare Debian: no gRPC, protobuf, OpenSSL, curl or
# libstdc++ packages. Unpacks the dist archive into a minbase Debian bookworm root
# (debootstrap, cached in ~/.cache/kubectl-etcd/debian-root) and runs version,
# backup (TLS, discovered from a kubeadm-like layout via --host-root), status and
# restore inside it with chroot, against an etcd started outside.
# usage: chroot_test.sh dist/kubectl-etcd_vX_linux_amd64.tar.gz
set -euo pipefail
archive=$(realpath "${1:?usage: chroot_test.sh ARCHIVE}")
[[ $(id -u) -eq 0 ]] || { echo "chroot_test: needs root (chroot)" >&2; exit 1; }
source "$(dirname "$0")/lib.sh"

cache=${KETCD_CACHE:-$HOME/.cache/kubectl-etcd}
root=$cache/debian-root
if [[ ! -x $root/bin/sh ]]; then
  command -v debootstrap >/dev/null || "$repo/tests/tools/install-deps.sh" debootstrap
  rm -rf "$root.tmp"
  debootstrap --variant=minbase bookworm "$root.tmp" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log" >&2; fail "debootstrap"; }
  mv "$root.tmp" "$root"
fi
for lib in libgrpc libprotobuf libssl libcurl libstdc++ libabsl libyaml-cpp libcares libre2; do
  if ls "$root"/usr/lib/x86_64-linux-gnu/"$lib"*.so* >/dev/null 2>&1; then
    echo "note: the Debian root has $lib (Debian's minbase ships it)"
  fi
done

work=$(mktemp -d "$root/tmp/ketcd-dist.XXXXXX")
inside=${work#"$root"}
trap 'stop_etcd; rm -rf "$work"' EXIT
tar -xzf "$archive" -C "$work"
[[ -f $work/LICENSE ]] || fail "no LICENSE in the archive"
run() { chroot "$root" "$inside/kubectl-etcd" "$@"; }

out=$(run version)
[[ $out == "kubectl-etcd v"* ]] || fail "version printed '$out'"
pass "chroot: $out"

start_etcd "$work/host"
run backup "$inside/snap.db" --host-root "$inside/host" -o json >"$work/backup.json" ||
  fail "backup in chroot"
grep -q '"sha256"' "$work/backup.json" || fail "backup -o json: $(cat "$work/backup.json")"
pass "chroot: backup over TLS from the discovered kubeadm layout"

run status "$inside/snap.db" -o json >"$work/status.json" || fail "status in chroot"
grep -q '"ok": true' "$work/status.json" || fail "status: $(cat "$work/status.json")"
pass "chroot: status"

run restore "$inside/snap.db" --data-dir "$inside/restored" >/dev/null || fail "restore in chroot"
[[ -f $work/restored/member/snap/db ]] || fail "restore wrote no member/snap/db"
pass "chroot: restore"
