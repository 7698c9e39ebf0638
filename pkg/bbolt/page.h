#pragma once
// bbolt on-disk page layout: constants and decoders for the 16-byte page header and
// the 16-byte branch/leaf element records. Byte layout: pkg/bbolt/README.md.
// Decoders only read; bounds are the caller's job (see Db::GetPage, which checks them).

#include <cstdint>

#include "pkg/base/bytes.h"

namespace ketcd::bbolt {

using Pgid = uint64_t;
using Txid = uint64_t;

inline constexpr uint32_t kMagic = 0xED0CDAED;
inline constexpr uint32_t kVersion = 2;
inline constexpr Pgid kPgidNoFreelist = ~Pgid{0};

inline constexpr uint32_t kPageHeaderSize = 16;  // id u64, flags u16, count u16, overflow u32
inline constexpr uint32_t kElementSize = 16;     // branch and leaf elements are both 16 bytes
inline constexpr uint32_t kBucketHeaderSize = 16;  // root u64, sequence u64
inline constexpr uint32_t kMetaOffset = kPageHeaderSize;

inline constexpr uint16_t kBranchPageFlag = 0x01;
inline constexpr uint16_t kLeafPageFlag = 0x02;
inline constexpr uint16_t kMetaPageFlag = 0x04;
inline constexpr uint16_t kFreelistPageFlag = 0x10;

inline constexpr uint32_t kBucketLeafFlag = 0x01;  // leaf element flag: the value is a bucket

// Page sizes we accept when opening (bbolt itself takes any; real files use 4 KiB-64 KiB).
inline constexpr uint32_t kMinPageSize = 512;
inline constexpr uint32_t kMaxPageSize = 1u << 20;

struct PageHeader {
  Pgid id = 0;
  uint16_t flags = 0;
  uint16_t count = 0;
  uint32_t overflow = 0;
};

inline PageHeader DecodePageHeader(const uint8_t* p) {
  return PageHeader{LoadLE64(p), LoadLE16(p + 8), LoadLE16(p + 10), LoadLE32(p + 12)};
}
inline void EncodePageHeader(uint8_t* p, const PageHeader& h) {
  StoreLE64(p, h.id);
  StoreLE16(p + 8, h.flags);
  StoreLE16(p + 10, h.count);
  StoreLE32(p + 12, h.overflow);
}

// Leaf element: flags u32, pos u32, ksize u32, vsize u32. pos counts from the element.
struct LeafPageElement {
  uint32_t flags, pos, ksize, vsize;
};
inline LeafPageElement DecodeLeafElement(const uint8_t* e) {
  return LeafPageElement{LoadLE32(e), LoadLE32(e + 4), LoadLE32(e + 8), LoadLE32(e + 12)};
}

// Branch element: pos u32, ksize u32, pgid u64.
struct BranchPageElement {
  uint32_t pos, ksize;
  Pgid pgid;
};
inline BranchPageElement DecodeBranchElement(const uint8_t* e) {
  return BranchPageElement{LoadLE32(e), LoadLE32(e + 4), LoadLE64(e + 8)};
}

// "branch", "leaf", "meta", "freelist" or "unknown<0x..>" for messages.
const char* PageTypeName(uint16_t flags);

}  // namespace ketcd::bbolt
