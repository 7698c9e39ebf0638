#pragma once
// Integrity check of a bbolt file, equivalent to bbolt's tx.Check() (v1.4.3, which etcd
// 3.6+ runs in `snapshot status`; v1.3.x checks a subset):
// - every page reachable from the root is referenced exactly once (no cycles, no sharing);
// - no reachable page is also in the freelist, and no page id is freed twice;
// - no page at or after the high-water mark; overflow runs stay below it;
// - bucket tree pages are branch or leaf pages, and their element arrays fit in the page;
// - keys strictly increase within a page and across pages; a child's keys lie within the
//   range given by its parent's branch keys;
// - with a persisted freelist: every page is either reachable or free.
// Never fails on bad input: problems are collected into the report (capped), with page ids.

#include <cstdint>
#include <string>
#include <vector>

#include "pkg/bbolt/db.h"

namespace ketcd::bbolt {

// Sees the content as Check walks it, so one pass over the file can both check it and
// compute something over it (the `snapshot status` hash). Calls come in key order within
// each bucket; a bucket's elements before the content of the buckets nested in them.
class CheckVisitor {
 public:
  virtual ~CheckVisitor() = default;
  // A nested bucket's tree is about to be walked; `nesting` is 1 for the top-level buckets.
  virtual void BeginBucket(const Entry& bucket, int nesting) = 0;
  // An element of a leaf of a bucket at `nesting` (0: the root bucket).
  virtual void LeafEntry(const Entry& e, int nesting) = 0;
};

struct CheckOptions {
  size_t max_problems = 1000;  // problems beyond this are counted, not stored
  // Optional. When set, the visitor's owner takes over dropping walked pages from the
  // resident set (Db::NoteBytesRead), since it reads the same pages later.
  CheckVisitor* visitor = nullptr;
};

struct CheckReport {
  std::vector<std::string> problems;
  uint64_t problem_count = 0;

  bool freelist_persisted = false;
  uint64_t high_water_mark = 0;   // pages
  uint64_t reachable_pages = 0;   // including meta and freelist pages
  uint64_t free_pages = 0;        // listed in the freelist, or unreachable when not persisted
  uint64_t branch_pages = 0;      // logical pages
  uint64_t leaf_pages = 0;
  uint64_t overflow_pages = 0;    // extra pages of multi-page nodes
  uint64_t buckets = 0;           // every bucket, nested ones included, root excluded
  uint64_t inline_buckets = 0;
  uint64_t keys = 0;              // leaf entries that are not buckets

  bool ok() const { return problem_count == 0; }
};

CheckReport Check(const Db& db, const CheckOptions& options = {});

}  // namespace ketcd::bbolt
