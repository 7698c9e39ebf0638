#pragma once
// Glue between pkg/bbolt and the bucket stream of backend_edit.h: a source that
// walks a snapshot's buckets in order, and a sink that bulk-writes a new file.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "pkg/base/progress.h"
#include "pkg/base/status.h"
#include "pkg/bbolt/db.h"
#include "pkg/bbolt/writer.h"
#include "pkg/restore/backend_edit.h"

namespace ketcd::restore {

// Streams every top-level bucket of `db` into `sink`, then calls sink->Finish().
// `progress` gets (bytes of keys and values streamed so far, total db size) now and then.
// etcd's schema has no nested buckets and no top-level plain keys: either is
// Unimplemented. Polls ketcd::Interrupted() and returns Cancelled.
absl::Status StreamDb(const bbolt::Db& db, BucketSink* sink, const ProgressFn& progress);

// Writes the stream into a bbolt::BulkWriter; Finish() finishes the file (fsync).
class BulkWriterSink : public BucketSink {
 public:
  explicit BulkWriterSink(bbolt::BulkWriter* w) : w_(w) {}
  absl::Status BeginBucket(std::string_view name, uint64_t sequence) override {
    return w_->BeginBucket(name, sequence);
  }
  absl::Status Put(std::string_view key, std::string_view value) override { return w_->Put(key, value); }
  absl::Status EndBucket() override { return w_->EndBucket(); }
  absl::Status Finish() override {
    auto size = w_->Finish();
    if (!size.ok()) return size.status();
    file_size_ = *size;
    return absl::OkStatus();
  }
  uint64_t file_size() const { return file_size_; }

 private:
  bbolt::BulkWriter* w_;
  uint64_t file_size_ = 0;
};

}  // namespace ketcd::restore
