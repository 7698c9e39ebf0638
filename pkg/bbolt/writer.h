#pragma once
// BulkWriter: writes a fresh, compact bbolt file from buckets and keys given in sorted
// order (the layout is described under "Writer" in pkg/bbolt/README.md). The result is
// what etcd writes, laid out compactly:
// - no freelist (meta.freelist = 0xFFFF...FF, as etcd's NoFreelistSync files), pages
//   allocated with a bump pointer from page 2, file length = high-water mark * page size;
// - nodes filled to `fill_percent` (0.9, like etcd's sequential puts and defrag);
// - a bucket whose entries fit in page_size/4 bytes is stored inline (bbolt's rule);
// - meta page 0 carries `txid`, meta page 1 `txid - 1`; both checksummed.
//
// Streaming, bounded memory: leaf pages are written as entries arrive; only one pending
// node, the first key of every node per level, and the top-level bucket headers are kept.
//
//   KETCD_ASSIGN_OR_RETURN(auto w, bbolt::BulkWriter::Create("/x/member/snap/db"));
//   KETCD_RETURN_IF_ERROR(w->BeginBucket("alarm"));
//   KETCD_RETURN_IF_ERROR(w->EndBucket());
//   KETCD_RETURN_IF_ERROR(w->BeginBucket("key"));
//   for (...) KETCD_RETURN_IF_ERROR(w->Put(k, v));   // strictly increasing keys
//   KETCD_RETURN_IF_ERROR(w->EndBucket());
//   KETCD_RETURN_IF_ERROR(w->Finish());              // metas, length, fsync
//
// Only top-level buckets holding plain keys (etcd's schema); no nested buckets.
// Out-of-order or duplicate bucket names/keys, empty keys, keys > 32768 bytes and calls in
// the wrong state return InvalidArgument/FailedPrecondition; after any error the writer
// is unusable and the file must be discarded. Nothing is fsynced before Finish().

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "pkg/base/status.h"
#include "pkg/bbolt/page.h"

namespace ketcd::bbolt {

struct WriterOptions {
  uint32_t page_size = 4096;   // power of two in [512, 1 MiB]
  double fill_percent = 0.9;   // clamped to [0.1, 1.0]
  Txid txid = 2;               // >= 1; meta 0 gets txid, meta 1 gets txid - 1
};

inline constexpr size_t kMaxKeySize = 32768;
inline constexpr size_t kMaxValueSize = (1u << 31) - 2;

class BulkWriter {
 public:
  // Creates `path` exclusively (O_CREAT|O_EXCL, mode 0600) and owns the descriptor.
  static absl::StatusOr<std::unique_ptr<BulkWriter>> Create(const std::string& path, const WriterOptions& opts = {});
  // Writes through `fd` (opened for writing by the caller, who keeps ownership) with
  // positioned writes from offset 0; Finish() truncates it to the final length.
  static absl::StatusOr<std::unique_ptr<BulkWriter>> CreateOnFd(int fd, const WriterOptions& opts = {});
  ~BulkWriter();
  BulkWriter(const BulkWriter&) = delete;
  BulkWriter& operator=(const BulkWriter&) = delete;

  absl::Status BeginBucket(std::string_view name, uint64_t sequence = 0);
  absl::Status Put(std::string_view key, std::string_view value);
  absl::Status EndBucket();
  // Writes the root bucket and both metas, sets the file length, fsyncs (and closes an
  // owned descriptor). Returns the file size in bytes.
  absl::StatusOr<uint64_t> Finish();

  uint64_t pages_allocated() const { return next_pgid_; }

 private:
  struct Node;
  class Level;
  BulkWriter(int fd, bool owned, const std::string& name, const WriterOptions& opts);

  absl::StatusOr<Pgid> WriteNode(const Node& node);
  absl::StatusOr<Pgid> BuildUpperLevels(std::vector<std::pair<std::string, Pgid>> children);
  absl::Status PutTree(std::string_view key, std::string_view value, uint32_t flags);
  absl::Status FlushLeaf();
  absl::Status Fail(absl::Status s);

  int fd_;
  bool owned_;
  std::string name_;  // for messages
  WriterOptions opts_;
  uint32_t threshold_;
  Pgid next_pgid_ = 2;
  absl::Status failed_;
  bool finished_ = false;

  // Top-level buckets written so far: (name, bucket value).
  std::vector<std::pair<std::string, std::string>> root_entries_;

  // The bucket being written.
  bool in_bucket_ = false;
  std::string bucket_name_;
  uint64_t bucket_seq_ = 0;
  std::string last_key_;
  bool has_last_key_ = false;
  bool inline_candidate_ = true;
  uint64_t inline_size_ = kPageHeaderSize;
  std::unique_ptr<Node> pending_;                            // current leaf node
  std::vector<std::pair<std::string, Pgid>> leaf_children_;  // (first key, pgid) of written leaves
};

}  // namespace ketcd::bbolt
