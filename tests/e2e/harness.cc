#include "tests/e2e/harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <set>
#include <thread>

namespace ketcd::e2e {
namespace {

using Clock = std::chrono::steady_clock;

bool Executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

std::string SourceDir() {
#ifdef KETCD_SOURCE_DIR
  return KETCD_SOURCE_DIR;
#else
  return ".";
#endif
}


// GET http://127.0.0.1:port/path; returns the body of a 200 answer, or "" otherwise.
std::string HttpGetLocal(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string resp;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) resp.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  if (resp.rfind("HTTP/1.", 0) != 0 || resp.find(" 200 ") == std::string::npos) return "";
  size_t body = resp.find("\r\n\r\n");
  return body == std::string::npos ? "" : resp.substr(body + 4);
}

}  // namespace

int PickPort();

std::string FileContents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string EtcdVersion::etcdutl() const {
  if (name == "3.4") return etcdctl();
  return bin_dir + "/etcdutl";
}

std::vector<EtcdVersion> AllVersions() {
  std::vector<EtcdVersion> out;
  const char* env = std::getenv("KETCD_ETCD_VERSIONS");
  if (env == nullptr || *env == '\0') {
    ADD_FAILURE() << "KETCD_ETCD_VERSIONS is not set: run the end-to-end tests through `make test`";
    return out;
  }
  std::stringstream ss(env);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t eq = item.find('=');
    if (eq == std::string::npos) continue;
    EtcdVersion v{item.substr(0, eq), item.substr(eq + 1)};
    for (const std::string& bin : {v.etcd(), v.etcdctl(), v.etcdutl()}) {
      if (!Executable(bin)) ADD_FAILURE() << "etcd " << v.name << ": " << bin << " is missing";
    }
    out.push_back(v);
  }
  return out;
}

std::vector<std::string> VersionNames() { return {"3.4", "3.5", "3.6", "3.7"}; }

EtcdVersion VersionByName(const std::string& name) {
  for (const auto& v : AllVersions()) {
    if (v.name == name) return v;
  }
  ADD_FAILURE() << "etcd version " << name << " is not configured (KETCD_ETCD_VERSIONS)";
  return EtcdVersion{name, "/nonexistent"};
}

