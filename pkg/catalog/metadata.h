#pragma once
// Reading the FILE.json that `kubectl etcd backup` writes beside a snapshot
// (backup::MetadataJson; layout in README.md). The file comes from a backup directory
// anyone with write access there may have changed: every field is checked for its type,
// unknown fields are ignored, and nothing in it can make the reader fail other than with
// a status.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pkg/base/status.h"

namespace ketcd::catalog {

// Larger metadata files are not read (the backup writes well under 2 KiB).
inline constexpr size_t kMaxMetadataBytes = 64 * 1024;

struct Metadata {
  std::string file;                   // the snapshot's base name when it was written
  std::optional<uint64_t> size;       // of the plain snapshot
  std::optional<uint64_t> file_size;  // on disk; written only when it differs from size
  std::string sha256;                 // of the plain snapshot: 64 lowercase hex digits, or ""
  std::string compression;            // "zstd", "none", or "" when absent
  std::string encryption;             // "age", "none", or ""
  std::optional<int64_t> revision;    // read back from a plain snapshot only
  std::string etcd_version, cluster_id, member_id, member_name, node_name;
  std::optional<int64_t> created_at;  // unix seconds

  // The bytes the snapshot file should have on disk: file_size, else size.
  std::optional<uint64_t> ExpectedFileSize() const { return file_size ? file_size : size; }
};

// Parses the text of a FILE.json. InvalidArgument when it is not a JSON object, is larger
// than kMaxMetadataBytes, or a known field has the wrong type or form (a sha256 that is not
// 64 hex digits, a createdAt that is not an RFC 3339 time).
absl::StatusOr<Metadata> ParseMetadata(std::string_view text);

}  // namespace ketcd::catalog
