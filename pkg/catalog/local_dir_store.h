#pragma once
// A directory of backups as a Store. Lists regular files only (by lstat: a symbolic link is
// neither listed nor followed), the directory's own unless `recursive`; removes through
// fsutil::RemoveUnlessLocked (a file a backup is still writing stays) and fsyncs each
// directory it removed from on Sync().

#include <set>
#include <string>

#include "pkg/catalog/store.h"

namespace ketcd::catalog {

class LocalDirStore : public Store {
 public:
  explicit LocalDirStore(std::string dir, bool recursive = false) : dir_(std::move(dir)), recursive_(recursive) {}

  std::string Describe() const override { return dir_; }
  absl::StatusOr<std::vector<StoreEntry>> List() override;
  absl::StatusOr<std::string> ReadSmall(const std::string& name, size_t max_bytes) override;
  absl::Status Remove(const std::string& name) override;
  absl::Status Sync() override;

 private:
  absl::Status ListInto(const std::string& rel, std::vector<StoreEntry>& out) const;
  absl::StatusOr<std::string> PathOf(const std::string& name) const;

  std::string dir_;
  bool recursive_;
  std::set<std::string> dirty_dirs_;  // removed from since the last Sync
};

}  // namespace ketcd::catalog
