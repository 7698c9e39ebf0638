#include "pkg/bbolt/node_encode.h"

#include <cstring>

#include "pkg/base/bytes.h"

namespace ketcd::bbolt {

void EncodeNode(bool leaf, const std::vector<NodeItem>& items, Pgid id, uint32_t overflow, uint8_t* out) {
  EncodePageHeader(out, PageHeader{id, leaf ? kLeafPageFlag : kBranchPageFlag,
                                   static_cast<uint16_t>(items.size()), overflow});
  uint64_t data = kPageHeaderSize + uint64_t{kElementSize} * items.size();
  for (size_t i = 0; i < items.size(); i++) {
    const NodeItem& it = items[i];
    uint64_t elem = kPageHeaderSize + uint64_t{kElementSize} * i;
    uint8_t* e = out + elem;
    uint32_t pos = static_cast<uint32_t>(data - elem);
    if (leaf) {
      StoreLE32(e, it.flags);
      StoreLE32(e + 4, pos);
      StoreLE32(e + 8, static_cast<uint32_t>(it.key.size()));
      StoreLE32(e + 12, static_cast<uint32_t>(it.value.size()));
    } else {
      StoreLE32(e, pos);
      StoreLE32(e + 4, static_cast<uint32_t>(it.key.size()));
      StoreLE64(e + 8, it.child);
    }
    std::memcpy(out + data, it.key.data(), it.key.size());
    data += it.key.size();
    if (leaf) {
      if (!it.value.empty()) std::memcpy(out + data, it.value.data(), it.value.size());
      data += it.value.size();
    }
  }
}

}  // namespace ketcd::bbolt
