#include "pkg/snapshot/objects.h"

#include <algorithm>
#include <array>
#include <cstring>
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
  // Revisions come in revision order: sorted by user key, then revision (their position),
  // the last of each run of one key is its latest revision. What is sorted is small and
  // contiguous: the position and the key's first bytes after the prefix (zero-padded, so
  // their order is the keys' order unless equal), not the entries and their keys in the file.
  struct SortKey {
    std::array<char, 24> head{};
    uint32_t pos = 0;
  };
  std::vector<SortKey> order(all.size());
  const size_t skip = prefix.size();
  for (size_t i = 0; i < all.size(); i++) {
    std::string_view rest = all[i].key.substr(skip);
    std::memcpy(order[i].head.data(), rest.data(), std::min(rest.size(), order[i].head.size()));
    order[i].pos = static_cast<uint32_t>(i);
  }
  std::sort(order.begin(), order.end(), [&](const SortKey& a, const SortKey& b) {
    int c = std::memcmp(a.head.data(), b.head.data(), a.head.size());
    if (c == 0) c = all[a.pos].key.compare(all[b.pos].key);
    return c != 0 ? c < 0 : a.pos < b.pos;
  });
  std::vector<Latest> latest;
  for (size_t i = 0; i < order.size(); i++) {
    if (i + 1 < order.size() && all[order[i + 1].pos].key == all[order[i].pos].key) continue;
    latest.push_back(all[order[i].pos]);
  }
  all = std::move(latest);
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
