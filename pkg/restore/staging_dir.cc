#include "pkg/restore/staging_dir.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#include <cerrno>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pkg/fsutil/atomic_file.h"
#include "pkg/fsutil/file.h"

namespace ketcd::restore {
namespace {

constexpr char kMarker[] = ".kubectl-etcd-restore";

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

}  // namespace

absl::StatusOr<std::unique_ptr<StagingDir>> StagingDir::Create(const std::string& target_in, unsigned mode) {
  std::string target = StripTrailingSlashes(target_in);
  bool into_existing = fsutil::PathExists(target);
  if (into_existing && !fsutil::IsDirectory(target)) {
    return absl::FailedPreconditionError(absl::StrCat("\"", target, "\" exists and is not a directory"));
  }
  std::string parent = fsutil::Dirname(target);
  std::string temp = into_existing ? fsutil::JoinPath(target, ".kubectl-etcd-tmp")
                                   : fsutil::JoinPath(parent, "." + fsutil::Basename(target) + ".kubectl-etcd-tmp");
  if (fsutil::PathExists(temp)) {
    if (!fsutil::PathExists(fsutil::JoinPath(temp, kMarker))) {
      return absl::FailedPreconditionError(
          absl::StrCat("temporary directory \"", temp, "\" exists and was not made by kubectl-etcd; remove it"));
    }
    KETCD_RETURN_IF_ERROR(fsutil::RemoveAll(temp));  // left by an interrupted restore
  }
  if (!into_existing) KETCD_RETURN_IF_ERROR(fsutil::MkdirAll(parent, 0700));
  if (::mkdir(temp.c_str(), mode) != 0) return fsutil::ErrnoError("create directory", temp, errno);
  auto dir = std::unique_ptr<StagingDir>(new StagingDir(target, temp, into_existing));
  KETCD_RETURN_IF_ERROR(fsutil::WriteFileAtomically(fsutil::JoinPath(temp, kMarker), "", {}));
  return dir;
}

StagingDir::~StagingDir() {
  if (!committed_) (void)fsutil::RemoveAll(temp_);
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
  return fsutil::FsyncDir(target_);
}

}  // namespace ketcd::restore
