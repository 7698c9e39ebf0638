#!/usr/bin/env bash
# A release test never builds a server inside one of its timed waits: with an empty
# cache, start_etcd fails at once, names `make test-servers`, and runs no Go build.
# usage: no_build_test.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/empty-cache"
# A `go` first on PATH that records being run.
printf '#!/bin/sh\ntouch "%s/go-ran"\nexit 1\n' "$work" >"$work/bin/go"
chmod +x "$work/bin/go"

start=$SECONDS
if (PATH=$work/bin:$PATH KETCD_CACHE=$work/empty-cache ETCD_BIN='' start_etcd "$work/root") \
     >"$work/out" 2>&1; then
  fail "start_etcd succeeded with an empty cache"
fi
elapsed=$((SECONDS - start))
[[ ! -e $work/go-ran ]] || fail "start_etcd ran a Go build"
grep -q 'make test-servers' "$work/out" || fail "no hint to run make test-servers: $(cat "$work/out")"
((elapsed < 5)) || fail "start_etcd took ${elapsed}s to fail"
pass "a missing test server fails the test at once (${elapsed}s), with no build"
