#include "pkg/noderestore/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "pkg/fsutil/file.h"

namespace ketcd::noderestore {

unsigned FileMode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0600;
  return st.st_mode & 07777;
}

absl::Status WriteFileDurably(const std::string& path, const std::string& contents, unsigned mode) {
  std::string dir = fsutil::Dirname(path);
  std::string temp = fsutil::JoinPath(dir, absl::StrCat(".", fsutil::Basename(path), ".kubectl-etcd-tmp"));
  ::unlink(temp.c_str());  // a temporary left by a killed run
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return fsutil::ErrnoError("create", temp, errno);
  absl::Status s = fsutil::WriteAll(fd, contents.data(), contents.size(), temp);
  if (s.ok() && ::fchmod(fd, mode) != 0) s = fsutil::ErrnoError("chmod", temp, errno);
  if (s.ok() && ::fsync(fd) != 0) s = fsutil::ErrnoError("fsync", temp, errno);
  if (::close(fd) != 0 && s.ok()) s = fsutil::ErrnoError("close", temp, errno);
  if (s.ok() && std::rename(temp.c_str(), path.c_str()) != 0) s = fsutil::ErrnoError("rename", temp, errno);
  if (!s.ok()) {
    ::unlink(temp.c_str());
    return s;
  }
  return fsutil::FsyncDir(dir);
}

absl::Status CopyFileDurably(const std::string& from, const std::string& to) {
  KETCD_ASSIGN_OR_RETURN(std::string data, fsutil::ReadFile(from));
  if (fsutil::PathExists(to)) return absl::AlreadyExistsError(absl::StrCat(to, " already exists"));
  return WriteFileDurably(to, data, FileMode(from));
}

absl::Status RemoveFileDurably(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return fsutil::ErrnoError("remove", path, errno);
  return fsutil::FsyncDir(fsutil::Dirname(path));
}

}  // namespace ketcd::noderestore
