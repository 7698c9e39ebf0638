#pragma once
// One restore at a time per node: an exclusive flock on "<backup base>/.lock", held for
// the whole run (released when the process exits, even when killed).

#include <memory>
#include <string>

#include "pkg/base/status.h"

namespace ketcd::noderestore {

class Lock {
 public:
  // FailedPrecondition when another process holds the lock (never waits).
  static absl::StatusOr<std::unique_ptr<Lock>> Acquire(const std::string& dir);
  ~Lock();
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;
  const std::string& path() const { return path_; }

 private:
  Lock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_;
};

}  // namespace ketcd::noderestore
