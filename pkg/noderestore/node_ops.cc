#include "pkg/noderestore/node_ops.h"

#include "absl/strings/str_cat.h"
#include "pkg/fsutil/file.h"

namespace ketcd::noderestore {

absl::Status WriteDurably(NodeOps& ops, const std::string& path, const std::string& contents, unsigned mode) {
  std::string dir = fsutil::Dirname(path);
  std::string temp = fsutil::JoinPath(dir, absl::StrCat(".", fsutil::Basename(path), ".kubectl-etcd-tmp"));
  if (ops.Exists(temp)) KETCD_RETURN_IF_ERROR(ops.Remove(temp));  // left by a killed run
  absl::Status s = ops.CreateFile(temp, contents, mode);
  if (s.ok()) s = ops.SyncFile(temp);
  if (s.ok()) s = ops.Rename(temp, path);
  if (!s.ok()) {
    if (ops.Exists(temp)) ops.Remove(temp).IgnoreError();  // the error that matters is `s`
    return s;
  }
  return ops.SyncDir(dir);
}

absl::Status RemoveDurably(NodeOps& ops, const std::string& path) {
  absl::Status s = ops.Remove(path);
  if (!s.ok() && !absl::IsNotFound(s)) return s;
  return ops.SyncDir(fsutil::Dirname(path));
}

}  // namespace ketcd::noderestore
