#pragma once
// Where backups are kept, as the catalog sees it: a flat list of named objects that can be
// listed, read (small ones: metadata, the first bytes of a snapshot) and removed. A local
// directory (LocalDirStore, local_dir_store.h) implements it; an object store (S3) can too,
// with the names relative to its prefix.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pkg/base/status.h"

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

// The store a DEST argument names: a local directory (listed recursively only when asked).
// `s3://BUCKET/PREFIX/` is recognised and refused (InvalidArgument) until it has a store.
absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& dest, bool recursive);

}  // namespace ketcd::catalog
