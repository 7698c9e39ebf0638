#include "pkg/bbolt/patch_pages.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "pkg/base/bytes.h"

namespace ketcd::bbolt::patch_internal {
namespace {

constexpr uint32_t kMaxCount = 0xFFFE;  // bbolt panics at 0xFFFF elements

uint64_t ItemSize(bool leaf, const Item& it) {
  return kElementSize + it.key.size() + (leaf ? it.value.size() : 0);
}

}  // namespace

uint64_t NodeSize(bool leaf, const std::vector<Item>& items) {
  uint64_t n = kPageHeaderSize;
  for (const Item& it : items) n += ItemSize(leaf, it);
  return n;
}

absl::StatusOr<Pgid> PageAllocator::WriteNode(bool leaf, const std::vector<Item>& items) {
  if (items.size() > kMaxCount) return absl::InternalError("patch: node with too many elements");
  uint64_t size = NodeSize(leaf, items);
  uint64_t npages = (size + page_size_ - 1) / page_size_;
  if (npages - 1 > UINT32_MAX) return absl::InvalidArgumentError("patch: node too large");
  Pgid id = next_;
  next_ += npages;
  size_t off = pages_.size();
  pages_.resize(off + npages * page_size_, '\0');
  EncodeNode(leaf, items, id, static_cast<uint32_t>(npages - 1), reinterpret_cast<uint8_t*>(pages_.data() + off));
  return id;
}

absl::StatusOr<std::vector<Item>> PageAllocator::WriteLevel(bool leaf, const std::vector<Item>& items) {
  const uint64_t threshold = page_size_ * 9 / 10;
  std::vector<Item> out;
  std::vector<Item> node;
  uint64_t size = kPageHeaderSize;
  auto flush = [&]() -> absl::Status {
    KETCD_ASSIGN_OR_RETURN(Pgid id, WriteNode(leaf, node));
    out.push_back(Item{node.front().key, {}, 0, id});
    node.clear();
    size = kPageHeaderSize;
    return absl::OkStatus();
  };
  for (const Item& it : items) {
    uint64_t n = ItemSize(leaf, it);
    if (!node.empty() && (size + n > threshold || node.size() >= kMaxCount)) KETCD_RETURN_IF_ERROR(flush());
    node.push_back(it);
    size += n;
  }
  if (!node.empty()) KETCD_RETURN_IF_ERROR(flush());
  return out;
}

absl::StatusOr<Pgid> PageAllocator::WriteUpperLevels(std::vector<Item> children) {
  if (children.empty()) return absl::InternalError("patch: empty tree");
  while (children.size() > 1) {
    KETCD_ASSIGN_OR_RETURN(children, WriteLevel(false, children));
  }
  return children.front().child;
}

absl::StatusOr<Pgid> PageAllocator::WriteTree(const std::vector<Item>& items) {
  if (items.empty()) return WriteNode(true, {});  // an empty leaf (an empty root bucket)
  KETCD_ASSIGN_OR_RETURN(std::vector<Item> leaves, WriteLevel(true, items));
  return WriteUpperLevels(std::move(leaves));
}

bool Inlineable(const std::vector<Item>& items, uint32_t page_size) {
  uint64_t size = kPageHeaderSize;
  for (const Item& it : items) {
    if (it.flags & kBucketLeafFlag) return false;
    size += kElementSize + it.key.size() + it.value.size();
    if (size > page_size / 4) return false;
  }
  return true;
}

std::string BucketValue(Pgid root, uint64_t sequence, const std::vector<Item>* inline_items) {
  std::string v(kBucketHeaderSize, '\0');
  StoreLE64(v.data(), root);
  StoreLE64(v.data() + 8, sequence);
  if (inline_items != nullptr) {
    size_t off = v.size();
    v.resize(off + NodeSize(true, *inline_items), '\0');
    EncodeNode(true, *inline_items, 0, 0, reinterpret_cast<uint8_t*>(v.data() + off));
  }
  return v;
}

}  // namespace ketcd::bbolt::patch_internal
