#include "pkg/fsutil/atomic_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <sys/stat.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "pkg/fsutil/file.h"

namespace ketcd::fsutil {

absl::StatusOr<std::unique_ptr<AtomicFile>> AtomicFile::Create(const std::string& path, const Options& opts) {
  if (!opts.overwrite && PathExists(path)) {
    return absl::AlreadyExistsError(
        absl::StrCat("\"", path, "\" already exists; choose another name or pass --force to replace it"));
  }
  std::string temp = path + opts.temp_suffix;
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, opts.mode);
  if (fd < 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(absl::StrCat(
          "\"", temp, "\" exists: another run may be writing it; if none is, remove it and retry"));
    }
    return ErrnoError("create", temp, errno);
  }
  ::fchmod(fd, opts.mode);  // O_CREAT's mode is filtered by the umask
  return std::unique_ptr<AtomicFile>(new AtomicFile(path, temp, fd, opts.overwrite));
}

AtomicFile::~AtomicFile() {
  if (!committed_) Discard();
}

void AtomicFile::Discard() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  ::unlink(temp_path_.c_str());
}

absl::Status AtomicFile::Append(const void* data, size_t n) {
  KETCD_RETURN_IF_ERROR(WriteAll(fd_, data, n, temp_path_));
  size_ += n;
  return absl::OkStatus();
}

absl::Status AtomicFile::Commit() {
  if (::fsync(fd_) != 0) return ErrnoError("fsync", temp_path_, errno);
  int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) return ErrnoError("close", temp_path_, errno);
  unsigned flags = overwrite_ ? 0 : RENAME_NOREPLACE;
  if (::renameat2(AT_FDCWD, temp_path_.c_str(), AT_FDCWD, path_.c_str(), flags) != 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(absl::StrCat("\"", path_, "\" appeared while writing; not replaced"));
    }
    return ErrnoError(absl::StrCat("rename to \"", path_, "\" from"), temp_path_, errno);
  }
  committed_ = true;
  return FsyncDir(Dirname(path_));
}

absl::Status WriteFileAtomically(const std::string& path, std::string_view contents,
                                 const AtomicFile::Options& opts) {
  KETCD_ASSIGN_OR_RETURN(auto file, AtomicFile::Create(path, opts));
  KETCD_RETURN_IF_ERROR(file->Append(contents));
  return file->Commit();
}

}  // namespace ketcd::fsutil
