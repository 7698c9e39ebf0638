// Static-pod manifests: the etcd container's command line (or its --config-file) and
// the pod's hostPath volumes, mapped to host paths.
#include "pkg/discovery/static_pod.h"

#include <yaml-cpp/yaml.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pkg/discovery/etcd_config.h"
#include "pkg/fsutil/file.h"

namespace ketcd::discovery {
namespace {

absl::Status Malformed(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("manifest \"", path, "\": ", what));
}

std::map<std::string, std::string> StringMap(const YAML::Node& n) {
  std::map<std::string, std::string> out;
  if (!n || !n.IsMap()) return out;
  for (const auto& kv : n) {
    if (kv.second.IsScalar()) out[kv.first.as<std::string>()] = kv.second.as<std::string>();
  }
  return out;
}

std::string Str(const YAML::Node& n) { return n && n.IsScalar() ? n.as<std::string>() : ""; }

}  // namespace

std::string UnderRoot(const std::string& host_root, const std::string& path) {
  if (host_root.empty() || host_root == "/") return path;
  return fsutil::JoinPath(host_root, path);
}

std::string ToHostPath(const std::vector<Mount>& mounts, const std::string& container_path) {
  const Mount* best = nullptr;
  for (const Mount& m : mounts) {
    const std::string& mp = m.container_path;
    if (mp.empty()) continue;
    bool under = container_path == mp ||
                 (absl::StartsWith(container_path, mp) && (mp.back() == '/' || container_path[mp.size()] == '/'));
    if (under && (best == nullptr || mp.size() > best->container_path.size())) best = &m;
  }
  if (best == nullptr) return container_path;
  return fsutil::JoinPath(best->host_path, container_path.substr(best->container_path.size()));
}

absl::StatusOr<PodManifest> LoadPodManifest(const std::string& path) {
  KETCD_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(path));
  PodManifest pod;
  pod.path = path;
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) return Malformed(path, "not a YAML mapping (expected a Pod)");
    if (root["kind"] && Str(root["kind"]) != "Pod") {
      return Malformed(path, absl::StrCat("kind is \"", Str(root["kind"]), "\", expected Pod"));
    }
    YAML::Node spec = root["spec"];
    if (!spec || !spec.IsMap()) return Malformed(path, "no spec");
    YAML::Node containers = spec["containers"];
    if (!containers || !containers.IsSequence() || containers.size() == 0) {
      return Malformed(path, "spec.containers is missing or empty");
    }
    if (root["metadata"]) {
      pod.labels = StringMap(root["metadata"]["labels"]);
      pod.annotations = StringMap(root["metadata"]["annotations"]);
    }
    std::map<std::string, std::string> volume_host;
    if (spec["volumes"] && spec["volumes"].IsSequence()) {
      for (const YAML::Node& v : spec["volumes"]) {
        if (v["hostPath"] && v["hostPath"]["path"]) volume_host[Str(v["name"])] = Str(v["hostPath"]["path"]);
      }
    }
    for (size_t i = 0; i < containers.size(); i++) {
      const YAML::Node& c = containers[i];
      PodContainer pc;
      pc.name = Str(c["name"]);
      pc.image = Str(c["image"]);
      for (const char* key : {"command", "args"}) {
        if (!c[key]) continue;
        if (!c[key].IsSequence()) {
          return Malformed(path, absl::StrCat("spec.containers[", i, "].", key, " is not a list"));
        }
        for (const YAML::Node& a : c[key]) {
          if (!a.IsScalar()) {
            return Malformed(path, absl::StrCat("spec.containers[", i, "].", key, " holds a non-string item"));
          }
          pc.argv.push_back(a.as<std::string>());
        }
      }
      if (c["volumeMounts"] && c["volumeMounts"].IsSequence()) {
        for (const YAML::Node& m : c["volumeMounts"]) {
          std::string name = Str(m["name"]), mount_path = Str(m["mountPath"]);
          pc.mount_volume[mount_path] = name;
          auto it = volume_host.find(name);
          if (it != volume_host.end()) pc.mounts.push_back({mount_path, it->second});
        }
      }
      pod.containers.push_back(std::move(pc));
    }
  } catch (const YAML::Exception& e) {
    if (e.mark.line >= 0) {
      return Malformed(path, absl::StrCat("not valid YAML: line ", e.mark.line + 1, ": ", e.msg));
    }
    return Malformed(path, absl::StrCat("unexpected structure: ", e.what()));
  }
  return pod;
}

const PodContainer* FindContainer(const PodManifest& pod, const std::string& program) {
  for (const PodContainer& c : pod.containers) {
    if (c.name == program) return &c;
  }
  for (const PodContainer& c : pod.containers) {
    if (!c.argv.empty() && (c.argv[0] == program || absl::EndsWith(c.argv[0], "/" + program))) return &c;
  }
  return nullptr;
}

absl::StatusOr<EtcdTarget> FromStaticPodManifest(const std::string& path, const std::string& host_root) {
  KETCD_ASSIGN_OR_RETURN(PodManifest pod, LoadPodManifest(path));
  const PodContainer* c = FindContainer(pod, "etcd");
  if (c == nullptr) return Malformed(path, "no etcd container (no container named etcd or running etcd)");
  auto to_host = [&](const std::string& p) { return UnderRoot(host_root, ToHostPath(c->mounts, p)); };

  EtcdTarget t;
  t.defined_in = path;
  t.image = c->image;
  t.files.push_back(path);
  EtcdConfig cfg;
  AddFlags(c->argv, path, path, &cfg);
  if (auto it = cfg.find("config-file"); it != cfg.end()) {
    t.config_file = to_host(it->second.value);
    t.files.push_back(t.config_file);
    if (!fsutil::PathExists(t.config_file)) {
      return absl::FailedPreconditionError(absl::StrCat("manifest \"", path, "\": etcd's --config-file ",
                                                        it->second.value, " (host path ", t.config_file,
                                                        ") does not exist"));
    }
    KETCD_RETURN_IF_ERROR(LoadConfigFile(t.config_file, &cfg));
  }
  FillTarget(cfg, to_host, "/", &t);

  bool rke2 = absl::StrContains(path, "/rancher/rke2/") || absl::StrContains(t.config_file, "/rancher/rke2/") ||
              absl::StrContains(c->image, "rancher/");
  bool kubeadm = pod.annotations.count("kubeadm.kubernetes.io/etcd.advertise-client-urls") > 0 ||
                 absl::StrContains(path, "/etc/kubernetes/manifests/");
  t.kind = rke2 ? "rke2" : (kubeadm ? "kubeadm" : "static-pod");

  // The data dir the kubelet gives etcd is the hostPath of the volume mounted over
  // --data-dir: that is what a restore changes in the manifest.
  const Mount* data_mount = nullptr;
  for (const Mount& m : c->mounts) {
    const std::string& mp = m.container_path;
    bool under = t.container_data_dir == mp || absl::StartsWith(t.container_data_dir, mp + "/");
    if (under && (data_mount == nullptr || mp.size() > data_mount->container_path.size())) data_mount = &m;
  }
  if (data_mount != nullptr) {
    std::string volume = c->mount_volume.at(data_mount->container_path);
    t.origin["data_dir"] = absl::StrCat(t.origin["data_dir"], ", host path from volume ", volume, " (hostPath ",
                                        data_mount->host_path, ")");
    t.data_dir_file = path;
    t.data_dir_key = absl::StrCat("hostPath of volume ", volume);
  } else {
    t.origin["data_dir"] += " (no hostPath volume covers it: taken as a host path)";
  }
  return t;
}

}  // namespace ketcd::discovery
