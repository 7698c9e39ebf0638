#pragma once
// The Kubernetes objects of a snapshot: the latest revision of each key under a prefix of
// the `key` bucket, skipping keys whose latest revision is a deletion (tombstone).
//
// Memory: one pass over the `key` bucket keeps, per matching revision, its decoded pair
// (views into the mapped file, nothing copied); sorted by user key, the
// latest revision of each key is kept and its value decoded and handed to the caller in
// turn, so values are never all held at once (pages walked are dropped from memory).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "pkg/bbolt/db.h"
#include "pkg/snapshot/proto_lite.h"

namespace ketcd::snapshot {

struct LatestStats {
  uint64_t revisions_scanned = 0;  // entries of `key` under the prefix
  uint64_t live_keys = 0;
  uint64_t deleted_keys = 0;  // latest revision is a tombstone
};

// One user key at its latest revision; views into the database (valid while it lives).
struct Latest {
  std::string_view key;      // user key
  std::string_view rev_key;  // a tombstone when the key is deleted
  KeyValue kv;               // the stored pair, decoded once
};

// The first pass: the user keys under a prefix at their latest revision, in key order.
class LatestIndex {
 public:
  static absl::StatusOr<LatestIndex> Build(const bbolt::Db& db, std::string_view prefix, LatestStats* stats = nullptr);
  const std::vector<Latest>& latest() const { return latest_; }
  static bool IsTombstone(std::string_view rev_key);
  // The key-value pair of an entry of latest(); its views point into the database.
  static absl::StatusOr<KeyValue> Read(const Latest& l) { return l.kv; }

 private:
  LatestIndex() = default;
  std::vector<Latest> latest_;
};

// Calls fn(kv) for the latest live revision of each user key starting with `prefix`, in key
// order; stops at fn's first error. DataLoss for a database without a `key` bucket, a
// revision key or value that does not parse, or a file that changed during the walk.
absl::Status ForEachLatest(const bbolt::Db& db, std::string_view prefix,
                           absl::FunctionRef<absl::Status(const KeyValue&)> fn, LatestStats* stats = nullptr);

}  // namespace ketcd::snapshot
