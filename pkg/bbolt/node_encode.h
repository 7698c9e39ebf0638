#pragma once
// The byte image of one branch or leaf node (README "Branch and leaf pages"): page header,
// element array, then each key (and, in a leaf, its value) in element order. Shared by the
// bulk writer and the copy-on-write patcher.

#include <cstdint>
#include <string_view>
#include <vector>

#include "pkg/bbolt/page.h"

namespace ketcd::bbolt {

// A leaf entry (flags, key, value) or a branch entry (key, child).
struct NodeItem {
  std::string_view key;
  std::string_view value;
  uint32_t flags = 0;
  Pgid child = 0;
};

// Writes the node into `out`, which holds at least its serialized size and is zeroed;
// the header carries `id` and `overflow`.
void EncodeNode(bool leaf, const std::vector<NodeItem>& items, Pgid id, uint32_t overflow, uint8_t* out);

}  // namespace ketcd::bbolt
