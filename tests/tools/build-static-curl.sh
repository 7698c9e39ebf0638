#!/usr/bin/env bash
# Builds a static libcurl with HTTP(S) only, on OpenSSL, for the release binary.
# Debian's libcurl.a is built with GSSAPI, LDAP, RTMP, SSH, PSL and HTTP/2 and needs
# their static libraries, several of which Debian does not ship (krb5, ldap). This
# build uses the same curl release as Debian's headers, from Debian's own source
# tarball, and needs only libssl.a, libcrypto.a and glibc.
# Output: ${KETCD_CACHE:-~/.cache/kubectl-etcd}/curl-<version>-static[-<arch>]/{include,lib/libcurl.a}
#
# usage: build-static-curl.sh [ARCH]     (prints the install prefix)
#   ARCH: a Debian architecture other than the build machine's (arm64) to cross-compile
#   with cmake/toolchain-linux-ARCH.cmake against the root of tests/tools/build-sysroot.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
arch=${1:-$(dpkg --print-architecture)}
cross=()
suffix=""
if [[ $arch != "$(dpkg --print-architecture)" ]]; then
  cross=(-DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-linux-$arch.cmake"
         -DKETCD_SYSROOT="$("$root/tests/tools/build-sysroot.sh" "$arch")")
  suffix=-$arch
fi

version=$(dpkg-query -W -f='${Version}' libcurl4-openssl-dev 2>/dev/null | sed 's/-.*//')
version=${version:-7.88.1}
cache=${KETCD_CACHE:-$HOME/.cache/kubectl-etcd}
out=$cache/curl-$version-static$suffix
if [[ -f $out/lib/libcurl.a ]]; then
  echo "$out"
  exit 0
fi
mkdir -p "$cache/src"
tarball=$cache/src/curl_$version.orig.tar.gz
if [[ ! -f $tarball ]]; then
  curl -fsSL -o "$tarball.part" "http://deb.debian.org/debian/pool/main/c/curl/curl_$version.orig.tar.gz"
  mv "$tarball.part" "$tarball"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
cmake -S "$work/curl-$version" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release "${cross[@]}" \
  -DCMAKE_INSTALL_PREFIX="$out.tmp" -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
  -DBUILD_SHARED_LIBS=OFF -DBUILD_CURL_EXE=OFF -DBUILD_TESTING=OFF -DHTTP_ONLY=ON \
  -DCURL_USE_OPENSSL=ON -DCURL_ZLIB=OFF -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF -DUSE_NGHTTP2=OFF \
  -DCURL_USE_LIBSSH2=OFF -DCURL_USE_LIBPSL=OFF -DUSE_LIBIDN2=OFF -DCURL_USE_GSSAPI=OFF \
  -DCURL_DISABLE_LDAP=ON -DENABLE_MANUAL=OFF -DCURL_CA_FALLBACK=OFF \
  -DOPENSSL_USE_STATIC_LIBS=ON >"$work/configure.log" 2>&1 || { cat "$work/configure.log" >&2; exit 1; }
cmake --build "$work/build" -j "${JOBS:-2}" >"$work/build.log" 2>&1 || { tail -50 "$work/build.log" >&2; exit 1; }
cmake --install "$work/build" >/dev/null
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
