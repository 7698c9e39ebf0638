// The discovery order (README.md): --manifest, or static-pod manifests, the etcd
// systemd unit, the kube-apiserver's --etcd-* flags, then the cluster's etcd pods
// through the kubeconfig. The first source that finds etcd wins.
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pkg/discovery/apiserver_flags.h"
#include "pkg/discovery/cluster_pods.h"
#include "pkg/discovery/discovery.h"
#include "pkg/discovery/systemd_unit.h"
#include "pkg/fsutil/file.h"
#include "pkg/kubeclient/client.h"
#include "pkg/kubeclient/kubeconfig.h"

namespace ketcd::discovery {
namespace {

constexpr char kKubeadmManifest[] = "/etc/kubernetes/manifests/etcd.yaml";
constexpr char kRke2Manifest[] = "/var/lib/rancher/rke2/agent/pod-manifests/etcd.yaml";
constexpr char kKubeadmApiServer[] = "/etc/kubernetes/manifests/kube-apiserver.yaml";
constexpr char kRke2ApiServer[] = "/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml";

std::string NodeName(const Options& opts) {
  if (!opts.node_name.empty()) return opts.node_name;
  if (!opts.host_root.empty() && opts.host_root != "/") {
    auto text = fsutil::ReadFile(UnderRoot(opts.host_root, "/etc/hostname"));
    if (text.ok()) return std::string(absl::StripAsciiWhitespace(*text));
  }
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) == 0) return buf;
  return "";
}

std::string Summary(const EtcdTarget& t) {
  return absl::StrCat(t.kind, ": ", absl::StrJoin(t.endpoints, ","), t.name.empty() ? "" : " member " + t.name);
}

class Run {
 public:
  Run(const Options& opts, Report* r) : opts_(opts), r_(r) {}

  // Records the outcome of one source. Returns true once etcd has been found.
  void Try(const std::string& source, const std::string& location, bool present,
           const std::function<absl::StatusOr<EtcdTarget>()>& read) {
    if (r_->target) {
      r_->steps.push_back({source, location, "skipped", "etcd already found", absl::OkStatus()});
      return;
    }
    if (!present) {
      r_->steps.push_back({source, location, "not found", "", absl::OkStatus()});
      return;
    }
    auto t = read();
    if (t.ok()) {
      r_->steps.push_back({source, location, "found", Summary(*t), absl::OkStatus()});
      r_->target = std::move(*t);
    } else if (absl::IsNotFound(t.status())) {
      r_->steps.push_back({source, location, "not found", std::string(t.status().message()), absl::OkStatus()});
    } else {
      r_->steps.push_back({source, location, "error", std::string(t.status().message()), t.status()});
    }
  }

  void StaticPod(const std::string& source, const std::string& path) {
    std::string p = UnderRoot(opts_.host_root, path);
    Try(source, p, fsutil::PathExists(p), [&] { return FromStaticPodManifest(p, opts_.host_root); });
  }

  void Systemd() {
    auto unit = r_->target ? absl::StatusOr<std::optional<SystemdUnit>>(std::nullopt)
                           : LoadSystemdUnit(opts_.host_root, "etcd.service", r_->node_name);
    std::string where = UnderRoot(opts_.host_root, "/etc/systemd/system/etcd.service (and /run, /usr/lib, /lib)");
    if (!unit.ok()) {
      Try("systemd unit", where, true, [&]() -> absl::StatusOr<EtcdTarget> { return unit.status(); });
      return;
    }
    std::string loc = unit->has_value() ? (*unit)->fragment : where;
    Try("systemd unit", loc, unit->has_value(), [&] { return FromSystemdUnit(**unit, opts_.host_root); });
  }

  void ApiServerFlags() {
    for (const char* m : {kKubeadmApiServer, kRke2ApiServer}) {
      std::string p = UnderRoot(opts_.host_root, m);
      Try("kube-apiserver manifest", p, fsutil::PathExists(p), [&] { return FromApiServerManifest(p, opts_.host_root); });
    }
    auto unit = r_->target ? absl::StatusOr<std::optional<SystemdUnit>>(std::nullopt)
                           : LoadSystemdUnit(opts_.host_root, "kube-apiserver.service", r_->node_name);
    std::string where = UnderRoot(opts_.host_root, "/etc/systemd/system/kube-apiserver.service");
    bool present = unit.ok() && unit->has_value();
    std::string loc = present ? (*unit)->fragment : where;
    Try("kube-apiserver unit", loc, !unit.ok() || present, [&]() -> absl::StatusOr<EtcdTarget> {
      if (!unit.ok()) return unit.status();
      return FromApiServerArgs((*unit)->exec_start, (*unit)->fragment, opts_.host_root);
    });
  }

