#pragma once
// A directory built under a temporary name and moved into place in one rename, so
// that its final path holds nothing or the complete tree (etcd wal.Create's
// "<dir>.tmp" idiom, applied to the whole data dir).
//
// Target missing: the tree is built in "<parent>/.<base>.kubectl-etcd-tmp" and that
// directory is renamed to the target. Target an existing empty directory (allowed
// by etcdutl 3.5+; often a mount point, which cannot be renamed over): the tree is
// built in "<target>/.kubectl-etcd-tmp" and each of its entries is renamed up into
// the target, and the target gets `mode`.
//
// Ownership: the temp dir holds a marker file that the run building it keeps locked
// (flock) until it commits or removes the dir; the marker only appears once locked. A temp
// dir whose marker is not locked was left by a killed run and is removed by the next one; a
// locked one belongs to a restore still running and is refused (FailedPrecondition), so
// concurrent restores into one target never delete each other's work. A temp dir without
// the marker was not made by us and is refused too.
// A target that is a symbolic link is refused (FailedPrecondition): the tree would land
// wherever it points, with that directory's mode. Links earlier in the path are followed.
// Until Commit() succeeds the destructor removes the temp dir.

#include <memory>
#include <string>

#include "pkg/base/status.h"

namespace ketcd::restore {

class StagingDir {
 public:
  static absl::StatusOr<std::unique_ptr<StagingDir>> Create(const std::string& target, unsigned mode);
  ~StagingDir();
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;

  // Where to build: files here end up directly under the target.
  const std::string& path() const { return temp_; }
  const std::string& target() const { return target_; }

  // fsyncs the temp dir, renames into place, fsyncs the parent(s).
  absl::Status Commit();

 private:
  StagingDir(std::string target, std::string temp, bool into_existing, unsigned mode)
      : target_(std::move(target)), temp_(std::move(temp)), into_existing_(into_existing), mode_(mode) {}

  std::string target_;
  std::string temp_;
  bool into_existing_;
  unsigned mode_;
  int lock_fd_ = -1;  // the marker, locked while this run owns temp_
  bool committed_ = false;
};

}  // namespace ketcd::restore
