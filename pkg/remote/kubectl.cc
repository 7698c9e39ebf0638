// kubectl exec and port-forward as child processes (see kubectl.h).
#include "pkg/remote/kubectl.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace ketcd::remote {

const char kReadFilesScript[] =
    "emit() { printf '=== %s\\n' \"$1\"; while IFS= read -r l || [ -n \"$l\" ]; do printf '%s\\n' \"$l\"; done < \"$1\"; }\n"
    "[ -r \"$1\" ] || { echo \"cannot read $1\" >&2; exit 3; }\n"
    "ca=$1; shift\n"
    "while [ $# -ge 2 ]; do\n"
    "  if [ -r \"$1\" ] && [ -r \"$2\" ]; then emit \"$ca\"; emit \"$1\"; emit \"$2\"; exit 0; fi\n"
    "  shift 2\n"
    "done\n"
    "echo \"no readable client certificate and key\" >&2; exit 4\n";

absl::StatusOr<std::map<std::string, std::string>> ParseFileDump(const std::string& output) {
  std::map<std::string, std::string> files;
  std::string* current = nullptr;
  size_t pos = 0;
  while (pos < output.size()) {
    size_t nl = output.find('\n', pos);
    size_t end = nl == std::string::npos ? output.size() : nl;
    absl::string_view line(output.data() + pos, end - pos);
    pos = nl == std::string::npos ? output.size() : nl + 1;
    if (absl::ConsumePrefix(&line, "=== ") && !line.empty()) {
      current = &files[std::string(line)];
      current->clear();
      continue;
    }
    if (current == nullptr) return absl::InvalidArgumentError("the file dump does not start with a \"=== PATH\" line");
    absl::StrAppend(current, line, "\n");
  }
  if (files.empty()) return absl::InvalidArgumentError("the file dump is empty");
  return files;
}

std::optional<int> ParseForwardingLine(const std::string& line) {
  absl::string_view rest = absl::StripAsciiWhitespace(line);
  if (!absl::ConsumePrefix(&rest, "Forwarding from 127.0.0.1:")) return std::nullopt;
  size_t end = rest.find(' ');
  int port = 0;
  if (end == absl::string_view::npos || !absl::SimpleAtoi(rest.substr(0, end), &port)) return std::nullopt;
  if (port <= 0 || port > 65535) return std::nullopt;
  return port;
}

ExecFailure ClassifyExecFailure(int exit_code, const std::string& stderr_text) {
  const std::string e = absl::AsciiStrToLower(stderr_text);
  if (absl::StrContains(e, "forbidden")) return ExecFailure::kForbidden;
  if (absl::StrContains(e, "executable file not found") ||
      (absl::StrContains(e, "/bin/sh") && absl::StrContains(e, "no such file or directory"))) {
    return ExecFailure::kNoShell;
  }
  if (exit_code == 3 || exit_code == 4) return ExecFailure::kNoFile;
  return ExecFailure::kOther;
}

std::vector<std::string> Kubectl::Base() const {
  std::vector<std::string> argv = {options_.binary};
  if (!options_.kubeconfig.empty()) argv.insert(argv.end(), {"--kubeconfig", options_.kubeconfig});
  if (!options_.context.empty()) argv.insert(argv.end(), {"--context", options_.context});
  return argv;
}

absl::StatusOr<std::map<std::string, std::string>> Kubectl::ReadFiles(const std::string& ns, const std::string& pod,
                                                                      const std::string& container,
                                                                      const std::vector<std::string>& files,
                                                                      ExecFailure* failure) {
  *failure = ExecFailure::kOther;
  std::vector<std::string> argv = Base();
  argv.insert(argv.end(), {"exec", "-n", ns, pod, "-c", container, "--", "/bin/sh", "-c", kReadFilesScript, "sh"});
  argv.insert(argv.end(), files.begin(), files.end());
  auto run = processes_->Run(argv, std::chrono::seconds(60));
  if (!run.ok()) {
    if (absl::IsNotFound(run.status())) {
      return absl::FailedPreconditionError(absl::StrCat(run.status().message(),
                                                        ": the remote path runs kubectl; put it on PATH or name it "
                                                        "with $KUBECTL"));
    }
    return run.status();
  }
  std::string where = absl::StrCat("pod ", ns, "/", pod, " container ", container);
  std::string err(absl::StripAsciiWhitespace(run->err));
  if (run->exit_code != 0) {
    *failure = ClassifyExecFailure(run->exit_code, run->err);
    switch (*failure) {
      case ExecFailure::kForbidden:
        return absl::PermissionDeniedError(absl::StrCat("kubectl exec in ", where, " was refused: ", err));
      case ExecFailure::kNoShell:
        return absl::FailedPreconditionError(absl::StrCat(where, " has no /bin/sh: ", err));
      case ExecFailure::kNoFile:
        return absl::NotFoundError(absl::StrCat("the etcd client credentials are not readable in ", where, " (",
                                                err, "); looked for ", absl::StrJoin(files, ", ")));
      case ExecFailure::kOther:
        break;
    }
    return absl::UnavailableError(
        absl::StrCat("kubectl exec in ", where, " failed (exit ", run->exit_code, "): ", err));
  }
  auto dump = ParseFileDump(run->out);
  if (!dump.ok()) {
    return absl::UnavailableError(absl::StrCat("kubectl exec in ", where, ": ", dump.status().message()));
  }
  return dump;
}

absl::StatusOr<PortForward> Kubectl::Forward(const std::string& ns, const std::string& pod, int remote_port,
                                             std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = Base();
  argv.insert(argv.end(), {"port-forward", "-n", ns, absl::StrCat("pod/", pod), "--address", "127.0.0.1",
                           absl::StrCat(":", remote_port)});
  auto started = processes_->Start(argv);
  if (!started.ok()) {
    if (absl::IsNotFound(started.status())) {
      return absl::FailedPreconditionError(absl::StrCat(started.status().message(),
                                                        ": the remote path runs kubectl; put it on PATH or name it "
                                                        "with $KUBECTL"));
    }
    return started.status();
  }
  PortForward f{std::move(*started), 0, pod};
  std::string where = absl::StrCat("kubectl port-forward to pod ", ns, "/", pod, " port ", remote_port);
  while (true) {
    auto line = f.process->ReadLine(timeout);
    if (!line.ok()) {
      std::string err = f.process->Stderr();
      f.process->Stop();
      if (absl::IsCancelled(line.status())) return line.status();
      if (absl::StrContains(absl::AsciiStrToLower(err), "forbidden")) {
        return absl::PermissionDeniedError(absl::StrCat(where, " was refused: ", err));
      }
      if (absl::IsUnavailable(line.status())) {  // it ended; the message holds its standard error
        return absl::UnavailableError(absl::StrCat(where, " failed: ", line.status().message()));
      }
      return absl::UnavailableError(absl::StrCat(where, " printed no \"Forwarding from\" line within ",
                                                 timeout.count() / 1000, "s", err.empty() ? "" : ": ", err));
    }
    if (auto port = ParseForwardingLine(*line)) {
      f.local_port = *port;
      return f;
    }
  }
}

}  // namespace ketcd::remote
