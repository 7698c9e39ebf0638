// etcd mirror pods from the API (PodList JSON, core/v1 types).
#include "pkg/discovery/cluster_pods.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pkg/discovery/etcd_config.h"
#include "pkg/discovery/static_pod.h"
#include "pkg/fsutil/file.h"

namespace ketcd::discovery {
namespace {

std::string S(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

const nlohmann::json& Obj(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  if (!j.is_object() || !j.contains(key)) return kEmpty;
  return j[key];
}

bool SameNode(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return false;
  if (absl::EqualsIgnoreCase(a, b)) return true;
  // "cp1" vs "cp1.example.internal"
  std::string sa = a.substr(0, a.find('.')), sb = b.substr(0, b.find('.'));
  return absl::EqualsIgnoreCase(sa, sb) && (a.find('.') == std::string::npos || b.find('.') == std::string::npos);
}

std::vector<Mount> Mounts(const EtcdPod& p) {
  std::vector<Mount> m;
  for (const auto& [c, h] : p.host_paths) m.push_back({c, h});
  return m;
}

}  // namespace

std::string EtcdVersionFromImage(const std::string& image) {
  size_t colon = image.find_last_of(':');
  if (colon == std::string::npos || image.find('/', colon) != std::string::npos) return "";
  // v?N.N.N at the start of the tag. By hand: std::regex recurses per character and a
  // long tag from the API server would overflow the stack.
  absl::string_view tag = absl::string_view(image).substr(colon + 1);
  if (absl::StartsWith(tag, "v")) tag.remove_prefix(1);
  size_t i = 0;
  for (int part = 0; part < 3; part++) {
    if (part > 0) {
      if (i >= tag.size() || tag[i] != '.') return "";
      i++;
    }
    const size_t start = i;
    while (i < tag.size() && absl::ascii_isdigit(static_cast<unsigned char>(tag[i]))) i++;
    if (i == start) return "";
  }
  return std::string(tag.substr(0, i));
}

std::vector<std::string> LocalAddresses() {
  std::vector<std::string> out;
  struct ifaddrs* ifs = nullptr;
  if (::getifaddrs(&ifs) != 0) return out;
  for (struct ifaddrs* i = ifs; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || (i->ifa_flags & IFF_LOOPBACK)) continue;
    char buf[INET6_ADDRSTRLEN] = {0};
    if (i->ifa_addr->sa_family == AF_INET) {
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, buf, sizeof buf);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, buf, sizeof buf);
    } else {
      continue;
    }
    out.emplace_back(buf);
  }
  ::freeifaddrs(ifs);
  return out;
}

absl::StatusOr<std::vector<EtcdPod>> ParseEtcdPods(const nlohmann::json& list, const std::string& node_name,
                                                   const std::vector<std::string>& local_ips) {
  if (!list.is_object() || !list.contains("items") || !list["items"].is_array()) {
    return absl::InvalidArgumentError("API server reply is not a PodList (no items)");
  }
  std::vector<EtcdPod> pods;
  for (const nlohmann::json& item : list["items"]) {
    EtcdPod p;
    const auto& meta = Obj(item, "metadata");
    const auto& spec = Obj(item, "spec");
    const auto& status = Obj(item, "status");
    p.name = S(meta, "name");
    p.node = S(spec, "nodeName");
    p.host_ip = S(status, "hostIP");
    p.phase = S(status, "phase");
    if (status.contains("conditions") && status["conditions"].is_array()) {
      for (const auto& c : status["conditions"]) {
        if (S(c, "type") == "Ready") p.ready = S(c, "status") == "True";
      }
    }
    std::map<std::string, std::string> volume_host;
    if (spec.contains("volumes") && spec["volumes"].is_array()) {
      for (const auto& v : spec["volumes"]) {
        std::string path = S(Obj(v, "hostPath"), "path");
        if (!path.empty()) volume_host[S(v, "name")] = path;
      }
    }
    const nlohmann::json* container = nullptr;
    if (spec.contains("containers") && spec["containers"].is_array()) {
      for (const auto& c : spec["containers"]) {
        if (S(c, "name") == "etcd" || container == nullptr) container = &c;
      }
    }
    std::vector<std::string> argv;
    if (container != nullptr) {
      p.image = S(*container, "image");
      for (const char* key : {"command", "args"}) {
        if (!container->contains(key) || !(*container)[key].is_array()) continue;
        for (const auto& a : (*container)[key]) {
          if (a.is_string()) argv.push_back(a.get<std::string>());
        }
      }
      if (container->contains("volumeMounts") && (*container)["volumeMounts"].is_array()) {
        for (const auto& m : (*container)["volumeMounts"]) {
          auto it = volume_host.find(S(m, "name"));
          if (it != volume_host.end()) p.host_paths[S(m, "mountPath")] = it->second;
        }
      }
    }
    if (status.contains("containerStatuses") && status["containerStatuses"].is_array()) {
      for (const auto& cs : status["containerStatuses"]) {
        if (S(cs, "name") != "etcd") continue;
        const auto& count = cs.contains("restartCount") ? cs["restartCount"] : nlohmann::json();
        // An int32 in the API; a negative, huge or fractional number is not a count.
        if (count.is_number_unsigned() && count.get<uint64_t>() <= INT32_MAX) p.restarts = count.get<int>();
        if (count.is_number_integer() && !count.is_number_unsigned() && count.get<int64_t>() >= 0 &&
            count.get<int64_t>() <= INT32_MAX) {
          p.restarts = static_cast<int>(count.get<int64_t>());
        }
        if (!S(cs, "image").empty() && p.image.empty()) p.image = S(cs, "image");
      }
    }
    p.version = EtcdVersionFromImage(p.image);
    p.flags = ParseFlagMap(argv);
    std::string adv = S(Obj(meta, "annotations"), "kubeadm.kubernetes.io/etcd.advertise-client-urls");
    if (adv.empty() && p.flags.count("advertise-client-urls")) adv = p.flags["advertise-client-urls"];
    if (adv.empty() && !p.host_ip.empty()) adv = absl::StrCat("https://", p.host_ip, ":2379");
    p.client_urls = SplitList(adv);
    std::string dd = p.flags.count("data-dir") ? p.flags["data-dir"] : "";
    if (!dd.empty()) p.data_dir = ToHostPath(Mounts(p), dd);
    p.this_host = SameNode(p.node, node_name);
    pods.push_back(std::move(p));
  }
  bool matched = false;
  for (const EtcdPod& p : pods) matched |= p.this_host;
  if (!matched) {
    for (EtcdPod& p : pods) {
      if (std::find(local_ips.begin(), local_ips.end(), p.host_ip) != local_ips.end()) {
        p.this_host = true;
        break;
      }
    }
  }
  return pods;
}