  void Kubeconfig() {
    const char* source = "kubeconfig";
    if (!opts_.use_kubeconfig) {
      r_->steps.push_back({source, "", "skipped", "disabled", absl::OkStatus()});
      return;
    }
    if (r_->target && !opts_.always_query_cluster) {
      r_->steps.push_back({source, "", "skipped", "etcd already found", absl::OkStatus()});
      return;
    }
    kubeclient::KubeconfigOptions ko;
    ko.explicit_path = opts_.kubeconfig;
    ko.context = opts_.context;
    ko.env_kubeconfig = opts_.kubeconfig_env;
    ko.home = opts_.home;
    ko.host_root = opts_.host_root;
    auto rc = kubeclient::LoadKubeconfig(ko);
    if (!rc.ok()) {
      bool absent = absl::IsNotFound(rc.status()) && opts_.kubeconfig.empty();
      r_->steps.push_back({source, opts_.kubeconfig, absent ? "not found" : "error",
                           std::string(rc.status().message()), absent ? absl::OkStatus() : rc.status()});
      return;
    }
    std::string loc = absl::StrCat(absl::StrJoin(rc->files, ":"), " context ", rc->context, " -> ", rc->server);
    r_->api_server = rc->server;
    r_->context = rc->context;
    auto api = kubeclient::Client::Create(std::move(*rc));
    if (!api.ok()) {
      r_->steps.push_back({source, loc, "error", std::string(api.status().message()), api.status()});
      return;
    }
    // Interface addresses say which pod is ours only when we look at this machine.
    bool this_machine = opts_.host_root.empty() || opts_.host_root == "/";
    auto pods = ListEtcdPods(*api, r_->node_name, this_machine ? LocalAddresses() : std::vector<std::string>());
    if (!pods.ok()) {
      r_->steps.push_back({source, loc, "error", std::string(pods.status().message()), pods.status()});
      return;
    }
    r_->cluster_listed = true;
    r_->pods = std::move(*pods);
    if (r_->pods.empty()) {
      r_->steps.push_back({source, loc, "not found", "no etcd pods (component=etcd,tier=control-plane) in kube-system",
                           absl::OkStatus()});
      return;
    }
    std::string detail = absl::StrCat(r_->pods.size(), " etcd pod(s)");
    for (const EtcdPod& p : r_->pods) {
      if (p.this_host) absl::StrAppend(&detail, ", this host runs ", p.name);
    }
    if (r_->target) {
      r_->steps.push_back({source, loc, "listed", detail, absl::OkStatus()});
      return;
    }
    r_->target = TargetFromPods(r_->pods, opts_.host_root, r_->api_server);
    r_->steps.push_back({source, loc, "found", absl::StrCat(detail, "; ", Summary(*r_->target)), absl::OkStatus()});
  }

 private:
  const Options& opts_;
  Report* r_;
};

}  // namespace

absl::StatusOr<Report> DiscoverReport(const Options& opts) {
  Report r;
  r.node_name = NodeName(opts);
  Run run(opts, &r);
  if (!opts.manifest.empty()) {
    KETCD_ASSIGN_OR_RETURN(EtcdTarget t, FromStaticPodManifest(opts.manifest, opts.host_root));
    r.steps.push_back({"--manifest", opts.manifest, "found", Summary(t), absl::OkStatus()});
    r.target = std::move(t);
  } else {
    run.StaticPod("kubeadm manifest", kKubeadmManifest);
    run.StaticPod("RKE2 manifest", kRke2Manifest);
    run.Systemd();
    run.ApiServerFlags();
  }
  run.Kubeconfig();
  return r;
}

absl::StatusOr<EtcdTarget> Discover(const Options& opts) {
  KETCD_ASSIGN_OR_RETURN(Report r, DiscoverReport(opts));
  return TargetFromReport(std::move(r));
}

absl::StatusOr<EtcdTarget> TargetFromReport(Report r) {
  // A broken definition on this host is reported as such, even when a later source
  // found something: the broken file is what etcd runs from.
  for (const Step& s : r.steps) {
    if (s.outcome == "error" && s.source != "kubeconfig") return s.status;
  }
  if (r.target) return *std::move(r.target);
  std::vector<std::string> tried;
  std::string kubeconfig_error;
  absl::StatusCode kubeconfig_code = absl::StatusCode::kOk;
  for (const Step& s : r.steps) {
    if (s.source == "kubeconfig") {
      if (s.outcome == "error") {
        kubeconfig_error = s.detail;
        kubeconfig_code = s.status.code();
      }
      continue;
    }
    if (!s.location.empty()) tried.push_back(s.location);
  }
  if (r.cluster_listed) {
    return absl::NotFoundError(absl::StrCat(
        "this looks like a managed control plane: no etcd runs on this host (looked at ", absl::StrJoin(tried, ", "),
        ") and the API server ", r.api_server, " (context ", r.context,
        ") lists no etcd pods in kube-system; its etcd is not reachable from here. Use the provider's backup, "
        "or pass --endpoints and the TLS flags for an etcd you can reach"));
  }
  std::string msg = absl::StrCat(
      "no etcd found: looked at ", absl::StrJoin(tried, ", "),
      kubeconfig_error.empty() ? "; no kubeconfig to ask the cluster"
                               : absl::StrCat("; asking the cluster failed: ", kubeconfig_error),
      ". Pass --endpoints and the TLS flags, or --manifest PATH, or run this on a control-plane node");
  // An API server that could not be reached or refused us keeps its code (exit 3).
  if (kubeconfig_code != absl::StatusCode::kOk && kubeconfig_code != absl::StatusCode::kNotFound &&
      kubeconfig_code != absl::StatusCode::kInvalidArgument) {
    return absl::Status(kubeconfig_code, msg);
  }
  return absl::NotFoundError(msg);
}

}  // namespace ketcd::discovery
