#pragma once
// The Kubernetes objects of a snapshot: the latest revision of each key under a prefix of
// the `key` bucket, skipping keys whose latest revision is a deletion (tombstone).
//
// Memory: one pass over the `key` bucket keeps, per matching user key, only the key and its
// latest revision key (not values); a second pass reads each live value by revision, in
// user key order, and hands it to the caller, so values are never all held at once.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

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

// The first pass: user key -> its latest revision key (a tombstone when the key is deleted),
// for the user keys under a prefix, in key order. Holds keys only, never values.
class LatestIndex {
 public:
  static absl::StatusOr<LatestIndex> Build(const bbolt::Db& db, std::string_view prefix, LatestStats* stats = nullptr);
  const std::map<std::string, std::string, std::less<>>& latest() const { return latest_; }
  static bool IsTombstone(std::string_view rev_key);
  // The value at a revision key of latest(); its views point into the database.
  absl::StatusOr<KeyValue> Read(std::string_view rev_key) const;

 private:
  LatestIndex(const bbolt::Db& db, bbolt::Bucket bucket) : db_(&db), bucket_(bucket) {}
  const bbolt::Db* db_;
  bbolt::Bucket bucket_;
  std::map<std::string, std::string, std::less<>> latest_;
};

// Calls fn(kv) for the latest live revision of each user key starting with `prefix`, in key
// order; stops at fn's first error. DataLoss for a database without a `key` bucket, a
// revision key or value that does not parse, or a file that changed during the walk.
absl::Status ForEachLatest(const bbolt::Db& db, std::string_view prefix,
                           absl::FunctionRef<absl::Status(const KeyValue&)> fn, LatestStats* stats = nullptr);

}  // namespace ketcd::snapshot
