#pragma once
// The real `kubectl` as the carrier of the two streams the remote path needs: `exec` to
// read the etcd client credentials on a node, `port-forward` to carry etcd's gRPC
// stream. kubectl brings every kubeconfig auth form, proxy settings and the WebSocket /
// SPDY fallback; see CONTRIBUTING.md ("Why kubectl carries the streams").

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/remote/process.h"

namespace ketcd::remote {

struct KubectlOptions {
  std::string binary = "kubectl";  // $KUBECTL, else kubectl on PATH
  std::string kubeconfig;          // passed as --kubeconfig when set
  std::string context;             // passed as --context when set
};

// What a failed `kubectl exec` means.
enum class ExecFailure {
  kNoShell,    // the container has no /bin/sh
  kForbidden,  // RBAC or admission refused the exec
  kNoFile,     // none of the files asked for is readable there
  kOther,
};

// The shell script that prints files (its arguments) with shell builtins only (no cat in
// a distroless image): each readable one as "=== PATH" then its lines. Arguments come as
// groups: the CA, then (certificate, key) pairs; the first pair whose two files are
// readable is printed. Exit 3: the CA is not readable; 4: no pair is.
extern const char kReadFilesScript[];

// Splits the output of kReadFilesScript into PATH -> content (each line with its "\n").
// InvalidArgument for output that does not start with a "=== " header.
absl::StatusOr<std::map<std::string, std::string>> ParseFileDump(const std::string& output);

// The local port in a "Forwarding from 127.0.0.1:PORT -> 2379" line, nullopt for other lines.
std::optional<int> ParseForwardingLine(const std::string& line);

ExecFailure ClassifyExecFailure(int exit_code, const std::string& stderr_text);

// A running `kubectl port-forward`: the local port, stopped when destroyed.
struct PortForward {
  std::unique_ptr<ChildProcess> process;
  int local_port = 0;
  std::string pod;
};

class Kubectl {
 public:
  Kubectl(Processes* processes, KubectlOptions options) : processes_(processes), options_(std::move(options)) {}

  // kubectl exec -n NS POD -c CONTAINER -- /bin/sh -c kReadFilesScript sh CA CERT KEY...
  // On an error `failure` says what kind it was.
  absl::StatusOr<std::map<std::string, std::string>> ReadFiles(const std::string& ns, const std::string& pod,
                                                               const std::string& container,
                                                               const std::vector<std::string>& files,
                                                               ExecFailure* failure);

  // kubectl port-forward -n NS pod/POD :PORT; waits for its "Forwarding from" line.
  absl::StatusOr<PortForward> Forward(const std::string& ns, const std::string& pod, int remote_port,
                                      std::chrono::milliseconds timeout);

  const KubectlOptions& options() const { return options_; }

 private:
  std::vector<std::string> Base() const;
  Processes* processes_;
  KubectlOptions options_;
};

}  // namespace ketcd::remote
