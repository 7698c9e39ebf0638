#include "pkg/noderestore/lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "pkg/fsutil/file.h"

namespace ketcd::noderestore {

absl::StatusOr<std::unique_ptr<Lock>> Lock::Acquire(const std::string& dir) {
  KETCD_RETURN_IF_ERROR(fsutil::MkdirAll(dir, 0700));
  std::string path = fsutil::JoinPath(dir, ".lock");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return fsutil::ErrnoError("open", path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          absl::StrCat("another kubectl etcd restore is running on this node (lock ", path, " is held)"));
    }
    return fsutil::ErrnoError("lock", path, err);
  }
  std::string pid = absl::StrCat(::getpid(), "\n");
  if (::ftruncate(fd, 0) == 0) {
    (void)!::write(fd, pid.data(), pid.size());
  }
  return std::unique_ptr<Lock>(new Lock(path, fd));
}

Lock::~Lock() {
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

}  // namespace ketcd::noderestore
