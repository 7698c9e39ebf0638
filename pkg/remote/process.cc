// fork/exec children with piped output (see process.h).
#include "pkg/remote/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pkg/base/interrupt.h"

namespace ketcd::remote {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kStderrKeep = 16 * 1024;

struct Spawned {
  pid_t pid = -1;
  int out = -1;
  int err = -1;
};

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

absl::StatusOr<Spawned> Spawn(const std::vector<std::string>& argv) {
  if (argv.empty()) return absl::InvalidArgumentError("no program to run");
  int out[2], err[2], report[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  if (::pipe2(err, O_CLOEXEC) != 0 || ::pipe2(report, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::execvp(args[0], args.data());
    int e = errno;
    (void)!::write(report[1], &e, sizeof e);
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  ::close(report[1]);
  if (pid < 0) {
    ::close(out[0]);
    ::close(err[0]);
    ::close(report[0]);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  int exec_errno = 0;
  ssize_t n = ::read(report[0], &exec_errno, sizeof exec_errno);
  ::close(report[0]);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    ::waitpid(pid, nullptr, 0);
    ::close(out[0]);
    ::close(err[0]);
    return absl::NotFoundError(absl::StrCat("cannot run ", argv[0], ": ", std::strerror(exec_errno)));
  }
  return Spawned{pid, out[0], err[0]};
}

// Reads what is ready on `fd` into `to`; false at end of file.
bool Drain(int fd, std::string* to) {
  char buf[16384];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) {
    to->append(buf, static_cast<size_t>(n));
    return true;
  }
  return n < 0 && (errno == EINTR || errno == EAGAIN);
}

int WaitExit(pid_t pid) {
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void KillGroup(pid_t pid, int sig) {
  if (::kill(-pid, sig) != 0) ::kill(pid, sig);
}

class Child : public ChildProcess {
 public:
  explicit Child(Spawned s) : s_(s) {
    reader_ = std::thread([this] { ReadLoop(); });
  }
  ~Child() override { Stop(); }

  absl::StatusOr<std::string> ReadLine(std::chrono::milliseconds timeout) override {
    auto deadline = Clock::now() + timeout;
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      if (!lines_.empty()) {
        std::string line = std::move(lines_.front());
        lines_.pop_front();
        return line;
      }
      if (ended_) return absl::UnavailableError(absl::StrCat("it ended: ", LastStderr()));
      if (Interrupted()) return absl::CancelledError("interrupted");
      if (Clock::now() >= deadline) return absl::DeadlineExceededError("no output in time");
      cv_.wait_for(lock, std::chrono::milliseconds(100));
    }
  }

  std::string Stderr() override {
    std::lock_guard<std::mutex> lock(mu_);
    return LastStderr();
  }

  bool Running() override {
    std::lock_guard<std::mutex> lock(mu_);
    return !ended_;
  }

  void Stop() override {
    if (s_.pid < 0) return;
    KillGroup(s_.pid, SIGTERM);
    for (int i = 0; i < 30 && Running(); i++) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (Running()) KillGroup(s_.pid, SIGKILL);
    reader_.join();
    WaitExit(s_.pid);
    s_.pid = -1;
    CloseFd(s_.out);
    CloseFd(s_.err);
  }

 private:
  std::string LastStderr() const {
    std::string e = err_.size() > 2000 ? err_.substr(err_.size() - 2000) : err_;
    while (!e.empty() && (e.back() == '\n' || e.back() == '\r')) e.pop_back();
    return e;
  }

  void ReadLoop() {
    bool out_open = true, err_open = true;
    std::string partial;
    while (out_open || err_open) {
      pollfd fds[2] = {{out_open ? s_.out : -1, POLLIN, 0}, {err_open ? s_.err : -1, POLLIN, 0}};
      if (::poll(fds, 2, 200) < 0 && errno != EINTR) break;
      std::string got, err;
      if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) out_open = Drain(s_.out, &got);
      if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) err_open = Drain(s_.err, &err);
      std::lock_guard<std::mutex> lock(mu_);
      partial += got;
      for (size_t nl; (nl = partial.find('\n')) != std::string::npos;) {
        lines_.push_back(partial.substr(0, nl));
        partial.erase(0, nl + 1);
      }
      if (lines_.size() > 1000) lines_.pop_front();  // "Handling connection for ..." nobody reads
      err_ += err;
      if (err_.size() > kStderrKeep) err_.erase(0, err_.size() - kStderrKeep);
      cv_.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu_);
    ended_ = true;
    cv_.notify_all();
  }

  Spawned s_;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> lines_;
  std::string err_;
  bool ended_ = false;
};

class System : public Processes {
 public:
  absl::StatusOr<RunResult> Run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) override {
    KETCD_ASSIGN_OR_RETURN(Spawned s, Spawn(argv));
    RunResult r;
    auto deadline = Clock::now() + timeout;
    bool out_open = true, err_open = true, stopped = false, cancelled = false;
    while (out_open || err_open) {
      if (!stopped && (Interrupted() || Clock::now() >= deadline)) {
        cancelled = Interrupted();
        KillGroup(s.pid, SIGKILL);
        stopped = true;
      }
      pollfd fds[2] = {{out_open ? s.out : -1, POLLIN, 0}, {err_open ? s.err : -1, POLLIN, 0}};
      if (::poll(fds, 2, 100) < 0 && errno != EINTR) break;
      if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) out_open = Drain(s.out, &r.out);
      if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) err_open = Drain(s.err, &r.err);
    }
    CloseFd(s.out);
    CloseFd(s.err);
    r.exit_code = WaitExit(s.pid);
    if (cancelled) return absl::CancelledError(absl::StrCat(argv[0], " interrupted"));
    if (stopped) {
      return absl::DeadlineExceededError(absl::StrCat("`", absl::StrJoin(argv, " "), "` did not finish within ",
                                                      timeout.count() / 1000, "s"));
    }
    return r;
  }

  absl::StatusOr<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv) override {
    KETCD_ASSIGN_OR_RETURN(Spawned s, Spawn(argv));
    return std::unique_ptr<ChildProcess>(std::make_unique<Child>(s));
  }
};

}  // namespace

std::unique_ptr<Processes> SystemProcesses() { return std::make_unique<System>(); }

}  // namespace ketcd::remote
