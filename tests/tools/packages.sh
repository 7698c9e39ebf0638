# The Debian packages of the libraries kubectl-etcd links (headers, .so and .a), for the
# build machine (install-deps.sh) and for cross-compiling (build-sysroot.sh).
# shellcheck disable=SC2034
library_packages=(
  libgrpc++-dev libprotobuf-dev libabsl-dev libre2-dev libc-ares-dev zlib1g-dev
  libcxxopts-dev libyaml-cpp-dev libssl-dev nlohmann-json3-dev
  libzstd-dev  # backup --compress zstd
  libsodium-dev  # get --encryption-config: secretbox values (XSalsa20-Poly1305)
)
