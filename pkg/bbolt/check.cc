#include "pkg/bbolt/check.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace ketcd::bbolt {
namespace {

constexpr int kMaxCheckDepth = 2 * kMaxDepth;  // tree levels plus bucket nesting

std::string KeyHex(std::string_view k) {
  constexpr size_t kMax = 48;
  std::string hex = absl::BytesToHexString(absl::string_view(k.data(), std::min(k.size(), kMax)));
  return k.size() > kMax ? hex + "..." : hex;
}

enum Mark : uint8_t { kReachable = 1, kFree = 2 };

class Checker {
 public:
  Checker(const Db& db, const CheckOptions& opts, CheckReport& report)
      : db_(db), opts_(opts), r_(report), marks_(db.meta().pgid, 0) {}

  void Run() {
    const Meta& m = db_.meta();
    r_.high_water_mark = m.pgid;
    r_.freelist_persisted = m.freelist != kPgidNoFreelist;
    if (r_.freelist_persisted) LoadFreelist(m.freelist);
    marks_[0] |= kReachable;
    marks_[1] |= kReachable;
    CheckBucket(db_.root(), 0);
    for (Pgid id = 0; id < m.pgid; id++) {
      if (marks_[id] & kReachable) {
        r_.reachable_pages++;
      } else if (marks_[id] & kFree) {
        r_.free_pages++;
      } else if (r_.freelist_persisted) {
        Problem(absl::StrCat("page ", id, ": unreachable unfreed"));
      } else {
        r_.free_pages++;  // bbolt rebuilds the freelist from unreachable pages
      }
    }
  }

 private:
  void Problem(std::string msg) {
    r_.problem_count++;
    if (r_.problems.size() < opts_.max_problems) r_.problems.push_back(std::move(msg));
  }

  void LoadFreelist(Pgid id) {
    auto page = db_.GetPage(id);
    if (!page.ok()) {
      Problem(absl::StrCat("freelist: ", page.status().message()));
      return;
    }
    for (uint64_t i = 0; i <= page->header.overflow; i++) marks_[id + i] |= kReachable;
    if (page->header.flags != kFreelistPageFlag) {
      Problem(absl::StrCat("page ", id, ": invalid type ", PageTypeName(page->header.flags), " for the freelist"));
      return;
    }
    uint64_t n = page->header.count;
    uint64_t off = kPageHeaderSize;
    if (n == 0xFFFF) {
      if (off + 8 > page->bytes.size()) {
        Problem(absl::StrCat("page ", id, ": freelist count past the end of the page"));
        return;
      }
      n = LoadLE64(page->bytes.data() + off);
      off += 8;
    }
    if (n > (page->bytes.size() - off) / 8) {
      Problem(absl::StrCat("page ", id, ": freelist of ", n, " ids does not fit in ", page->bytes.size(), " bytes"));
      n = (page->bytes.size() - off) / 8;
    }
    for (uint64_t i = 0; i < n; i++) {
      Pgid f = LoadLE64(page->bytes.data() + off + 8 * i);
      if (f >= marks_.size()) {
        Problem(absl::StrCat("page ", id, ": freelist lists page ", f, " beyond the high-water mark"));
      } else if (marks_[f] & kFree) {
        Problem(absl::StrCat("page ", f, ": already freed"));
      } else {
        marks_[f] |= kFree;
      }
    }
  }

  void CheckBucket(const Bucket& b, int depth) {
    if (b.is_inline()) {
      PageRef p{0, DecodePageHeader(b.inline_page.data()), b.inline_page, true};
      if (p.header.flags != kLeafPageFlag) {
        Problem(absl::StrCat("inline bucket page: invalid type ", PageTypeName(p.header.flags)));
        return;
      }
      CheckTreePage(p, {}, {}, false, depth);
      return;
    }
    CheckPage(b.root, {}, {}, false, depth);
  }

