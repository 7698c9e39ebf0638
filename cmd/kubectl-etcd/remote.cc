// The remote path of backup, discover and status (see remote.h).
#include "cmd/kubectl-etcd/remote.h"

#include <cstdlib>
#include <random>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "pkg/discovery/cluster_pods.h"
#include "pkg/discovery/static_pod.h"
#include "pkg/etcdclient/endpoint.h"
#include "pkg/kubeclient/kubeconfig.h"
#include "pkg/remote/helper_pod.h"

namespace ketcd::cmd {
namespace {

std::string Flag(const cxxopts::ParseResult& flags, const char* name) {
  return flags.count(name) ? flags[name].as<std::string>() : std::string();
}

std::string Dir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

std::string RunId() {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::string id;
  for (int i = 0; i < 6; i++) id.push_back(kChars[rd() % (sizeof kChars - 1)]);
  return id;
}

// The port of a loopback client URL etcd listens on, else of its first client URL.
int LoopbackClientPort(const std::map<std::string, std::string>& flags) {
  auto it = flags.find("listen-client-urls");
  int fallback = 2379;
  if (it == flags.end()) return fallback;
  bool first = true;
  for (absl::string_view url : absl::StrSplit(it->second, ',', absl::SkipWhitespace())) {
    auto ep = etcdclient::ParseEndpoints(std::string(url), true);
    if (!ep.ok() || ep->empty()) continue;
    const int port = (*ep)[0].port;
    const std::string& host = (*ep)[0].host;
    if (host == "127.0.0.1" || host == "localhost" || host == "0.0.0.0" || host == "::" || host == "[::]") return port;
    if (first) fallback = port;
    first = false;
  }
  return fallback;
}

// Up to 30 s for a Pending etcd pod (the kubelet recreating it) to run.
constexpr int kRunningAttempts = 15;
constexpr std::chrono::milliseconds kRunningPause{2000};

absl::StatusOr<kubeclient::RestConfig> LoadRest(const cxxopts::ParseResult& flags) {
  kubeclient::KubeconfigOptions ko;
  ko.explicit_path = Flag(flags, "kubeconfig");
  ko.context = Flag(flags, "context");
  ko.host_root = HostRoot(flags);
  return kubeclient::LoadKubeconfig(ko);
}

}  // namespace

void AddRemoteFlags(cxxopts::Options& options) {
  // clang-format off
  options.add_options("Remote")
      ("remote", "Reach etcd through the API server (kubectl exec and port-forward) even if it runs here")
      ("member", "With the remote path: the etcd member to use (pod, member or node name; default: a healthy "
                 "follower)", cxxopts::value<std::string>());
  // clang-format on
}

std::string RemoteLink::Describe() const {
  return absl::StrCat("pod ", remote::kNamespace, "/", member_pod, " on node ", node,
                      " through kubectl port-forward");
}

absl::Status RemoteLink::Explain(const absl::Status& error) const {
  if (error.ok() || absl::IsCancelled(error) || !forward.process || forward.process->Running()) return error;
  return absl::Status(error.code(), absl::StrCat(error.message(), "; the kubectl port-forward to ", member_pod,
                                                 " ended: ", forward.process->Stderr(),
                                                 " (an API server, kubelet or proxy that cuts long streams: see "
                                                 "--streaming-connection-idle-timeout and the proxy's timeouts)"));
}

bool WantsRemote(const cxxopts::ParseResult& flags, const discovery::Report& report) {
  if (flags.count("remote")) return true;
  if (flags.count("endpoints") || !report.target || report.target->kind != "kubeconfig") return false;
  for (const discovery::EtcdPod& p : report.pods) {
    if (p.this_host) return false;
  }
  return report.target->cert_file.empty() && !flags.count("cert");
}

absl::StatusOr<remote::MemberPod> MemberPodFrom(const discovery::EtcdPod& pod) {
  remote::MemberPod m;
  m.pod = pod.name;
  m.node = pod.node;
  m.image = pod.image;
  m.client_port = LoopbackClientPort(pod.flags);
  std::vector<discovery::Mount> mounts;
  for (const auto& [c, h] : pod.host_paths) mounts.push_back({c, h});
  auto file = [&](const std::string& p) { return remote::NodeFile{p, discovery::ToHostPath(mounts, p)}; };
  auto flag = [&](const char* name) {
    auto it = pod.flags.find(name);
    return it == pod.flags.end() ? std::string() : it->second;
  };
  const std::string ca = flag("trusted-ca-file");
  if (ca.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the etcd pod ", pod.name, " names no --trusted-ca-file on its command line (an etcd config file is not read "
        "remotely): pass --endpoints and the TLS flags, or run kubectl etcd on its node"));
  }
  m.ca = file(ca);
  for (const char* base : {"healthcheck-client", "client"}) {
    std::string stem = absl::StrCat(Dir(ca), "/", base);
    m.client_pairs.push_back({file(stem + ".crt"), file(stem + ".key")});
  }
  if (!flag("cert-file").empty() && !flag("key-file").empty()) {
    m.client_pairs.push_back({file(flag("cert-file")), file(flag("key-file"))});
  }
  return m;
}