TempDir::TempDir() {
  std::string base = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  std::string tmpl = base + "/ketcd-e2e-XXXXXX";
  char* p = ::mkdtemp(tmpl.data());
  if (p == nullptr) ADD_FAILURE() << "mkdtemp failed: " << std::strerror(errno);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

TestCerts MakeCerts(const std::string& dir) {
  CommandResult r = Run({"/bin/bash", SourceDir() + "/tests/tools/gen-certs.sh", dir, "node1"});
  EXPECT_EQ(r.exit_code, 0) << "gen-certs.sh: " << r.err;
  TestCerts c;
  c.dir = dir;
  c.ca_crt = dir + "/ca.crt";
  c.ca_key = dir + "/ca.key";
  c.server_crt = dir + "/server.crt";
  c.server_key = dir + "/server.key";
  c.peer_crt = dir + "/peer.crt";
  c.peer_key = dir + "/peer.key";
  c.client_crt = dir + "/healthcheck-client.crt";
  c.client_key = dir + "/healthcheck-client.key";
  c.admin_crt = dir + "/admin.crt";
  c.admin_key = dir + "/admin.key";
  c.other_ca_crt = dir + "/other-ca.crt";
  c.other_client_crt = dir + "/other-client.crt";
  c.other_client_key = dir + "/other-client.key";
  return c;
}

namespace {

// Set once at load time: every child of this process, also those a test forks itself,
// starts from an isolated environment. Run() applies it again per child.
const bool kIsolated = [] {
  IsolateChildEnvironment();
  return true;
}();

}  // namespace

const std::string& ScratchHome() {
  static TempDir dir;
  static const std::string path = [] {
    std::filesystem::create_directories(dir.Sub("home"));
    return dir.Sub("home");
  }();
  return path;
}

void IsolateChildEnvironment() {
  ::setenv("HOME", ScratchHome().c_str(), 1);
  ::unsetenv("KUBECONFIG");
}

CommandResult Run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                  int timeout_seconds, const std::string& stdin_text) {
  (void)kIsolated;
  const std::string& home = ScratchHome();  // made before fork: the child only sets it
  CommandResult result;
  int out_pipe[2], err_pipe[2], in_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0 || ::pipe2(in_pipe, O_CLOEXEC) != 0) {
    result.err = "pipe failed";
    return result;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::setpgid(0, 0);
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::setenv("HOME", home.c_str(), 1);
    ::unsetenv("KUBECONFIG");
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ::close(in_pipe[0]);
  if (!stdin_text.empty()) {
    (void)!::write(in_pipe[1], stdin_text.data(), stdin_text.size());
  }
  ::close(in_pipe[1]);
  auto deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  bool killed = false;
  while (open_fds > 0) {
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (left <= 0) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      killed = true;
      break;
    }
    if (::poll(fds, 2, left) <= 0) continue;
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        open_fds--;
      } else {
        (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (killed) {
    result.exit_code = -9;
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = -WTERMSIG(status);
  }
  return result;
}

std::string KubectlEtcd() {
  const char* bin = std::getenv("KETCD_BIN");
  if (bin == nullptr || !Executable(bin)) {
    ADD_FAILURE() << "KETCD_BIN does not name the kubectl-etcd binary";
    return "/nonexistent/kubectl-etcd";
  }
  return bin;
}

std::string KubectlEtcdTestHooks() {
  std::string bin = KubectlEtcd();
  std::string hooks = bin.substr(0, bin.find_last_of('/') + 1) + "kubectl-etcd-test-hooks";
  if (!Executable(hooks)) ADD_FAILURE() << hooks << " is missing (target kubectl-etcd-test-hooks)";
  return hooks;
}

CommandResult RunKubectlEtcd(const std::vector<std::string>& args, int timeout_seconds) {
  std::vector<std::string> argv{KubectlEtcd()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, {}, timeout_seconds);
}

int FreePort() {
  // The kernel may hand the same ephemeral port to two bind(0) calls in a row once the
  // first is closed; never return a port twice in one process.
  static std::set<int> given;
  for (;;) {
    int port = PickPort();
    if (given.insert(port).second) return port;
  }
}

int PickPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

std::unique_ptr<EtcdServer> EtcdServer::Start(const EtcdVersion& version, const ServerOptions& opts) {
  std::unique_ptr<EtcdServer> s(new EtcdServer());
  s->version_ = version;
  s->opts_ = opts;
  s->temp_ = std::make_unique<TempDir>();
  if (opts.certs != nullptr) {
    s->certs_ = opts.certs;
  } else {
    s->own_certs_ = std::make_unique<TestCerts>(MakeCerts(s->temp_->Sub("pki")));
    s->certs_ = s->own_certs_.get();
  }
  ServerOptions& o = s->opts_;
  if (o.client_port == 0) o.client_port = FreePort();
  if (o.peer_port == 0) o.peer_port = FreePort();
  if (o.metrics_port == 0) o.metrics_port = FreePort();
  if (o.data_dir.empty()) o.data_dir = s->temp_->Sub("data");
  if (o.initial_cluster.empty()) o.initial_cluster = o.name + "=" + s->peer_url();
  s->log_path_ = s->temp_->Sub("etcd.log");

  std::vector<std::string> argv = {
      version.etcd(),
      "--name=" + o.name,
      "--data-dir=" + o.data_dir,
      "--listen-client-urls=" + s->client_url(),
      "--advertise-client-urls=" + s->client_url(),
      "--listen-peer-urls=" + s->peer_url(),
      "--initial-advertise-peer-urls=" + s->peer_url(),
      "--listen-metrics-urls=" + s->metrics_url(),
      "--initial-cluster=" + o.initial_cluster,
      "--initial-cluster-token=" + o.initial_cluster_token,
      "--initial-cluster-state=" + o.initial_cluster_state,
  };
  if (version.name == "3.4") argv.push_back("--logger=zap");
  if (o.tls) {
    argv.push_back("--cert-file=" + s->certs_->server_crt);
    argv.push_back("--key-file=" + s->certs_->server_key);
    if (o.client_cert_auth) {
      argv.push_back("--client-cert-auth");
      argv.push_back("--trusted-ca-file=" + s->certs_->ca_crt);
    }
  }
  argv.insert(argv.end(), o.extra_args.begin(), o.extra_args.end());

  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    int log = ::open(s->log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int devnull = ::open("/dev/null", O_RDWR);
    ::dup2(devnull, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  s->pid_ = pid;
  if (o.wait_healthy && !s->WaitHealthy(30)) {
    ADD_FAILURE() << "etcd " << version.name << " did not become healthy; log:\n" << s->Log();
    return nullptr;
  }
  return s;
}

EtcdServer::~EtcdServer() { Stop(); }

std::string EtcdServer::client_url() const {
  return std::string(opts_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(opts_.client_port);
}
std::string EtcdServer::peer_url() const { return "http://127.0.0.1:" + std::to_string(opts_.peer_port); }
std::string EtcdServer::metrics_url() const { return "http://127.0.0.1:" + std::to_string(opts_.metrics_port); }

std::string EtcdServer::Log() const { return FileContents(log_path_); }

bool EtcdServer::Running() {
  if (pid_ <= 0) return false;
  int status;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::vector<std::unique_ptr<EtcdServer>> StartCluster(const EtcdVersion& version, int members, TestCerts* certs) {
  std::vector<ServerOptions> opts(static_cast<size_t>(members));
  std::string cluster;
  for (size_t i = 0; i < opts.size(); i++) {
    opts[i].name = "m" + std::to_string(i);
    opts[i].peer_port = FreePort();
    opts[i].client_port = FreePort();
    opts[i].metrics_port = FreePort();
    opts[i].wait_healthy = false;
    opts[i].certs = certs;
    cluster += (i ? "," : "") + opts[i].name + "=http://127.0.0.1:" + std::to_string(opts[i].peer_port);
  }
  std::vector<std::unique_ptr<EtcdServer>> servers;
  for (ServerOptions& o : opts) {
    o.initial_cluster = cluster;
    servers.push_back(EtcdServer::Start(version, o));
    if (servers.back() == nullptr) {
      ADD_FAILURE() << "member " << o.name << " did not start";
      return {};
    }
  }
  for (auto& s : servers) {
    if (!s->WaitHealthy(30)) {
      ADD_FAILURE() << "member " << s->options().name << " not healthy within 30 s:\n" << s->Log();
      return {};
    }
  }
  return servers;
}

bool EtcdServer::WaitHealthy(int seconds) {
  auto deadline = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < deadline) {
    if (!Running()) return false;
    std::string body = HttpGetLocal(opts_.metrics_port, "/health");
    if (body.find("\"health\":\"true\"") != std::string::npos && HasStorageVersion()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// From 3.6 on, a new cluster writes its storage version into the db shortly after it is
// healthy: until then two snapshots of an idle server can differ, and etcdutl counts keys
// by another rule. Older servers have none to wait for.
bool EtcdServer::HasStorageVersion() {
  if (version_.name < "3.6") return true;
  CommandResult r = TryEtcdctl({"endpoint", "status", "-w", "json"}, 5);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  return j.is_array() && !j.empty() && j[0].contains("Status") && j[0]["Status"].contains("storageVersion") &&
         j[0]["Status"]["storageVersion"].is_string() && !j[0]["Status"]["storageVersion"].get<std::string>().empty();
}

std::vector<std::string> EtcdServer::ConnectionFlags() const {
  std::vector<std::string> f = {"--endpoints=" + client_url()};
  if (opts_.tls) {
    f.push_back("--cacert=" + certs_->ca_crt);
    f.push_back("--cert=" + certs_->client_crt);
    f.push_back("--key=" + certs_->client_key);
  }
  return f;
}

CommandResult EtcdServer::TryEtcdctl(const std::vector<std::string>& args, int timeout_seconds) {
  std::vector<std::string> argv{version_.etcdctl()};
  auto flags = ConnectionFlags();
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, {{"ETCDCTL_API", "3"}}, timeout_seconds);
}

std::string EtcdServer::Etcdctl(const std::vector<std::string>& args, int timeout_seconds) {
  CommandResult r = TryEtcdctl(args, timeout_seconds);
  EXPECT_EQ(r.exit_code, 0) << "etcdctl " << (args.empty() ? "" : args[0]) << " failed: " << r.err;
  return r.out;
}

void EtcdServer::PutMany(const std::string& prefix, int n, int batch, const std::vector<std::string>& extra) {
  for (int start = 0; start < n; start += batch) {
    std::string ops = "\n";  // no compares
    for (int i = start; i < std::min(n, start + batch); i++) {
      ops += "put " + prefix + std::to_string(i) + " v" + std::to_string(i) + "\n";
    }
    ops += "\n\n";
    std::vector<std::string> argv = {version_.etcdctl()};
    for (const auto& f : ConnectionFlags()) argv.push_back(f);
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("txn");
    CommandResult r = Run(argv, {{"ETCDCTL_API", "3"}}, 120, ops);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
}

void EtcdServer::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 200; i++) {
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Kill();
}

void EtcdServer::Signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

void EtcdServer::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace ketcd::e2e
