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
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "pkg/kubeclient/kubeconfig.h"

extern char** environ;

namespace ketcd::kubeclient {
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

// A string member of a JSON object; "" when absent or of another type.
std::string JsonString(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// The environment of the plugin: ours, with the kubeconfig's `env` entries replacing any
// inherited variable of the same name (client-go appends them and Go's exec keeps the last).
std::vector<std::string> PluginEnvironment(const ExecConfig& x, const std::string& exec_info) {
  std::vector<std::string> env;
  auto overridden = [&](std::string_view entry) {
    const std::string_view name = entry.substr(0, entry.find('='));
    if (name == "KUBERNETES_EXEC_INFO") return true;
    for (const auto& [k, v] : x.env) {
      if (k == name) return true;
    }
    return false;
  };
  for (char** e = environ; *e != nullptr; e++) {
    if (!overridden(*e)) env.emplace_back(*e);
  }
  // A name given twice in `env`: the last one wins, as in client-go.
  for (size_t i = 0; i < x.env.size(); i++) {
    bool later = false;
    for (size_t k = i + 1; k < x.env.size(); k++) later |= x.env[k].first == x.env[i].first;
    if (!later) env.push_back(absl::StrCat(x.env[i].first, "=", x.env[i].second));
  }
  env.push_back(absl::StrCat("KUBERNETES_EXEC_INFO=", exec_info));
  return env;
}

}  // namespace

absl::Status ParseExecCredential(const std::string& output, const std::string& who, RestConfig* cfg) {
  const std::string& api_version = cfg->exec->api_version;
  nlohmann::json j = nlohmann::json::parse(output, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return absl::UnauthenticatedError(absl::StrCat(who, " printed no JSON"));
  const std::string kind = JsonString(j, "kind"), version = JsonString(j, "apiVersion");
  if (kind != "ExecCredential" || version != api_version) {
    return absl::UnauthenticatedError(absl::StrCat(who, " printed kind \"", kind, "\" apiVersion \"", version,
                                                   "\", want ExecCredential ", api_version));
  }
  auto st_it = j.find("status");
  const nlohmann::json st = st_it != j.end() ? *st_it : nlohmann::json::object();
  if (!st.is_object()) return absl::UnauthenticatedError(absl::StrCat(who, " printed a status that is not an object"));
  for (const char* key : {"token", "clientCertificateData", "clientKeyData"}) {
    if (st.contains(key) && !st[key].is_string() && !st[key].is_null()) {  // null: absent, as in Go
      return absl::UnauthenticatedError(absl::StrCat(who, " printed a status.", key, " that is not a string"));
    }
  }
  std::string token = JsonString(st, "token");
  std::string crt = JsonString(st, "clientCertificateData");
  std::string key = JsonString(st, "clientKeyData");
  if (crt.empty() != key.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat(who, " returned clientCertificateData without clientKeyData or the reverse"));
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

namespace {

// A plugin process with its stdout on a pipe and stdin on /dev/null.
struct Plugin {
  pid_t pid = -1;
  int out = -1;  // read end of its stdout
};

absl::StatusOr<Plugin> Spawn(std::vector<std::string> argv_strings, std::vector<std::string> env_strings) {
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
  return Plugin{pid, out[0]};
}

// Reads `fd` to its end into *output, or until `seconds` have passed (returns false).
bool ReadUntil(int fd, int seconds, std::string* output) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (true) {
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    output->append(buf, static_cast<size_t>(n));
  }
}

// The plugin's wait status as a Status: 127 is "could not be run", any other failure
// (exit status or signal) Unauthenticated.
absl::Status ExitStatus(int status, const std::string& who) {
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return absl::NotFoundError(absl::StrCat(who, " could not be run (not found or not executable)"));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::UnauthenticatedError(absl::StrCat(who, " failed with exit status ",
                                                   WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunExecPlugin(RestConfig* cfg) {
  if (!cfg->exec) return absl::OkStatus();
  const ExecConfig& x = *cfg->exec;
  if (x.api_version != "client.authentication.k8s.io/v1" && x.api_version != "client.authentication.k8s.io/v1beta1") {
    return absl::InvalidArgumentError(absl::StrCat("exec plugin ", x.command, ": unsupported apiVersion \"",
                                                   x.api_version, "\" (want client.authentication.k8s.io/v1)"));
  }
  std::vector<std::string> argv = {x.command};
  argv.insert(argv.end(), x.args.begin(), x.args.end());
  KETCD_ASSIGN_OR_RETURN(Plugin plugin, Spawn(std::move(argv), PluginEnvironment(x, ExecInfo(*cfg))));
  std::string output;
  bool finished = ReadUntil(plugin.out, kPluginTimeoutSeconds, &output);
  ::close(plugin.out);
  if (!finished) ::kill(plugin.pid, SIGKILL);
  int status = 0;
  while (::waitpid(plugin.pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string who = absl::StrCat("exec credential plugin \"", x.command, "\" (user ", cfg->user_name, ")");
  if (!finished) {
    return absl::DeadlineExceededError(absl::StrCat(who, " did not finish within ", kPluginTimeoutSeconds, "s"));
  }
  KETCD_RETURN_IF_ERROR(ExitStatus(status, who));
  return ParseExecCredential(output, who, cfg);
}

}  // namespace ketcd::kubeclient