absl::StatusOr<std::vector<discovery::EtcdPod>> MemberCandidates(const std::vector<discovery::EtcdPod>& pods,
                                                                 const std::string& member) {
  std::vector<discovery::EtcdPod> out;
  std::vector<std::string> names;
  for (const discovery::EtcdPod& p : pods) {
    names.push_back(p.name);
    if (!member.empty() && (p.name == member || p.name == "etcd-" + member || p.node == member)) out.push_back(p);
  }
  if (!member.empty()) {
    if (out.empty()) {
      return absl::NotFoundError(absl::StrCat("no etcd pod for --member ", member, " (there are: ",
                                              absl::StrJoin(names, ", "), ")"));
    }
    return out;
  }
  for (bool ready : {true, false}) {
    for (const discovery::EtcdPod& p : pods) {
      if ((p.ready && p.phase == "Running") == ready) out.push_back(p);
    }
  }
  if (out.empty()) return absl::NotFoundError("the API server lists no etcd pods in kube-system");
  return out;
}

absl::StatusOr<std::unique_ptr<RemoteLink>> OpenRemote(const cxxopts::ParseResult& flags,
                                                       const discovery::Report& report, Invocation& inv,
                                                       Connection* conn, RemoteScope scope) {
  if (!report.cluster_listed || report.pods.empty()) {
    KETCD_RETURN_IF_ERROR(discovery::TargetFromReport(report).status());
    return absl::NotFoundError("the API server lists no etcd pods in kube-system: nothing to reach remotely");
  }
  KETCD_RETURN_IF_ERROR(MemberCandidates(report.pods, Flag(flags, "member")).status());
  auto link = std::make_unique<RemoteLink>();
  KETCD_ASSIGN_OR_RETURN(kubeclient::RestConfig rc, LoadRest(flags));
  remote::KubectlOptions ko;
  const char* env_kubectl = std::getenv("KUBECTL");
  if (env_kubectl != nullptr && *env_kubectl != '\0') ko.binary = env_kubectl;
  ko.kubeconfig = Flag(flags, "kubeconfig");
  if (ko.kubeconfig.empty() && std::getenv("KUBECONFIG") == nullptr && rc.files.size() == 1) ko.kubeconfig = rc.files[0];
  ko.context = rc.context;
  KETCD_ASSIGN_OR_RETURN(kubeclient::Client api, kubeclient::Client::Create(std::move(rc)));
  link->api = std::make_unique<kubeclient::Client>(std::move(api));
  link->processes = remote::SystemProcesses();
  link->kubectl = std::make_unique<remote::Kubectl>(link->processes.get(), ko);
  auto log = [&inv](const std::string& line) { inv.err << "remote: " << line << "\n" << std::flush; };

  KETCD_RETURN_IF_ERROR(remote::CheckRemoteAccess(*link->api, absl::StrCat(inv.program, " ", inv.command)));
  const kubeclient::Client* lister_api = link->api.get();
  KETCD_ASSIGN_OR_RETURN(
      std::vector<discovery::EtcdPod> pods,
      RunningCandidates(
          report.pods, Flag(flags, "member"), [lister_api] { return discovery::ListEtcdPods(*lister_api, ""); },
          [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }, kRunningAttempts, kRunningPause, log));
  KETCD_ASSIGN_OR_RETURN(remote::MemberPod first, MemberPodFrom(pods[0]));
  remote::CredentialOptions co;
  co.api = link->api.get();
  co.kubectl = link->kubectl.get();
  co.run_id = RunId();
  co.log = log;
  KETCD_ASSIGN_OR_RETURN(remote::Credentials creds, remote::ReadCredentials(co, first));
  link->credentials_source = creds.source;

  conn->config.tls = creds.tls;
  absl::Status last;
  for (size_t i = 0; i < pods.size(); i++) {
    if (pods[i].phase != "Running") continue;  // kubectl refuses: "pod is not running"
    KETCD_ASSIGN_OR_RETURN(remote::MemberPod m, MemberPodFrom(pods[i]));
    log(absl::StrCat("kubectl port-forward to pod ", remote::kNamespace, "/", m.pod, " port ", m.client_port));
    auto fwd = link->kubectl->Forward(remote::kNamespace, m.pod, m.client_port, std::chrono::seconds(30));
    if (!fwd.ok()) {
      if (absl::IsCancelled(fwd.status()) || absl::IsPermissionDenied(fwd.status())) return fwd.status();
      last = fwd.status();
      continue;
    }
    KETCD_ASSIGN_OR_RETURN(conn->config.endpoints,
                           etcdclient::ParseEndpoints(absl::StrCat("https://127.0.0.1:", fwd->local_port), true));
    auto client = etcdclient::Client::Connect(conn->config, conn->config.endpoints[0]);
    absl::StatusOr<etcdserverpb::StatusResponse> st =
        client.ok() ? (*client)->Status() : absl::StatusOr<etcdserverpb::StatusResponse>(client.status());
    if (!st.ok()) {
      last = st.status();
      log(absl::StrCat(m.pod, ": ", st.status().message()));
      if (absl::IsCancelled(st.status())) return st.status();
      continue;
    }
    const bool leader = st->leader() == st->header().member_id();
    const bool more = i + 1 < pods.size() && !flags.count("member");
    if (leader && more && pods[i + 1].ready) {
      log(absl::StrCat(m.pod, " is the leader; trying a follower"));
      fwd->process->Stop();
      continue;
    }
    link->forward = std::move(*fwd);
    link->member_pod = m.pod;
    link->node = m.node;
    if (scope == RemoteScope::kEveryMember) {
      // Without --member the candidates are every pod, as last listed.
      ForwardEveryPod(*link, flags.count("member") ? report.pods : pods, pods[i].name, log);
    }
    return link;
  }
  return last.ok() ? absl::UnavailableError("no etcd member answered through kubectl port-forward") : last;
}

