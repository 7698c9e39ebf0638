#pragma once
// Child processes (kubectl exec, kubectl port-forward) behind an interface, so that the
// remote session can be tested with every step failing. The real implementation forks
// and execs with stdin from /dev/null and stdout/stderr on pipes; each child gets a
// process group of its own (a terminal's Ctrl-C reaches us, and we stop the children in
// order) and is killed by the kernel when we die (PR_SET_PDEATHSIG), so not even a
// SIGKILLed run leaves a port-forward behind.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "pkg/base/status.h"

namespace ketcd::remote {

struct RunResult {
  int exit_code = 0;  // -1: killed by a signal or stopped at the timeout
  std::string out;
  std::string err;
};

// A long-running child whose standard output is read line by line.
class ChildProcess {
 public:
  virtual ~ChildProcess() = default;
  // The next line of standard output (without its newline). DeadlineExceeded after
  // `timeout`, Unavailable once the child ended (its standard error in the message),
  // Cancelled on Ctrl-C.
  virtual absl::StatusOr<std::string> ReadLine(std::chrono::milliseconds timeout) = 0;
  // The last part of what the child wrote to standard error.
  virtual std::string Stderr() = 0;
  virtual bool Running() = 0;
  // SIGTERM, then SIGKILL after a grace period; waits for the child. Idempotent.
  virtual void Stop() = 0;
};

class Processes {
 public:
  virtual ~Processes() = default;
  // Runs argv[0] (looked up on PATH) to its end. The child is killed at `timeout` or on
  // Ctrl-C (Cancelled). A child that could not be started is NotFound.
  virtual absl::StatusOr<RunResult> Run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) = 0;
  virtual absl::StatusOr<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv) = 0;
};

// Real processes.
std::unique_ptr<Processes> SystemProcesses();

}  // namespace ketcd::remote
