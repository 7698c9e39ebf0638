#!/usr/bin/env bash
# The release as a Krew user gets it: validate-krew-manifest on dist/etcd.yaml (uri
# served from a local HTTP server), `kubectl krew install --manifest --archive` into a
# scratch KREW_ROOT, then `kubectl etcd ...` through a real kubectl's plugin lookup:
# version, backup over TLS from a kubeadm-like layout, status; and completion through
# `kubectl __complete etcd ...` with kubectl_complete-etcd on PATH.
# For an archive of another architecture (arm64 on an amd64 machine) krew is told the
# platform (KREW_ARCH, krew's own override) and the installed plugin runs under qemu
# user-mode emulation (tests/release/lib.sh: emulate).
# usage: krew_test.sh dist/etcd.yaml dist/kubectl-etcd_vX_linux_<arch>.tar.gz
set -euo pipefail
manifest=$(realpath "${1:?usage: krew_test.sh MANIFEST ARCHIVE}")
archive=$(realpath "${2:?usage: krew_test.sh MANIFEST ARCHIVE}")
source "$(dirname "$0")/lib.sh"
tools=$("$repo/tests/tools/build-kube-tools.sh")
ETCD_BIN=$(etcd_bin)  # before HOME moves: the etcd builds are cached under it

work=$(mktemp -d)
http_pid=
trap 'stop_etcd; unemulate; [[ -n $http_pid ]] && kill $http_pid 2>/dev/null; rm -rf "$work"' EXIT
arch=$(archive_arch "$archive")
if [[ $arch != "$(dpkg --print-architecture)" ]]; then
  [[ $(id -u) -eq 0 ]] || fail "running the $arch plugin needs root (binfmt_misc)"
  emulate "$arch"
  export KREW_ARCH=$arch
fi
mkdir -p "$work/bin" "$work/home" "$work/www/release"
ln -s "$tools/kubectl" "$work/bin/kubectl"
ln -s "$tools/krew" "$work/bin/kubectl-krew"
export HOME=$work/home KREW_ROOT=$work/krew KUBECONFIG=$work/home/no-kubeconfig
export PATH=$KREW_ROOT/bin:$work/bin:/usr/local/bin:/usr/bin:/bin
export KREW_NO_UPGRADE_CHECK=1

# krew-index CI: validate-krew-manifest installs every platform from its uri (the
# archives of all platforms, beside this one).
port=$(free_port)
cp "$(dirname "$archive")"/kubectl-etcd_*_linux_*.tar.gz "$work/www/release/"
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
http_pid=$!
mkdir -p "$work/index"
sed -E "s|uri: .*/([^/]+)\$|uri: http://127.0.0.1:$port/release/\1|" "$manifest" >"$work/index/etcd.yaml"
for i in $(seq 50); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
"$tools/validate-krew-manifest" -manifest "$work/index/etcd.yaml" >"$work/validate.log" 2>&1 ||
  { cat "$work/validate.log" >&2; fail "validate-krew-manifest"; }
pass "validate-krew-manifest $(basename "$manifest")"

kubectl krew install --manifest="$manifest" --archive="$archive" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log" >&2; fail "kubectl krew install"; }
[[ -L $KREW_ROOT/bin/kubectl-etcd ]] || fail "krew did not link $KREW_ROOT/bin/kubectl-etcd"
ls "$KREW_ROOT"/store/etcd/*/LICENSE >/dev/null || fail "LICENSE not installed"
installed=$(readlink -f "$KREW_ROOT/bin/kubectl-etcd")
cmp -s "$installed" <(tar -xzOf "$archive" kubectl-etcd) || fail "krew installed $installed, not the $arch binary"
pass "kubectl krew install --manifest --archive ($arch)"

# Captured first: with pipefail, `grep -q` quitting at the match can fail the pipeline by SIGPIPE.
plugins=$(kubectl plugin list 2>&1) || true
grep -qx "$KREW_ROOT/bin/kubectl-etcd" <<<"$plugins" || fail "kubectl plugin list: $plugins"
out=$(kubectl etcd version)
[[ $out == "kubectl-etcd v"* ]] || fail "kubectl etcd version printed '$out'"
pass "kubectl etcd version: $out"

start_etcd "$work/host"
kubectl etcd backup "$work/snap.db" --host-root "$work/host" >"$work/backup.txt" ||
  fail "kubectl etcd backup"
grep -q "^Snapshot saved at $work/snap.db" "$work/backup.txt" || fail "backup said: $(cat "$work/backup.txt")"
pass "kubectl etcd backup (discovered TLS etcd)"
status_json=$(kubectl etcd status "$work/snap.db" -o json) || fail "kubectl etcd status"
grep -q '"ok": true' <<<"$status_json" || fail "kubectl etcd status: $status_json"
pass "kubectl etcd status"
set +e
kubectl etcd status "$work/missing.db" 2>"$work/err.txt"
code=$?
set -e
[[ $code -eq 6 ]] || fail "status of a missing file exited $code, want 6 ($(cat "$work/err.txt"))"
pass "exit code passed through kubectl (6)"

# Completion through kubectl: kubectl runs kubectl_complete-etcd from PATH.
ln -s "$repo/cmd/kubectl-etcd/kubectl_complete-etcd" "$work/bin/kubectl_complete-etcd"
expect_complete() {  # expected-line words...
  local want=$1 got
  shift
  got=$(kubectl __complete etcd "$@" 2>/dev/null)
  grep -qxF -- "$want" <<<"$got" || fail "kubectl __complete etcd $* gave:"$'\n'"$got"$'\n'"want line: $want"
}
expect_complete $'status\tThe live cluster'"'"'s members, or a snapshot file: hash, revision, keys, size, integrity' st
expect_complete $'save\tSame as backup (etcdctl\'s spelling)' snapshot s
expect_complete 'json' status -o ''
expect_complete '--output=yaml' backup --output=y
expect_complete 'db' restore ''
expect_complete 'zst' status ''
expect_complete 'age' restore ''
expect_complete ':8' restore ''
expect_complete ':16' backup --dir ''
pass "kubectl __complete etcd ... (subcommands, flags, -o values, snapshot files)"

# (`kubectl krew uninstall` needs a cloned krew-index, so the scratch KREW_ROOT is just removed.)
