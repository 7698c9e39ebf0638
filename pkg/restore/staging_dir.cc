#include "pkg/restore/staging_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pkg/fsutil/file.h"

namespace ketcd::restore {
namespace {

constexpr char kMarker[] = ".kubectl-etcd-restore";
constexpr char kFresh[] = ".new";  // the marker's name until it is locked

absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return fsutil::ErrnoError("open directory", dir, errno);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  return names;
}

std::string StripTrailingSlashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

absl::Status RefuseSymlink(const std::string& target) {
  char buf[4096];
  ssize_t n = ::readlink(target.c_str(), buf, sizeof buf - 1);
  std::string to = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("?");
  return absl::FailedPreconditionError(absl::StrCat(
      "\"", target, "\" is a symbolic link (to \"", to,
      "\"); refusing to restore through it: pass the directory it points to, or remove the link"));
}

// A temp dir found at `temp`: removed when the run that made it is gone (its marker is not
// locked), refused when that run is still going or when we did not make it.
absl::Status ClearLeftover(const std::string& temp, const std::string& target) {
  struct stat st;
  std::string marker = fsutil::JoinPath(temp, kMarker);
  if (::lstat(marker.c_str(), &st) != 0) marker += kFresh;  // killed before naming it
  if (::lstat(temp.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || ::lstat(marker.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("temporary directory \"", temp, "\" exists and was not made by kubectl-etcd; remove it"));
  }
  int fd = ::open(marker.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fsutil::ErrnoError("open", marker, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err != EWOULDBLOCK) return fsutil::ErrnoError("lock", marker, err);
    return absl::FailedPreconditionError(absl::StrCat("another kubectl-etcd restore is building \"", target,
                                                      "\" right now (in \"", temp, "\"); let it finish first"));
  }
  absl::Status s = fsutil::RemoveAll(temp);  // left by a killed run; removed under its lock
  ::close(fd);
  return s;
}

// Creates the marker in `temp`, locked before it gets its name, and returns its fd.
absl::StatusOr<int> CreateLockedMarker(const std::string& temp) {
  const std::string marker = fsutil::JoinPath(temp, kMarker);
  const std::string fresh = marker + kFresh;
  int fd = ::open(fresh.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fsutil::ErrnoError("create", fresh, errno);
  auto fail = [fd](absl::Status s) {
    ::close(fd);
    return s;
  };
  if (::flock(fd, LOCK_EX) != 0) return fail(fsutil::ErrnoError("lock", fresh, errno));
  const std::string pid = absl::StrCat(::getpid(), "\n");
  if (absl::Status s = fsutil::WriteAll(fd, pid.data(), pid.size(), fresh); !s.ok()) return fail(s);
  if (::rename(fresh.c_str(), marker.c_str()) != 0) return fail(fsutil::ErrnoError("rename to", marker, errno));
  return fd;
}

}  // namespace

absl::StatusOr<std::unique_ptr<StagingDir>> StagingDir::Create(const std::string& target_in, unsigned mode) {
  std::string target = StripTrailingSlashes(target_in);
  struct stat st;
  const bool into_existing = ::lstat(target.c_str(), &st) == 0;
  if (into_existing && S_ISLNK(st.st_mode)) return RefuseSymlink(target);
  if (into_existing && !S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat("\"", target, "\" exists and is not a directory"));
  }
  std::string parent = fsutil::Dirname(target);
  std::string temp = into_existing ? fsutil::JoinPath(target, ".kubectl-etcd-tmp")
                                   : fsutil::JoinPath(parent, "." + fsutil::Basename(target) + ".kubectl-etcd-tmp");
  if (fsutil::PathExists(temp)) KETCD_RETURN_IF_ERROR(ClearLeftover(temp, target));
  if (!into_existing) KETCD_RETURN_IF_ERROR(fsutil::MkdirAll(parent, 0700));
  if (::mkdir(temp.c_str(), mode) != 0) {
    if (errno == EEXIST) {
      return absl::FailedPreconditionError(
          absl::StrCat("another kubectl-etcd restore started building \"", target, "\" (in \"", temp, "\")"));
    }
    return fsutil::ErrnoError("create directory", temp, errno);
  }
  auto dir = std::unique_ptr<StagingDir>(new StagingDir(target, temp, into_existing, mode));
  if (::chmod(temp.c_str(), mode) != 0) return fsutil::ErrnoError("chmod", temp, errno);  // past the umask
  KETCD_ASSIGN_OR_RETURN(dir->lock_fd_, CreateLockedMarker(temp));
  return dir;
}

StagingDir::~StagingDir() {
  if (!committed_) (void)fsutil::RemoveAll(temp_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // after the removal: the dir is ours until gone
}

absl::Status StagingDir::Commit() {
  if (committed_) return absl::InternalError("staging dir committed twice");
  std::string marker = fsutil::JoinPath(temp_, kMarker);
  if (::unlink(marker.c_str()) != 0) return fsutil::ErrnoError("remove", marker, errno);
  KETCD_RETURN_IF_ERROR(fsutil::FsyncDir(temp_));
  if (!into_existing_) {
    // rename(2) onto a path that appeared meanwhile fails unless it is an empty dir;
    // recheck to refuse replacing anything.
    if (fsutil::PathExists(target_)) {
      return absl::FailedPreconditionError(absl::StrCat("\"", target_, "\" appeared during the restore"));
    }
    if (::rename(temp_.c_str(), target_.c_str()) != 0) return fsutil::ErrnoError("rename to", target_, errno);
    committed_ = true;
    return fsutil::FsyncDir(fsutil::Dirname(target_));
  }
  KETCD_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(temp_));
  for (const std::string& n : names) {
    std::string to = fsutil::JoinPath(target_, n);
    if (fsutil::PathExists(to)) {
      return absl::FailedPreconditionError(absl::StrCat("\"", to, "\" appeared during the restore"));
    }
    if (::rename(fsutil::JoinPath(temp_, n).c_str(), to.c_str()) != 0) {
      return fsutil::ErrnoError("rename to", to, errno);
    }
  }
  committed_ = true;
  KETCD_RETURN_IF_ERROR(fsutil::RemoveAll(temp_));
  // The existing directory becomes the data dir: etcd wants it private, as a new one is.
  if (::chmod(target_.c_str(), mode_) != 0) return fsutil::ErrnoError("chmod", target_, errno);
  return fsutil::FsyncDir(target_);
}

}  // namespace ketcd::restore
