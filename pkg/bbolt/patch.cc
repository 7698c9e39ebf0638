#include "pkg/bbolt/patch.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "pkg/bbolt/patch_pages.h"

namespace ketcd::bbolt {
namespace {

using patch_internal::Inlineable;
using patch_internal::Item;
using patch_internal::NodeSize;
using patch_internal::PageAllocator;

std::string Quote(std::string_view s) { return absl::StrCat("\"", absl::CHexEscape(std::string(s)), "\""); }

absl::Status ValidateChange(const BucketChange& c) {
  for (size_t i = 0; i < c.entries.size(); i++) {
    if (c.entries[i].first.empty()) return absl::InvalidArgumentError(absl::StrCat("bucket ", Quote(c.name), ": empty key"));
    if (i > 0 && !(c.entries[i - 1].first < c.entries[i].first)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bucket ", Quote(c.name), ": keys not sorted at ", Quote(c.entries[i].first)));
    }
  }
  return absl::OkStatus();
}

std::vector<Item> ChangeItems(const BucketChange& c) {
  std::vector<Item> items;
  items.reserve(c.entries.size());
  for (const auto& [k, v] : c.entries) items.push_back(Item{k, v, 0, 0});
  return items;
}

absl::Status CheckAppendOrder(const BucketChange& c, std::string_view last) {
  if (!c.entries.empty() && !(last < c.entries.front().first)) {
    return absl::InvalidArgumentError(absl::StrCat("bucket ", Quote(c.name), ": appended key ",
                                                   Quote(c.entries.front().first), " does not sort after ",
                                                   Quote(last)));
  }
  return absl::OkStatus();
}

class Planner {
 public:
  explicit Planner(const Db& db) : db_(db), alloc_(db.page_size(), db.meta().pgid) {}

  absl::StatusOr<Patch> Run(const std::vector<BucketChange>& changes);

 private:
  absl::StatusOr<std::string_view> NewBucketValue(const Entry* existing, const BucketChange& c);
  absl::StatusOr<std::string_view> BuildBucket(const std::vector<Item>& items, uint64_t sequence);
  absl::StatusOr<std::vector<Item>> AppendPath(Pgid id, const BucketChange& c, int depth);

