#pragma once
// What the commands reading Kubernetes objects from a snapshot share (get, extract, diff):
// the snapshot opened through its compression and encryption layers (--identity,
// --passphrase-file), and the keys of the kube-apiserver's encryption at rest
// (--encryption-config, else the --encryption-provider-config of this host's
// kube-apiserver manifest under --host-root, when it can be read).

#include <memory>
#include <optional>
#include <ostream>

#include <cxxopts.hpp>

#include "pkg/atrest/config.h"
#include "pkg/base/status.h"
#include "pkg/bbolt/db.h"
#include "pkg/envelope/unseal.h"

namespace ketcd::cmd {

void AddObjectsFlags(cxxopts::Options& options);

struct OpenedSnapshot {
  std::unique_ptr<envelope::Unsealed> plain;  // keeps a decoded copy alive
  std::unique_ptr<bbolt::Db> db;
};
absl::StatusOr<OpenedSnapshot> OpenSnapshot(const std::string& file, const cxxopts::ParseResult& flags);

// --encryption-config (errors: exit 2 / 6), or the one the local kube-apiserver uses (a
// note on `err` when it is used or cannot be read; never an error). Nullopt: none.
absl::StatusOr<std::optional<atrest::EncryptionConfig>> LoadEncryption(const cxxopts::ParseResult& flags,
                                                                       std::ostream& err);

}  // namespace ketcd::cmd