  // Marks and checks page `id` and its subtree. Keys must lie in [min_closed, max_open)
  // (bounds unset when has_max is false / min_closed empty at the leftmost edge).
  // Returns the largest key in the subtree.
  std::string_view CheckPage(Pgid id, std::string_view min_closed, std::string_view max_open, bool has_max,
                             int depth) {
    if (id >= marks_.size()) {
      Problem(absl::StrCat("page ", id, ": out of bounds (high-water mark ", marks_.size(), ")"));
      return {};
    }
    if (marks_[id] & kReachable) {
      Problem(absl::StrCat("page ", id, ": multiple references"));
      return {};
    }
    auto page = db_.GetPage(id);
    if (!page.ok()) {
      marks_[id] |= kReachable;
      Problem(std::string(page.status().message()));
      return {};
    }
    for (uint64_t i = 0; i <= page->header.overflow; i++) {
      if ((marks_[id + i] & kReachable) && i > 0) Problem(absl::StrCat("page ", id + i, ": multiple references"));
      marks_[id + i] |= kReachable;
    }
    if (marks_[id] & kFree) Problem(absl::StrCat("page ", id, ": reachable freed"));
    if (page->header.flags == kBranchPageFlag) {
      r_.branch_pages++;
    } else if (page->header.flags == kLeafPageFlag) {
      r_.leaf_pages++;
    } else {
      Problem(absl::StrCat("page ", id, ": invalid type ", PageTypeName(page->header.flags), " (flags 0x",
                           absl::Hex(page->header.flags), ")"));
      return {};
    }
    r_.overflow_pages += page->header.overflow;
    std::string_view max = CheckTreePage(*page, min_closed, max_open, has_max, depth);
    if (opts_.visitor == nullptr) db_.NoteBytesRead(page->bytes.size());
    return max;
  }

  void VerifyKeyOrder(const PageRef& p, uint32_t i, std::string_view key, std::string_view prev, bool has_prev,
                      std::string_view max_open, bool has_max) {
    if (has_prev && prev > key) {
      Problem(absl::StrCat(PageName(p), ": key[", i, "]=(hex)", KeyHex(key), " is below the previous key (hex)",
                           KeyHex(prev)));
    } else if (has_prev && i > 0 && prev == key) {
      Problem(absl::StrCat(PageName(p), ": key[", i, "]=(hex)", KeyHex(key), " repeats the previous key"));
    }
    if (has_max && key >= max_open) {
      Problem(absl::StrCat(PageName(p), ": key[", i, "]=(hex)", KeyHex(key),
                           " is not below the next key in the parent (hex)", KeyHex(max_open)));
    }
  }

  std::string_view CheckTreePage(const PageRef& p, std::string_view min_closed, std::string_view max_open,
                                 bool has_max, int depth) {
    if (depth >= kMaxCheckDepth) {
      Problem(absl::StrCat(PageName(p), ": tree deeper than ", kMaxCheckDepth, " levels"));
      return {};
    }
    if (absl::Status s = db_.CheckElementArray(p); !s.ok()) {
      Problem(std::string(s.message()));
      return {};
    }
    std::string_view prev = min_closed;  // empty: no lower bound (keys are never empty)
    std::string_view max_in_subtree;
    const uint32_t count = p.header.count;
    if (p.header.flags == kBranchPageFlag) {
      for (uint32_t i = 0; i < count; i++) {
        auto el = db_.BranchAt(p, i);
        if (!el.ok()) {
          Problem(std::string(el.status().message()));
          return max_in_subtree;
        }
        VerifyKeyOrder(p, i, el->first, prev, !prev.empty(), max_open, has_max);
        std::string_view child_max = max_open;
        bool child_has_max = has_max;
        if (i + 1 < count) {
          auto next = db_.BranchAt(p, i + 1);
          if (next.ok()) {
            child_max = next->first;
            child_has_max = true;
          }
        }
        max_in_subtree = CheckPage(el->second, el->first, child_max, child_has_max, depth + 1);
        prev = max_in_subtree;
      }
      return max_in_subtree;
    }
    std::vector<Entry> nested;
    for (uint32_t i = 0; i < count; i++) {
      auto e = db_.LeafAt(p, i);
      if (!e.ok()) {
        Problem(std::string(e.status().message()));
        return max_in_subtree;
      }
      VerifyKeyOrder(p, i, e->key, prev, !prev.empty(), max_open, has_max);
      prev = e->key;
      max_in_subtree = e->key;
      if (opts_.visitor != nullptr) opts_.visitor->LeafEntry(*e, nesting_);
      if (e->is_bucket) {
        nested.push_back(*e);
      } else {
        r_.keys++;
      }
    }
    for (const Entry& e : nested) {
      auto b = db_.BucketFromEntry(e);
      if (!b.ok()) {
        Problem(absl::StrCat(PageName(p), ": ", b.status().message()));
        continue;
      }
      r_.buckets++;
      if (b->is_inline()) r_.inline_buckets++;
      nesting_++;
      if (opts_.visitor != nullptr) opts_.visitor->BeginBucket(e, nesting_);
      CheckBucket(*b, depth + 1);
      nesting_--;
    }
    return max_in_subtree;
  }

  const Db& db_;
  const CheckOptions& opts_;
  CheckReport& r_;
  std::vector<uint8_t> marks_;
  int nesting_ = 0;  // of the bucket being walked; 0 for the root
};

}  // namespace

CheckReport Check(const Db& db, const CheckOptions& options) {
  CheckReport report;
  Checker(db, options, report).Run();
  return report;
}

}  // namespace ketcd::bbolt
