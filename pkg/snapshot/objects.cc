#include "pkg/snapshot/objects.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "pkg/base/interrupt.h"
#include "pkg/base/status.h"

namespace ketcd::snapshot {
namespace {

constexpr size_t kRevKeySize = 17;  // main u64 BE, '_', sub u64 BE; tombstones add 't'

}  // namespace

bool LatestIndex::IsTombstone(std::string_view rev_key) {
  return rev_key.size() == kRevKeySize + 1 && rev_key.back() == 't';
}

absl::StatusOr<LatestIndex> LatestIndex::Build(const bbolt::Db& db, std::string_view prefix, LatestStats* stats) {
  KETCD_ASSIGN_OR_RETURN(std::optional<bbolt::Bucket> bucket, db.FindBucket(db.root(), "key"));
  if (!bucket) return absl::DataLossError("no \"key\" bucket: not an etcd database");
  LatestIndex index;
  std::vector<Latest>& all = index.latest_;
  KETCD_RETURN_IF_ERROR(db.ForEach(*bucket, [&](const bbolt::Entry& e) -> absl::Status {
    if (e.is_bucket) return absl::DataLossError("nested bucket inside \"key\"");
    if (e.key.size() != kRevKeySize && e.key.size() != kRevKeySize + 1) {
      return absl::DataLossError(absl::StrCat("malformed revision key of ", e.key.size(), " bytes in \"key\""));
    }
    KETCD_ASSIGN_OR_RETURN(KeyValue kv, DecodeKeyValue(e.value));
    db.NoteBytesRead(e.key.size() + e.value.size());
    if (!kv.key.starts_with(prefix)) return absl::OkStatus();
    if (stats != nullptr) stats->revisions_scanned++;
    all.push_back({kv.key, e.key, kv});
    return absl::OkStatus();
  }));
  KETCD_RETURN_IF_ERROR(db.CheckIntact());
  // Revisions come in revision order: after a stable sort by user key, the last of each
  // run of one key is its latest revision.
  std::stable_sort(all.begin(), all.end(), [](const Latest& a, const Latest& b) { return a.key < b.key; });
  size_t kept = 0;
  for (size_t i = 0; i < all.size(); i++) {
    if (i + 1 < all.size() && all[i + 1].key == all[i].key) continue;
    all[kept++] = all[i];
  }
  all.resize(kept);
  all.shrink_to_fit();
  return index;
}

absl::Status ForEachLatest(const bbolt::Db& db, std::string_view prefix,
                           absl::FunctionRef<absl::Status(const KeyValue&)> fn, LatestStats* stats) {
  LatestStats local;
  KETCD_ASSIGN_OR_RETURN(LatestIndex index, LatestIndex::Build(db, prefix, &local));
  for (const Latest& l : index.latest()) {
    if (Interrupted()) return absl::CancelledError("interrupted");
    if (LatestIndex::IsTombstone(l.rev_key)) {
      local.deleted_keys++;
      continue;
    }
    KETCD_ASSIGN_OR_RETURN(KeyValue kv, LatestIndex::Read(l));
    local.live_keys++;
    KETCD_RETURN_IF_ERROR(fn(kv));
  }
  KETCD_RETURN_IF_ERROR(db.CheckIntact());
  if (stats != nullptr) *stats = local;
  return absl::OkStatus();
}

}  // namespace ketcd::snapshot
