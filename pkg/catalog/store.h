#pragma once
// Where backups are kept, as the catalog sees it: a flat list of named objects that can be
// listed, read (small ones: metadata, the first bytes of a snapshot) and removed. A local
// directory (LocalDirStore, local_dir_store.h) implements it; an object store (S3) can too,
// with the names relative to its prefix.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/s3/client.h"

namespace ketcd::catalog {

struct StoreEntry {
  std::string name;      // relative to the store ("a.db", or "sub/a.db" when listing recursively)
  uint64_t size = 0;     // bytes
  int64_t modified = 0;  // modification time, unix seconds
};

class Store {
 public:
  virtual ~Store() = default;
  // For messages: the directory, or the URL of the bucket and prefix.
  virtual std::string Describe() const = 0;
  // Every object, in no particular order. Only regular files for a directory (links,
  // sockets and the like are not listed).
  virtual absl::StatusOr<std::vector<StoreEntry>> List() = 0;
  // The first `max_bytes` bytes of `name` (all of it when it is shorter).
  virtual absl::StatusOr<std::string> ReadSmall(const std::string& name, size_t max_bytes) = 0;
  // Removes `name`. Missing is fine; AlreadyExists when a writer is still at work on it.
  virtual absl::Status Remove(const std::string& name) = 0;
  // Makes the removals so far durable (the directory's fsync); a no-op where each removal
  // is durable when it returns.
  virtual absl::Status Sync() = 0;
};

// How to open a DEST: the S3 client and its options serve `s3://` URLs.
struct OpenOptions {
  bool recursive = false;                             // subdirectories, or keys below the prefix
  std::shared_ptr<const s3::Client> s3 = {};          // null: s3:// URLs are refused
  s3::SseCustomerKey sse_c = {};                      // SSE-C key for reading objects
  std::function<void(const std::string&)> warn = {};  // what a listing could not see
};

// The store a DEST argument names: a local directory (NotFound when missing,
// InvalidArgument when not a directory), or `s3://BUCKET/PREFIX/` (S3Store, s3_store.h; a
// PREFIX without its trailing '/' gets one: the "folder", as `aws s3 ls` shows it). Nothing
// is asked of S3 before the first List().
absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& dest, const OpenOptions& options);
inline absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& dest, bool recursive) {
  return OpenStore(dest, OpenOptions{.recursive = recursive});
}

}  // namespace ketcd::catalog
