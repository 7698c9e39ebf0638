#!/usr/bin/env bash
# `kubectl-etcd completion bash` driven the way bash drives it (COMP_WORDS, COMP_CWORD),
# and the zsh script's syntax when zsh is installed.
# usage: completion_test.sh KUBECTL_ETCD_BINARY
set -euo pipefail
bin=$(realpath "${1:?usage: completion_test.sh BINARY}")
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/snaps/sub"
ln -s "$bin" "$work/bin/kubectl-etcd"
touch "$work/snaps/a.db" "$work/snaps/b.txt"

reply() {  # COMP_CWORD words... -> COMPREPLY, one per line
  local cword=$1
  shift
  PATH=$work/bin:$PATH bash -c 'source <(kubectl-etcd completion bash)
    COMP_WORDS=("$@"); COMP_CWORD='"$cword"'; COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _kubectl_etcd; printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
}
expect() {  # want got
  [[ $2 == "$1" ]] || fail "bash completion: want [$1], got [$2]"
}
expect "status" "$(reply 1 kubectl-etcd st)"
expect "$(printf 'json\nsimple\ntable\nyaml' | sort)" "$(reply 3 kubectl-etcd status -o '' | sort)"
expect "$(printf '%s\n' "$work/snaps/a.db" "$work/snaps/sub" | sort)" \
  "$(reply 2 kubectl-etcd restore "$work/snaps/" | sort)"
expect "$work/snaps/sub" "$(reply 3 kubectl-etcd backup --dir "$work/snaps/")"
expect "--skip-hash-check" "$(reply 2 kubectl-etcd status --skip-h)"
pass "bash completion script"

if command -v zsh >/dev/null; then
  "$bin" completion zsh >"$work/_kubectl-etcd"
  zsh -n "$work/_kubectl-etcd" || fail "zsh script does not parse"
  pass "zsh completion script parses"
fi
set +e
"$bin" completion fish 2>/dev/null
code=$?
set -e
[[ $code -eq 2 ]] || fail "completion fish exited $code, want 2"
pass "completion of an unknown shell exits 2"
