#pragma once
// The layers around a snapshot file: zstd compression, then age encryption (pkg/age), in
// that order on the way out and the reverse on the way in (unseal.h). A file with neither
// is a plain snapshot, exactly as etcd sends it.

#include <memory>
#include <string>

#include "pkg/age/keys.h"
#include "pkg/stream/stream.h"
#include "pkg/stream/zstd.h"

namespace ketcd::envelope {

struct SealOptions {
  bool zstd = false;
  stream::ZstdOptions zstd_options;
  std::vector<age::Recipient> recipients;  // encrypt with age when not empty
};

// ".zst", ".zst.age", ".age", or "" when nothing is added.
std::string FileSuffix(const SealOptions& o);
// "zstd" or "none", as FILE.json says.
std::string CompressionName(const SealOptions& o);
// "age" or "none", as FILE.json says.
std::string EncryptionName(const SealOptions& o);
bool Sealed(const SealOptions& o);
// "zstd-compressed, age-encrypted", for messages.
std::string Describe(const SealOptions& o);

// A writer that compresses (and encrypts) into `sink` (not owned). Close ends every layer
// and closes `sink`.
absl::StatusOr<std::unique_ptr<stream::Writer>> NewSealWriter(stream::Writer* sink, const SealOptions& o);

}  // namespace ketcd::envelope