absl::StatusOr<Connection> ResolveConnectionOrRemote(const cxxopts::ParseResult& flags, Invocation& inv,
                                                     std::unique_ptr<RemoteLink>* link, RemoteScope scope) {
  if (flags.count("endpoints")) return ResolveConnection(flags);
  discovery::Options opts = DiscoveryOptions(flags);
  if (flags.count("remote")) opts.always_query_cluster = true;
  KETCD_ASSIGN_OR_RETURN(discovery::Report report, discovery::DiscoverReport(opts));
  if (!WantsRemote(flags, report)) {
    KETCD_ASSIGN_OR_RETURN(discovery::EtcdTarget target, discovery::TargetFromReport(std::move(report)));
    return ConnectionFrom(flags, std::move(target));
  }
  // The flags that still apply (dial timeout, etcd user); endpoint and TLS come from the link.
  discovery::EtcdTarget placeholder;
  placeholder.endpoints = {"https://127.0.0.1:2379"};
  KETCD_ASSIGN_OR_RETURN(Connection conn, ConnectionFrom(flags, placeholder));
  conn.discovered = report.target;
  KETCD_ASSIGN_OR_RETURN(*link, OpenRemote(flags, report, inv, &conn, scope));
  return conn;
}

std::string RestoreOnNodeMessage(const std::vector<discovery::EtcdPod>& pods, const std::string& file) {
  std::string base = file.substr(file.find_last_of('/') + 1);
  std::string node = pods.empty() ? "NODE" : pods.front().node;
  std::string msg = absl::StrCat(
      "etcd does not run on this machine (", pods.empty() ? std::string("no etcd pod here") : absl::StrCat("node ", node),
      "): the restore of a node changes that node's disk and runs there. Copy ", file,
      " to the node, then run on it, through the API server:\n"
      "  kubectl debug node/", node, " -it --profile=sysadmin --image=ghcr.io/kubectl-etcd/kubectl-etcd:v",
      KETCD_VERSION, " -- kubectl-etcd restore /host/var/backups/", base, " --host-root /host\n"
      "or over SSH:\n"
      "  scp ", file, " ", node, ":/var/backups/ && ssh -t ", node, " sudo kubectl-etcd restore /var/backups/", base);
  if (pods.size() > 1) {
    std::vector<std::string> nodes;
    for (const auto& p : pods) nodes.push_back(p.node);
    absl::StrAppend(&msg, "\n(the members run on ", absl::StrJoin(nodes, ", "),
                    ": see \"The restore procedure\" in the README for a cluster of several)");
  }
  return msg;
}

absl::StatusOr<std::unique_ptr<kubeclient::Client>> ApiClient(const cxxopts::ParseResult& flags) {
  KETCD_ASSIGN_OR_RETURN(kubeclient::RestConfig rc, LoadRest(flags));
  KETCD_ASSIGN_OR_RETURN(kubeclient::Client api, kubeclient::Client::Create(std::move(rc)));
  return std::make_unique<kubeclient::Client>(std::move(api));
}

}  // namespace ketcd::cmd
