#pragma once
// Internal to patch.cc: serializing branch/leaf nodes into new pages allocated from a
// bump pointer, and building whole trees from sorted items.

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "pkg/base/status.h"
#include "pkg/bbolt/node_encode.h"
#include "pkg/bbolt/page.h"

namespace ketcd::bbolt::patch_internal {

using Item = NodeItem;

// Serialized size of a node holding `items`.
uint64_t NodeSize(bool leaf, const std::vector<Item>& items);

class PageAllocator {
 public:
  PageAllocator(uint32_t page_size, Pgid first) : page_size_(page_size), next_(first) {}

  uint32_t page_size() const { return page_size_; }
  Pgid next() const { return next_; }
  std::string& pages() { return pages_; }

  // Writes one node (with overflow pages if needed) and returns its pgid.
  absl::StatusOr<Pgid> WriteNode(bool leaf, const std::vector<Item>& items);

  // Splits `items` into nodes of at most ~90% of a page each (at least one item each) and
  // writes them; returns (first key, pgid) per node.
  absl::StatusOr<std::vector<Item>> WriteLevel(bool leaf, const std::vector<Item>& items);

  // Branch levels above `children` until one node remains; returns its pgid.
  absl::StatusOr<Pgid> WriteUpperLevels(std::vector<Item> children);

  // A whole tree from leaf items; returns its root pgid (a leaf when they fit in one node).
  absl::StatusOr<Pgid> WriteTree(const std::vector<Item>& items);

  // Keeps a string alive for as long as the allocator (keys/values of built items).
  std::string_view Keep(std::string s) { return keep_.emplace_back(std::move(s)); }

 private:
  uint32_t page_size_;
  Pgid next_;
  std::string pages_;
  std::deque<std::string> keep_;
};

// bbolt's Bucket.inlineable for a single leaf holding `items`.
bool Inlineable(const std::vector<Item>& items, uint32_t page_size);
// Bucket value: {root, sequence} header, plus the inline leaf page image when root == 0.
std::string BucketValue(Pgid root, uint64_t sequence, const std::vector<Item>* inline_items);

}  // namespace ketcd::bbolt::patch_internal
