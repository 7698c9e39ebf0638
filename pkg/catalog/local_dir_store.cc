#include "pkg/catalog/local_dir_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <sys/stat.h>

#include <cerrno>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "pkg/fsutil/atomic_file.h"
#include "pkg/fsutil/file.h"

namespace ketcd::catalog {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

}  // namespace

absl::StatusOr<std::vector<StoreEntry>> LocalDirStore::List() {
  std::vector<StoreEntry> out;
  KETCD_RETURN_IF_ERROR(ListInto("", out));
  return out;
}

absl::Status LocalDirStore::ListInto(const std::string& rel, std::vector<StoreEntry>& out) const {
  const std::string dir = rel.empty() ? dir_ : fsutil::JoinPath(dir_, rel);
  std::unique_ptr<DIR, DirCloser> d(::opendir(dir.c_str()));
  if (d == nullptr) return fsutil::ErrnoError("list directory", dir, errno);
  std::vector<std::string> subdirs;
  errno = 0;
  while (const dirent* e = ::readdir(d.get())) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (::fstatat(::dirfd(d.get()), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // removed while listing
      return fsutil::ErrnoError("stat", fsutil::JoinPath(dir, name), errno);
    }
    std::string rel_name = rel.empty() ? name : fsutil::JoinPath(rel, name);
    if (S_ISREG(st.st_mode)) {
      out.push_back({rel_name, static_cast<uint64_t>(st.st_size), static_cast<int64_t>(st.st_mtim.tv_sec)});
    } else if (S_ISDIR(st.st_mode) && recursive_) {
      subdirs.push_back(rel_name);
    }
    errno = 0;
  }
  if (errno != 0) return fsutil::ErrnoError("list directory", dir, errno);
  for (const auto& sub : subdirs) KETCD_RETURN_IF_ERROR(ListInto(sub, out));
  return absl::OkStatus();
}

absl::StatusOr<std::string> LocalDirStore::PathOf(const std::string& name) const {
  // Names come from List(); anything that could leave the directory is refused.
  for (absl::string_view part : absl::StrSplit(name, '/')) {
    if (part.empty() || part == "." || part == "..") {
      return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" is not a file name inside ", dir_));
    }
  }
  return fsutil::JoinPath(dir_, name);
}

absl::StatusOr<std::string> LocalDirStore::ReadSmall(const std::string& name, size_t max_bytes) {
  KETCD_ASSIGN_OR_RETURN(std::string path, PathOf(name));
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return fsutil::ErrnoError("open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat("\"", path, "\" is not a regular file"));
  }
  std::string out(max_bytes, '\0');
  size_t got = 0;
  while (got < max_bytes) {
    ssize_t n = ::read(fd, out.data() + got, max_bytes - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return fsutil::ErrnoError("read", path, err);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

absl::Status LocalDirStore::Remove(const std::string& name) {
  KETCD_ASSIGN_OR_RETURN(std::string path, PathOf(name));
  KETCD_RETURN_IF_ERROR(fsutil::RemoveUnlessLocked(path));
  dirty_dirs_.insert(fsutil::Dirname(path));
  return absl::OkStatus();
}

absl::Status LocalDirStore::Sync() {
  for (const auto& dir : dirty_dirs_) KETCD_RETURN_IF_ERROR(fsutil::FsyncDir(dir));
  dirty_dirs_.clear();
  return absl::OkStatus();
}

}  // namespace ketcd::catalog
