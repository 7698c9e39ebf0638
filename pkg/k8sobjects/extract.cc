#include "pkg/k8sobjects/extract.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"

namespace ketcd::k8sobjects {
namespace {

std::string Str(const Json& obj, std::initializer_list<const char*> path) {
  const Json* at = &obj;
  for (const char* key : path) {
    if (!at->is_object()) return "";
    auto it = at->find(key);
    if (it == at->end()) return "";
    at = &*it;
  }
  return at->is_string() ? at->get<std::string>() : "";
}

// obj[key], or an empty value when obj is no object or has no such key (never inserts).
const Json& At(const Json& obj, const char* key) {
  static const Json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

// obj[key] as an array or object, empty when it is anything else.
Json Items(const Json& obj, const char* key, const Json& empty) {
  const Json& v = At(obj, key);
  return v.type() == empty.type() ? v : empty;
}

std::string Group(const Json& obj) {
  std::string api_version = Str(obj, {"apiVersion"});
  size_t slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

std::string KindName(const Json& obj) { return absl::StrCat(Str(obj, {"kind"}), "/", Str(obj, {"metadata", "name"})); }

bool IsKind(const Json& obj, std::string_view group, std::string_view kind) {
  return Group(obj) == group && Str(obj, {"kind"}) == kind;
}

// The kind of the controller owner, "" when none.
std::string ControllerKind(const Json& obj) {
  for (const Json& r : Items(At(obj, "metadata"), "ownerReferences", Json::array())) {
    if (At(r, "controller") == true) return Str(r, {"kind"});
  }
  return "";
}

// Workload controllers that create their dependents from a template and re-create them.
bool RecreatesDependents(const std::string& kind) {
  static const std::set<std::string> kinds = {"ReplicaSet", "Deployment", "StatefulSet",          "DaemonSet",
                                              "Job",        "CronJob",    "ReplicationController"};
  return kinds.count(kind) > 0;
}

bool HasUserSettings(const Json& sa) {
  const Json& meta = At(sa, "metadata");
  return sa.contains("imagePullSecrets") || sa.contains("automountServiceAccountToken") ||
         !Items(meta, "labels", Json::object()).empty() || !Items(meta, "annotations", Json::object()).empty();
}

struct Context {
  std::set<std::string> services_with_selector;
};

// Why the API server's controllers re-create `obj` (so it is left out), or "".
std::string AutoCreated(const Json& obj, const Context& ctx) {
  const std::string kind = Str(obj, {"kind"}), name = Str(obj, {"metadata", "name"});
  const std::string group = Group(obj);
  if (kind == "Event" && (group.empty() || group == "events.k8s.io")) return "Events";
  if (group.empty() && kind == "ConfigMap" && name == "kube-root-ca.crt") return "kube-root-ca.crt ConfigMaps";
  if (group.empty() && kind == "ServiceAccount" && name == "default" && !HasUserSettings(obj)) {
    return "default ServiceAccounts";
  }
  if (group.empty() && kind == "Secret" && Str(obj, {"type"}) == "kubernetes.io/service-account-token") {
    std::string sa = Str(obj, {"metadata", "annotations", "kubernetes.io/service-account.name"});
    if (sa == "default" || name.starts_with(sa + "-token-")) return "generated service account token Secrets";
  }
  if (group.empty() && kind == "Endpoints" && ctx.services_with_selector.count(name)) {
    return "Endpoints of Services with a selector";
  }
  if (group == "discovery.k8s.io" && kind == "EndpointSlice") {
    std::string by = Str(obj, {"metadata", "labels", "endpointslice.kubernetes.io/managed-by"});
    if (by == "endpointslice-controller.k8s.io" || by == "endpointslicemirroring-controller.k8s.io") {
      return "EndpointSlices managed by a controller";
    }
  }
  std::string owner = ControllerKind(obj);
  if (kind != "PersistentVolumeClaim" && RecreatesDependents(owner)) return absl::StrCat(kind, "s owned by a ", owner);
  return "";
}

// Custom resources: "group/Kind" -> whether their CRD has a status subresource.
std::map<std::string, bool> CustomKinds(const std::vector<Json>& crds) {
  std::map<std::string, bool> out;
  for (const Json& crd : crds) {
    bool status = false;
    for (const Json& v : Items(At(crd, "spec"), "versions", Json::array())) {
      if (At(At(v, "subresources"), "status").is_object()) status = true;
    }
    std::string group = Str(crd, {"spec", "group"}), kind = Str(crd, {"spec", "names", "kind"});
    if (!group.empty() && !kind.empty()) out[absl::StrCat(group, "/", kind)] = status;
  }
  return out;
}

void RemoveServerFields(Json& obj, bool drop_status) {
  Json& meta = obj["metadata"];
  for (const char* f : {"resourceVersion", "uid", "managedFields", "creationTimestamp", "generation", "selfLink",
                        "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences"}) {
    meta.erase(f);
  }
  if (drop_status) obj.erase("status");
  // A token Secret kept (made by hand for another ServiceAccount): the token controller fills
  // it in again for the re-created account, whose uid differs.
  if (Group(obj).empty() && Str(obj, {"kind"}) == "Secret" &&
      Str(obj, {"type"}) == "kubernetes.io/service-account-token") {
    if (At(meta, "annotations").is_object()) meta["annotations"].erase("kubernetes.io/service-account.uid");
    if (At(obj, "data").is_object()) {
      for (const char* k : {"token", "ca.crt", "namespace"}) obj["data"].erase(k);
    }
  }
}

}  // namespace

int ApplyRank(const Json& obj) {
  const std::string group = Group(obj), kind = Str(obj, {"kind"});
  if (group.empty()) {
    if (kind == "Namespace") return 0;
    if (kind == "ServiceAccount") return 2;
    if (kind == "Secret") return 3;
    if (kind == "ConfigMap") return 4;
  }
  if (group == "apiextensions.k8s.io" && kind == "CustomResourceDefinition") return 1;
  if (group == "rbac.authorization.k8s.io") return kind == "Role" || kind == "ClusterRole" ? 5 : 6;
  return 7;
}

void Extraction::Add(Json obj) {
  if (!At(obj, "metadata").is_object()) return;
  if (IsKind(obj, "apiextensions.k8s.io", "CustomResourceDefinition")) {
    crds_.push_back(std::move(obj));
  } else {
    objects_.push_back(std::move(obj));
  }
}

ExtractResult Extraction::Finish() {
  ExtractResult r;
  Context ctx;
  for (const Json& o : objects_) {
    if (IsKind(o, "", "Service") && !Items(At(o, "spec"), "selector", Json::object()).empty()) {
      ctx.services_with_selector.insert(Str(o, {"metadata", "name"}));
    }
  }
  std::map<std::string, bool> custom = CustomKinds(crds_);
  std::set<std::string> used_crds;
  std::vector<std::pair<int, Json>> kept;
  for (Json& o : objects_) {
    std::string why = AutoCreated(o, ctx);
    if (!why.empty()) {
      r.skipped[why]++;
      continue;
    }
    auto c = custom.find(absl::StrCat(Group(o), "/", Str(o, {"kind"})));
    bool is_custom = c != custom.end();
    if (is_custom) used_crds.insert(c->first);
    int rank = is_custom ? 8 : ApplyRank(o);
    kept.emplace_back(rank, std::move(o));
  }
  for (Json& crd : crds_) {
    if (used_crds.count(absl::StrCat(Str(crd, {"spec", "group"}), "/", Str(crd, {"spec", "names", "kind"})))) {
      kept.emplace_back(1, std::move(crd));
    }
  }
  std::stable_sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::set<std::string> present;
  for (const auto& [rank, o] : kept) present.insert(KindName(o));
  for (auto& [rank, o] : kept) {
    Json refs = Items(At(o, "metadata"), "ownerReferences", Json::array());
    if (!refs.empty()) r.owner_references_removed++;
    for (const Json& ref : refs) {
      std::string owner = absl::StrCat(Str(ref, {"kind"}), "/", Str(ref, {"name"}));
      if (!present.count(owner)) r.missing_owners.push_back(absl::StrCat(owner, " (owner of ", KindName(o), ")"));
    }
    auto c = custom.find(absl::StrCat(Group(o), "/", Str(o, {"kind"})));
    // The API server ignores status on create for built-ins and for custom resources with
    // a status subresource; elsewhere status is ordinary data.
    RemoveServerFields(o, c == custom.end() || c->second);
    r.objects.push_back(std::move(o));
  }
  return r;
}

}  // namespace ketcd::k8sobjects
