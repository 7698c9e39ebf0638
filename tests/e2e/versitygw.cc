#include "tests/e2e/versitygw.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

namespace ketcd::e2e {
namespace {

bool Answers(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// fork + exec with stdout and stderr appended to `log`, `env` added.
int Spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, const std::string& out,
          const std::string& err) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  IsolateChildEnvironment();
  for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
  int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  ::dup2(o, 1);
  ::dup2(e, 2);
  int in = ::open("/dev/null", O_RDONLY);
  ::dup2(in, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  ::_exit(127);
}

}  // namespace

std::unique_ptr<VersityGw> VersityGw::Start() {
  const char* bin = std::getenv("KETCD_VERSITYGW");
  if (bin == nullptr || ::access(bin, X_OK) != 0) {
    ADD_FAILURE() << "KETCD_VERSITYGW is not an executable (tests/tools/build-versitygw.sh; make e2e sets it)";
    return nullptr;
  }
  std::unique_ptr<VersityGw> gw(new VersityGw());
  gw->port_ = FreePort();
  gw->log_ = gw->dir_.Sub("versitygw.log");
  ::mkdir(gw->dir_.Sub("root").c_str(), 0700);
  if (!gw->Launch()) {
    ADD_FAILURE() << "versitygw did not answer on port " << gw->port_ << ":\n" << gw->Log();
    return nullptr;
  }
  return gw;
}

bool VersityGw::Launch() {
  const std::string bin = std::getenv("KETCD_VERSITYGW");
  pid_ = Spawn({bin, "--port", "127.0.0.1:" + std::to_string(port_), "--access", kAccessKey, "--secret", kSecretKey,
                "--region", "us-east-1", "posix", dir_.Sub("root")},
               {}, log_, log_);
  for (int i = 0; i < 200; i++) {
    if (Answers(port_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

VersityGw::~VersityGw() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
}

void VersityGw::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

bool VersityGw::Restart() {
  Kill();
  return Launch();
}

std::string VersityGw::Log() const { return FileContents(log_); }

std::map<std::string, std::string> VersityGw::Env() const {
  return {{"AWS_ACCESS_KEY_ID", kAccessKey},
          {"AWS_SECRET_ACCESS_KEY", kSecretKey},
          {"AWS_ENDPOINT_URL_S3", endpoint()},
          {"AWS_REGION", "us-east-1"}};
}

s3::Client VersityGw::Client() const {
  s3::Config c;
  c.endpoint = endpoint();
  c.region = "us-east-1";
  c.credentials = {kAccessKey, kSecretKey, "", "test"};
  s3::Client::Options o;
  o.attempts = 1;
  return s3::Client(c, o);
}

Background::Background(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  pid_ = Spawn(argv, env, dir_.Sub("out"), dir_.Sub("err"));
}

Background::~Background() {
  if (pid_ > 0 && status_ < 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void Background::Signal(int sig) { ::kill(pid_, sig); }

int Background::Wait(int timeout_seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int st = 0;
  while (::waitpid(pid_, &st, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > end) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &st, 0);
      status_ = 0;
      return -9;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  status_ = 0;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

std::string Background::Err() const { return FileContents(dir_.Sub("err")); }
std::string Background::Out() const { return FileContents(dir_.Sub("out")); }

}  // namespace ketcd::e2e
