#include "pkg/restore/db_stream.h"

#include "absl/strings/str_cat.h"
#include "pkg/base/interrupt.h"

namespace ketcd::restore {

absl::Status StreamDb(const bbolt::Db& db, BucketSink* sink, const ProgressFn& progress) {
  const uint64_t total = db.db_size();
  uint64_t done = 0;
  uint64_t next_report = 0;
  uint64_t count = 0;
  auto tick = [&](uint64_t n) -> absl::Status {
    done += n;
    if (++count % 4096 == 0 && Interrupted()) return absl::CancelledError("interrupted");
    if (progress && done >= next_report) {
      progress(done, total);
      next_report = done + (1 << 20);
    }
    return absl::OkStatus();
  };
  KETCD_RETURN_IF_ERROR(db.ForEach(db.root(), [&](const bbolt::Entry& b) -> absl::Status {
    if (!b.is_bucket) {
      return absl::DataLossError(absl::StrCat("top-level key \"", std::string(b.key),
                                                   "\" is not a bucket: not an etcd database"));
    }
    KETCD_ASSIGN_OR_RETURN(bbolt::Bucket bucket, db.BucketFromEntry(b));
    KETCD_RETURN_IF_ERROR(sink->BeginBucket(b.key, bucket.sequence));
    KETCD_RETURN_IF_ERROR(db.ForEach(bucket, [&](const bbolt::Entry& kv) -> absl::Status {
      if (kv.is_bucket) {
        return absl::DataLossError(absl::StrCat("bucket \"", std::string(b.key), "\" has a nested bucket \"",
                                                     std::string(kv.key), "\": not an etcd database"));
      }
      KETCD_RETURN_IF_ERROR(sink->Put(kv.key, kv.value));
      return tick(kv.key.size() + kv.value.size());
    }));
    return sink->EndBucket();
  }));
  if (progress) progress(total, total);
  return sink->Finish();
}

}  // namespace ketcd::restore
