// Db::ForEach and Db::Find: walking one bucket's B+tree.
#include "absl/strings/str_cat.h"
#include "pkg/bbolt/db.h"

namespace ketcd::bbolt {
namespace {

absl::Status CheckTreePageType(const PageRef& p) {
  if (p.header.flags == kLeafPageFlag || (p.header.flags == kBranchPageFlag && !p.is_inline)) {
    return absl::OkStatus();
  }
  return absl::DataLossError(absl::StrCat(PageName(p), ": invalid page type ", PageTypeName(p.header.flags),
                                          " (flags 0x", absl::Hex(p.header.flags), ") in a bucket tree"));
}

// Index of the first element whose key is >= target, in [0, count].
template <typename KeyAt>
absl::StatusOr<uint32_t> LowerBound(uint32_t count, std::string_view target, KeyAt key_at) {
  uint32_t lo = 0, hi = count;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    KETCD_ASSIGN_OR_RETURN(std::string_view k, key_at(mid));
    if (k < target) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

}  // namespace

absl::Status Db::ForEach(const Bucket& b, Visitor fn) const {
  struct Frame {
    PageRef page;
    uint32_t next;
  };
  std::vector<Frame> stack;
  std::vector<bool> visited;
  KETCD_ASSIGN_OR_RETURN(PageRef root, BucketRootPage(b));
  KETCD_RETURN_IF_ERROR(CheckTreePageType(root));
  KETCD_RETURN_IF_ERROR(CheckElementArray(root));
  if (!b.is_inline()) {
    visited.assign(meta_.pgid, false);
    visited[root.id] = true;
  }
  stack.push_back({root, 0});
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.page.header.flags == kLeafPageFlag) {
      for (uint32_t i = 0; i < top.page.header.count; i++) {
        KETCD_ASSIGN_OR_RETURN(Entry e, LeafAt(top.page, i));
        KETCD_RETURN_IF_ERROR(fn(e));
      }
      if (!top.page.is_inline) NoteBytesRead(top.page.bytes.size());
      stack.pop_back();
      continue;
    }
    if (top.next >= top.page.header.count) {
      stack.pop_back();
      continue;
    }
    KETCD_ASSIGN_OR_RETURN(auto branch, BranchAt(top.page, top.next));
    top.next++;
    const Pgid child_id = branch.second;
    const std::string parent = PageName(top.page);
    if (stack.size() >= static_cast<size_t>(kMaxDepth)) {
      return absl::DataLossError(absl::StrCat(parent, ": tree deeper than ", kMaxDepth, " levels"));
    }
    if (child_id >= meta_.pgid) {
      return absl::DataLossError(
          absl::StrCat(parent, ": child page ", child_id, " beyond the high-water mark ", meta_.pgid));
    }
    if (visited[child_id]) {
      return absl::DataLossError(
          absl::StrCat(parent, ": child page ", child_id, " is referenced twice (cycle or shared subtree)"));
    }
    visited[child_id] = true;
    KETCD_ASSIGN_OR_RETURN(PageRef child, GetPage(child_id));
    KETCD_RETURN_IF_ERROR(CheckTreePageType(child));
    KETCD_RETURN_IF_ERROR(CheckElementArray(child));
    stack.push_back({child, 0});  // invalidates `top`
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Entry>> Db::Find(const Bucket& b, std::string_view key) const {
  KETCD_ASSIGN_OR_RETURN(PageRef page, BucketRootPage(b));
  for (int depth = 0;; depth++) {
    KETCD_RETURN_IF_ERROR(CheckTreePageType(page));
    KETCD_RETURN_IF_ERROR(CheckElementArray(page));
    const uint32_t count = page.header.count;
    if (page.header.flags == kLeafPageFlag) {
      auto leaf_key_at = [&](uint32_t j) -> absl::StatusOr<std::string_view> {
        KETCD_ASSIGN_OR_RETURN(Entry e, LeafAt(page, j));
        return e.key;
      };
      KETCD_ASSIGN_OR_RETURN(uint32_t i, LowerBound(count, key, leaf_key_at));
      if (i == count) return std::optional<Entry>();
      KETCD_ASSIGN_OR_RETURN(Entry e, LeafAt(page, i));
      if (e.key != key) return std::optional<Entry>();
      return std::optional<Entry>(e);
    }
    if (count == 0) return std::optional<Entry>();
    if (depth + 1 >= kMaxDepth) {
      return absl::DataLossError(absl::StrCat(PageName(page), ": tree deeper than ", kMaxDepth, " levels"));
    }
    auto key_at = [&](uint32_t j) -> absl::StatusOr<std::string_view> {
      KETCD_ASSIGN_OR_RETURN(auto br, BranchAt(page, j));
      return br.first;
    };
    KETCD_ASSIGN_OR_RETURN(uint32_t i, LowerBound(count, key, key_at));
    if (i == count) {
      i = count - 1;
    } else {
      KETCD_ASSIGN_OR_RETURN(std::string_view k, key_at(i));
      if (k != key && i > 0) i--;
    }
    KETCD_ASSIGN_OR_RETURN(auto br, BranchAt(page, i));
    KETCD_ASSIGN_OR_RETURN(page, GetPage(br.second));
  }
}

absl::StatusOr<std::optional<Bucket>> Db::FindBucket(const Bucket& b, std::string_view name) const {
  KETCD_ASSIGN_OR_RETURN(std::optional<Entry> e, Find(b, name));
  if (!e.has_value()) return std::optional<Bucket>();
  if (!e->is_bucket) {
    return absl::DataLossError(absl::StrCat("\"", std::string(name), "\" is a key, not a bucket"));
  }
  KETCD_ASSIGN_OR_RETURN(Bucket child, BucketFromEntry(*e));
  return std::optional<Bucket>(child);
}

absl::StatusOr<std::optional<Entry>> Db::Last(const Bucket& b) const {
  KETCD_ASSIGN_OR_RETURN(PageRef p, BucketRootPage(b));
  for (int depth = 0;; depth++) {
    if (depth > kMaxDepth) return absl::DataLossError("bucket tree too deep");
    KETCD_RETURN_IF_ERROR(CheckElementArray(p));
    if (p.header.count == 0) return std::optional<Entry>();
    KETCD_RETURN_IF_ERROR(CheckTreePageType(p));
    if (p.header.flags == kLeafPageFlag) {
      KETCD_ASSIGN_OR_RETURN(Entry e, LeafAt(p, p.header.count - 1));
      return std::optional<Entry>(e);
    }
    KETCD_ASSIGN_OR_RETURN(auto kc, BranchAt(p, p.header.count - 1));
    KETCD_ASSIGN_OR_RETURN(p, GetPage(kc.second));
  }
}

}  // namespace ketcd::bbolt
