#include "pkg/noderestore/kubeadm_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "pkg/discovery/discovery.h"
#include "pkg/fsutil/file.h"
#include "pkg/noderestore/manifest_patch.h"

namespace ketcd::noderestore {
namespace {
const char kPath[] = "/api/v1/namespaces/kube-system/configmaps/kubeadm-config";
}

absl::StatusOr<kubeclient::Client> NodeApiClient(const std::string& host_root, const std::string& explicit_path) {
  kubeclient::KubeconfigOptions ko;
  ko.host_root = host_root;
  ko.explicit_path = explicit_path;
  std::string admin = discovery::UnderRoot(host_root, "/etc/kubernetes/admin.conf");
  if (ko.explicit_path.empty() && fsutil::PathExists(admin)) ko.explicit_path = admin;
  KETCD_ASSIGN_OR_RETURN(kubeclient::RestConfig cfg, kubeclient::LoadKubeconfig(ko));
  return kubeclient::Client::Create(std::move(cfg));
}

absl::StatusOr<std::string> PatchClusterConfiguration(const std::string& text, const std::string& new_dir) {
  try {
    YAML::Node n = YAML::Load(text);
    if (!n["etcd"] || !n["etcd"]["local"] || !n["etcd"]["local"]["dataDir"]) {
      return absl::FailedPreconditionError("ClusterConfiguration has no etcd.local.dataDir");
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("ClusterConfiguration is not valid YAML: ", e.what()));
  }
  return ReplaceScalar(text, {"etcd", "local", "dataDir"}, new_dir);
}

absl::Status SetKubeadmDataDir(const kubeclient::Client& api, const std::vector<std::string>& from,
                               const std::string& to) {
  KETCD_ASSIGN_OR_RETURN(nlohmann::json cm, api.Get(kPath));
  if (!cm.is_object() || !cm.contains("data") || !cm["data"].is_object() ||
      !cm["data"].contains("ClusterConfiguration") || !cm["data"]["ClusterConfiguration"].is_string()) {
    return absl::FailedPreconditionError("ConfigMap kube-system/kubeadm-config has no ClusterConfiguration");
  }
  std::string text = cm["data"]["ClusterConfiguration"].get<std::string>();
  std::string now;
  try {
    now = YAML::Load(text)["etcd"]["local"]["dataDir"].as<std::string>("");
  } catch (const YAML::Exception&) {
  }
  if (now == to) return absl::OkStatus();
  if (std::find(from.begin(), from.end(), now) == from.end()) {
    return absl::FailedPreconditionError(absl::StrCat("etcd.local.dataDir in kubeadm-config is ", now,
                                                      ", not this node's ", from.empty() ? to : from.front(),
                                                      ": left as it is"));
  }
  KETCD_ASSIGN_OR_RETURN(std::string patched, PatchClusterConfiguration(text, to));
  cm["data"]["ClusterConfiguration"] = patched;
  return api.Request("PUT", kPath, cm.dump()).status();
}

std::string KubeadmConfigHint(const std::string& new_dir) {
  return absl::StrCat("kubectl -n kube-system edit configmap kubeadm-config   # set etcd.local.dataDir: ", new_dir,
                      " in ClusterConfiguration (kubeadm upgrade rewrites etcd.yaml from it and would point etcd "
                      "back at the old data)");
}

}  // namespace ketcd::noderestore