absl::StatusOr<std::vector<EtcdPod>> ListEtcdPods(const kubeclient::Client& api, const std::string& node_name,
                                                  const std::vector<std::string>& local_ips) {
  KETCD_ASSIGN_OR_RETURN(nlohmann::json list, api.Get(kEtcdPodsPath));
  auto pods = ParseEtcdPods(list, node_name, local_ips);
  if (!pods.ok()) {
    return absl::UnavailableError(absl::StrCat("API server ", api.config().server, ": ", pods.status().message()));
  }
  return pods;
}

EtcdTarget TargetFromPods(const std::vector<EtcdPod>& pods, const std::string& host_root,
                          const std::string& api_server) {
  EtcdTarget t;
  t.kind = "kubeconfig";
  const EtcdPod* self = nullptr;
  for (const EtcdPod& p : pods) {
    if (p.this_host) self = &p;
  }
  const EtcdPod& src = self != nullptr ? *self : pods.front();
  t.defined_in = absl::StrCat("pod kube-system/", src.name, " (API server ", api_server, ")");
  t.image = src.image;
  EtcdConfig cfg;
  std::vector<std::string> argv;
  for (const auto& [k, v] : src.flags) argv.push_back(absl::StrCat("--", k, "=", v));
  AddFlags(argv, absl::StrCat("pod ", src.name), "", &cfg);
  std::vector<Mount> mounts = Mounts(src);
  auto to_host = [&](const std::string& p) { return UnderRoot(host_root, ToHostPath(mounts, p)); };
  // RKE2 pods carry only --config-file; on the node itself that file is readable.
  if (auto it = cfg.find("config-file"); it != cfg.end() && self != nullptr) {
    std::string path = to_host(it->second.value);
    if (fsutil::PathExists(path) && LoadConfigFile(path, &cfg).ok()) t.config_file = path;
  }
  FillTarget(cfg, to_host, "/", &t);
  if (self == nullptr) {
    // Not a node running etcd: every member's client URL; local files are not ours.
    t.endpoints.clear();
    for (const EtcdPod& p : pods) {
      for (const std::string& u : p.client_urls) t.endpoints.push_back(u);
    }
    t.origin["endpoints"] = "advertise-client-urls of the etcd pods";
    t.data_dir.clear();
    t.container_data_dir.clear();
    t.origin.erase("data_dir");
  }
  for (std::string* f : {&t.ca_file, &t.cert_file, &t.key_file}) {
    if (!f->empty() && !fsutil::PathExists(*f)) f->clear();
  }
  if (t.ca_file.empty()) t.origin.erase("ca_file");
  if (t.cert_file.empty()) {
    t.origin.erase("cert_file");
    t.origin.erase("key_file");
  }
  return t;
}

}  // namespace ketcd::discovery
