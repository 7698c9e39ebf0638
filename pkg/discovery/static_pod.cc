// Static-pod manifests: the etcd container's command line and the pod's hostPath
// volumes, mapped to host paths.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "pkg/discovery/discovery.h"
#include "pkg/fsutil/file.h"

namespace ketcd::discovery {
namespace {

struct Mount {
  std::string container_path;
  std::string host_path;
};

// `--flag=value` and `--flag value` forms; later occurrences win, as in etcd.
std::map<std::string, std::string> ParseFlags(const std::vector<std::string>& argv) {
  std::map<std::string, std::string> flags;
  for (size_t i = 0; i < argv.size(); i++) {
    absl::string_view a = argv[i];
    if (!absl::StartsWith(a, "-")) continue;
    while (absl::StartsWith(a, "-")) a.remove_prefix(1);
    size_t eq = a.find('=');
    if (eq != absl::string_view::npos) {
      flags[std::string(a.substr(0, eq))] = std::string(a.substr(eq + 1));
    } else if (i + 1 < argv.size() && !absl::StartsWith(argv[i + 1], "-")) {
      flags[std::string(a)] = argv[++i];
    } else {
      flags[std::string(a)] = "true";
    }
  }
  return flags;
}

std::string ToHostPath(const std::vector<Mount>& mounts, const std::string& container_path) {
  const Mount* best = nullptr;
  for (const Mount& m : mounts) {
    const std::string& mp = m.container_path;
    bool under = container_path == mp ||
                 (absl::StartsWith(container_path, mp) && (mp.back() == '/' || container_path[mp.size()] == '/'));
    if (under && (best == nullptr || mp.size() > best->container_path.size())) best = &m;
  }
  if (best == nullptr) return container_path;  // hostNetwork pods often use host paths verbatim
  return fsutil::JoinPath(best->host_path, container_path.substr(best->container_path.size()));
}

std::vector<std::string> SplitList(const std::string& s) {
  return absl::StrSplit(s, ',', absl::SkipWhitespace());
}

// Local client URLs first: the tool runs on the node, where 127.0.0.1 is always in the
// server certificate of kubeadm and RKE2.
std::vector<std::string> ClientEndpoints(const std::map<std::string, std::string>& flags) {
  std::vector<std::string> out;
  auto add = [&](std::string url) {
    for (const char* any : {"://0.0.0.0:", "://[::]:"}) {
      size_t p = url.find(any);
      if (p != std::string::npos) url = url.substr(0, p) + "://127.0.0.1:" + url.substr(p + std::strlen(any));
    }
    if (std::find(out.begin(), out.end(), url) == out.end()) out.push_back(url);
  };
  std::vector<std::string> listen, advertise;
  if (auto it = flags.find("listen-client-urls"); it != flags.end()) listen = SplitList(it->second);
  if (auto it = flags.find("advertise-client-urls"); it != flags.end()) advertise = SplitList(it->second);
  for (const auto& u : listen) {
    if (absl::StrContains(u, "://127.") || absl::StrContains(u, "://localhost") || absl::StrContains(u, "://[::1]") ||
        absl::StrContains(u, "://0.0.0.0") || absl::StrContains(u, "://[::]")) {
      add(u);
    }
  }
  for (const auto& u : advertise) add(u);
  for (const auto& u : listen) add(u);
  if (out.empty()) add("http://127.0.0.1:2379");  // etcd's default
  return out;
}

}  // namespace

std::string UnderRoot(const std::string& host_root, const std::string& path) {
  if (host_root.empty() || host_root == "/") return path;
  return fsutil::JoinPath(host_root, path);
}

absl::StatusOr<EtcdTarget> FromStaticPodManifest(const std::string& path, const std::string& host_root) {
  KETCD_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(path));
  YAML::Node pod;
  try {
    pod = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("manifest \"", path, "\" is not valid YAML: line ",
                                                   e.mark.line + 1, ": ", e.msg));
  }
  try {
    if (!pod.IsMap() || !pod["spec"] || !pod["spec"]["containers"] || !pod["spec"]["containers"].IsSequence()) {
      return absl::InvalidArgumentError(
          absl::StrCat("manifest \"", path, "\" is not a Pod with spec.containers"));
    }
    YAML::Node container;
    for (const YAML::Node& c : pod["spec"]["containers"]) {
      std::string name = c["name"] ? c["name"].as<std::string>() : "";
      std::string cmd0 = c["command"] && c["command"].IsSequence() && c["command"].size() > 0
                             ? c["command"][0].as<std::string>()
                             : "";
      if (name == "etcd" || absl::EndsWith(cmd0, "etcd")) {
        container.reset(c);
        break;
      }
    }
    if (!container) {
      return absl::InvalidArgumentError(absl::StrCat("manifest \"", path, "\" has no etcd container"));
    }
    std::vector<std::string> argv;
    for (const char* key : {"command", "args"}) {
      if (container[key] && container[key].IsSequence()) {
        for (const YAML::Node& a : container[key]) argv.push_back(a.as<std::string>());
      }
    }
    auto flags = ParseFlags(argv);

    std::map<std::string, std::string> volume_host;
    if (pod["spec"]["volumes"]) {
      for (const YAML::Node& v : pod["spec"]["volumes"]) {
        if (v["hostPath"] && v["hostPath"]["path"]) {
          volume_host[v["name"].as<std::string>()] = v["hostPath"]["path"].as<std::string>();
        }
      }
    }
    std::vector<Mount> mounts;
    if (container["volumeMounts"]) {
      for (const YAML::Node& m : container["volumeMounts"]) {
        auto it = volume_host.find(m["name"].as<std::string>());
        if (it != volume_host.end()) mounts.push_back({m["mountPath"].as<std::string>(), it->second});
      }
    }
    auto host = [&](const std::string& container_path) {
      return UnderRoot(host_root, ToHostPath(mounts, container_path));
    };

    EtcdTarget t;
    t.kind = absl::StrContains(path, "rancher/rke2") ? "rke2" : "kubeadm";
    t.defined_in = path;
    t.endpoints = ClientEndpoints(flags);
    t.origin["endpoints"] = flags.count("listen-client-urls") ? "--listen-client-urls/--advertise-client-urls"
                                                              : "etcd default";
    if (auto it = flags.find("trusted-ca-file"); it != flags.end()) {
      t.ca_file = host(it->second);
      t.origin["ca_file"] = "--trusted-ca-file";
      // kubeadm's own etcd client identity sits beside the CA.
      std::string dir = fsutil::Dirname(t.ca_file);
      std::string hc_crt = fsutil::JoinPath(dir, "healthcheck-client.crt");
      std::string hc_key = fsutil::JoinPath(dir, "healthcheck-client.key");
      if (fsutil::PathExists(hc_crt) && fsutil::PathExists(hc_key)) {
        t.cert_file = hc_crt;
        t.key_file = hc_key;
        t.origin["cert_file"] = "healthcheck-client.crt beside the CA";
      }
    }
    if (t.cert_file.empty() && flags.count("cert-file") && flags.count("key-file")) {
      t.cert_file = host(flags["cert-file"]);
      t.key_file = host(flags["key-file"]);
      t.origin["cert_file"] = "--cert-file/--key-file (the server's own certificate)";
    }
    std::string data_dir = flags.count("data-dir") ? flags["data-dir"] : "/var/lib/etcd";
    t.container_data_dir = data_dir;
    t.data_dir = host(data_dir);
    t.origin["data_dir"] = flags.count("data-dir") ? "--data-dir via the pod's hostPath volume" : "default";
    t.name = flags.count("name") ? flags["name"] : "default";
    if (flags.count("initial-advertise-peer-urls")) t.peer_urls = SplitList(flags["initial-advertise-peer-urls"]);
    if (flags.count("initial-cluster")) t.initial_cluster = flags["initial-cluster"];
    t.initial_cluster_token = flags.count("initial-cluster-token") ? flags["initial-cluster-token"] : "etcd-cluster";
    return t;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("manifest \"", path, "\": unexpected structure: ", e.what()));
  }
}

absl::StatusOr<EtcdTarget> Discover(const Options& opts) {
  if (!opts.manifest.empty()) return FromStaticPodManifest(opts.manifest, opts.host_root);
  std::string kubeadm = UnderRoot(opts.host_root, "/etc/kubernetes/manifests/etcd.yaml");
  if (fsutil::PathExists(kubeadm)) return FromStaticPodManifest(kubeadm, opts.host_root);
  std::string rke2 = UnderRoot(opts.host_root, "/var/lib/rancher/rke2/agent/pod-manifests/etcd.yaml");
  if (fsutil::PathExists(rke2)) return FromStaticPodManifest(rke2, opts.host_root);
  return absl::NotFoundError(absl::StrCat(
      "no etcd found on this host (looked for ", kubeadm, " and ", rke2,
      "); pass --endpoints and the TLS flags, or --manifest PATH, or run this on a control-plane node"));
}

}  // namespace ketcd::discovery
