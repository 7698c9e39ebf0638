#pragma once
// Scripted child processes for the remote package's tests: each Run pops the next
// RunResult (or fails with run_error once they are used up), each Start the next child.

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "pkg/remote/process.h"

namespace ketcd::remote {

struct FakeChild {
  std::vector<std::string> lines;  // standard output; then it ends
  std::string err;
};

class FakeChildProcess : public ChildProcess {
 public:
  explicit FakeChildProcess(FakeChild c, int* stopped) : c_(std::move(c)), stopped_(stopped) {}
  absl::StatusOr<std::string> ReadLine(std::chrono::milliseconds) override {
    if (next_ < c_.lines.size()) return c_.lines[next_++];
    return absl::UnavailableError("it ended: " + c_.err);
  }
  std::string Stderr() override { return c_.err; }
  bool Running() override { return !stopped_once_; }
  void Stop() override {
    if (!stopped_once_) ++*stopped_;
    stopped_once_ = true;
  }
  ~FakeChildProcess() override { Stop(); }

 private:
  FakeChild c_;
  size_t next_ = 0;
  int* stopped_;
  bool stopped_once_ = false;
};

class FakeProcesses : public Processes {
 public:
  std::deque<RunResult> runs;
  absl::Status run_error = absl::InternalError("no more scripted runs");
  std::deque<FakeChild> children;
  absl::Status start_error = absl::InternalError("no more scripted children");
  std::vector<std::vector<std::string>> argvs;
  int stopped = 0;

  absl::StatusOr<RunResult> Run(const std::vector<std::string>& argv, std::chrono::milliseconds) override {
    argvs.push_back(argv);
    if (runs.empty()) return run_error;
    RunResult r = runs.front();
    runs.pop_front();
    return r;
  }
  absl::StatusOr<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv) override {
    argvs.push_back(argv);
    if (children.empty()) return start_error;
    FakeChild c = children.front();
    children.pop_front();
    return std::unique_ptr<ChildProcess>(std::make_unique<FakeChildProcess>(std::move(c), &stopped));
  }
};

}  // namespace ketcd::remote
