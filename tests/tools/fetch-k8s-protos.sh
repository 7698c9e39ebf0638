#!/usr/bin/env bash
# The Kubernetes object schemas, taken at build time from the k8s.io/api and
# k8s.io/apimachinery Go modules (through the Go module proxy) and never committed.
#
#   fetch-k8s-protos.sh [--protoc PROTOC] [--cc OUT.cc]
#
# Fills ${KETCD_CACHE:-~/.cache/kubectl-etcd}/k8s-protos-<version>/ once:
#   src/k8s.io/{api,apimachinery}/...  the modules' generated.proto files
#   k8s.fds                            FileDescriptorSet of all of them (protoc --include_imports)
#   fields.tsv                         message, proto field, JSON name, flags: the Go struct
#                                      tags of each field (go-json-fields.awk)
#   testdata/                          k8s.io/api's round-trip fixtures (.pb and .json of each type)
#   groups.tsv                         group, version, proto package of each k8s.io/api
#                                      group/version (from its register.go)
#   versions.txt                       the module versions it was made from
# Group versions removed from k8s.io/api before <version> come from the newest older release
# that has them (K8S_API_OLDER_VERSIONS), so objects stored by Kubernetes 1.29 and later decode.
# and prints that directory. With --cc, also writes a C++ file that embeds both
# (pkg/k8sobjects/schema_data.h declares what it defines); it is rewritten only when
# its content changes. protoc is the build machine's own (also in a cross build).
set -euo pipefail

version=${K8S_API_VERSION:-v0.37.2}  # Kubernetes 1.37
# The newest patch of each older minor release back to 1.29, newest first.
older_versions=${K8S_API_OLDER_VERSIONS-v0.36.6 v0.35.10 v0.34.13 v0.33.13 v0.32.13 v0.31.14 v0.30.14 v0.29.15}
protoc=protoc
cc_out=
while [[ $# -gt 0 ]]; do
  case $1 in
    --protoc) protoc=$2; shift 2 ;;
    --cc) cc_out=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    *) echo "fetch-k8s-protos: unknown argument $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
cache=${KETCD_CACHE:-$HOME/.cache/kubectl-etcd}
out=$cache/k8s-protos-$version

