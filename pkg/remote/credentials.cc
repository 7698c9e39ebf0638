// Reading a member's client credentials on its node (see credentials.h).
#include "pkg/remote/credentials.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pkg/remote/access.h"
#include "pkg/remote/helper_pod.h"

namespace ketcd::remote {
namespace {

std::string Dirname(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The script's arguments: the CA, then each pair.
std::vector<std::string> ScriptArgs(const std::string& ca, const std::vector<std::pair<std::string, std::string>>& p) {
  std::vector<std::string> args = {ca};
  for (const auto& [cert, key] : p) args.insert(args.end(), {cert, key});
  return args;
}

// Deletes the helper pod when it goes out of scope, on every path out.
class HelperGuard {
 public:
  HelperGuard(const CredentialOptions& opts, std::string name) : opts_(opts), name_(std::move(name)) {}
  ~HelperGuard() {
    absl::Status deleted = DeletePod(*opts_.api, kNamespace, name_);
    if (!deleted.ok() && opts_.log) {
      opts_.log(absl::StrCat("warning: could not delete helper pod ", kNamespace, "/", name_, ": ",
                             deleted.message(), " (kubectl etcd cleanup deletes it)"));
    }
  }
  HelperGuard(const HelperGuard&) = delete;
  HelperGuard& operator=(const HelperGuard&) = delete;

 private:
  const CredentialOptions& opts_;
  std::string name_;
};

absl::StatusOr<Credentials> ThroughHelperPod(const CredentialOptions& opts, const MemberPod& m) {
  std::vector<std::pair<std::string, std::string>> host_pairs;
  std::set<std::string> dirs = {Dirname(m.ca.on_host)};
  for (const auto& [cert, key] : m.client_pairs) {
    host_pairs.emplace_back(cert.on_host, key.on_host);
    dirs.insert(Dirname(cert.on_host));
    dirs.insert(Dirname(key.on_host));
  }
  KETCD_ASSIGN_OR_RETURN(nlohmann::json node, opts.api->Get(absl::StrCat("/api/v1/nodes/", m.node)));
  std::vector<std::string> images = ShellImageCandidates(node, m.image);
  std::vector<std::string> tried;
  for (size_t i = 0; i < images.size(); i++) {
    HelperPodSpec spec;
    spec.name = absl::StrCat("kubectl-etcd-", opts.run_id, "-", i);
    spec.node = m.node;
    spec.image = images[i];
    spec.host_dirs.assign(dirs.begin(), dirs.end());
    spec.run_id = opts.run_id;
    if (opts.log) opts.log(absl::StrCat("starting helper pod ", kNamespace, "/", spec.name, " (image ", spec.image, ")"));
    auto status = CreateHelperPod(*opts.api, spec, opts.helper_start_timeout);
    if (!status.ok() && absl::IsAlreadyExists(status.status())) return status.status();
    // Created or not, it goes: a refused create deletes nothing, a half-created one is removed.
    HelperGuard guard(opts, spec.name);
    if (!status.ok()) return status.status();
    if (status->state != HelperState::kRunning) {
      tried.push_back(absl::StrCat(spec.image, " (", status->reason, ")"));
      continue;
    }
    ExecFailure failure;
    auto dump = opts.kubectl->ReadFiles(kNamespace, spec.name, "read-certs", ScriptArgs(m.ca.on_host, host_pairs),
                                        &failure);
    if (!dump.ok() && failure == ExecFailure::kNoShell) {
      tried.push_back(absl::StrCat(spec.image, " (no /bin/sh)"));
      continue;
    }
    if (!dump.ok()) return dump.status();
    KETCD_ASSIGN_OR_RETURN(Credentials c, CredentialsFromDump(*dump, m.ca.on_host, host_pairs, m.node));
    c.source = absl::StrCat("helper pod ", kNamespace, "/", spec.name, " on node ", m.node, " (image ", spec.image,
                            ")");
    return c;
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "no image with a shell on node ", m.node, " to read the etcd client certificate with (the etcd container of ",
      m.pod, " has no /bin/sh; tried: ", tried.empty() ? "none, the node lists no other image" : absl::StrJoin(tried, ", "),
      "). Pass --endpoints and the TLS flags, or run kubectl etcd on the node"));
}

}  // namespace

absl::Status CheckRemoteAccess(const kubeclient::Client& api, const std::string& command) {
  return CheckAccess(api,
                     {{"create", "pods", "exec", kNamespace}, {"create", "pods", "portforward", kNamespace}},
                     absl::StrCat(command, " from a machine without the etcd certificates reads them with "
                                           "kubectl exec and reaches etcd through kubectl port-forward"));
}

absl::StatusOr<Credentials> CredentialsFromDump(const std::map<std::string, std::string>& dump,
                                                const std::string& ca_path,
                                                const std::vector<std::pair<std::string, std::string>>& pairs,
                                                const std::string& node) {
  auto ca = dump.find(ca_path);
  if (ca == dump.end()) return absl::UnavailableError(absl::StrCat("node ", node, " sent no ", ca_path));
  Credentials c;
  c.tls.ca_file = absl::StrCat(node, ":", ca_path);
  c.tls.ca_pem = ca->second;
  for (const auto& [cert, key] : pairs) {
    auto ci = dump.find(cert), ki = dump.find(key);
    if (ci == dump.end() || ki == dump.end()) continue;
    c.tls.cert_file = absl::StrCat(node, ":", cert);
    c.tls.key_file = absl::StrCat(node, ":", key);
    c.tls.cert_pem = ci->second;
    c.tls.key_pem = ki->second;
    return c;
  }
  return absl::UnavailableError(absl::StrCat("node ", node, " sent no client certificate and key"));
}

absl::StatusOr<Credentials> ReadCredentials(const CredentialOptions& opts, const MemberPod& m) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [cert, key] : m.client_pairs) pairs.emplace_back(cert.in_container, key.in_container);
  if (opts.log) opts.log(absl::StrCat("reading the etcd client certificate in pod ", kNamespace, "/", m.pod));
  ExecFailure failure;
  auto dump = opts.kubectl->ReadFiles(kNamespace, m.pod, m.container, ScriptArgs(m.ca.in_container, pairs), &failure);
  if (dump.ok()) {
    KETCD_ASSIGN_OR_RETURN(Credentials c, CredentialsFromDump(*dump, m.ca.in_container, pairs, m.node));
    c.source = absl::StrCat("kubectl exec in pod ", kNamespace, "/", m.pod);
    return c;
  }
  if (failure != ExecFailure::kNoShell) return dump.status();
  if (opts.log) opts.log(absl::StrCat(dump.status().message(), "; reading it through a helper pod"));
  return ThroughHelperPod(opts, m);
}

}  // namespace ketcd::remote
