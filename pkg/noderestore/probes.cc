#include "pkg/noderestore/probes.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pkg/base/format.h"
#include "pkg/base/interrupt.h"
#include "pkg/fsutil/file.h"
#include "pkg/noderestore/http.h"

namespace ketcd::noderestore {
namespace {

using Clock = std::chrono::steady_clock;

absl::Status Pause(bool interruptible) {
  for (int i = 0; i < 4; i++) {
    if (interruptible && Interrupted()) return absl::CancelledError("interrupted");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WaitApiServer(int port, bool up, std::chrono::seconds timeout, bool interruptible) {
  auto deadline = Clock::now() + timeout;
  long code = 0;
  while (true) {
    code = ProbeHttps("127.0.0.1", port, "/livez", 2000);
    if ((code != 0) == up) return absl::OkStatus();
    if (Clock::now() > deadline) break;
    KETCD_RETURN_IF_ERROR(Pause(interruptible));
  }
  return absl::DeadlineExceededError(absl::StrCat("the API server on port ", port,
                                                  up ? " did not answer" : " still answers", " after ",
                                                  timeout.count(), "s"));
}

absl::StatusOr<EtcdState> EtcdStatus(const etcdclient::ConnectionConfig& config, std::chrono::milliseconds dial) {
  etcdclient::ConnectionConfig c = config;
  c.dial_timeout = dial;
  c.request_timeout = std::chrono::milliseconds(std::max<int64_t>(dial.count(), 1000));
  absl::Status last = absl::UnavailableError("no endpoints");
  for (const auto& ep : c.endpoints) {
    auto client = etcdclient::Client::Connect(c, ep);
    if (!client.ok()) {
      last = client.status();
      continue;
    }
    auto st = (*client)->Status();
    if (!st.ok()) {
      last = st.status();
      continue;
    }
    EtcdState s;
    s.endpoint = ep.Url();
    s.cluster_id = st->header().cluster_id();
    s.member_id = st->header().member_id();
    s.leader = st->leader();
    s.revision = st->header().revision();
    s.version = st->version();
    return s;
  }
  return last;
}

std::string DescribeWant(const EtcdWant& w) {
  std::string d = w.cluster_id ? absl::StrCat("cluster ", IdHex(w.cluster_id)) : "a cluster";
  if (w.not_cluster_id) absl::StrAppend(&d, " other than ", IdHex(w.not_cluster_id));
  if (w.member_id) absl::StrAppend(&d, ", member ", IdHex(w.member_id));
  absl::StrAppend(&d, " at revision >= ", w.min_revision);
  if (w.need_leader) absl::StrAppend(&d, " with a leader");
  return d;
}

absl::StatusOr<EtcdState> WaitEtcd(const etcdclient::ConnectionConfig& config, const EtcdWant& want,
                                   std::chrono::seconds timeout, bool interruptible) {
  auto deadline = Clock::now() + timeout;
  std::string last = "no answer yet";
  while (true) {
    auto st = EtcdStatus(config, std::chrono::milliseconds(1000));
    if (st.ok()) {
      bool ok = (want.cluster_id == 0 || st->cluster_id == want.cluster_id) &&
                (want.not_cluster_id == 0 || st->cluster_id != want.not_cluster_id) &&
                (want.member_id == 0 || st->member_id == want.member_id) && st->revision >= want.min_revision &&
                (!want.need_leader || st->leader != 0);
      if (ok) return st;
      last = absl::StrCat(st->endpoint, " answers with cluster ", IdHex(st->cluster_id), ", member ",
                          IdHex(st->member_id), ", revision ", st->revision, st->leader == 0 ? ", no leader" : "");
    } else {
      last = std::string(st.status().message());
    }
    if (Clock::now() > deadline) break;
    KETCD_RETURN_IF_ERROR(Pause(interruptible));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("etcd did not serve ", DescribeWant(want), " within ", timeout.count(), "s (", last, ")"));
}

absl::Status WaitPeer(const std::string& peer_url, const etcdclient::TlsFiles& tls, uint64_t cluster_id,
                      std::chrono::seconds timeout, bool interruptible) {
  auto deadline = Clock::now() + timeout;
  uint64_t seen = 0;
  while (true) {
    seen = PeerClusterId(peer_url, tls.ca_file, tls.cert_file, tls.key_file, 2000);
    if (seen == cluster_id) return absl::OkStatus();
    if (Clock::now() > deadline) break;
    KETCD_RETURN_IF_ERROR(Pause(interruptible));
  }
  return absl::DeadlineExceededError(absl::StrCat("etcd at ", peer_url, " did not report cluster ", IdHex(cluster_id),
                                                  " within ", timeout.count(), "s (",
                                                  seen ? absl::StrCat("reports ", IdHex(seen)) : "no answer", ")"));
}

absl::Status RunProgram(const std::vector<std::string>& argv) {
  int out[2];
  if (::pipe(out) != 0) return fsutil::ErrnoError("pipe", argv[0], errno);
  pid_t pid = ::fork();
  if (pid < 0) return fsutil::ErrnoError("fork", argv[0], errno);
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    ::close(out[0]);
    ::close(out[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    _exit(127);
  }
  ::close(out[1]);
  std::string output;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(out[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) output.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  std::string code = WIFEXITED(status) ? absl::StrCat("exit code ", WEXITSTATUS(status)) : "killed";
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) code = "not found or not executable";
  return absl::FailedPreconditionError(absl::StrCat("`", absl::StrJoin(argv, " "), "` failed (", code, ")",
                                                    output.empty() ? "" : ": ", output));
}

namespace {
// nftw has no context argument: the walk's parameters, set just before it.
uid_t g_uid;
gid_t g_gid;
bool g_chown;
std::string g_label;
int FixOne(const char* path, const struct stat*, int, struct FTW*) {
  if (g_chown && ::lchown(path, g_uid, g_gid) != 0) return -1;
  if (!g_label.empty() && ::lsetxattr(path, "security.selinux", g_label.data(), g_label.size(), 0) != 0) return -1;
  return 0;
}
}  // namespace

absl::Status CopyOwnerAndLabel(const std::string& like, const std::string& dir) {
  struct stat st;
  if (::stat(like.c_str(), &st) != 0) return absl::OkStatus();  // no old dir: keep ours
  struct stat mine;
  if (::stat(dir.c_str(), &mine) != 0) return fsutil::ErrnoError("stat", dir, errno);
  g_uid = st.st_uid;
  g_gid = st.st_gid;
  g_chown = mine.st_uid != st.st_uid || mine.st_gid != st.st_gid;
  g_label.clear();
  char label[512];
  ssize_t n = ::getxattr(like.c_str(), "security.selinux", label, sizeof label);
  if (n > 0) g_label.assign(label, static_cast<size_t>(n));
  if ((g_chown || !g_label.empty()) && ::nftw(dir.c_str(), FixOne, 16, FTW_PHYS) != 0) {
    return fsutil::ErrnoError("give the old data dir's owner and SELinux label to", dir, errno);
  }
  if (::chmod(dir.c_str(), 0700) != 0) return fsutil::ErrnoError("chmod", dir, errno);
  return absl::OkStatus();
}

}  // namespace ketcd::noderestore
