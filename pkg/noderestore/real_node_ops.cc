// NodeOps on the real node: POSIX file calls, systemctl, the restore, etcd's gRPC and the
// API server over HTTPS.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "pkg/base/interrupt.h"
#include "pkg/fsutil/file.h"
#include "pkg/noderestore/kubeadm_config.h"
#include "pkg/noderestore/node_ops.h"
#include "pkg/restore/restore.h"

namespace ketcd::noderestore {
namespace {

class RealNodeOps : public NodeOps {
 public:
  explicit RealNodeOps(RealNodeOptions o) : o_(std::move(o)) {}

  absl::StatusOr<std::string> ReadFile(const std::string& path) override { return fsutil::ReadFile(path); }
  bool Exists(const std::string& path) override { return fsutil::PathExists(path); }
  unsigned Mode(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0600;
  }
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return fsutil::ErrnoError("list", dir, errno);
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') names.push_back(e->d_name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }
  absl::Status MakeDir(const std::string& path, unsigned mode) override {
    if (::mkdir(path.c_str(), mode) != 0) return fsutil::ErrnoError("create directory", path, errno);
    return absl::OkStatus();
  }
  absl::Status MakeDirs(const std::string& path, unsigned mode) override { return fsutil::MkdirAll(path, mode); }
  absl::Status CreateFile(const std::string& path, const std::string& contents, unsigned mode) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) return fsutil::ErrnoError("create", path, errno);
    absl::Status s = fsutil::WriteAll(fd, contents.data(), contents.size(), path);
    if (s.ok() && ::fchmod(fd, mode) != 0) s = fsutil::ErrnoError("chmod", path, errno);
    if (::close(fd) != 0 && s.ok()) s = fsutil::ErrnoError("close", path, errno);
    return s;
  }
  absl::Status SyncFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return fsutil::ErrnoError("open", path, errno);
    absl::Status s;
    if (::fsync(fd) != 0) s = fsutil::ErrnoError("fsync", path, errno);
    ::close(fd);
    return s;
  }
  absl::Status Rename(const std::string& from, const std::string& to) override {
    if (std::rename(from.c_str(), to.c_str()) != 0) return fsutil::ErrnoError("rename", from, errno);
    return absl::OkStatus();
  }
  absl::Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return fsutil::ErrnoError("remove", path, errno);
    return absl::OkStatus();
  }
  absl::Status SyncDir(const std::string& dir) override { return fsutil::FsyncDir(dir); }

  absl::Status Systemctl(const std::vector<std::string>& args) override {
    std::vector<std::string> argv = {"systemctl"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProgram(argv);
  }
  absl::StatusOr<std::string> RestoreData(const restore::RestoreOptions& options) override {
    KETCD_ASSIGN_OR_RETURN(restore::RestoreResult r, restore::Restore(options));
    if (!fsutil::PathExists(r.db_path)) return absl::InternalError(absl::StrCat(r.db_path, " missing"));
    return r.sha256;
  }
  absl::Status CopyOwner(const std::string& like, const std::string& dir) override {
    return CopyOwnerAndLabel(like, dir);
  }
  absl::Status WaitApiServer(int port, bool up, std::chrono::seconds timeout) override {
    return noderestore::WaitApiServer(port, up, timeout, !ignore_interrupts_);
  }
  absl::StatusOr<EtcdState> WaitEtcd(const EtcdWant& want, std::chrono::seconds timeout) override {
    return noderestore::WaitEtcd(o_.connection, want, timeout, !ignore_interrupts_);
  }
  absl::Status WaitPeer(const std::string& peer_url, uint64_t cluster_id, std::chrono::seconds timeout) override {
    return noderestore::WaitPeer(peer_url, o_.connection.tls, cluster_id, timeout, !ignore_interrupts_);
  }
  absl::Status SetKubeadmDataDir(const std::vector<std::string>& from, const std::string& to) override {
    KETCD_ASSIGN_OR_RETURN(kubeclient::Client api, NodeApiClient(o_.host_root, o_.kubeconfig));
    return noderestore::SetKubeadmDataDir(api, from, to);
  }
  bool Interrupted() override { return !ignore_interrupts_ && ketcd::Interrupted(); }
  void IgnoreInterrupts(bool ignore) override { ignore_interrupts_ = ignore; }

 private:
  RealNodeOptions o_;
  bool ignore_interrupts_ = false;
};

}  // namespace

std::unique_ptr<NodeOps> NewRealNodeOps(const RealNodeOptions& options) {
  return std::make_unique<RealNodeOps>(options);
}

}  // namespace ketcd::noderestore
