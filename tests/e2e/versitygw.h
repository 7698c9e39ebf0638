#pragma once
// versitygw (an S3 gateway over a local directory, its posix backend) for the S3 tests:
// on 127.0.0.1 with a free port, a temp root directory and root keys made for the test.
// KETCD_VERSITYGW names the binary (tests/tools/build-versitygw.sh, set by `make e2e`).
// Also: a child process run in the background, to act on it while it runs.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pkg/s3/client.h"
#include "tests/e2e/harness.h"

namespace ketcd::e2e {

class VersityGw {
 public:
  // Adds a fatal failure and returns null when the binary is missing or does not answer.
  static std::unique_ptr<VersityGw> Start();
  ~VersityGw();

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  static constexpr const char* kAccessKey = "ketcdtestaccess";
  static constexpr const char* kSecretKey = "ketcd-test-secret-key-0123456789";
  // AWS_* variables that point kubectl-etcd at this gateway.
  std::map<std::string, std::string> Env() const;
  s3::Client Client() const;
  const std::string& root() const { return dir_.path(); }

  void Kill();      // SIGKILL now
  bool Restart();   // again on the same port and directory; false if it does not answer
  std::string Log() const;

 private:
  VersityGw() = default;
  bool Launch();
  TempDir dir_;
  int port_ = 0;
  int pid_ = -1;
  std::string log_;
};

// A child process with its stdout and stderr in files.
class Background {
 public:
  Background(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env);
  ~Background();
  void Signal(int sig);
  // The exit code (-signal when killed), or -9 after killing it at the timeout.
  int Wait(int timeout_seconds);
  std::string Err() const;
  std::string Out() const;

 private:
  TempDir dir_;
  int pid_ = -1;
  int status_ = -1;
};

}  // namespace ketcd::e2e
