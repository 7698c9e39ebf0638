#include "pkg/bbolt/meta.h"

#include "absl/strings/str_cat.h"
#include "pkg/base/bytes.h"

namespace ketcd::bbolt {

const char* PageTypeName(uint16_t flags) {
  switch (flags) {
    case kBranchPageFlag:
      return "branch";
    case kLeafPageFlag:
      return "leaf";
    case kMetaPageFlag:
      return "meta";
    case kFreelistPageFlag:
      return "freelist";
    default:
      return "unknown";
  }
}

uint64_t Fnv64a(const uint8_t* data, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= data[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

absl::StatusOr<Meta> DecodeMeta(absl::Span<const uint8_t> page, int which) {
  if (page.size() < kMetaOffset + kMetaSize) {
    return absl::DataLossError(absl::StrCat("meta page ", which, ": file too short (", page.size(), " bytes)"));
  }
  const uint8_t* m = page.data() + kMetaOffset;
  Meta meta;
  meta.magic = LoadLE32(m);
  meta.version = LoadLE32(m + 4);
  meta.page_size = LoadLE32(m + 8);
  meta.flags = LoadLE32(m + 12);
  meta.root = LoadLE64(m + 16);
  meta.root_sequence = LoadLE64(m + 24);
  meta.freelist = LoadLE64(m + 32);
  meta.pgid = LoadLE64(m + 40);
  meta.txid = LoadLE64(m + 48);
  meta.checksum = LoadLE64(m + 56);
  if (meta.magic != kMagic) {
    return absl::DataLossError(absl::StrCat("meta page ", which, ": invalid magic 0x", absl::Hex(meta.magic),
                                            " (not a bbolt file, or written on a big-endian host)"));
  }
  if (meta.version != kVersion) {
    return absl::DataLossError(absl::StrCat("meta page ", which, ": unsupported version ", meta.version));
  }
  uint64_t sum = Fnv64a(m, 56);
  if (meta.checksum != sum) {
    return absl::DataLossError(absl::StrCat("meta page ", which, ": checksum mismatch (stored 0x",
                                            absl::Hex(meta.checksum), ", computed 0x", absl::Hex(sum), ")"));
  }
  return meta;
}

void EncodeMetaPage(const Meta& meta, Pgid which, absl::Span<uint8_t> page) {
  EncodePageHeader(page.data(), PageHeader{which, kMetaPageFlag, 0, 0});
  uint8_t* m = page.data() + kMetaOffset;
  StoreLE32(m, meta.magic);
  StoreLE32(m + 4, meta.version);
  StoreLE32(m + 8, meta.page_size);
  StoreLE32(m + 12, meta.flags);
  StoreLE64(m + 16, meta.root);
  StoreLE64(m + 24, meta.root_sequence);
  StoreLE64(m + 32, meta.freelist);
  StoreLE64(m + 40, meta.pgid);
  StoreLE64(m + 48, meta.txid);
  StoreLE64(m + 56, Fnv64a(m, 56));
}

}  // namespace ketcd::bbolt
