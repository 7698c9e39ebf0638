// kube-apiserver flags that point at etcd.
#include "pkg/discovery/apiserver_flags.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pkg/discovery/etcd_config.h"
#include "pkg/discovery/static_pod.h"

namespace ketcd::discovery {
namespace {

absl::StatusOr<EtcdTarget> FromArgs(const std::vector<std::string>& argv, const std::string& defined_in,
                                    const std::function<std::string(const std::string&)>& to_host) {
  std::map<std::string, std::string> flags = ParseFlagMap(argv);
  auto it = flags.find("etcd-servers");
  if (it == flags.end() || it->second.empty()) {
    return absl::NotFoundError(absl::StrCat(defined_in, ": kube-apiserver has no --etcd-servers"));
  }
  EtcdTarget t;
  t.kind = "apiserver-flags";
  t.defined_in = defined_in;
  std::string where = absl::StrCat(" of kube-apiserver in ", defined_in);
  for (const std::string& u : SplitList(it->second)) {
    if (absl::StartsWith(u, "unix")) {
      return absl::NotFoundError(absl::StrCat(defined_in, ": --etcd-servers is ", u,
                                              " (kine or another etcd shim, not an etcd member)"));
    }
    t.endpoints.push_back(u);
  }
  t.origin["endpoints"] = "--etcd-servers" + where;
  if (flags.count("etcd-cafile")) {
    t.ca_file = to_host(flags["etcd-cafile"]);
    t.origin["ca_file"] = "--etcd-cafile" + where;
  }
  if (flags.count("etcd-certfile") && flags.count("etcd-keyfile")) {
    t.cert_file = to_host(flags["etcd-certfile"]);
    t.key_file = to_host(flags["etcd-keyfile"]);
    t.origin["cert_file"] = "--etcd-certfile" + where;
    t.origin["key_file"] = "--etcd-keyfile" + where;
  }
  t.files.push_back(defined_in);
  return t;
}

}  // namespace

absl::StatusOr<EtcdTarget> FromApiServerManifest(const std::string& path, const std::string& host_root) {
  KETCD_ASSIGN_OR_RETURN(PodManifest pod, LoadPodManifest(path));
  const PodContainer* c = FindContainer(pod, "kube-apiserver");
  if (c == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("manifest \"", path, "\": no kube-apiserver container"));
  }
  return FromArgs(c->argv, path, [&](const std::string& p) { return UnderRoot(host_root, ToHostPath(c->mounts, p)); });
}

absl::StatusOr<EtcdTarget> FromApiServerArgs(const std::vector<std::string>& argv, const std::string& defined_in,
                                             const std::string& host_root) {
  return FromArgs(argv, defined_in, [&](const std::string& p) { return UnderRoot(host_root, p); });
}

std::optional<EncryptionConfigRef> FindEncryptionConfig(const std::string& host_root) {
  for (const char* manifest : {"/etc/kubernetes/manifests/kube-apiserver.yaml",
                               "/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml"}) {
    std::string path = UnderRoot(host_root, manifest);
    auto pod = LoadPodManifest(path);
    if (!pod.ok()) continue;
    const PodContainer* c = FindContainer(*pod, "kube-apiserver");
    if (c == nullptr) continue;
    std::map<std::string, std::string> flags = ParseFlagMap(c->argv);
    auto it = flags.find("encryption-provider-config");
    if (it == flags.end() || it->second.empty()) continue;
    return EncryptionConfigRef{UnderRoot(host_root, ToHostPath(c->mounts, it->second)), path};
  }
  return std::nullopt;
}

}  // namespace ketcd::discovery