if [[ ! -s $out/k8s.fds || "$(cat "$out/versions.txt" 2>/dev/null)" != "$version $older_versions" ]]; then
  export PATH=$PATH:/usr/local/go/bin
  command -v go >/dev/null || { echo "fetch-k8s-protos: go is required" >&2; exit 1; }
  tmp=$out.tmp.$$
  trap 'rm -rf "$tmp"' EXIT
  rm -rf "$tmp"
  mkdir -p "$tmp/src/k8s.io"
  # download MODULE@VERSION: prints where the Go module cache unpacked it (works outside
  # any Go module).
  download() {
    local dir
    dir=$(cd "$tmp" && GOFLAGS=-mod=mod go mod download -json "$1" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
    [[ -d $dir ]] || { echo "fetch-k8s-protos: go mod download $1 failed" >&2; return 1; }
    echo "$dir"
  }
  # add MODULE MODULE_DIR PACKAGE_DIR: one API package's generated.proto, the Go fields behind
  # each message field (JSON name and how encoding/json writes it) and, for k8s.io/api, its
  # group, version and proto package (GroupName and SchemeGroupVersion of register.go).
  add() {
    local module=$1 dir=$2 d=$3 pkg group ver
    install -D -m 0644 "$dir/$d/generated.proto" "$tmp/src/k8s.io/$module/$d/generated.proto"
    pkg=$(sed -n 's/^package \(.*\);$/\1/p' "$dir/$d/generated.proto")
    find "$dir/$d" -maxdepth 1 -name '*.go' -not -name '*_test.go' -not -name 'generated.pb.go' \
      -not -name 'zz_generated*' | LC_ALL=C sort | xargs awk -v pkg="$pkg" -f "$here/go-json-fields.awk" \
      >>"$tmp/fields.tsv"
    [[ $module == api ]] || return 0
    group=$(sed -n 's/^const GroupName = "\(.*\)"$/\1/p' "$dir/$d/register.go")
    ver=$(sed -n 's/.*SchemeGroupVersion = schema.GroupVersion{Group: GroupName, Version: "\([^"]*\)"}.*/\1/p' \
      "$dir/$d/register.go")
    [[ -n $ver && -n $pkg ]] || { echo "fetch-k8s-protos: cannot read $d/register.go" >&2; return 1; }
    printf '%s\t%s\t%s\n' "$group" "$ver" "$pkg" >>"$tmp/groups.tsv"
  }
  : >"$tmp/fields.tsv"
  : >"$tmp/groups.tsv"
  for module in apimachinery api; do
    dir=$(download "k8s.io/$module@$version")
    for d in $(cd "$dir" && find . -name generated.proto -not -path '*/testapigroup/*' | sed 's|^\./||; s|/generated.proto$||' |
      LC_ALL=C sort); do
      add "$module" "$dir" "$d"
    done
  done
  mkdir -p "$tmp/testdata"
  cp "$dir"/testdata/HEAD/*.pb "$dir"/testdata/HEAD/*.json "$tmp/testdata/"
  chmod -R u+w "$tmp/testdata"
  # Group versions that older releases still store objects in and $version no longer has
  # (resource.k8s.io/v1alpha2 of 1.29-1.30...): from the newest older release that has them.
  for older in $older_versions; do
    dir=$(download "k8s.io/api@$older")
    for d in $(cd "$dir" && ls -d */*/ | sed 's|/$||' | LC_ALL=C sort); do
      [[ -f $dir/$d/generated.proto && ! -e $tmp/src/k8s.io/api/$d ]] || continue
      add api "$dir" "$d"
    done
  done
  echo "$version $older_versions" >"$tmp/versions.txt"
  (cd "$tmp/src" && find k8s.io -name '*.proto' | LC_ALL=C sort |
    xargs "$protoc" --include_imports --descriptor_set_out="$tmp/k8s.fds" 2>"$tmp/protoc.log") ||
    { cat "$tmp/protoc.log" >&2; exit 1; }
  rm -f "$tmp/protoc.log"
  rm -rf "$out"
  mv "$tmp" "$out"
  trap - EXIT
fi

if [[ -n $cc_out ]]; then
  mkdir -p "$(dirname "$cc_out")"
  {
    echo "// Generated by tests/tools/fetch-k8s-protos.sh from k8s.io/api and k8s.io/apimachinery $version."
    echo '#include "pkg/k8sobjects/schema_data.h"'
    echo
    echo 'namespace ketcd::k8sobjects {'
    echo
    echo "const char kSchemaApiVersion[] = \"$version\";"
    echo
    echo 'alignas(8) const unsigned char kDescriptorSet[] = {'
    od -An -v -tx1 "$out/k8s.fds" | sed -e 's/ *$//' -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'
    echo '};'
    echo 'const size_t kDescriptorSetSize = sizeof(kDescriptorSet);'
    echo
    echo 'const GroupVersionPackage kGroupVersions[] = {'
    awk -F'\t' '{ printf "    {\"%s\", \"%s\", \"%s\"},\n", $1, $2, $3 }' "$out/groups.tsv"
    echo '};'
    echo 'const size_t kGroupVersionCount = sizeof(kGroupVersions) / sizeof(kGroupVersions[0]);'
    echo
    echo 'const char kGoFields[] ='
    # One line per message: MESSAGE, then TAB-separated FIELD[=JSON_NAME][/FLAGS].
    awk -F'\t' '{
        if ($1 != m) { if (m != "") printf "\\n\"\n"; printf "    \"%s", $1; m = $1 }
        printf "\\t%s%s%s", $2, ($3 != "" ? "=" $3 : ""), ($4 != "" ? "/" $4 : "")
      } END { if (m != "") printf "\\n\"\n" }' "$out/fields.tsv"
    echo '    ;'
    echo
    echo '}  // namespace ketcd::k8sobjects'
  } >"$cc_out.tmp"
  if cmp -s "$cc_out.tmp" "$cc_out"; then rm -f "$cc_out.tmp"; else mv "$cc_out.tmp" "$cc_out"; fi
fi
echo "$out"
