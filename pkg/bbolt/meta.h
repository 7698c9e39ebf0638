#pragma once
// bbolt meta pages (pgid 0 and 1): decoding, validation and encoding.
// Layout (offsets within the page): 16 magic u32, 20 version u32, 24 pageSize u32,
// 28 flags u32, 32 root {pgid u64, sequence u64}, 48 freelist u64, 56 pgid u64 (high-water
// mark), 64 txid u64, 72 checksum u64 = FNV-1a 64 over bytes [16, 72).

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "pkg/bbolt/page.h"

namespace ketcd::bbolt {

inline constexpr uint32_t kMetaSize = 64;  // magic .. checksum

struct Meta {
  uint32_t magic = kMagic;
  uint32_t version = kVersion;
  uint32_t page_size = 0;
  uint32_t flags = 0;
  Pgid root = 0;
  uint64_t root_sequence = 0;
  Pgid freelist = kPgidNoFreelist;
  Pgid pgid = 0;  // high-water mark: first never-allocated page
  Txid txid = 0;
  uint64_t checksum = 0;
};

// FNV-1a 64-bit hash, bbolt's meta checksum.
uint64_t Fnv64a(const uint8_t* data, size_t n);

// Decodes the meta struct that starts `kMetaOffset` bytes into `page` (page.size() must be
// at least kMetaOffset + kMetaSize). Returns DataLoss naming `which` (0 or 1) when the magic,
// version or checksum is wrong. Does not check the page header or the tree.
absl::StatusOr<Meta> DecodeMeta(absl::Span<const uint8_t> page, int which);

// Writes a full meta page (header id = which, flags meta, checksum recomputed) into
// `page`, which must be at least kMetaOffset + kMetaSize bytes and zeroed by the caller.
void EncodeMetaPage(const Meta& meta, Pgid which, absl::Span<uint8_t> page);

}  // namespace ketcd::bbolt