  const Db& db_;
  PageAllocator alloc_;
};

absl::StatusOr<std::string_view> Planner::BuildBucket(const std::vector<Item>& items, uint64_t sequence) {
  if (Inlineable(items, db_.page_size())) return alloc_.Keep(patch_internal::BucketValue(0, sequence, &items));
  KETCD_ASSIGN_OR_RETURN(Pgid root, alloc_.WriteTree(items));
  return alloc_.Keep(patch_internal::BucketValue(root, sequence, nullptr));
}

// Appends c.entries below page `id`, the rightmost subtree of a bucket. Returns the
// (first key, pgid) list that replaces `id` in its parent.
absl::StatusOr<std::vector<Item>> Planner::AppendPath(Pgid id, const BucketChange& c, int depth) {
  if (depth > kMaxDepth) return absl::DataLossError(absl::StrCat("bucket ", Quote(c.name), ": tree too deep"));
  KETCD_ASSIGN_OR_RETURN(PageRef p, db_.GetPage(id));
  KETCD_RETURN_IF_ERROR(db_.CheckElementArray(p));
  const uint32_t count = p.header.count;
  if (count == 0) return absl::DataLossError(absl::StrCat(PageName(p), ": empty page inside a tree"));
  std::vector<Item> items;
  items.reserve(count + c.entries.size());
  if (p.header.flags == kLeafPageFlag) {
    for (uint32_t i = 0; i < count; i++) {
      KETCD_ASSIGN_OR_RETURN(Entry e, db_.LeafAt(p, i));
      if (e.is_bucket) {
        return absl::DataLossError(absl::StrCat("bucket ", Quote(c.name), " has a nested bucket"));
      }
      items.push_back(Item{e.key, e.value, 0, 0});
    }
    KETCD_RETURN_IF_ERROR(CheckAppendOrder(c, items.back().key));
    std::vector<Item> added = ChangeItems(c);
    items.insert(items.end(), added.begin(), added.end());
    if (NodeSize(true, items) <= db_.page_size()) {
      KETCD_ASSIGN_OR_RETURN(Pgid nid, alloc_.WriteNode(true, items));
      return std::vector<Item>{Item{items.front().key, {}, 0, nid}};
    }
    // The leaf stays as it is; new leaves follow it.
    std::vector<Item> out = {Item{items.front().key, {}, 0, id}};
    KETCD_ASSIGN_OR_RETURN(std::vector<Item> leaves, alloc_.WriteLevel(true, added));
    out.insert(out.end(), leaves.begin(), leaves.end());
    return out;
  }
  if (p.header.flags != kBranchPageFlag) {
    return absl::DataLossError(absl::StrCat(PageName(p), ": invalid page type ", PageTypeName(p.header.flags)));
  }
  for (uint32_t i = 0; i < count; i++) {
    KETCD_ASSIGN_OR_RETURN(auto kc, db_.BranchAt(p, i));
    items.push_back(Item{kc.first, {}, 0, kc.second});
  }
  KETCD_ASSIGN_OR_RETURN(std::vector<Item> sub, AppendPath(items.back().child, c, depth + 1));
  items.back().child = sub.front().child;  // keeps the parent's key for the first part
  const size_t first_added = items.size();
  items.insert(items.end(), sub.begin() + 1, sub.end());
  if (NodeSize(false, items) <= db_.page_size()) {
    KETCD_ASSIGN_OR_RETURN(Pgid nid, alloc_.WriteNode(false, items));
    return std::vector<Item>{Item{items.front().key, {}, 0, nid}};
  }
  std::vector<Item> head(items.begin(), items.begin() + first_added);
  std::vector<Item> tail(items.begin() + first_added, items.end());
  KETCD_ASSIGN_OR_RETURN(Pgid nid, alloc_.WriteNode(false, head));
  std::vector<Item> out = {Item{head.front().key, {}, 0, nid}};
  KETCD_ASSIGN_OR_RETURN(std::vector<Item> rest, alloc_.WriteLevel(false, tail));
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

absl::StatusOr<std::string_view> Planner::NewBucketValue(const Entry* existing, const BucketChange& c) {
  uint64_t sequence = c.sequence;
  std::vector<Item> items;
  if (existing != nullptr) {
    KETCD_ASSIGN_OR_RETURN(Bucket b, db_.BucketFromEntry(*existing));
    sequence = b.sequence;
    if (c.kind == BucketChange::kAppend) {
      KETCD_ASSIGN_OR_RETURN(PageRef root, db_.BucketRootPage(b));
      if (!b.is_inline() && root.header.flags == kBranchPageFlag) {
        if (c.entries.empty()) return existing->value;
        KETCD_ASSIGN_OR_RETURN(std::vector<Item> top, AppendPath(b.root, c, 0));
        Pgid new_root = top.front().child;
        if (top.size() > 1) {
          KETCD_ASSIGN_OR_RETURN(new_root, alloc_.WriteUpperLevels(std::move(top)));
        }
        return alloc_.Keep(patch_internal::BucketValue(new_root, sequence, nullptr));
      }
      KETCD_RETURN_IF_ERROR(db_.ForEach(b, [&](const Entry& e) -> absl::Status {
        if (e.is_bucket) return absl::DataLossError(absl::StrCat("bucket ", Quote(c.name), " has a nested bucket"));
        items.push_back(Item{e.key, e.value, 0, 0});
        return absl::OkStatus();
      }));
      if (!items.empty()) KETCD_RETURN_IF_ERROR(CheckAppendOrder(c, items.back().key));
    }
  }
  std::vector<Item> added = ChangeItems(c);
  items.insert(items.end(), added.begin(), added.end());
  return BuildBucket(items, sequence);
}

absl::StatusOr<Patch> Planner::Run(const std::vector<BucketChange>& changes) {
  std::map<std::string_view, const BucketChange*> by_name;
  for (const BucketChange& c : changes) {
    KETCD_RETURN_IF_ERROR(ValidateChange(c));
    if (c.name.empty()) return absl::InvalidArgumentError("empty bucket name");
    if (!by_name.emplace(c.name, &c).second) {
      return absl::InvalidArgumentError(absl::StrCat("bucket ", Quote(c.name), " changed twice"));
    }
  }
  std::vector<Item> root;
  KETCD_RETURN_IF_ERROR(db_.ForEach(db_.root(), [&](const Entry& e) -> absl::Status {
    Item it{e.key, e.value, e.is_bucket ? kBucketLeafFlag : 0u, 0};
    auto c = by_name.find(e.key);
    if (c != by_name.end()) {
      if (!e.is_bucket) return absl::DataLossError(absl::StrCat("top-level key ", Quote(e.key), " is not a bucket"));
      KETCD_ASSIGN_OR_RETURN(it.value, NewBucketValue(&e, *c->second));
      by_name.erase(c);
    }
    root.push_back(it);
    return absl::OkStatus();
  }));
  for (const auto& [name, c] : by_name) {  // buckets to create
    KETCD_ASSIGN_OR_RETURN(std::string_view value, NewBucketValue(nullptr, *c));
    root.push_back(Item{name, value, kBucketLeafFlag, 0});
  }
  std::stable_sort(root.begin(), root.end(), [](const Item& a, const Item& b) { return a.key < b.key; });
  for (size_t i = 1; i < root.size(); i++) {
    if (!(root[i - 1].key < root[i].key)) {
      return absl::DataLossError(absl::StrCat("root bucket: keys not sorted at ", Quote(root[i].key)));
    }
  }
  KETCD_ASSIGN_OR_RETURN(Pgid root_pgid, alloc_.WriteTree(root));

  const uint32_t ps = db_.page_size();
  Patch p;
  p.first_new = db_.meta().pgid;
  p.meta = db_.meta();
  p.meta.root = root_pgid;
  p.meta.freelist = kPgidNoFreelist;
  p.meta.pgid = alloc_.next();
  p.meta.txid = db_.meta().txid + 1;
  p.pages = std::move(alloc_.pages());
  p.meta_pages.assign(2 * size_t{ps}, '\0');
  Meta prev = p.meta;
  prev.txid = db_.meta().txid;
  for (const Meta* m : {&p.meta, &prev}) {
    Pgid which = m->txid % 2;
    EncodeMetaPage(*m, which, absl::MakeSpan(reinterpret_cast<uint8_t*>(p.meta_pages.data()) + which * ps, ps));
  }
  return p;
}

absl::Status PwriteAll(int fd, const char* data, size_t n, uint64_t off) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, data, n, static_cast<off_t>(off));
    if (w < 0) {
      if (errno == EINTR) continue;
      return absl::UnknownError(absl::StrCat("write database: ", std::strerror(errno)));
    }
    data += w;
    n -= static_cast<size_t>(w);
    off += static_cast<uint64_t>(w);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Patch> PlanPatch(const Db& db, const std::vector<BucketChange>& changes) {
  return Planner(db).Run(changes);
}

absl::Status WritePatch(int fd, const Patch& p) {
  const uint64_t ps = p.meta.page_size;
  KETCD_RETURN_IF_ERROR(PwriteAll(fd, p.pages.data(), p.pages.size(), p.first_new * ps));
  if (::ftruncate(fd, static_cast<off_t>(p.file_size())) != 0) {
    return absl::UnknownError(absl::StrCat("truncate database: ", std::strerror(errno)));
  }
  return PwriteAll(fd, p.meta_pages.data(), p.meta_pages.size(), 0);
}

absl::StatusOr<uint64_t> CountEntries(const Db& db, const Bucket& b) {
  KETCD_ASSIGN_OR_RETURN(PageRef root, db.BucketRootPage(b));
  if (b.is_inline()) return uint64_t{root.header.count};
  uint64_t n = 0;
  std::vector<std::pair<Pgid, int>> stack = {{b.root, 0}};
  while (!stack.empty()) {
    auto [id, depth] = stack.back();
    stack.pop_back();
    if (depth > kMaxDepth) return absl::DataLossError("bucket tree too deep");
    KETCD_ASSIGN_OR_RETURN(PageRef p, db.GetPage(id));
    db.NoteBytesRead(p.bytes.size());
    if (p.header.flags == kLeafPageFlag) {
      n += p.header.count;
      continue;
    }
    if (p.header.flags != kBranchPageFlag) return absl::DataLossError(absl::StrCat(PageName(p), ": invalid page type"));
    KETCD_RETURN_IF_ERROR(db.CheckElementArray(p));
    for (uint32_t i = 0; i < p.header.count; i++) {
      KETCD_ASSIGN_OR_RETURN(auto kc, db.BranchAt(p, i));
      stack.push_back({kc.second, depth + 1});
    }
  }
  return n;
}

}  // namespace ketcd::bbolt
