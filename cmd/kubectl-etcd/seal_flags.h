#pragma once
// The flags of compressed and encrypted snapshots: --compress, --encrypt-to... on backup;
// --identity and --passphrase-file on status and restore.

#include <cxxopts.hpp>

#include "pkg/base/status.h"
#include "pkg/envelope/seal.h"
#include "pkg/envelope/unseal.h"

namespace ketcd::cmd {

void AddSealFlags(cxxopts::Options& options);
absl::StatusOr<envelope::SealOptions> SealFlags(const cxxopts::ParseResult& flags);

void AddUnsealFlags(cxxopts::Options& options);
absl::StatusOr<envelope::UnsealOptions> UnsealFlags(const cxxopts::ParseResult& flags);

}  // namespace ketcd::cmd
