#pragma once
// Read-only access to a bbolt database file (an etcd snapshot or a copy of member/snap/db).
//
//   KETCD_ASSIGN_OR_RETURN(auto db, bbolt::Db::Open(path));
//   // Top-level buckets in name order, then each bucket's keys in key order:
//   KETCD_RETURN_IF_ERROR(db->ForEach(db->root(), [&](const bbolt::Entry& b) -> absl::Status {
//     if (!b.is_bucket) return absl::DataLossError("not a bucket");
//     KETCD_ASSIGN_OR_RETURN(bbolt::Bucket bucket, db->BucketFromEntry(b));
//     return db->ForEach(bucket, [&](const bbolt::Entry& kv) { ...; return absl::OkStatus(); });
//   }));
//
// Contract:
// - The input is never written or locked; it is mapped read-only (MAP_PRIVATE).
// - Every offset, count, length and page id read from the file is bounds-checked. Corrupt
//   input yields absl::DataLossError naming the page; never a crash, hang or OOB read.
//   Iteration refuses to visit a page twice (cycles, shared subtrees) and trees deeper than
//   kMaxDepth.
// - Entry views point into the mapping: valid while the Db lives. Pages already walked are
//   periodically dropped from the resident set, so memory stays bounded on big files.
// - Keys come out in on-disk order; ForEach does not verify the order (Check() does).
// - Thread-compatible: const methods may run concurrently from several threads.
// - A file truncated or failing I/O while mapped reads as zeros instead of killing the
//   process with SIGBUS (mapped_file.h): whoever walks it calls CheckIntact() after the walk
//   and discards its results when that fails.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "pkg/base/status.h"
#include "pkg/bbolt/mapped_file.h"
#include "pkg/bbolt/meta.h"
#include "pkg/bbolt/page.h"

namespace ketcd::bbolt {

inline constexpr int kMaxDepth = 64;  // B+tree levels and bucket nesting

// A bucket: a tree rooted at page `root`, or (root == 0) an inline leaf page image.
struct Bucket {
  Pgid root = 0;
  uint64_t sequence = 0;
  absl::Span<const uint8_t> inline_page;
  bool is_inline() const { return root == 0; }
};

// One leaf entry. For a nested bucket, is_bucket is set and value is the raw bucket value
// (decode it with Db::BucketFromEntry).
struct Entry {
  std::string_view key;
  std::string_view value;
  bool is_bucket = false;
};

// A logical page (header + 1 + overflow pages of bytes). For an inline bucket page, id is 0
// and is_inline is set.
struct PageRef {
  Pgid id = 0;
  PageHeader header;
  absl::Span<const uint8_t> bytes;
  bool is_inline = false;
};

class Db {
 public:
  using Visitor = absl::FunctionRef<absl::Status(const Entry&)>;

  // Opens and maps a file. Picks the valid meta page with the highest txid (bbolt's rule).
  // InvalidArgument for a FIFO, directory or device (nothing is opened blocking).
  static absl::StatusOr<std::unique_ptr<Db>> Open(const std::string& path);
  // Same over bytes the caller keeps alive (tests, fuzzing).
  static absl::StatusOr<std::unique_ptr<Db>> OpenBuffer(absl::Span<const uint8_t> data);

  const Meta& meta() const { return meta_; }
  int meta_index() const { return meta_index_; }  // 0 or 1: the meta page in use
  // Problems with the other meta page (empty when both are valid).
  const std::vector<std::string>& meta_warnings() const { return meta_warnings_; }
  uint32_t page_size() const { return meta_.page_size; }
  uint64_t file_size() const { return data_.size(); }
  uint64_t db_size() const { return meta_.pgid * meta_.page_size; }  // etcd's TotalSize
  absl::Span<const uint8_t> data() const { return data_; }
  const std::string& path() const { return path_; }
  // The mapped file (null for OpenBuffer): its fd reads the very file that was checked.
  const MappedFile* file() const { return file_.get(); }
  // DataLoss when the mapped file shrank or failed I/O since Open (see mapped_file.h);
  // always OK for OpenBuffer. Results of a walk are valid only if this is OK after it.
  absl::Status CheckIntact() const { return file_ ? file_->CheckIntact() : absl::OkStatus(); }

  Bucket root() const { return Bucket{meta_.root, meta_.root_sequence, {}}; }

  // Loads page `id` with its overflow pages. DataLoss if the id or its overflow reaches the
  // high-water mark or the end of the file, or the header's id differs from `id`.
  absl::StatusOr<PageRef> GetPage(Pgid id) const;

  // Leaf/branch element `i` of a page, with key (and value) bounds-checked against the page.
  absl::StatusOr<Entry> LeafAt(const PageRef& page, uint32_t i) const;
  absl::StatusOr<std::pair<std::string_view, Pgid>> BranchAt(const PageRef& page, uint32_t i) const;
  // DataLoss unless the page's element array fits inside it.
  absl::Status CheckElementArray(const PageRef& page) const;

  // Decodes a bucket value (16-byte header, optional inline page).
  absl::StatusOr<Bucket> BucketFromEntry(const Entry& e) const;
  // The root page of a bucket (its inline page when inline).
  absl::StatusOr<PageRef> BucketRootPage(const Bucket& b) const;

  // Calls fn for every entry of `b` in order; stops at the first non-OK status and returns it.
  absl::Status ForEach(const Bucket& b, Visitor fn) const;
  // Point lookups by key (binary search down the tree).
  absl::StatusOr<std::optional<Entry>> Find(const Bucket& b, std::string_view key) const;
  absl::StatusOr<std::optional<Bucket>> FindBucket(const Bucket& b, std::string_view name) const;
  // The last entry of a bucket (down the rightmost path), if it has any.
  absl::StatusOr<std::optional<Entry>> Last(const Bucket& b) const;

  // Drops mapped pages from the resident set (no-op for OpenBuffer).
  void ReleaseMemory() const;
  // Counts bytes walked and calls ReleaseMemory() every kReleaseEvery bytes.
  void NoteBytesRead(uint64_t n) const;
  static constexpr uint64_t kReleaseEvery = 32ull << 20;

 private:
  Db() = default;
  absl::Status Init();

  std::unique_ptr<MappedFile> file_;
  std::string path_;
  absl::Span<const uint8_t> data_;
  Meta meta_;
  int meta_index_ = 0;
  std::vector<std::string> meta_warnings_;
  mutable std::atomic<uint64_t> unreleased_{0};
};

// "page 12" or "inline bucket page" for messages.
std::string PageName(const PageRef& p);

}  // namespace ketcd::bbolt
