#!/usr/bin/env bash
# Runs the README's examples: every ```sh block right after a `<!-- doctest -->` line,
# in order, in one scratch directory, against a TLS etcd on 127.0.0.1 laid out like a
# kubeadm control-plane node under a temporary root. `kubectl etcd` runs the binary
# under test with --host-root pointing at that root (for the commands that read host
# files); any failing command fails the test.
# usage: readme_test.sh KUBECTL_ETCD_BINARY [README]
set -euo pipefail
bin=$(realpath "${1:?usage: readme_test.sh BINARY [README]}")
source "$(dirname "$0")/../release/lib.sh"
readme=$(realpath "${2:-$repo/README.md}")

work=$(mktemp -d)
trap 'stop_etcd; rm -rf "$work"' EXIT
ETCD_BIN=$(etcd_bin)
start_etcd "$work/node"

# The marked blocks, one file each.
mkdir -p "$work/blocks" "$work/cwd"
awk -v dir="$work/blocks" '
  /^<!-- doctest -->$/ { marked = 1; next }
  marked && /^```sh$/ { n++; file = sprintf("%s/%02d.sh", dir, n); inblock = 1; marked = 0; next }
  inblock && /^```$/ { inblock = 0; close(file); next }
  inblock { print > file; next }
  { marked = 0 }
' "$readme"
count=$(find "$work/blocks" -name '*.sh' | wc -l)
((count > 0)) || fail "no <!-- doctest --> blocks in $readme"

for block in "$work/blocks"/*.sh; do
  echo "== README example $(basename "$block" .sh):"
  sed 's/^/   $ /' "$block"
  (
    cd "$work/cwd"
    export KETCD_DOC_BIN=$bin KETCD_DOC_ROOT=$work/node
    bash -euo pipefail -c '
      kubectl() {
        [[ $1 == etcd ]] || { echo "doc test: only kubectl etcd is available" >&2; return 1; }
        shift
        local cmd=${1:-}
        [[ $cmd == snapshot ]] && cmd="$1 ${2:-}"
        case $cmd in
          backup|discover|restore|"snapshot save"|"snapshot restore")
            "$KETCD_DOC_BIN" "$@" --host-root "$KETCD_DOC_ROOT" ;;
          *) "$KETCD_DOC_BIN" "$@" ;;
        esac
      }
      sudo() { "$@"; }
      source "$0"' "$block" >"$work/out.txt" 2>&1
  ) || { sed 's/^/   | /' "$work/out.txt" >&2; fail "README example $(basename "$block" .sh)"; }
  sed 's/^/   | /' "$work/out.txt" | head -15
done
pass "$count README examples"
