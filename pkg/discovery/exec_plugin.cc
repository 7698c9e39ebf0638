// client-go exec credential plugins (client.authentication.k8s.io/v1 and v1beta1):
// the plugin gets KUBERNETES_EXEC_INFO, prints an ExecCredential on stdout, and its
// status carries a token or a client certificate and key (PEM text).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "pkg/discovery/kubeconfig.h"

extern char** environ;

namespace ketcd::discovery {
namespace {

constexpr int kPluginTimeoutSeconds = 60;

std::string ExecInfo(const RestConfig& cfg) {
  nlohmann::ordered_json j;
  j["apiVersion"] = cfg.exec->api_version;
  j["kind"] = "ExecCredential";
  j["spec"]["interactive"] = false;
  if (cfg.exec->provide_cluster_info) {
    auto& c = j["spec"]["cluster"];
    c["server"] = cfg.server;
    if (!cfg.tls_server_name.empty()) c["tls-server-name"] = cfg.tls_server_name;
    if (cfg.insecure_skip_tls_verify) c["insecure-skip-tls-verify"] = true;
    if (!cfg.ca_pem.empty()) c["certificate-authority-data"] = absl::Base64Escape(cfg.ca_pem);
  }
  return j.dump();
}

}  // namespace

absl::Status RunExecPlugin(RestConfig* cfg) {
  if (!cfg->exec) return absl::OkStatus();
  const ExecConfig& x = *cfg->exec;
  if (x.api_version != "client.authentication.k8s.io/v1" && x.api_version != "client.authentication.k8s.io/v1beta1") {
    return absl::InvalidArgumentError(absl::StrCat("exec plugin ", x.command, ": unsupported apiVersion \"",
                                                   x.api_version, "\" (want client.authentication.k8s.io/v1)"));
  }
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; e++) env_strings.emplace_back(*e);
  for (const auto& [k, v] : x.env) env_strings.push_back(absl::StrCat(k, "=", v));
  env_strings.push_back(absl::StrCat("KUBERNETES_EXEC_INFO=", ExecInfo(*cfg)));
  std::vector<std::string> argv_strings = {x.command};
  argv_strings.insert(argv_strings.end(), x.args.begin(), x.args.end());
  std::vector<char*> argv, envp;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out[0]);
    ::close(out[1]);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out[1], 1);
    ::execvpe(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  ::close(out[1]);
  std::string output;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kPluginTimeoutSeconds);
  bool timed_out = false;
  while (true) {
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    int r = ::poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string who = absl::StrCat("exec credential plugin \"", x.command, "\" (user ", cfg->user_name, ")");
  if (timed_out) return absl::DeadlineExceededError(absl::StrCat(who, " did not finish within ", kPluginTimeoutSeconds, "s"));
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return absl::NotFoundError(absl::StrCat(who, " could not be run (not found or not executable)"));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::UnauthenticatedError(absl::StrCat(who, " failed with exit status ",
                                                   WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)));
  }
  nlohmann::json j = nlohmann::json::parse(output, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return absl::UnauthenticatedError(absl::StrCat(who, " printed no JSON"));
  if (j.value("kind", "") != "ExecCredential" || j.value("apiVersion", "") != x.api_version) {
    return absl::UnauthenticatedError(absl::StrCat(who, " printed kind \"", j.value("kind", ""), "\" apiVersion \"",
                                                   j.value("apiVersion", ""), "\", want ExecCredential ", x.api_version));
  }
  const nlohmann::json& st = j.contains("status") ? j["status"] : nlohmann::json::object();
  std::string token = st.is_object() ? st.value("token", "") : "";
  std::string crt = st.is_object() ? st.value("clientCertificateData", "") : "";
  std::string key = st.is_object() ? st.value("clientKeyData", "") : "";
  if (crt.empty() != key.empty()) {
    return absl::UnauthenticatedError(absl::StrCat(who, " returned clientCertificateData without clientKeyData or the reverse"));
  }
  if (token.empty() && crt.empty()) {
    return absl::UnauthenticatedError(absl::StrCat(who, " returned neither status.token nor a client certificate"));
  }
  if (!token.empty()) cfg->token = token;
  if (!crt.empty()) {
    cfg->client_cert_pem = crt;
    cfg->client_key_pem = key;
  }
  return absl::OkStatus();
}

}  // namespace ketcd::discovery
