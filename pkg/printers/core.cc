// The other built-in types of printers.go: printConfigMap, printSecret, printService,
// printNamespace, printNode, printServiceAccount, printPersistentVolume(Claim),
// printEndpoints, printIngress, printLease, printEvent, print(Cluster)RoleBinding.
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "pkg/printers/cells.h"
#include "pkg/printers/types.h"

namespace ketcd::printers {
namespace {

constexpr size_t kLoadBalancerWidth = 16;

std::string Name(const Json& o) { return Str(o, {"metadata", "name"}); }
std::string OrNone(const std::string& s) { return s.empty() ? "<none>" : s; }

Row ConfigMap(const Json& o, const RowOptions& opt) {
  return {Name(o), absl::StrCat(Len(o, {"data"}) + Len(o, {"binaryData"})), Age(o, opt.now)};
}
Row ConfigMapSummary(std::string_view name, const k8sobjects::ServedSummary& s, const RowOptions& opt) {
  return {std::string(name), absl::StrCat(s.map_entries), s.created ? Since(*s.created, opt.now) : "<unknown>"};
}

Row Secret(const Json& o, const RowOptions& opt) {
  return {Name(o), Str(o, {"type"}), absl::StrCat(Len(o, {"data"})), Age(o, opt.now)};
}

Row NameAge(const Json& o, const RowOptions& opt) { return {Name(o), Age(o, opt.now)}; }

// The ingress points of a load balancer: IPs or host names, sorted, unique, clipped.
std::string LoadBalancer(const Json& ingress, bool wide) {
  std::set<std::string> seen;
  for (const Json& i : Items(ingress)) {
    if (!Str(i, {"ip"}).empty()) {
      seen.insert(Str(i, {"ip"}));
    } else if (!Str(i, {"hostname"}).empty()) {
      seen.insert(Str(i, {"hostname"}));
    }
  }
  std::string r = absl::StrJoin(seen, ",");
  if (!wide && r.size() > kLoadBalancerWidth) r = r.substr(0, kLoadBalancerWidth - 3) + "...";
  return r;
}

std::string ExternalIp(const Json& svc, bool wide) {
  std::vector<std::string> external;
  for (const Json& ip : Items(At(svc, {"spec", "externalIPs"})))
    external.push_back(ip.is_string() ? ip.get<std::string>() : "");
  const std::string type = Str(svc, {"spec", "type"});
  if (type == "ClusterIP" || type == "NodePort") return external.empty() ? "<none>" : absl::StrJoin(external, ",");
  if (type == "ExternalName") return Str(svc, {"spec", "externalName"});
  if (type != "LoadBalancer") return "<unknown>";
  const std::string lb = LoadBalancer(At(svc, {"status", "loadBalancer", "ingress"}), wide);
  if (!external.empty()) {
    std::vector<std::string> all;
    if (!lb.empty()) all = std::vector<std::string>(absl::StrSplit(lb, ','));
    all.insert(all.end(), external.begin(), external.end());
    return absl::StrJoin(all, ",");
  }
  return lb.empty() ? "<pending>" : lb;
}

Row Service(const Json& o, const RowOptions& opt) {
  std::vector<std::string> ports;
  for (const Json& p : Items(At(o, {"spec", "ports"}))) {
    const int64_t node_port = Int(p, {"nodePort"});
    ports.push_back(node_port > 0 ? absl::StrCat(Int(p, {"port"}), ":", node_port, "/", Str(p, {"protocol"}))
                                  : absl::StrCat(Int(p, {"port"}), "/", Str(p, {"protocol"})));
  }
  const Json& ips = Items(At(o, {"spec", "clusterIPs"}));
  return {Name(o),
          Str(o, {"spec", "type"}),
          ips.empty() || !ips[0].is_string() ? "<none>" : ips[0].get<std::string>(),
          ExternalIp(o, opt.wide),
          OrNone(absl::StrJoin(ports, ",")),
          Age(o, opt.now),
          FormatLabels(At(o, {"spec", "selector"}))};
}

// Phases the API server defaults when it reads an object (pkg/apis/core/v1/defaults.go):
// a stored object may lack them.
std::string Phase(const Json& o, const char* dflt) {
  const std::string phase = Str(o, {"status", "phase"});
  return phase.empty() ? dflt : phase;
}

Row Namespace(const Json& o, const RowOptions& opt) { return {Name(o), Phase(o, "Active"), Age(o, opt.now)}; }

std::string NodeAddress(const Json& node, const char* type) {
  for (const Json& a : Items(At(node, {"status", "addresses"}))) {
    if (Str(a, {"type"}) == type) return Str(a, {"address"});
  }
  return "<none>";
}

Row Node(const Json& o, const RowOptions& opt) {
  std::vector<std::string> status;
  for (const Json& c : Items(At(o, {"status", "conditions"}))) {
    if (Str(c, {"type"}) == "Ready") status = {Str(c, {"status"}) == "True" ? "Ready" : "NotReady"};
  }
  if (status.empty()) status.push_back("Unknown");
  if (Bool(o, {"spec", "unschedulable"})) status.push_back("SchedulingDisabled");
  std::set<std::string> roles;
  const Json& labels = At(o, {"metadata", "labels"});
  for (auto it = labels.begin(); labels.is_object() && it != labels.end(); ++it) {
    const std::string v = it->is_string() ? it->get<std::string>() : "";
    if (absl::StartsWith(it.key(), "node-role.kubernetes.io/")) {
      std::string role = it.key().substr(sizeof("node-role.kubernetes.io/") - 1);
      if (!role.empty()) roles.insert(role);
    } else if (it.key() == "kubernetes.io/role" && !v.empty()) {
      roles.insert(v);
    }
  }
  const Json& info = At(o, {"status", "nodeInfo"});
  auto or_unknown = [](const std::string& s) { return s.empty() ? std::string("<unknown>") : s; };
  std::string kernel = or_unknown(Str(info, {"kernelVersion"}));
  if (!Str(info, {"architecture"}).empty()) absl::StrAppend(&kernel, " (", Str(info, {"architecture"}), ")");
  return {Name(o),
          absl::StrJoin(status, ","),
          OrNone(absl::StrJoin(roles, ",")),
          Age(o, opt.now),
          Str(info, {"kubeletVersion"}),
          NodeAddress(o, "InternalIP"),
          NodeAddress(o, "ExternalIP"),
          or_unknown(Str(info, {"osImage"})),
          kernel,
          or_unknown(Str(info, {"containerRuntimeVersion"}))};
}

std::string AccessModes(const Json& modes) {
  std::set<std::string> have;
  for (const Json& m : Items(modes)) have.insert(m.is_string() ? m.get<std::string>() : "");
  std::vector<std::string> out;
  static constexpr std::pair<const char*, const char*> kModes[] = {
      {"ReadWriteOnce", "RWO"}, {"ReadOnlyMany", "ROX"}, {"ReadWriteMany", "RWX"}, {"ReadWriteOncePod", "RWOP"}};
  for (const auto& [mode, abbrev] : kModes) {
    if (have.count(mode)) out.push_back(abbrev);
  }
  return absl::StrJoin(out, ",");
}

// The beta storage class annotation first, then the field.
std::string StorageClass(const Json& o, const Json& field) {
  const Json& beta = At(o, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"});
  if (beta.is_string()) return beta.get<std::string>();
  return field.is_string() ? field.get<std::string>() : "";
}

std::string Unset(const Json& j) { return j.is_string() ? j.get<std::string>() : "<unset>"; }

Row PersistentVolume(const Json& o, const RowOptions& opt) {
  std::string claim;
  if (At(o, {"spec", "claimRef"}).is_object()) {
    claim = absl::StrCat(Str(o, {"spec", "claimRef", "namespace"}), "/", Str(o, {"spec", "claimRef", "name"}));
  }
  const std::string size = Str(o, {"spec", "capacity", "storage"});
  const bool deleting = !Str(o, {"metadata", "deletionTimestamp"}).empty();
  return {Name(o),
          size.empty() ? "0" : size,
          AccessModes(At(o, {"spec", "accessModes"})),
          Str(o, {"spec", "persistentVolumeReclaimPolicy"}),
          deleting ? "Terminating" : Phase(o, "Pending"),
          claim,
          StorageClass(o, At(o, {"spec", "storageClassName"})),
          Unset(At(o, {"spec", "volumeAttributesClassName"})),
          Str(o, {"status", "reason"}),
          Age(o, opt.now),
          Unset(At(o, {"spec", "volumeMode"}))};
}

Row PersistentVolumeClaim(const Json& o, const RowOptions& opt) {
  const bool deleting = !Str(o, {"metadata", "deletionTimestamp"}).empty();
  // The status is cleared on create, the phase defaulted when read.
  const std::string phase = Phase(o, "Pending");
  const std::string volume = Str(o, {"spec", "volumeName"});
  std::string capacity, modes;
  if (!volume.empty()) {
    modes = AccessModes(At(o, {"status", "accessModes"}));
    capacity = Str(o, {"status", "capacity", "storage"});
    if (capacity.empty()) capacity = "0";
  }
  return {Name(o),
          deleting ? "Terminating" : phase,
          volume,
          capacity,
          modes,
          StorageClass(o, At(o, {"spec", "storageClassName"})),
          Unset(At(o, {"spec", "volumeAttributesClassName"})),
          Age(o, opt.now),
          Unset(At(o, {"spec", "volumeMode"}))};
}

// formatEndpoints: the first three addresses (IP:port per port), then "+ N more...".
std::string Endpoints(const Json& o) {
  const Json& subsets = Items(At(o, {"subsets"}));
  if (subsets.empty()) return "<none>";
  constexpr size_t kMax = 3;
  std::vector<std::string> list;
  size_t count = 0;
  bool more = false;
  for (const Json& ss : subsets) {
    const Json& addrs = Items(At(ss, {"addresses"}));
    const Json& ports = Items(At(ss, {"ports"}));
    const Json no_port = Json::array({Json::object()});
    for (const Json& port : ports.empty() ? no_port : ports) {
      count += addrs.size();
      for (const Json& a : addrs) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        const std::string ip = Str(a, {"ip"});
        if (ports.empty()) {
          list.push_back(ip);
        } else {
          const bool v6 = ip.find(':') != std::string::npos;
          list.push_back(absl::StrCat(v6 ? "[" : "", ip, v6 ? "]" : "", ":", Int(port, {"port"})));
        }
      }
    }
  }
  std::string ret = absl::StrJoin(list, ",");
  if (more) absl::StrAppend(&ret, " + ", count - kMax, " more...");
  return ret;
}

Row EndpointsRow(const Json& o, const RowOptions& opt) { return {Name(o), Endpoints(o), Age(o, opt.now)}; }

Row Ingress(const Json& o, const RowOptions& opt) {
  std::vector<std::string> hosts;
  const Json& rules = Items(At(o, {"spec", "rules"}));
  constexpr size_t kMax = 3;
  bool more = false;
  for (const Json& r : rules) {
    if (hosts.size() == kMax) more = true;
    if (!more && !Str(r, {"host"}).empty()) hosts.push_back(Str(r, {"host"}));
  }
  std::string host_cell = hosts.empty() ? "*" : absl::StrJoin(hosts, ",");
  if (!hosts.empty() && more) absl::StrAppend(&host_cell, " + ", rules.size() - kMax, " more...");
  const Json& cls = At(o, {"spec", "ingressClassName"});
  return {Name(o),
          cls.is_string() ? cls.get<std::string>() : "<none>",
          host_cell,
          LoadBalancer(At(o, {"status", "loadBalancer", "ingress"}), opt.wide),
          Len(o, {"spec", "tls"}) ? "80, 443" : "80",
          Age(o, opt.now)};
}

Row Lease(const Json& o, const RowOptions& opt) {
  return {Name(o), Str(o, {"spec", "holderIdentity"}), Age(o, opt.now)};
}

Row Binding(const Json& o, const RowOptions& opt) {
  std::vector<std::string> users, groups, sas;
  for (const Json& s : Items(At(o, {"subjects"}))) {
    const std::string kind = Str(s, {"kind"});
    if (kind == "ServiceAccount") sas.push_back(absl::StrCat(Str(s, {"namespace"}), "/", Str(s, {"name"})));
    if (kind == "User") users.push_back(Str(s, {"name"}));
    if (kind == "Group") groups.push_back(Str(s, {"name"}));
  }
  return {Name(o),
          absl::StrCat(Str(o, {"roleRef", "kind"}), "/", Str(o, {"roleRef", "name"})),
          Age(o, opt.now),
          absl::StrJoin(users, ", "),
          absl::StrJoin(groups, ", "),
          absl::StrJoin(sas, ", ")};
}

}  // namespace

void AddCore(TypeTable& t) {
  t.Add("", "configmaps", {{{"NAME"}, {"DATA"}, {"AGE"}}, ConfigMap, ConfigMapSummary});
  t.Add("", "secrets", {{{"NAME"}, {"TYPE"}, {"DATA"}, {"AGE"}}, Secret});
  t.Add("", "serviceaccounts", {{{"NAME"}, {"AGE"}}, NameAge});
  t.Add("", "services",
        {{{"NAME"}, {"TYPE"}, {"CLUSTER-IP"}, {"EXTERNAL-IP"}, {"PORT(S)"}, {"AGE"}, {"SELECTOR", true}}, Service});
  t.Add("", "namespaces", {{{"NAME"}, {"STATUS"}, {"AGE"}}, Namespace});
  t.Add("", "nodes",
        {{{"NAME"},
          {"STATUS"},
          {"ROLES"},
          {"AGE"},
          {"VERSION"},
          {"INTERNAL-IP", true},
          {"EXTERNAL-IP", true},
          {"OS-IMAGE", true},
          {"KERNEL-VERSION", true},
          {"CONTAINER-RUNTIME", true}},
         Node});
  t.Add("", "persistentvolumes",
        {{{"NAME"},
          {"CAPACITY"},
          {"ACCESS MODES"},
          {"RECLAIM POLICY"},
          {"STATUS"},
          {"CLAIM"},
          {"STORAGECLASS"},
          {"VOLUMEATTRIBUTESCLASS"},
          {"REASON"},
          {"AGE"},
          {"VOLUMEMODE", true}},
         PersistentVolume});
  t.Add("", "persistentvolumeclaims",
        {{{"NAME"},
          {"STATUS"},
          {"VOLUME"},
          {"CAPACITY"},
          {"ACCESS MODES"},
          {"STORAGECLASS"},
          {"VOLUMEATTRIBUTESCLASS"},
          {"AGE"},
          {"VOLUMEMODE", true}},
         PersistentVolumeClaim});
  t.Add("", "endpoints", {{{"NAME"}, {"ENDPOINTS"}, {"AGE"}}, EndpointsRow});
  t.Add("networking.k8s.io", "ingresses", {{{"NAME"}, {"CLASS"}, {"HOSTS"}, {"ADDRESS"}, {"PORTS"}, {"AGE"}}, Ingress});
  t.Add("coordination.k8s.io", "leases", {{{"NAME"}, {"HOLDER"}, {"AGE"}}, Lease});
  const std::vector<Column> binding = {{"NAME"},        {"ROLE"},         {"AGE"},
                                       {"USERS", true}, {"GROUPS", true}, {"SERVICEACCOUNTS", true}};
  t.Add("rbac.authorization.k8s.io", "rolebindings", {binding, Binding});
  t.Add("rbac.authorization.k8s.io", "clusterrolebindings", {binding, Binding});
}

}  // namespace ketcd::printers
