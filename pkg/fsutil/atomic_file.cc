#include "pkg/fsutil/atomic_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "pkg/fsutil/file.h"

namespace ketcd::fsutil {

absl::Status RemoveUnlessLocked(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? absl::OkStatus() : ErrnoError("open", path, errno);
  absl::Status s;
  struct stat held, now;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    s = errno == EWOULDBLOCK
            ? absl::AlreadyExistsError(absl::StrCat("\"", path, "\" is being written by another run right now"))
            : ErrnoError("lock", path, errno);
  } else if (::fstat(fd, &held) == 0 && ::lstat(path.c_str(), &now) == 0 && held.st_ino == now.st_ino &&
             held.st_dev == now.st_dev && ::unlink(path.c_str()) != 0 && errno != ENOENT) {
    s = ErrnoError("remove", path, errno);
  }
  ::close(fd);
  return s;
}

absl::StatusOr<std::unique_ptr<AtomicFile>> AtomicFile::Create(const std::string& path, const Options& opts) {
  if (!opts.overwrite && PathExists(path)) {
    return absl::AlreadyExistsError(
        absl::StrCat("\"", path, "\" already exists; choose another name or pass --force to replace it"));
  }
  std::string temp = path + opts.temp_suffix;
  int fd = -1;
  for (int attempt = 0; fd < 0; attempt++) {
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, opts.mode);
    if (fd >= 0) break;
    if (errno != EEXIST) return ErrnoError("create", temp, errno);
    if (attempt > 0) {
      return absl::AlreadyExistsError(absl::StrCat("\"", temp, "\" was created again by another run"));
    }
    KETCD_RETURN_IF_ERROR(RemoveUnlessLocked(temp));
  }
  // Not blocking: only a run judging the file stale can hold it, and that run then finds
  // the file locked by us or, if it got there first, removes it: we fail below.
  struct stat mine, named;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || ::fstat(fd, &mine) != 0 || ::lstat(temp.c_str(), &named) != 0 ||
      mine.st_ino != named.st_ino || mine.st_dev != named.st_dev) {
    ::close(fd);
    return absl::AlreadyExistsError(absl::StrCat("\"", temp, "\" was taken over by another run"));
  }
  ::fchmod(fd, opts.mode);  // O_CREAT's mode is filtered by the umask
  return std::unique_ptr<AtomicFile>(new AtomicFile(path, temp, fd, opts.overwrite));
}

AtomicFile::~AtomicFile() {
  if (!committed_) Discard();
}

void AtomicFile::Discard() {
  if (fd_ < 0) return;
  ::unlink(temp_path_.c_str());  // while still locked: the name is ours until then
  ::close(fd_);
  fd_ = -1;
}

absl::Status AtomicFile::Append(const void* data, size_t n) {
  KETCD_RETURN_IF_ERROR(WriteAll(fd_, data, n, temp_path_));
  size_ += n;
  return absl::OkStatus();
}

absl::Status AtomicFile::Commit() {
  if (::fsync(fd_) != 0) return ErrnoError("fsync", temp_path_, errno);
  // Renamed while locked: once unlocked, the temporary name could be judged stale.
  unsigned flags = overwrite_ ? 0 : RENAME_NOREPLACE;
  if (::renameat2(AT_FDCWD, temp_path_.c_str(), AT_FDCWD, path_.c_str(), flags) != 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(absl::StrCat("\"", path_, "\" appeared while writing; not replaced"));
    }
    return ErrnoError(absl::StrCat("rename to \"", path_, "\" from"), temp_path_, errno);
  }
  committed_ = true;
  int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) return ErrnoError("close", path_, errno);
  return FsyncDir(Dirname(path_));
}

absl::Status WriteFileAtomically(const std::string& path, std::string_view contents,
                                 const AtomicFile::Options& opts) {
  KETCD_ASSIGN_OR_RETURN(auto file, AtomicFile::Create(path, opts));
  KETCD_RETURN_IF_ERROR(file->Append(contents));
  return file->Commit();
}

}  // namespace ketcd::fsutil
